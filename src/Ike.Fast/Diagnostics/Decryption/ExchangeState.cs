using Ike.Fast.Crypto.KeySchedule;

namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// The CBC state of one exchange of an ISAKMP SA (RFC 2409 Appendix B): Phase 1 (message ID 0) or one Quick
/// Mode / Informational / Transaction exchange, which chains its own IV from hash(last Phase 1 block | M-ID).
/// Retransmissions are recognised by their last ciphertext block and decrypted with the IV the original got,
/// without advancing the chain. Quick Mode inputs (nonces, SPIs, chosen transform) are kept for HASH(2),
/// HASH(3) and KEYMAT.
/// </summary>
internal sealed class ExchangeState
{
    private readonly List<(byte[] LastBlock, byte[] Iv, int Index)> _seen = [];

    public CbcIvChain Chain;

    /// <summary>Distinct messages decrypted so far in this exchange.</summary>
    public int Messages { get; set; }

    public byte[]? NiB { get; set; }

    public byte[]? NrB { get; set; }

    public byte[]? InitiatorSpi { get; set; }

    public byte[]? ResponderSpi { get; set; }

    public byte ProtocolId { get; set; }

    /// <summary>Responder's chosen IPsec transform: ID, Key Length attribute (bits, 0 absent), Authentication Algorithm attribute.</summary>
    public (byte TransformId, int KeyLengthBits, int AuthenticationAlgorithm)? ChosenTransform { get; set; }

    /// <summary>True when the Quick Mode carried KE payloads (PFS).</summary>
    public bool HasKeyExchange { get; set; }

    public bool KeymatDone { get; set; }

    /// <summary>The IV and message index a retransmitted message (same last ciphertext block) was first decrypted with.</summary>
    public bool TryFindRetransmission(ReadOnlySpan<byte> lastBlock, out byte[] iv, out int index)
    {
        foreach ((byte[] block, byte[] seenIv, int seenIndex) in _seen)
        {
            if (lastBlock.SequenceEqual(block))
            {
                iv = seenIv;
                index = seenIndex;
                return true;
            }
        }

        iv = [];
        index = -1;
        return false;
    }

    public void Remember(ReadOnlySpan<byte> lastBlock, byte[] iv, int index) => _seen.Add((lastBlock.ToArray(), iv, index));
}

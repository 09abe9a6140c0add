using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto.KeySchedule;

/// <summary>
/// The CBC IV of one IKEv1 exchange (RFC 2409 Appendix B): Phase 1 starts from hash(g^xi | g^xr), every Quick
/// Mode / Informational exchange from hash(last Phase 1 CBC block | M-ID), and each then chains on its own: the
/// next message's IV is the last ciphertext block of the previous one. Pass <see cref="Current"/> as the IV of
/// <see cref="IkeCbcCipher.TryEncrypt"/> / <see cref="IkeCbcCipher.TryDecrypt"/>, which advance it in place.
/// Inline storage, no allocation.
/// </summary>
public struct CbcIvChain
{
    private Bytes16 _iv;
    private int _length;

    /// <summary>The IV for the next message of this exchange (empty before initialisation).</summary>
    [UnscopedRef]
    public Span<byte> Current => ((Span<byte>)_iv)[.._length];

    /// <summary>Starts a chain from a known IV (the Phase 1 IV of <see cref="Phase1KeyMaterial.InitialIv"/>).</summary>
    public void Initialize(ReadOnlySpan<byte> iv)
    {
        if (iv.Length is not (8 or 16))
        {
            throw new ArgumentException("IVs are one cipher block: 8 or 16 bytes.", nameof(iv));
        }

        iv.CopyTo(_iv);
        _length = iv.Length;
    }

    /// <summary>Starts the chain of a Phase 2 / Informational exchange: hash(last Phase 1 block | M-ID).</summary>
    public void InitializePhase2(IkeHashAlgorithm hash, ReadOnlySpan<byte> lastPhase1Block, uint messageId)
    {
        if (lastPhase1Block.Length is not (8 or 16))
        {
            throw new ArgumentException("The last Phase 1 block is 8 or 16 bytes.", nameof(lastPhase1Block));
        }

        _length = lastPhase1Block.Length;
        Phase2KeySchedule.ComputeIv(hash, lastPhase1Block, messageId, Current);
    }

    /// <summary>Forgets the IV.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(_iv);
        _length = 0;
    }
}

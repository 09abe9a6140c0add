using Ike.Fast.Crypto;
using Ike.Fast.Crypto.KeySchedule;
using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// Everything learnt about one ISAKMP SA (named by CKY-I) while reading a capture: the RFC 2409 section 5 inputs
/// read off the unencrypted messages (SAi_b, the responder's chosen transform, g^xi, g^xr, Ni_b, Nr_b, the
/// identities), then the derived keys and the per-exchange CBC chains.
/// </summary>
internal sealed class IkeSaState : IDisposable
{
    public IkeSaState(ulong initiatorCookie) => InitiatorCookie = initiatorCookie;

    public ulong InitiatorCookie { get; }

    public ulong ResponderCookie { get; set; }

    public ExchangeType Mode { get; set; }

    /// <summary>"address:port" of the initiator (source of the first message), when the capture says.</summary>
    public string? InitiatorEndpoint { get; set; }

    public Phase1Secrets? Secrets { get; set; }

    public byte[]? SaiB { get; set; }

    public NegotiatedPhase1? Proposal { get; set; }

    public byte[]? Gxi { get; set; }

    public byte[]? Gxr { get; set; }

    public byte[]? NiB { get; set; }

    public byte[]? NrB { get; set; }

    public byte[]? IdiiB { get; set; }

    public byte[]? IdirB { get; set; }

    /// <summary>HASH_R of Aggressive Mode message 2 (in the clear), until checked.</summary>
    public byte[]? ClearHashR { get; set; }

    public bool HasKeys { get; private set; }

    /// <summary>Why keys could not be derived (unsupported proposal, bad secret); null while merely waiting for inputs.</summary>
    public string? KeyProblem { get; set; }

    public Phase1KeyMaterial Keys;

    public IkeCbcCipher? Cipher { get; private set; }

    public DerivedPhase1? Derived { get; private set; }

    /// <summary>Last ciphertext block of the latest Phase 1 message: the seed of Phase 2 IVs (RFC 2409 Appendix B).</summary>
    public byte[]? LastPhase1Block { get; set; }

    public Dictionary<uint, ExchangeState> Exchanges { get; } = [];

    public void SetKeys(Phase1KeyMaterial keys, IkeCbcCipher cipher, DerivedPhase1 derived)
    {
        Keys = keys;
        Cipher = cipher;
        Derived = derived;
        HasKeys = true;
    }

    public void Dispose()
    {
        if (HasKeys)
        {
            Keys.Dispose();
            Cipher?.Dispose();
            HasKeys = false;
        }

        foreach (ExchangeState exchange in Exchanges.Values)
        {
            exchange.Chain.Clear();
        }
    }
}

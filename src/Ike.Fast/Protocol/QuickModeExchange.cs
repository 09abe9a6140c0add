using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Crypto.KeySchedule;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// One Quick Mode exchange within a Phase 1 SA: its own message ID and CBC IV chain (RFC 2409 Appendix B), nonces,
/// SPIs, chosen proposal and optional PFS key. Pooled like <see cref="IkeSa"/> (see there): <see cref="Reset"/> must
/// return every field to its initial value; <see cref="Generation"/> changes on every reuse.
/// </summary>
internal sealed class QuickModeExchange : IDisposable
{
    /// <summary>Incremented each time the object is reused for another exchange.</summary>
    public int Generation;

    public uint MessageId;
    public bool IsInitiator;
    public ChildConfig Child = null!;
    public QuickModeState State;
    public CbcIvChain Iv;
    public byte[] Ni = [];
    public byte[] Nr = [];
    public byte[] SentIdci = [];
    public byte[] SentIdcr = [];
    public uint InboundSpi;
    public uint OutboundSpi;
    public ChildProposal? Chosen;
    public DhPrivateKey? PfsKey;
    public byte[]? PfsShared;
    public TrafficSelector LocalTs = TrafficSelector.Dynamic;
    public TrafficSelector RemoteTs = TrafficSelector.Dynamic;
    public long LifetimeSeconds;
    public long LifetimeKilobytes;
    public bool Commit;
    public long DoneAt;
    public readonly Flight Flight = new();

    public void Dispose()
    {
        PfsKey?.Dispose();
        PfsKey = null;
        if (PfsShared is not null)
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(PfsShared);
            PfsShared = null;
        }

        Iv.Clear();
    }

    /// <summary>Back to the state of a new object (after <see cref="Dispose"/>); arrays go to <paramref name="bytes"/>, zeroed.</summary>
    public void Reset(ExactLengthArrayPool bytes)
    {
        Dispose();
        Generation++;
        MessageId = 0;
        IsInitiator = false;
        Child = null!;
        State = default;
        Iv = default;
        bytes.Return(Ni);
        Ni = [];
        bytes.Return(Nr);
        Nr = [];
        bytes.Return(SentIdci);
        SentIdci = [];
        bytes.Return(SentIdcr);
        SentIdcr = [];
        InboundSpi = 0;
        OutboundSpi = 0;
        Chosen = null;
        LocalTs = TrafficSelector.Dynamic;
        RemoteTs = TrafficSelector.Dynamic;
        LifetimeSeconds = 0;
        LifetimeKilobytes = 0;
        Commit = false;
        DoneAt = 0;
        Flight.Reset();
    }
}

using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Crypto.KeySchedule;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// One Quick Mode exchange within a Phase 1 SA: its own message ID and CBC IV chain (RFC 2409 Appendix B), nonces,
/// SPIs, chosen proposal and optional PFS key.
/// </summary>
internal sealed class QuickModeExchange : IDisposable
{
    public required uint MessageId;
    public required bool IsInitiator;
    public required ChildConfig Child;
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
}

using Ike.Fast.Crypto.KeySchedule;

namespace Ike.Fast.Protocol.Transaction;

/// <summary>
/// One Transaction exchange (draft-ietf-ipsec-isakmp-mode-cfg §3) we started: its M-ID, its own CBC chain (from
/// hash(last Phase 1 block | M-ID), continued by the reply) and the request kept for retransmission.
/// </summary>
internal sealed class TransactionExchange : IDisposable
{
    public required uint MessageId;
    public required TransactionKind Kind;
    public ushort Identifier;

    /// <summary>XAUTH SET: the status we sent and for whom (acted upon when the ACK arrives).</summary>
    public bool Succeeded;
    public string User = "";
    public CbcIvChain Iv;
    public readonly Flight Flight = new();

    public void Dispose()
    {
        Iv.Clear();
        Flight.Stop();
    }
}

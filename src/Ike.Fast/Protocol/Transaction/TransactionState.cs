namespace Ike.Fast.Protocol.Transaction;

/// <summary>
/// The XAUTH / Mode-Config (draft-ietf-ipsec-isakmp-xauth-06, draft-dukes-ike-mode-cfg-02) part of one ISAKMP SA:
/// made on the SA's first Transaction exchange or lease (<see cref="IkeSa"/> reads a missing one as empty), so a plain
/// SA, most of them, keeps one reference instead of these seven fields (issue #7: ~48 B per SA). Kept with the pooled SA
/// across reuse and reset by <see cref="Reset"/>, which must return every field to its initial value
/// (PooledStateResetTests).
/// </summary>
internal sealed class TransactionState
{
    /// <summary>Transaction exchanges we started, by M-ID.</summary>
    public readonly Dictionary<uint, TransactionExchange> Transactions = [];

    /// <summary>Server: addresses leased to this peer (released when the SA goes).</summary>
    public readonly List<(AddressPool Pool, System.Net.IPAddress Address)> Leases = [];

    /// <summary>Client: what Mode-Config assigned.</summary>
    public ModeConfigAttributes? AssignedConfiguration;

    /// <summary>Our answer to the peer's last Transaction request (its M-ID and bytes).</summary>
    public (uint MessageId, byte[] Datagram) LastTransactionReply;

    /// <summary>The peer's request <see cref="LastTransactionReply"/> answered.</summary>
    public Flight? LastTransactionRequest;

    /// <summary>The XAUTH user the server authenticated.</summary>
    public string? XauthUser;

    /// <summary>Back to the state of a new object (the exchanges were disposed by the SA; the tables keep their capacity).</summary>
    public void Reset()
    {
        Transactions.Clear();
        Leases.Clear();
        AssignedConfiguration = null;
        LastTransactionReply = default;
        LastTransactionRequest?.Reset();
        XauthUser = null;
    }
}

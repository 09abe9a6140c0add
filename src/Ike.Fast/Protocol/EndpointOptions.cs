namespace Ike.Fast.Protocol;

/// <summary>Engine limits and timers (all times in engine milliseconds).</summary>
public sealed record EndpointOptions
{
    /// <summary>First retransmission after this many ms; doubled each time (exponential back-off).</summary>
    public long RetransmitInitialMs { get; init; } = 4000;

    /// <summary>Retransmissions before giving up on an exchange (the exchange then fails with Timeout).</summary>
    public int RetransmitLimit { get; init; } = 5;

    /// <summary>How long a responder keeps the last reply to answer retransmissions once an exchange completed.</summary>
    public long ReplyCacheMs { get; init; } = 30000;

    /// <summary>Half-open Phase 1 SAs allowed in total (responder); MM1 beyond it is dropped.</summary>
    public int MaxHalfOpen { get; init; } = 1024;

    /// <summary>Half-open Phase 1 SAs allowed per source address (responder).</summary>
    public int MaxHalfOpenPerAddress { get; init; } = 16;

    /// <summary>A half-open SA that did not complete in this many ms is dropped.</summary>
    public long HalfOpenTimeoutMs { get; init; } = 30000;

    /// <summary>Nonce length in bytes (RFC 2409 §5: 8..256; strongSwan sends 32).</summary>
    public int NonceLength { get; init; } = 32;

    /// <summary>Maximum concurrent Quick Modes per Phase 1 SA (responder); more are dropped.</summary>
    public int MaxQuickModesPerSa { get; init; } = 64;

    /// <summary>Our Vendor ID payload (16 bytes; null: send none). Default: MD5("IkeFast").</summary>
    public byte[]? VendorId { get; init; } = VendorIds.IkeFast.ToArray();

    /// <summary>Send the DPD vendor ID (RFC 3706) so peers know we answer R-U-THERE.</summary>
    public bool AdvertiseDpd { get; init; } = true;

    /// <summary>Checks XAUTH credentials for connections with <see cref="Policy.XauthRole.Server"/> (null: every XAUTH fails).</summary>
    public Transaction.IXauthBackend? XauthBackend { get; init; }

    /// <summary>Send the NAT-T vendor IDs (RFC 3947 and drafts 02\n, 02, 03) and negotiate NAT traversal.</summary>
    public bool AdvertiseNatTraversal { get; init; } = true;

    /// <summary>NAT keepalive interval (RFC 3948 §2.3; charon's default 20 s), sent by the side behind a NAT.</summary>
    public long NatKeepaliveMs { get; init; } = 20000;

    /// <summary>
    /// Wall-clock time for certificate validity checks (the only use of calendar time; engine timers use the host's
    /// monotonic milliseconds). Default: the system clock; tests pin it.
    /// </summary>
    public Func<DateTime> CertificateTime { get; init; } = () => DateTime.Now;

    /// <summary>
    /// Diagnostic events queued beyond this many undrained events are only counted (a flood of garbage must not grow
    /// memory when the host drains slowly). SA and IPsec events are always queued.
    /// </summary>
    public int MaxPendingDiagnostics { get; init; } = 4096;

    /// <summary>Announce IKE fragmentation support (the FRAGMENTATION vendor ID, as charon sends it).</summary>
    public bool AdvertiseFragmentation { get; init; } = true;

    /// <summary>
    /// Largest Phase 1 message sent in one datagram to a peer that announced fragmentation; larger ones (MM5/MM6/AM
    /// with certificates) go out as IKE fragments (payload 132) of at most this size. 0 = never fragment.
    /// </summary>
    public int FragmentSize { get; init; } = 1280;

    /// <summary>
    /// An incomplete set of received IKE fragments older than this is dropped when the next fragment arrives (the
    /// sender retransmits the whole set); with the count and byte bounds this keeps reassembly bounded in time too.
    /// </summary>
    public long FragmentReassemblyMs { get; init; } = 30000;

    /// <summary>
    /// The engine rekeys IPsec SAs and reauthenticates ISAKMP SAs itself before they expire, resolves collisions and
    /// deletes expired SAs, telling the peer (docs/rekeying.md). False: lifetimes are the host's job.
    /// </summary>
    public bool ManageLifetimes { get; init; }

    /// <summary>
    /// A rekeyed (or redundant) SA is deleted this long after its successor was installed, so the peer has installed
    /// the successor too and packets in flight on the old SA still arrive (charon's delete_rekeyed_delay, 5 s).
    /// </summary>
    public long RekeyDeleteDelayMs { get; init; } = 5000;

    /// <summary>
    /// SAs of the same child (or ISAKMP SAs of the same peer) installed within this many ms of each other are
    /// twins of a collision (resolved by the lowest nonce); farther apart, the newer one replaces the older.
    /// Capped at a quarter of the SA lifetime.
    /// </summary>
    public long CollisionWindowMs { get; init; } = 30000;
    /// Maps each fresh random cookie before use (null = as drawn). A sharded host makes every cookie this endpoint
    /// chooses name its shard, so a receiver steers by the initiator cookie without a table. Must never return 0.
    /// </summary>
    public Func<ulong, ulong>? CookieShaper { get; init; }

    /// <summary>
    /// Derive KEYMAT (RFC 2409 §5.5) for each IPsec SA the engine reports. False only for a host that installs no
    /// IPsec SA (the load generator): the <see cref="EngineEventKind.InstallChildSa"/> event then carries zero keys.
    /// What the peer sees and checks is unchanged; the keys are a pure function of material both sides already have.
    /// </summary>
    public bool DeriveChildKeys { get; init; } = true;

    /// <summary>Default options.</summary>
    public static EndpointOptions Default { get; } = new();
}

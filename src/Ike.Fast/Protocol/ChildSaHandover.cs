namespace Ike.Fast.Protocol;

/// <summary>
/// An IPsec SA pair on its way from one <see cref="Endpoint"/> to another's ISAKMP SA (a sharded host whose peer moved
/// to another shard's address: <see cref="Endpoint.ReleaseMovedPeer"/>, <see cref="Endpoint.AdoptHandedOver"/>). The
/// pair object itself travels (the host's SA registry and installer keep referring to it); its lifetime bookkeeping is
/// carried as times relative to the moment it left, since each endpoint has its own clock origin. Opaque to the host.
/// </summary>
public sealed class ChildSaHandover
{
    internal ChildSaHandover(ChildSaInfo sa) => Sa = sa;

    /// <summary>The pair (keys already cleared: the kernel has them).</summary>
    public ChildSaInfo Sa { get; }

    /// <summary>A successor replaced it already (it is only waiting to be deleted): nothing to follow.</summary>
    public bool IsReplaced => Redundant;

    internal bool HasLifecycle;
    internal bool WeCreated;
    internal long AgeMs;
    internal long RekeyInMs = long.MaxValue;
    internal long ExpireInMs = long.MaxValue;
    internal long DeleteInMs = long.MaxValue;
    internal bool Redundant;
    internal ushort RekeyAttempts;
    internal byte[] LowestNonce = [];
}

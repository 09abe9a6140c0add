namespace Ike.Fast.Host.Sharding;

/// <summary>How datagrams reach the shard that owns their initiator cookie (<c>daemon.steering</c>).</summary>
public enum SteeringMode
{
    /// <summary>
    /// Every shard binds its own sockets with SO_REUSEPORT; a classic-BPF program makes the kernel pick the socket by
    /// the initiator cookie, so a datagram arrives on its owner's thread with no hand-off. Anything the kernel could not
    /// steer (a reuseport group without the program) is forwarded through the owner's lock-free inbox.
    /// </summary>
    ReusePort,

    /// <summary>
    /// One receiver thread reads every socket in batches and hands each datagram to its owner's inbox (the default:
    /// receiving overlaps with the shards' engine work, which measured faster than <see cref="ReusePort"/>).
    /// </summary>
    Dispatcher,
}

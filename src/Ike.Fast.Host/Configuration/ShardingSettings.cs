using Ike.Fast.Host.Sharding;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// <c>daemon.shards</c>, <c>daemon.steering</c>, <c>daemon.batch_size</c>, <c>daemon.batched_io</c>: how many
/// engine loops run (one per core by default: <c>auto</c> or <c>0</c>) and how datagrams reach them.
/// </summary>
/// <param name="Shards">Loops, each with its own Endpoint, SA tables, buffers, timers and thread; 0 (<c>auto</c>, the
/// default) = processor count. A peer belongs to the shard of its IP address (Sharding/ShardSteering), so all of its
/// ISAKMP SAs live on one shard and the peer-level rules (reauthentication adopting the IPsec pairs, the collision
/// rule, INITIAL-CONTACT) hold as with one shard.</param>
/// <param name="Steering">How a datagram reaches the shard of its peer's address. SO_REUSEPORT steering is the default:
/// the kernel wakes the peer's shard directly, where the dispatcher's thread hop cost a context switch more per
/// datagram (3.2 against 1.0 per handshake) and 15-25 us of responder CPU per handshake in bench/race.sh (XFRM, veth,
/// 2 shards; Host README, "Measured"). Earlier loopback runs with the memory installer had found the two within noise.</param>
/// <param name="BatchSize">Datagrams per recvmmsg/sendmmsg call (1-64).</param>
/// <param name="BatchedIo">Use the native batched transport where available (Linux); false = the portable one-datagram
/// socket transport, which supports one shard only.</param>
public sealed record ShardingSettings(int Shards = 0, SteeringMode Steering = SteeringMode.ReusePort, int BatchSize = 32, bool BatchedIo = true)
{
    public static ShardingSettings Default { get; } = new();

    /// <summary>The shard count in force: <see cref="Shards"/>, or the processor count when 0.</summary>
    public int EffectiveShards => Shards > 0 ? Shards : Math.Max(1, Environment.ProcessorCount);
}

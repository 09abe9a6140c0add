namespace Ike.Fast.Host.Configuration;

/// <summary>
/// <c>daemon.admission { ... }</c>: what a first-packet flood may cost. IKEv1 has no stateless cookie exchange (IKEv2's
/// COOKIE, RFC 7296 section 2.6), so a new Main or Aggressive Mode costs the responder state and a DH computation
/// before the peer proves anything; the host bounds that work before the engine sees the datagram.
/// </summary>
/// <param name="Enabled">false = every datagram goes to the engine (its own half-open limits still apply).</param>
/// <param name="Rate">New Phase 1s admitted per second across all shards (token bucket refill); 0 = automatic,
/// <see cref="AutoRatePerShard"/> per shard (above what one core of the reference machine completes, about 8,000/s with
/// Curve25519, so the bucket bites on a flood, not on legitimate load the shards can carry; the backlog check guards
/// real overload).</param>
/// <param name="Burst">Token bucket depth: new Phase 1s admitted back to back after a quiet period; 0 = a quarter of a
/// second at the rate.</param>
/// <param name="MaxHalfOpen">Admitted Phase 1s not yet established, across all shards.</param>
/// <param name="HalfOpenPerPrefix">Of those, from one source prefix.</param>
/// <param name="Ipv4Prefix">Prefix length grouping IPv4 sources (/24: one customer site or NAT pool).</param>
/// <param name="Ipv6Prefix">Prefix length grouping IPv6 sources (/64: one subnet, RFC 4291 section 2.5.1).</param>
/// <param name="HalfOpenTimeout">An admitted Phase 1 not established after this long no longer counts as half-open.</param>
/// <param name="DropNewWhenBehind">Refuse new Phase 1s while the shard's receive queue is backed up (the kernel's
/// socket queue or the shard's inbox more than half full), so existing peers' rekeys and DPD are served first.</param>
public sealed record AdmissionSettings(
    bool Enabled = true,
    int Rate = 0,
    int Burst = 0,
    int MaxHalfOpen = 4096,
    int HalfOpenPerPrefix = 128,
    int Ipv4Prefix = 24,
    int Ipv6Prefix = 64,
    TimeSpan HalfOpenTimeout = default,
    bool DropNewWhenBehind = true)
{
    public static AdmissionSettings Default { get; } = new();

    /// <summary>New Phase 1s per second per shard when <see cref="Rate"/> is 0 (automatic).</summary>
    public const int AutoRatePerShard = 10_000;

    /// <summary>The token bucket's refill for <paramref name="shards"/> shards.</summary>
    public int EffectiveRate(int shards) => Rate > 0 ? Rate : AutoRatePerShard * Math.Max(1, shards);

    /// <summary>The token bucket's depth for <paramref name="shards"/> shards.</summary>
    public int EffectiveBurst(int shards) => Burst > 0 ? Burst : Math.Max(1, EffectiveRate(shards) / 4);

    /// <summary>30 s when not set: the engine's own half-open timeout (EndpointOptions.HalfOpenTimeoutMs).</summary>
    public TimeSpan EffectiveHalfOpenTimeout => HalfOpenTimeout > TimeSpan.Zero ? HalfOpenTimeout : TimeSpan.FromSeconds(30);
}

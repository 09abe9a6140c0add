namespace Ike.Fast.Host.Sharding;

/// <summary>The kinds of <see cref="ShardMessage"/>.</summary>
internal enum ShardMessageKind : byte
{
    /// <summary>A peer established an ISAKMP SA on another shard: act on this shard's older SAs of that peer.</summary>
    PeerUp = 1,

    /// <summary>IPsec SA pairs released for an ISAKMP SA of this shard to adopt.</summary>
    HandOver = 2,
}

using System.Net;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Sharding;

/// <summary>
/// What one shard tells another (<see cref="CrossShardPeers"/>): a value in the target's <see cref="ShardMailbox"/>, so
/// posting allocates nothing. <see cref="ShardMessageKind.PeerUp"/>: a peer established an ISAKMP SA on shard
/// <see cref="FromShard"/>; <see cref="ShardMessageKind.HandOver"/>: the IPsec SA pairs of that peer's old ISAKMP SA, for
/// the new one (<see cref="InitiatorCookie"/>, <see cref="ResponderCookie"/>) to adopt.
/// </summary>
internal readonly record struct ShardMessage(
    ShardMessageKind Kind,
    int FromShard,
    string Connection,
    IkeIdentity? Identity,
    IPAddress? Address,
    ulong InitiatorCookie,
    ulong ResponderCookie,
    bool InitialContact,
    bool IsInitiator,
    List<ChildSaHandover>? Pairs);

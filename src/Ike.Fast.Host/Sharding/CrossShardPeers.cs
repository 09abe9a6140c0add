using System.Runtime.InteropServices;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Transport;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Sharding;

/// <summary>
/// One shard's side of the peer-level rules across shards (Host README, "A peer that moved"). A peer belongs to the
/// shard of its address, so a peer that moved (its NAT got a new public address) runs its next Phase 1 on another shard
/// than its old SAs. Whenever an ISAKMP SA comes up, its shard posts a <see cref="ShardMessageKind.PeerUp"/> (connection,
/// authenticated identity, address, cookies, INITIAL-CONTACT) to every other shard's <see cref="ShardMailbox"/> and
/// applies it to itself. A shard that holds established SAs of that identity (one dictionary lookup; usually none) asks
/// its engine (<see cref="Endpoint.ReleaseMovedPeer"/>): with INITIAL-CONTACT they are deleted as they would be on one
/// shard; on a reauthentication of a peer its old ISAKMP SA followed to the new address, the old SA's IPsec pairs are
/// released and posted back (<see cref="ShardMessageKind.HandOver"/>) for the new ISAKMP SA to adopt
/// (<see cref="Endpoint.AdoptHandedOver"/>): the kernel keeps them, the old ISAKMP SA is replaced. No lock and nothing
/// shared but the mailboxes; nothing allocated per message except the (rare) list of pairs handed over.
/// </summary>
internal sealed class CrossShardPeers
{
    private readonly int _shard;
    private readonly ShardMailbox[] _mailboxes;
    private readonly IWakeableTransport?[] _wakers;

    /// <summary>Established ISAKMP SAs of this shard by peer identity (how many): most messages stop here.</summary>
    private readonly Dictionary<IkeIdentity, int> _identities = [];

    /// <summary>
    /// ISAKMP SAs of this shard that followed their peer to a new endpoint (NAT rebinding): the only ones a
    /// reauthentication from another shard can take pairs from, so without any a message without INITIAL-CONTACT stops
    /// here even when many SAs share one identity.
    /// </summary>
    private readonly HashSet<(ulong Initiator, ulong Responder)> _followed = [];

    private readonly List<ChildSaHandover> _released = [];
    private readonly List<ChildSaInfo> _refused = [];

    /// <param name="wakers">Every shard's transport (same order as <paramref name="mailboxes"/>; filled by the caller
    /// once they exist): a post wakes the target's loop if it sleeps.</param>
    public CrossShardPeers(int shard, ShardMailbox[] mailboxes, IWakeableTransport?[] wakers)
    {
        _shard = shard;
        _mailboxes = mailboxes;
        _wakers = wakers;
    }

    public ShardMailbox Mailbox => _mailboxes[_shard];

    /// <summary>ISAKMP SAs of another shard's peer replaced here (their pairs handed over), and deleted for INITIAL-CONTACT.</summary>
    public long HandedOver { get; private set; }

    public long InitialContactDropped { get; private set; }

    /// <summary>IPsec SA pairs adopted here from another shard.</summary>
    public long Adopted { get; private set; }

    /// <summary>An ISAKMP SA came up on this shard (loop thread): index it, tell the others, apply it here.</summary>
    public void Established(in EngineEvent e, Endpoint endpoint, IkeDaemon daemon, long now)
    {
        if (e.RemoteIdentity is not { } identity || e.Peer is null || e.Connection is null)
        {
            return;
        }

        CollectionsMarshal.GetValueRefOrAddDefault(_identities, identity, out _)++;
        var message = new ShardMessage(ShardMessageKind.PeerUp, _shard, e.Connection, identity, e.Peer.Address, e.InitiatorCookie,
            e.ResponderCookie, e.Notify == Ike.Fast.Wire.NotifyMessageType.InitialContact, e.IsInitiator, null);
        for (var shard = 0; shard < _mailboxes.Length; shard++)
        {
            if (shard != _shard)
            {
                Post(shard, message);
            }
        }

        Apply(message, endpoint, daemon, now);
    }

    /// <summary>An ISAKMP SA of this shard followed its peer to a new endpoint (loop thread; rare).</summary>
    public void Followed(in EngineEvent e) => _followed.Add((e.InitiatorCookie, e.ResponderCookie));

    /// <summary>An ISAKMP SA of this shard went (loop thread).</summary>
    public void Gone(in EngineEvent e)
    {
        if (_followed.Count > 0)
        {
            _followed.Remove((e.InitiatorCookie, e.ResponderCookie));
        }

        if (e.RemoteIdentity is { } identity && _identities.TryGetValue(identity, out var count))
        {
            if (count <= 1)
            {
                _identities.Remove(identity);
            }
            else
            {
                _identities[identity] = count - 1;
            }
        }
    }

    /// <summary>Handles what the other shards posted (loop thread); true when something was done.</summary>
    public bool Pump(Endpoint endpoint, IkeDaemon daemon, long now)
    {
        var any = false;
        while (Mailbox.TryTake(out var message))
        {
            Apply(message, endpoint, daemon, now);
            any = true;
        }

        return any;
    }

    private void Apply(in ShardMessage message, Endpoint endpoint, IkeDaemon daemon, long now)
    {
        if (message.Kind == ShardMessageKind.HandOver)
        {
            Adopt(message.InitiatorCookie, message.ResponderCookie, message.Pairs!, endpoint, daemon, now);
            return;
        }

        // The new SA itself counts here when it is this shard's.
        var others = _identities.GetValueOrDefault(message.Identity!) - (message.FromShard == _shard ? 1 : 0);
        if (others <= 0 || (!message.InitialContact && _followed.Count == 0))
        {
            return;
        }

        _released.Clear();
        var acted = endpoint.ReleaseMovedPeer(message.Connection, message.Identity!, message.Address!, message.InitiatorCookie,
            message.ResponderCookie, message.InitialContact, successorIsOurs: message.IsInitiator, now, _released);
        if (message.InitialContact)
        {
            InitialContactDropped += acted;
            return;
        }

        HandedOver += acted;
        if (_released.Count == 0)
        {
            return;
        }

        var pairs = new List<ChildSaHandover>(_released);
        _released.Clear();
        if (message.FromShard == _shard)
        {
            Adopt(message.InitiatorCookie, message.ResponderCookie, pairs, endpoint, daemon, now);
        }
        else if (!Post(message.FromShard, message with { Kind = ShardMessageKind.HandOver, FromShard = _shard, Pairs = pairs }))
        {
            // The new SA's shard cannot take them now: out of the kernel and the tables rather than lost track of.
            foreach (var pair in pairs)
            {
                daemon.DropHandedOverPair(pair.Sa);
            }
        }
    }

    private void Adopt(ulong initiatorCookie, ulong responderCookie, List<ChildSaHandover> pairs, Endpoint endpoint, IkeDaemon daemon, long now)
    {
        _refused.Clear();
        endpoint.AdoptHandedOver(initiatorCookie, responderCookie, pairs, now, _refused);
        foreach (var refused in _refused)
        {
            daemon.DropHandedOverPair(refused);
        }

        Adopted += pairs.Count - _refused.Count;
        if (pairs.Count > _refused.Count)
        {
            // The live ones (not a replaced pair waiting for its deletion) follow the new SA's peer endpoint.
            daemon.FollowAdoptedPairs(initiatorCookie, responderCookie,
                pairs.Where(p => !p.IsReplaced && !_refused.Contains(p.Sa)).Select(p => p.Sa).ToList());
        }

        _refused.Clear();
    }

    private bool Post(int shard, in ShardMessage message)
    {
        if (!_mailboxes[shard].TryPost(message))
        {
            return false;
        }

        _wakers[shard]?.Wake();
        return true;
    }
}

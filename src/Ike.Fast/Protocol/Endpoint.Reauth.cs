using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// ISAKMP SA reauthentication when <see cref="EndpointOptions.ManageLifetimes"/> is set. IKEv1 cannot rekey an
/// ISAKMP SA in place: before its lifetime ends a new Main/Aggressive Mode is run with the same peer, and once it is
/// up the IPsec SAs of the old one are moved over (kept, not renegotiated: RFC 2409 §5.5 makes IPsec SAs
/// independent of the ISAKMP SA that created them; charon's adopt_children_job does the same on IKEv1
/// reauthentication), and the old ISAKMP SA is deleted without its IPsec SAs. Collisions follow the rule of
/// docs/rekeying.md, with the Phase 1 nonces.
/// </summary>
public sealed partial class Endpoint
{
    /// <summary>The ISAKMP SAs of each key: the first one's record (a set: the record is its own key), the rest chained through <see cref="Phase1Lifecycle.NextSameKey"/>.</summary>
    private readonly HashSet<Phase1Lifecycle> _phase1ByKey = new(Phase1LifecycleKeyComparer.Instance);
    private readonly Stack<Phase1Lifecycle> _phase1LifecyclePool = new();
    private readonly List<Phase1Lifecycle> _retiredPhase1Lifecycles = [];

    /// <summary>
    /// Puts the lifecycle records forgotten during the previous call back in their pools (bounded
    /// like the SA pools): a steady stream of SAs allocates no bookkeeping.
    /// </summary>
    private void RecycleLifecycles()
    {
        foreach (ChildLifecycle lc in _retiredChildLifecycles)
        {
            lc.Reset(_bytes);
            if (_childLifecyclePool.Count < MaxPooled)
            {
                _childLifecyclePool.Push(lc);
            }
        }

        _retiredChildLifecycles.Clear();
        foreach (Phase1Lifecycle p in _retiredPhase1Lifecycles)
        {
            p.Reset(_bytes);
            if (_phase1LifecyclePool.Count < MaxPooled)
            {
                _phase1LifecyclePool.Push(p);
            }
        }

        _retiredPhase1Lifecycles.Clear();
    }

    /// <summary>
    /// Reauthenticates this ISAKMP SA now (as <c>swanctl --rekey --ike --reauth</c>): a new Phase 1 with the same
    /// peer, which adopts the IPsec SAs; the old one is then deleted. False when it does not exist, is not
    /// established, or we do not know the peer's address.
    /// </summary>
    public bool Reauthenticate(ulong initiatorCookie, ulong responderCookie, long now)
    {
        if (!_saByCookies.TryGetValue((initiatorCookie, responderCookie), out IkeSa? sa) || !sa.IsEstablished ||
            sa.Peer.RemoteAddress is null)
        {
            return false;
        }

        bool started = StartInitiator(sa.Peer, null, now, forceNew: true);
        FlushSchedule();
        return started;
    }

    /// <summary>Bookkeeping for a newly established ISAKMP SA, then the replacement/collision rule over its key.</summary>
    private void OnPhase1Established(long now, IkeSa sa)
    {
        if (!Options.ManageLifetimes)
        {
            return;
        }

        Phase1Lifecycle p = _phase1LifecyclePool.TryPop(out Phase1Lifecycle? pooled) ? pooled : new Phase1Lifecycle();
        p.LowestNonce.Set(sa.Ni.AsSpan().SequenceCompareTo(sa.Nr) <= 0 ? sa.Ni : sa.Nr, _bytes);
        p.Key = new Phase1Key(sa.Peer, sa.Remote.Address, sa.RemoteIdentity);
        if (sa.LifetimeSeconds > 0 && sa.Peer.RemoteAddress is not null)
        {
            // The Phase 1 initiator reauthenticates at 90% of the lifetime less up to 5% jitter; the responder only
            // at 95% and only if it knows the peer's address (a fallback, so collisions stay rare).
            long life = sa.LifetimeSeconds * 1000;
            p.ReauthAt = now + (sa.IsInitiator ? (life * 9 / 10) - Jitter(life / 20) : life * 19 / 20);
        }

        p.Sa = sa;
        sa.Lifecycle = p; // on the SA itself: a table by SA cost ~50 B per SA
        if (_phase1ByKey.TryGetValue(p, out Phase1Lifecycle? head))
        {
            SameKeyChain.Append(head, p); // oldest first: the order breaks ties below
        }
        else
        {
            head = p;
            TableGrowth.BeforeAdd(_phase1ByKey);
            _phase1ByKey.Add(p);
        }

        ResolvePhase1Duplicates(now, sa, head);
        Schedule(sa);
    }

    /// <summary>
    /// Same rule as for IPsec SAs. The new ISAKMP SA's predecessor is the oldest established one with the same key
    /// (identities are known only once established, so this is when it is taken). Twins (same predecessor): the one
    /// whose Phase 1 had the lowest nonce is redundant, deleted by its initiator only; the predecessor is deleted by
    /// the survivor's initiator only. The survivor adopts every IPsec SA of the others at once, so a rekey or Delete
    /// that arrives over any of them finds them.
    /// </summary>
    private void ResolvePhase1Duplicates(long now, IkeSa x, Phase1Lifecycle head)
    {
        Phase1Lifecycle px = x.Lifecycle!;
        IkeSa? oldest = null;
        for (Phase1Lifecycle? link = head; link is not null; link = link.NextSameKey)
        {
            IkeSa sa = link.Sa;
            if (!ReferenceEquals(sa, x) && (oldest is null || sa.Lifecycle!.EstablishedAt < oldest.Lifecycle!.EstablishedAt))
            {
                oldest = sa;
            }
        }

        px.Predecessor = oldest;
        if (oldest is null)
        {
            return;
        }

        IkeSa? survivor = null;
        for (Phase1Lifecycle? link = head; link is not null; link = link.NextSameKey)
        {
            IkeSa sa = link.Sa;
            Phase1Lifecycle p = sa.Lifecycle!;
            if (!ReferenceEquals(sa, oldest) && ReferenceEquals(p.Predecessor, oldest) && (!p.Redundant || p.DeleteAt == long.MaxValue) &&
                (survivor is null || p.LowestNonce.Span.SequenceCompareTo(survivor.Lifecycle!.LowestNonce.Span) > 0))
            {
                survivor = sa;
            }
        }

        survivor ??= x;
        survivor.Lifecycle!.Redundant = false;
        for (Phase1Lifecycle? link = head; link is not null; link = link.NextSameKey)
        {
            IkeSa sa = link.Sa;
            Phase1Lifecycle p = sa.Lifecycle!;
            bool replaced = ReferenceEquals(sa, oldest);
            if (ReferenceEquals(sa, survivor) || (!replaced && !ReferenceEquals(p.Predecessor, oldest)))
            {
                continue;
            }

            Adopt(sa, survivor);
            bool first = !p.Redundant;
            p.Redundant = true;
            bool weDelete = replaced ? survivor.IsInitiator : sa.IsInitiator;
            p.DeleteAt = !weDelete ? long.MaxValue : first || p.DeleteAt == long.MaxValue ? now + Options.RekeyDeleteDelayMs : p.DeleteAt;
            if (first)
            {
                Diagnose(DiagnosticCode.None, sa, now, $"ISAKMP SA {(replaced ? "reauthenticated" : "lost a reauthentication collision")} to " +
                    $"{survivor.InitiatorCookie:x16}/{survivor.ResponderCookie:x16}" + (weDelete ? ", deleted after the delay" : ", the peer deletes it"));
            }

            Schedule(sa);
        }

        _saByConnection[survivor.Peer] = survivor;
    }

    /// <summary>Moves the IPsec SAs (and Mode-Config leases they use) of <paramref name="from"/> to <paramref name="to"/>.</summary>
    private void Adopt(IkeSa from, IkeSa to)
    {
        foreach (ChildSaInfo child in from.Children)
        {
            to.Children.Add(child);
            if (child.Lifecycle is { } lc)
            {
                lc.Owner = to;
            }
        }

        from.Children.Clear();
        foreach ((Transaction.AddressPool pool, System.Net.IPAddress address) in from.Leases)
        {
            to.AddLease(pool, address);
        }

        from.ClearLeases();
        to.AssignedConfiguration ??= from.AssignedConfiguration;
        Schedule(to);
    }

    /// <summary>
    /// Called as an ISAKMP SA leaves the tables: a replaced one hands whatever IPsec SAs it still holds (a Quick
    /// Mode that completed over it late) to the survivor instead of deleting them.
    /// </summary>
    private void ForgetPhase1(IkeSa sa)
    {
        if (_natOriginalAddresses.Count > 0)
        {
            foreach ((IkeSa owner, uint mid) in _natOriginalAddresses.Keys)
            {
                if (ReferenceEquals(owner, sa))
                {
                    _natOriginalAddresses.Remove((owner, mid));
                }
            }
        }

        if (_rekeyPredecessors.Count > 0)
        {
            foreach ((IkeSa owner, uint mid) in _rekeyPredecessors.Keys)
            {
                if (ReferenceEquals(owner, sa))
                {
                    _rekeyPredecessors.Remove((owner, mid));
                }
            }
        }

        if (sa.Lifecycle is not { } p)
        {
            return;
        }

        sa.Lifecycle = null;

        _retiredPhase1Lifecycles.Add(p);

        if (_phase1ByKey.TryGetValue(p, out Phase1Lifecycle? head))
        {
            // Unlinked from its key's chain; when it was the chain's head, the next record takes its set entry.
            bool wasHead = ReferenceEquals(head, p);
            head = SameKeyChain.Unlink(head, p);
            if (wasHead)
            {
                _phase1ByKey.Remove(p);
                if (head is not null)
                {
                    _phase1ByKey.Add(head);
                }
            }

            IkeSa? survivor = null;
            for (Phase1Lifecycle? link = head; link is not null; link = link.NextSameKey)
            {
                IkeSa other = link.Sa;
                if (!other.Lifecycle!.Redundant)
                {
                    survivor = other;
                }
            }

            if (p.Redundant && survivor is not null)
            {
                Adopt(sa, survivor);
            }

            if (head is not null && survivor is null)
            {
                // The survivor went first: the newest left becomes it.
                IkeSa next = head.Sa;
                for (Phase1Lifecycle? link = head; link is not null; link = link.NextSameKey)
                {
                    IkeSa other = link.Sa;
                    if (other.Lifecycle!.EstablishedAt > next.Lifecycle!.EstablishedAt)
                    {
                        next = other;
                    }
                }

                Phase1Lifecycle np = next.Lifecycle!;
                np.Redundant = false;
                np.DeleteAt = long.MaxValue;
                for (Phase1Lifecycle? link = head; link is not null; link = link.NextSameKey)
                {
                    IkeSa other = link.Sa;
                    if (!ReferenceEquals(other, next))
                    {
                        Adopt(other, next);
                    }
                }

                Schedule(next);
            }
        }
    }

    private long Phase1LifecycleDeadline(IkeSa sa) =>
        sa.Lifecycle is { } p ? p.Deadline : long.MaxValue;

    /// <summary>Reauthentication and the delayed deletion of a replaced ISAKMP SA. False when the SA was removed.</summary>
    private bool RunPhase1Lifecycle(IkeSa sa, long now)
    {
        if (!Options.ManageLifetimes || !sa.IsEstablished)
        {
            return true;
        }

        if (sa.LifetimeSeconds > 0 && now - sa.EstablishedAt >= sa.LifetimeSeconds * 1000)
        {
            // Hard expiry with no replacement: the ISAKMP SA and the IPsec SAs still in it are deleted, the peer told.
            Diagnose(DiagnosticCode.Timeout, sa, now, "ISAKMP SA lifetime expired");
            DeleteIkeSa(sa.InitiatorCookie, sa.ResponderCookie, now, notifyPeer: true, keepChildren: false);
            return false;
        }

        if (sa.Lifecycle is not { } p)
        {
            return true;
        }

        if (now >= p.DeleteAt)
        {
            IkeSa? survivor = NewestEstablished(sa);
            if (survivor is not null && !ReferenceEquals(survivor, sa))
            {
                Adopt(sa, survivor);
            }

            DeleteIkeSa(sa.InitiatorCookie, sa.ResponderCookie, now, notifyPeer: true, keepChildren: true);
            return false;
        }

        if (!p.Redundant && now >= p.ReauthAt)
        {
            long left = (sa.EstablishedAt + (sa.LifetimeSeconds * 1000)) - now;
            p.ReauthAt = now + Math.Max(left / 2, Options.RetransmitInitialMs * 8);
            if (sa.Peer.RemoteAddress is not null)
            {
                Diagnose(DiagnosticCode.None, sa, now, $"reauthenticating ISAKMP SA {sa.InitiatorCookie:x16}/{sa.ResponderCookie:x16}");
                StartInitiator(sa.Peer, null, now, forceNew: true);
            }
        }

        return true;
    }

    /// <summary>The established, non-replaced ISAKMP SA that stands for <paramref name="sa"/>'s peer now.</summary>
    private IkeSa? NewestEstablished(IkeSa sa)
    {
        if (sa.Lifecycle is { } p && _phase1ByKey.TryGetValue(p, out Phase1Lifecycle? head))
        {
            for (Phase1Lifecycle? link = head; link is not null; link = link.NextSameKey)
            {
                IkeSa other = link.Sa;
                if (!other.Lifecycle!.Redundant && other.IsEstablished)
                {
                    return other;
                }
            }
        }

        if (sa.IsEstablished && IsLive(sa))
        {
            return sa;
        }

        if (sa.Peer.RemoteAddress is null)
        {
            return null; // a road-warrior connection: its index entry may be another peer's SA
        }

        IkeSa? indexed = FindSaForConnection(sa.Peer);
        return indexed is { IsEstablished: true } ? indexed : null;
    }

    /// <summary>
    /// A peer's Delete for an IPsec SA may arrive over the old ISAKMP SA after the new one adopted it (or the
    /// reverse): look in every ISAKMP SA with the same peer.
    /// </summary>
    private bool TryFindAdoptedChild(IkeSa sa, uint outboundSpi, IpsecProtocol protocol, out IkeSa owner, out int index)
    {
        owner = sa;
        index = -1;
        if (sa.Lifecycle is { } p && _phase1ByKey.TryGetValue(p, out Phase1Lifecycle? head))
        {
            for (Phase1Lifecycle? link = head; link is not null; link = link.NextSameKey)
            {
                IkeSa other = link.Sa;
                // A loop, not FindIndex with a lambda: the closure over the parameters cost an allocation per call.
                index = IndexOfChild(other, outboundSpi, outbound: true, protocol);
                if (index >= 0)
                {
                    owner = other;
                    return true;
                }
            }
        }

        return false;
    }
}

using System.Buffers.Binary;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// IPsec SA lifetimes when <see cref="EndpointOptions.ManageLifetimes"/> is set: rekey by a new Quick Mode before the
/// negotiated lifetime ends (RFC 2409 §5.5 has no "rekey" exchange: a rekey is a Quick Mode for the same selectors),
/// delete the old pair once the new one is installed, delete at the hard lifetime telling the peer, and end every
/// collision with exactly one pair on both sides. The rule is in docs/rekeying.md.
/// </summary>
public sealed partial class Endpoint
{
    /// <summary>Pairs with a lifecycle record (<see cref="ChildSaInfo.Lifecycle"/>: no table by SPI, the record hangs off the pair).</summary>
    private int _childLifecycleCount;
    /// <summary>The pairs of each key: the first one's record (in a set keyed through its pair), the rest chained through <see cref="ChildLifecycle.NextSameKey"/> (no list per key).</summary>
    private readonly ChildLifecycleHeads _childrenByKey = new();
    private readonly List<ChildLifecycle> _lifecycleScratch = [];
    private readonly Dictionary<(IkeSa Sa, uint MessageId), uint> _rekeyPredecessors = [];

    /// <summary>Lifecycle records of forgotten pairs, recycled by <see cref="RecycleLifecycles"/>.</summary>
    private readonly Stack<ChildLifecycle> _childLifecyclePool = new();
    private readonly List<ChildLifecycle> _retiredChildLifecycles = [];

    /// <summary>
    /// Rekeys the IPsec SA pair with this inbound SPI now (as <c>swanctl --rekey --child</c>, or when the kernel
    /// reports the soft byte limit): a new Quick Mode for the same child; the old pair is deleted once the new one is
    /// installed. False when no such pair exists.
    /// </summary>
    public bool RekeyChildSa(uint inboundSpi, long now)
    {
        // A scan of the ISAKMP SAs' pairs (an operator's or the kernel's request, not the packet path).
        ChildLifecycle? lc = null;
        foreach (IkeSa sa in _saByCookies.Values)
        {
            int index = IndexOfChild(sa, inboundSpi, outbound: false, protocol: null);
            if (index < 0)
            {
                continue;
            }

            ChildSaInfo info = sa.Children[index];
            if (info.Lifecycle is { } found)
            {
                lc = found;
                break;
            }

            ChildConfig? config = sa.Peer.FindChild(info.Child);
            if (config is not null)
            {
                return StartRekeyQuickMode(sa.Peer, config, sa, now, info);
            }
        }

        if (lc is null)
        {
            return false;
        }

        lc.RekeyAttempts = (ushort)Math.Min(lc.RekeyAttempts + 1, ushort.MaxValue);
        bool started = StartRekeyQuickMode(lc.Owner.Peer, lc.Config, lc.Owner, now, lc.Sa);
        FlushSchedule();
        return started;
    }

    /// <summary>Bookkeeping for a newly installed pair, then the duplicate rule over its key.</summary>
    private void OnChildInstalled(long now, IkeSa sa, QuickModeExchange qm, ChildSaInfo info)
    {
        if (!Options.ManageLifetimes)
        {
            return;
        }

        long hard = info.LifetimeSeconds > 0 ? info.LifetimeSeconds * 1000 : 0;
        ChildLifecycle lc = _childLifecyclePool.TryPop(out ChildLifecycle? pooled) ? pooled : new ChildLifecycle();
        lc.Sa = info;
        lc.Config = qm.Child;
        lc.Owner = sa;
        lc.WeCreated = qm.IsInitiator;
        lc.InstalledAt = now;
        lc.LowestNonce.Set(qm.Ni.AsSpan().SequenceCompareTo(qm.Nr) <= 0 ? qm.Ni : qm.Nr, _bytes);
        lc.ExpireAt = hard > 0 ? now + hard : long.MaxValue;
        _rekeyPredecessors.Remove((sa, qm.MessageId), out lc.Predecessor);
        long soft = SoftLifetime((long)qm.Child.RekeyTime.TotalMilliseconds, hard, lc.WeCreated);
        lc.RekeyAt = soft > 0 ? now + soft : long.MaxValue;
        info.Lifecycle = lc;
        _childLifecycleCount++;
        ChildSaKey key = ChildSaKey.Of(info);
        if (_childrenByKey.TryGetValue(key, out ChildLifecycle? first))
        {
            SameKeyChain.Append(first, lc); // oldest first: the order breaks ties below
        }
        else
        {
            first = lc;
            _childrenByKey.Add(lc);
        }

        ResolveChildDuplicates(now, lc, first);
        Schedule(sa);
    }

    /// <summary>
    /// When a pair is rekeyed: <paramref name="rekeyMs"/> (the child's rekey_time), at most 90% of the hard lifetime.
    /// The side that created the pair rekeys then, less a random jitter of up to 10% (so a fleet does not rekey in
    /// step); the other side waits half the remaining margin more and rekeys only if the creator did not (a fallback
    /// that keeps collisions rare instead of routine, as Libreswan leaves rekeying to the original initiator).
    /// </summary>
    private long SoftLifetime(long rekeyMs, long hardMs, bool creator)
    {
        long soft = rekeyMs;
        if (hardMs > 0)
        {
            soft = soft > 0 ? Math.Min(soft, hardMs * 9 / 10) : hardMs * 9 / 10;
        }

        if (soft <= 0)
        {
            return 0;
        }

        if (creator)
        {
            return soft - Jitter(soft / 10);
        }

        return hardMs > 0 ? soft + ((hardMs - soft) / 2) : soft + (soft / 10);
    }

    /// <summary>A uniform random delay in [0, <paramref name="range"/>) ms from the injected randomness.</summary>
    private long Jitter(long range)
    {
        if (range <= 0)
        {
            return 0;
        }

        Span<byte> r = stackalloc byte[8];
        _random.Fill(r);
        return (long)(BinaryPrimitives.ReadUInt64BigEndian(r) % (ulong)range);
    }

    /// <summary>
    /// The collision rule for the pairs of one key (docs/rekeying.md), run when <paramref name="x"/> is installed.
    /// Pairs with the same predecessor (the oldest live pair when their Quick Mode began) are twins; the survivor is
    /// the twin whose Quick Mode had the highest lowest-nonce (RFC 7296 §2.8.1: the one with the lowest nonce is
    /// redundant). A losing twin is deleted by its creator only; the predecessor by the survivor's creator only. Each
    /// redundant pair is thus deleted by exactly one side, after <see cref="EndpointOptions.RekeyDeleteDelayMs"/>,
    /// and both sides agree which, since they compare the same nonces.
    /// </summary>
    private void ResolveChildDuplicates(long now, ChildLifecycle x, ChildLifecycle head)
    {
        ChildLifecycle? survivor = null;
        ChildLifecycle? predecessor = null;
        for (ChildLifecycle? lc = head; lc is not null; lc = lc.NextSameKey)
        {
            if (lc.Sa.InboundSpi == x.Predecessor)
            {
                predecessor = lc;
            }
            else if (lc.Predecessor == x.Predecessor && (!lc.Redundant || lc.DeleteAt == long.MaxValue) &&
                (survivor is null || lc.LowestNonce.Span.SequenceCompareTo(survivor.LowestNonce.Span) > 0))
            {
                survivor = lc;
            }
        }

        survivor ??= x;
        survivor.Redundant = false;
        for (ChildLifecycle? lc = head; lc is not null; lc = lc.NextSameKey)
        {
            if (ReferenceEquals(lc, survivor) || (lc.Predecessor != x.Predecessor && !ReferenceEquals(lc, predecessor)))
            {
                continue;
            }

            bool twin = !ReferenceEquals(lc, predecessor);
            bool first = !lc.Redundant;
            lc.Redundant = true;
            bool weDelete = twin ? lc.WeCreated : survivor.WeCreated;
            lc.DeleteAt = !weDelete ? long.MaxValue : first || lc.DeleteAt == long.MaxValue ? now + Options.RekeyDeleteDelayMs : lc.DeleteAt;
            if (first)
            {
                Diagnose(DiagnosticCode.None, lc.Owner, now,
                    $"{lc.Sa.Connection}/{lc.Sa.Child} SPI {lc.Sa.InboundSpi:x8} {(twin ? "lost a rekey collision" : "rekeyed")} to {survivor.Sa.InboundSpi:x8}" +
                    (weDelete ? ", deleted after the delay" : ", the peer deletes it"));
            }

            Schedule(lc.Owner);
        }
    }

    /// <summary>Remembers which live pair a starting Quick Mode replaces (sent or received QM1).</summary>
    private void NoteRekeyPredecessor(IkeSa sa, QuickModeExchange qm)
    {
        if (!Options.ManageLifetimes)
        {
            return;
        }

        IpsecProtocol protocol = qm.Chosen?.Protocol ?? qm.Child.Proposals[0].Protocol;
        var key = new ChildSaKey(sa.Peer.Name, qm.Child.Name, protocol, qm.LocalTs, qm.RemoteTs);
        uint predecessor = 0;
        if (_childrenByKey.TryGetValue(key, out ChildLifecycle? first))
        {
            ChildLifecycle? oldest = null;
            for (ChildLifecycle? lc = first; lc is not null; lc = lc.NextSameKey)
            {
                if (oldest is null || lc.InstalledAt < oldest.InstalledAt)
                {
                    oldest = lc;
                }
            }

            predecessor = oldest?.Sa.InboundSpi ?? 0;
        }

        _rekeyPredecessors[(sa, qm.MessageId)] = predecessor;
    }

    /// <summary>Every removal of a pair passes here (through <see cref="EmitChildDelete"/>).</summary>
    private void ForgetChild(ChildSaInfo child)
    {
        if (child.Lifecycle is not { } lc)
        {
            return;
        }

        child.Lifecycle = null;
        _childLifecycleCount--;

        // Recycled at the start of the next call (a caller up the stack may still hold it, as for SAs).
        _retiredChildLifecycles.Add(lc);

        ChildSaKey key = ChildSaKey.Of(child);
        if (_childrenByKey.TryGetValue(key, out ChildLifecycle? first))
        {
            // Unlinked from its key's chain; when it was the chain's head, the next record heads the set entry.
            bool wasHead = ReferenceEquals(first, lc);
            first = SameKeyChain.Unlink(first, lc);
            if (wasHead)
            {
                if (first is null)
                {
                    _childrenByKey.Remove(lc);
                }
                else
                {
                    _childrenByKey.Replace(lc, first);
                }
            }

            if (first is not null && !lc.Redundant)
            {
                // The survivor went (deleted by the peer): the newest left takes its place and is rekeyed again.
                ChildLifecycle? next = null;
                for (ChildLifecycle? other = first; other is not null; other = other.NextSameKey)
                {
                    if (other.DeleteAt == long.MaxValue && (next is null || other.InstalledAt > next.InstalledAt))
                    {
                        next = other;
                    }
                }

                if (next is not null)
                {
                    next.Redundant = false;
                    Schedule(next.Owner);
                }
            }
        }
    }

    /// <summary>The earliest IPsec SA lifetime deadline among this ISAKMP SA's pairs.</summary>
    private long ChildLifecycleDeadline(IkeSa sa)
    {
        long best = long.MaxValue;
        if (_childLifecycleCount == 0)
        {
            return best;
        }

        foreach (ChildSaInfo child in sa.Children)
        {
            if (child.Lifecycle is { } lc)
            {
                best = Math.Min(best, lc.Deadline);
            }
        }

        return best;
    }

    /// <summary>Acts on this ISAKMP SA's due IPsec SA deadlines: hard expiry, delayed deletion, rekey.</summary>
    private void RunChildLifecycles(IkeSa sa, long now)
    {
        if (_childLifecycleCount == 0 || sa.Children.Count == 0)
        {
            return;
        }

        _lifecycleScratch.Clear();
        foreach (ChildSaInfo child in sa.Children)
        {
            if (child.Lifecycle is { } lc && lc.Deadline <= now)
            {
                _lifecycleScratch.Add(lc);
            }
        }

        foreach (ChildLifecycle lc in _lifecycleScratch)
        {
            if (now >= lc.ExpireAt || now >= lc.DeleteAt)
            {
                // RFC 2407 §4.5: the SA may not be used past its Life Duration; tell the peer (RFC 2408 §3.15).
                Diagnose(DiagnosticCode.None, sa, now, $"{lc.Sa.Connection}/{lc.Sa.Child} SPI {lc.Sa.InboundSpi:x8} " +
                    (now >= lc.ExpireAt ? "expired" : "deleted as redundant"));
                DeleteChild(lc.Sa.InboundSpi, now);
                continue;
            }

            if (!lc.Redundant && now >= lc.RekeyAt)
            {
                lc.RekeyAttempts = (ushort)Math.Min(lc.RekeyAttempts + 1, ushort.MaxValue);
                // Retried (halving the time left) until the hard lifetime, so a lost Quick Mode or a Phase 1 deleted
                // under it does not leave the pair to expire without a successor.
                long left = lc.ExpireAt == long.MaxValue ? lc.RekeyAt - lc.InstalledAt : lc.ExpireAt - now;
                lc.RekeyAt = now + Math.Max(left / 2, Options.RetransmitInitialMs);
                Diagnose(DiagnosticCode.None, sa, now, $"rekeying {lc.Sa.Connection}/{lc.Sa.Child} SPI {lc.Sa.InboundSpi:x8} (attempt {lc.RekeyAttempts})");
                StartRekeyQuickMode(lc.Owner.Peer, lc.Config, lc.Owner, now, lc.Sa);
            }
        }

        _lifecycleScratch.Clear();
    }

    /// <summary>
    /// A rekey Quick Mode goes over the newest established ISAKMP SA with the peer (after a reauthentication, the
    /// new one); without one, a new Phase 1 is started first (only if we know the peer's address).
    /// </summary>
    private bool StartRekeyQuickMode(PeerConfig peer, ChildConfig child, IkeSa current, long now, ChildSaInfo rekeying)
    {
        IkeSa? over = NewestEstablished(current);
        if (over is not null)
        {
            if (over.XauthDone && over.ModeConfigDone)
            {
                StartQuickMode(over, child, now, rekeying);
            }
            else
            {
                AddPendingChild(over, child);
            }

            return true;
        }

        return peer.RemoteAddress is not null && StartInitiator(peer, child, now);
    }
}

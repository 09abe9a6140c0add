using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// Rekey and expiry deadlines, which the engine leaves to the host (it reports negotiated lifetimes in its events).
/// IPsec SAs: the side that initiated the Quick Mode rekeys at <c>rekey_time</c> (at most 90% of the negotiated
/// lifetime, so a peer's shorter RESPONDER-LIFETIME is honoured), and both sides delete at the negotiated lifetime.
/// ISAKMP SAs are deleted at their negotiated lifetime; IKEv1 IPsec SAs outlive them (RFC 2409 section 5.5), and the
/// next rekey negotiates a new Phase 1. Loop thread only.
/// <para>
/// The daemon now lets the engine do all of this (<see cref="EndpointOptions.ManageLifetimes"/>: rekeying with jitter,
/// reauthentication, collisions, hard expiry; docs/rekeying.md) and builds this class with
/// <c>engineManagesLifetimes</c>, which schedules nothing. The host-side timers stay for an engine run without it.
/// </para>
/// </summary>
internal sealed class SaLifetimes(bool engineManagesLifetimes = false)
{
    private const long MillisecondsPerSecond = 1000;

    private readonly PriorityQueue<LifetimeDeadline, long> _queue = new();
    private readonly HashSet<uint> _liveChildren = [];
    private readonly HashSet<(ulong, ulong)> _livePhase1 = [];

    /// <summary>The earliest deadline, or null.</summary>
    public long? NextDue => _queue.TryPeek(out _, out var due) ? due : null;

    /// <summary>True when the engine keeps the lifetimes and this class schedules nothing.</summary>
    public bool EngineManagesLifetimes => engineManagesLifetimes;

    public void ChildInstalled(ChildSaInfo sa, bool weInitiated, ChildConfig? config, long now)
    {
        if (engineManagesLifetimes)
        {
            return;
        }

        _liveChildren.Add(sa.InboundSpi);
        var lifetime = sa.LifetimeSeconds > 0
            ? sa.LifetimeSeconds * MillisecondsPerSecond
            : (long)(config?.LifeTime.TotalMilliseconds ?? 0);
        if (lifetime > 0)
        {
            _queue.Enqueue(new LifetimeDeadline(LifetimeAction.ExpireChild, sa.Connection, sa.Child, sa.InboundSpi, 0, 0), now + lifetime);
        }

        var rekey = (long)(config?.RekeyTime.TotalMilliseconds ?? 0);
        if (weInitiated && rekey > 0)
        {
            if (lifetime > 0)
            {
                rekey = Math.Min(rekey, lifetime * 9 / 10);
            }

            _queue.Enqueue(new LifetimeDeadline(LifetimeAction.RekeyChild, sa.Connection, sa.Child, sa.InboundSpi, 0, 0), now + rekey);
        }
    }

    public void ChildDeleted(uint inboundSpi) => _liveChildren.Remove(inboundSpi);

    public void Phase1Up(string connection, ulong initiatorCookie, ulong responderCookie, long lifetimeSeconds, long now)
    {
        if (engineManagesLifetimes)
        {
            return;
        }

        _livePhase1.Add((initiatorCookie, responderCookie));
        if (lifetimeSeconds > 0)
        {
            _queue.Enqueue(new LifetimeDeadline(LifetimeAction.ExpirePhase1, connection, null, 0, initiatorCookie, responderCookie),
                now + (lifetimeSeconds * MillisecondsPerSecond));
        }
    }

    public void Phase1Down(ulong initiatorCookie, ulong responderCookie) => _livePhase1.Remove((initiatorCookie, responderCookie));

    /// <summary>The next deadline that has passed and whose SA still exists (stale ones are dropped on the way).</summary>
    public bool TryTakeDue(long now, out LifetimeDeadline deadline)
    {
        while (_queue.TryPeek(out deadline, out var due) && due <= now)
        {
            _queue.Dequeue();
            var live = deadline.Action == LifetimeAction.ExpirePhase1
                ? _livePhase1.Contains((deadline.InitiatorCookie, deadline.ResponderCookie))
                : _liveChildren.Contains(deadline.InboundSpi);
            if (live)
            {
                // A rekeyed SA is not rekeyed again: its successor gets its own deadlines when it is installed.
                return true;
            }
        }

        deadline = default;
        return false;
    }
}

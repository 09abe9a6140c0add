using System.Net;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// The peer-level rules across endpoints, for a host that runs several (one per shard, each owning the peers whose
/// address hashes to it). A peer that moved to an address of another shard runs its next Phase 1 there, where the
/// reauthentication and INITIAL-CONTACT rules (Endpoint.Reauth.cs, <see cref="DropOlderSas"/>) do not see its old SAs.
/// The host tells every endpoint about each new ISAKMP SA (connection, authenticated peer identity, address); an
/// endpoint holding SAs of that peer then either releases their IPsec SA pairs for the new ISAKMP SA to adopt, as a
/// reauthentication on one endpoint does, or, when the new Phase 1 carried INITIAL-CONTACT (RFC 2407 §4.6.3.3: the peer
/// has lost its state), deletes them. Nothing here runs per datagram.
/// </summary>
public sealed partial class Endpoint
{
    private readonly List<IkeSa> _movedScratch = [];

    /// <summary>
    /// Acts on this endpoint's established ISAKMP SAs of <paramref name="connection"/> whose authenticated peer identity is
    /// <paramref name="identity"/>, other than (<paramref name="initiatorCookie"/>, <paramref name="responderCookie"/>),
    /// the new ISAKMP SA that peer just established (on this endpoint or another) from <paramref name="address"/>.
    /// <para>
    /// With <paramref name="initialContact"/>: each is deleted with its IPsec SAs, as INITIAL-CONTACT does locally (by
    /// identity: the peer may come back from another address). Returns the number deleted.
    /// </para>
    /// <para>
    /// Otherwise a reauthentication from a moved peer: an ISAKMP SA established at another address whose peer is now at
    /// <paramref name="address"/> (it followed the peer's NAT, RFC 3947 section 4) and that no newer one replaced gives
    /// up its IPsec SA pairs, added to <paramref name="released"/> for <see cref="AdoptHandedOver"/> (nothing is
    /// deleted: the kernel keeps them), and is itself replaced: deleted after the delay by us when
    /// <paramref name="successorIsOurs"/> (we initiated the new Phase 1), else by the peer, as on one endpoint
    /// (docs/rekeying.md). An SA whose peer is at another address is another device with the same identity, and one
    /// still at the address it was established at is its own endpoint's business (same key there): both left alone.
    /// Returns the number of ISAKMP SAs replaced.
    /// </para>
    /// </summary>
    public int ReleaseMovedPeer(string connection, IkeIdentity identity, IPAddress address, ulong initiatorCookie, ulong responderCookie,
        bool initialContact, bool successorIsOurs, long now, List<ChildSaHandover> released)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(released);
        address = TrafficSelectorCodec.Unmap(address);
        _movedScratch.Clear();
        foreach (IkeSa sa in AllSas())
        {
            if (sa.IsEstablished && (sa.InitiatorCookie != initiatorCookie || sa.ResponderCookie != responderCookie) &&
                string.Equals(sa.Peer.Name, connection, StringComparison.Ordinal) && identity.Equals(sa.RemoteIdentity) &&
                (initialContact || IsMovedTo(sa, address)))
            {
                _movedScratch.Add(sa);
            }
        }

        foreach (IkeSa old in _movedScratch)
        {
            if (initialContact)
            {
                Diagnose(DiagnosticCode.InitialContact, old, now, "INITIAL-CONTACT from the peer (another shard): older SA dropped");
                RemoveSa(old, now, DiagnosticCode.InitialContact, true);
                continue;
            }

            foreach (ChildSaInfo child in old.Children)
            {
                released.Add(Release(child, now));
            }

            old.Children.Clear();
            Phase1Lifecycle p = old.Lifecycle!;
            p.Redundant = true;
            p.DeleteAt = successorIsOurs ? now + Options.RekeyDeleteDelayMs : long.MaxValue;
            Diagnose(DiagnosticCode.None, old, now, $"ISAKMP SA reauthenticated from {address} (another shard): IPsec SAs handed over" +
                (successorIsOurs ? ", deleted after the delay" : ", the peer deletes it"));
            Schedule(old);
        }

        int count = _movedScratch.Count;
        _movedScratch.Clear();
        FlushSchedule();
        return count;
    }

    /// <summary>
    /// Adds pairs another endpoint released (<see cref="ReleaseMovedPeer"/>) to the established ISAKMP SA
    /// (<paramref name="initiatorCookie"/>, <paramref name="responderCookie"/>), with their rekey and expiry times, as a
    /// reauthentication adopts them. A pair whose child configuration this endpoint does not know goes to
    /// <paramref name="refused"/> (the host deletes it). False, and every pair refused, when that ISAKMP SA is gone.
    /// </summary>
    public bool AdoptHandedOver(ulong initiatorCookie, ulong responderCookie, List<ChildSaHandover> pairs, long now, List<ChildSaInfo> refused)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(refused);
        if (!_saByCookies.TryGetValue((initiatorCookie, responderCookie), out IkeSa? sa) || !sa.IsEstablished)
        {
            foreach (ChildSaHandover pair in pairs)
            {
                pair.Sa.Live = false;
                refused.Add(pair.Sa);
            }

            return false;
        }

        foreach (ChildSaHandover pair in pairs)
        {
            ChildConfig? config = sa.Peer.FindChild(pair.Sa.Child);
            if (config is null)
            {
                pair.Sa.Live = false;
                refused.Add(pair.Sa);
                continue;
            }

            ChildSaInfo child = pair.Sa;
            child.Live = true;
            sa.Children.Add(child);
            if (Options.ManageLifetimes && pair.HasLifecycle)
            {
                ChildLifecycle lc = _childLifecyclePool.TryPop(out ChildLifecycle? pooled) ? pooled : new ChildLifecycle();
                lc.Sa = child;
                lc.Config = config;
                lc.Owner = sa;
                lc.WeCreated = pair.WeCreated;
                lc.InstalledAt = now - pair.AgeMs;
                lc.LowestNonce.Set(pair.LowestNonce, _bytes);
                lc.RekeyAt = Later(now, pair.RekeyInMs);
                lc.ExpireAt = Later(now, pair.ExpireInMs);
                lc.DeleteAt = Later(now, pair.DeleteInMs);
                lc.Redundant = pair.Redundant;
                lc.RekeyAttempts = pair.RekeyAttempts;
                child.Lifecycle = lc;
                _childLifecycleCount++;
                if (_childrenByKey.TryGetValue(ChildSaKey.Of(child), out ChildLifecycle? first))
                {
                    SameKeyChain.Append(first, lc);
                }
                else
                {
                    _childrenByKey.Add(lc);
                }
            }

            Diagnose(DiagnosticCode.None, sa, now, $"{child.Connection}/{child.Child} SPI {child.InboundSpi:x8} adopted from another shard");
        }

        Schedule(sa);
        FlushSchedule();
        return true;
    }

    /// <summary>Takes a pair out of this endpoint's bookkeeping (no Delete, no event), its times made relative.</summary>
    private ChildSaHandover Release(ChildSaInfo child, long now)
    {
        var pair = new ChildSaHandover(child);
        if (child.Lifecycle is { } lc)
        {
            pair.HasLifecycle = true;
            pair.WeCreated = lc.WeCreated;
            pair.AgeMs = now - lc.InstalledAt;
            pair.RekeyInMs = Until(now, lc.RekeyAt);
            pair.ExpireInMs = Until(now, lc.ExpireAt);
            pair.DeleteInMs = Until(now, lc.DeleteAt);
            pair.Redundant = lc.Redundant;
            pair.RekeyAttempts = lc.RekeyAttempts;
            pair.LowestNonce = lc.LowestNonce.Span.ToArray();
            ForgetChild(child);
        }

        return pair;
    }

    /// <summary>
    /// The SA followed its peer to <paramref name="address"/> (it was established at another one) and no newer SA replaced
    /// it. An SA still at the address it was established at is left to the rules of its own endpoint (the same key there).
    /// </summary>
    private static bool IsMovedTo(IkeSa sa, IPAddress address) =>
        sa.Lifecycle is { Redundant: false } p && TrafficSelectorCodec.Unmap(sa.Remote.Address).Equals(address) &&
        !TrafficSelectorCodec.Unmap(p.Key.PeerAddress).Equals(address);

    private static long Until(long now, long at) => at == long.MaxValue ? long.MaxValue : Math.Max(0, at - now);

    private static long Later(long now, long inMs) => inMs == long.MaxValue ? long.MaxValue : now + inMs;
}

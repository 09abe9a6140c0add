using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Installation;

/// <summary>
/// What the host does on <see cref="EngineEventKind.PeerEndpointChanged"/> (the peer's NAT mapping changed, RFC 3947
/// section 4): the UDP-encapsulated IPsec SAs of that ISAKMP SA follow the peer. When only the port moved their
/// ESP-in-UDP ports are updated in place (<see cref="ISaInstaller.UpdateEncapsulation"/>: XFRM_MSG_UPDSA); when the
/// address moved too they are rekeyed, since XFRM cannot change an SA's addresses in place and the engine's next
/// Quick Mode already uses the new one.
/// </summary>
internal static class EncapsulationFollower
{
    /// <summary>Acts on one event; returns the number of pairs updated or rekeyed.</summary>
    public static int Follow(EngineEvent e, IEnumerable<Protocol.IkeSaStatus> sas, ISaInstaller installer, Func<uint, bool> rekey)
    {
        ArgumentNullException.ThrowIfNull(sas);
        ArgumentNullException.ThrowIfNull(installer);
        ArgumentNullException.ThrowIfNull(rekey);
        if (e.Kind != EngineEventKind.PeerEndpointChanged || e.Peer is null)
        {
            return 0;
        }

        int acted = 0;
        foreach (var ike in sas)
        {
            if (ike.InitiatorCookie == e.InitiatorCookie && ike.ResponderCookie == e.ResponderCookie)
            {
                acted += FollowChildren(ike.Children, e.Peer, installer, rekey);
            }
        }

        return acted;
    }

    /// <summary>
    /// The UDP-encapsulated pairs among <paramref name="children"/> follow <paramref name="peer"/> (also for pairs a new
    /// ISAKMP SA adopted from another shard: Sharding/CrossShardPeers); returns the number updated or rekeyed.
    /// </summary>
    public static int FollowChildren(IEnumerable<ChildSaInfo> children, System.Net.IPEndPoint peer, ISaInstaller installer, Func<uint, bool> rekey)
    {
        ArgumentNullException.ThrowIfNull(children);
        ArgumentNullException.ThrowIfNull(peer);
        var address = peer.Address.IsIPv4MappedToIPv6 ? peer.Address.MapToIPv4() : peer.Address;
        int acted = 0;
        foreach (var child in children)
        {
            if (!child.UdpEncapsulated)
            {
                continue;
            }

            if (child.RemoteAddress.Equals(address))
            {
                installer.UpdateEncapsulation(child, child.EncapsulationSourcePort, peer.Port);
            }
            else
            {
                rekey(child.InboundSpi);
            }

            acted++;
        }

        return acted;
    }
}

using System.Net;
using System.Net.Sockets;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Native.Xfrm;

namespace Ike.Fast.Host.Kernel;

/// <summary>
/// Maps one negotiated <see cref="ChildSaInfo"/> to the kernel's objects (RFC 4301 section 4.4: SAD entries and SPD
/// entries): the inbound SA (our SPI, peer → us), the outbound SA (the peer's SPI, us → peer), and the policies
/// out (local TS → remote TS), in (remote → local) and, in tunnel mode, fwd (remote → local, for traffic routed
/// through this host). Every policy's template carries the child's reqid, which links it to both SAs.
/// </summary>
internal static class XfrmChildSa
{
    /// <summary>Anti-replay window (RFC 4303 section 3.4.3: 32 packets is the minimum a receiver must support).</summary>
    public const uint ReplayWindow = 32;

    /// <summary>How much later than the daemon's rekey timer the kernel's soft EXPIRE comes.</summary>
    public const ulong SoftMarginSeconds = 30;

    /// <summary>Builds the inbound or outbound SA. Keys are spans over <paramref name="sa"/>'s arrays (no copy).</summary>
    public static XfrmSaParameters Sa(ChildSaInfo sa, bool inbound, uint reqId, XfrmLifetime lifetime,
        XfrmEncryptionAlgorithm encryption, XfrmIntegrityAlgorithm integrity)
    {
        var family = sa.LocalAddress.AddressFamily;
        var local = XfrmAddress.FromIPAddress(sa.LocalAddress);
        var remote = XfrmAddress.FromIPAddress(sa.RemoteAddress);
        return new XfrmSaParameters
        {
            Family = family,
            Source = inbound ? remote : local,
            Destination = inbound ? local : remote,
            Spi = inbound ? sa.InboundSpi : sa.OutboundSpi,
            Protocol = Protocol(sa.Protocol),
            Mode = Mode(sa.Mode),
            ReqId = reqId,
            ReplayWindow = ReplayWindow,
            Encryption = encryption,
            EncryptionKey = encryption == XfrmEncryptionAlgorithm.None ? default
                : inbound ? sa.InboundEncryptionKey : sa.OutboundEncryptionKey,
            Integrity = integrity,
            IntegrityKey = integrity == XfrmIntegrityAlgorithm.None ? default
                : inbound ? sa.InboundIntegrityKey : sa.OutboundIntegrityKey,
            // Tunnel-mode SAs carry no selector (the policy decides what enters the tunnel), as with
            // `ip xfrm state add` without `sel`; transport-mode SAs are bound to the two hosts' traffic.
            Selector = sa.Mode == IpsecMode.Transport ? Selector(sa, outbound: !inbound) : default,
            Lifetime = lifetime,
            // RFC 3948 ESP-in-UDP: the UDP ports of this SA's packets (outbound: ours → the peer's; inbound: the
            // peer's → ours), XFRMA_ENCAP with encap_oa = the peer's original address from its NAT-OA payload
            // (transport mode only: RFC 3948 section 3.1.2 checksum fix-up), zero when it sent none.
            UdpEncapsulation = sa.UdpEncapsulated,
            EncapsulationOriginalAddress = sa.UdpEncapsulated && sa.Mode == IpsecMode.Transport && sa.NatOriginalPeer is { } oa
                && oa.AddressFamily == family ? XfrmAddress.FromIPAddress(oa) : XfrmAddress.Any,
            EncapsulationSourcePort = (ushort)(!sa.UdpEncapsulated ? 0 : inbound ? sa.EncapsulationDestinationPort : sa.EncapsulationSourcePort),
            EncapsulationDestinationPort = (ushort)(!sa.UdpEncapsulated ? 0 : inbound ? sa.EncapsulationSourcePort : sa.EncapsulationDestinationPort),
        };
    }

    /// <summary>
    /// The SA again with new UDP encapsulation ports (the peer's NAT mapping changed, RFC 3947 section 4): sent as
    /// XFRM_MSG_UPDSA, for which the kernel copies only the encapsulation, care-of address and lifetimes onto the
    /// existing VALID state (xfrm_state_update), so the keys in the message (zeroed after installation) are unused.
    /// </summary>
    public static XfrmSaParameters WithEncapsulation(in XfrmSaParameters sa, bool inbound, int localPort, int remotePort)
    {
        XfrmSaParameters moved = sa;
        moved.UdpEncapsulation = true;
        moved.EncapsulationSourcePort = (ushort)(inbound ? remotePort : localPort);
        moved.EncapsulationDestinationPort = (ushort)(inbound ? localPort : remotePort);
        return moved;
    }

    /// <summary>The outbound selector (local TS → remote TS) or its mirror for in/fwd.</summary>
    public static XfrmSelector Selector(ChildSaInfo sa, bool outbound)
    {
        var family = sa.LocalAddress.AddressFamily;
        var (localNet, localPrefix) = Network(sa.LocalTs, sa.LocalAddress);
        var (remoteNet, remotePrefix) = Network(sa.RemoteTs, sa.RemoteAddress);
        // Both selectors name the same upper-layer protocol when one is set (RFC 2407 section 4.6.2.7).
        byte protocol = sa.LocalTs.Protocol != 0 ? sa.LocalTs.Protocol : sa.RemoteTs.Protocol;
        return new XfrmSelector
        {
            Family = family,
            Source = outbound ? localNet : remoteNet,
            SourcePrefixLength = outbound ? localPrefix : remotePrefix,
            SourcePort = outbound ? sa.LocalTs.Port : sa.RemoteTs.Port,
            Destination = outbound ? remoteNet : localNet,
            DestinationPrefixLength = outbound ? remotePrefix : localPrefix,
            DestinationPort = outbound ? sa.RemoteTs.Port : sa.LocalTs.Port,
            Protocol = protocol,
        };
    }

    /// <summary>The SA a policy of direction <paramref name="direction"/> requires: tunnel endpoints in tunnel mode,
    /// zero addresses in transport mode (the kernel then takes the packet's own).</summary>
    public static XfrmTemplate Template(ChildSaInfo sa, XfrmPolicyDirection direction, uint reqId)
    {
        bool outbound = direction == XfrmPolicyDirection.Out;
        bool tunnel = sa.Mode == IpsecMode.Tunnel;
        var local = XfrmAddress.FromIPAddress(sa.LocalAddress);
        var remote = XfrmAddress.FromIPAddress(sa.RemoteAddress);
        return new XfrmTemplate
        {
            Family = sa.LocalAddress.AddressFamily,
            Source = !tunnel ? XfrmAddress.Any : outbound ? local : remote,
            Destination = !tunnel ? XfrmAddress.Any : outbound ? remote : local,
            Protocol = Protocol(sa.Protocol),
            Mode = Mode(sa.Mode),
            ReqId = reqId,
        };
    }

    /// <summary>
    /// The policies' priority: <see cref="XfrmOwnership.PriorityBase"/> (recognisable in <c>ip xfrm policy</c>) plus a
    /// term that makes narrower selectors win (lower = checked first, RFC 4301 section 4.4.1: the SPD is ordered).
    /// </summary>
    public static uint Priority(in XfrmSelector selector)
    {
        int specificity = selector.SourcePrefixLength + selector.DestinationPrefixLength
            + (selector.Protocol != 0 ? 1 : 0) + (selector.SourcePort != 0 ? 1 : 0) + (selector.DestinationPort != 0 ? 1 : 0);
        return XfrmOwnership.PriorityBase + (uint)(XfrmOwnership.PrioritySpan - 1 - specificity);
    }

    /// <summary>
    /// Hard limits from the negotiated lifetime (RFC 2407 section 4.5: SA Life Duration, seconds and kilobytes). The
    /// soft limit (soft EXPIRE = time to rekey) follows the child's rekey time the way the daemon's own rekey timer
    /// does (<c>rekey_time</c>, at most 90% of the negotiated lifetime), plus a margin of up to 30 s: where the daemon
    /// rekeys on its timer the new pair is in before the old pair's soft EXPIRE, which is then recognised as
    /// superseded and only logged; the kernel's soft EXPIRE drives the rekey where no timer did (byte limits, the
    /// responder side). Soft bytes are 90% of the hard bytes.
    /// </summary>
    public static XfrmLifetime Lifetime(ChildSaInfo sa, ChildConfig? child)
    {
        ulong hardSeconds = sa.LifetimeSeconds > 0 ? (ulong)sa.LifetimeSeconds
            : child is not null ? (ulong)child.LifeTime.TotalSeconds : 0;
        ulong softSeconds = 0;
        if (hardSeconds > 0)
        {
            ulong rekey = child is not null ? (ulong)child.RekeyTime.TotalSeconds : 0;
            ulong timer = rekey > 0 ? Math.Min(rekey, hardSeconds * 9 / 10) : hardSeconds * 9 / 10;
            softSeconds = timer + Math.Min(SoftMarginSeconds, (hardSeconds - timer) / 2);
        }

        ulong hardBytes = sa.LifetimeKilobytes > 0 ? (ulong)sa.LifetimeKilobytes * 1024 : 0;
        return new XfrmLifetime
        {
            SoftAddExpiresSeconds = softSeconds,
            HardAddExpiresSeconds = hardSeconds,
            SoftByteLimit = hardBytes * 9 / 10,
            HardByteLimit = hardBytes,
        };
    }

    public static XfrmProtocol Protocol(IpsecProtocol protocol) =>
        protocol == IpsecProtocol.Ah ? XfrmProtocol.Ah : XfrmProtocol.Esp;

    public static XfrmMode Mode(IpsecMode mode) => mode == IpsecMode.Transport ? XfrmMode.Transport : XfrmMode.Tunnel;

    private static (XfrmAddress Network, byte Prefix) Network(TrafficSelector ts, IPAddress host)
    {
        if (ts.IsDynamic)
        {
            // "dynamic" = the IKE address itself (swanctl.conf's meaning), as a host selector.
            return (XfrmAddress.FromIPAddress(host), (byte)(host.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
        }

        return (XfrmAddress.FromIPAddress(ts.Network!), (byte)ts.PrefixLength);
    }
}

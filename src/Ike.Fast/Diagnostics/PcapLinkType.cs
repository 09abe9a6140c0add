namespace Ike.Fast.Diagnostics;

/// <summary>
/// The link-layer header types (LINKTYPE_* values from the tcpdump.org registry) that
/// <see cref="UdpPacketDecoder"/> understands. Other values are carried through unchanged and reported as
/// <see cref="PacketDecodeStatus.UnsupportedLinkType"/>.
/// </summary>
public enum PcapLinkType : uint
{
    /// <summary>LINKTYPE_NULL: BSD loopback, a 4-byte address family in host byte order.</summary>
    Null = 0,

    /// <summary>LINKTYPE_ETHERNET: Ethernet II (optionally with 802.1Q/802.1ad tags).</summary>
    Ethernet = 1,

    /// <summary>LINKTYPE_RAW: a bare IPv4 or IPv6 packet.</summary>
    Raw = 101,

    /// <summary>LINKTYPE_LINUX_SLL: Linux "cooked" capture v1 (16-byte header).</summary>
    LinuxSll = 113,

    /// <summary>LINKTYPE_IPV4: a bare IPv4 packet.</summary>
    Ipv4 = 228,

    /// <summary>LINKTYPE_IPV6: a bare IPv6 packet.</summary>
    Ipv6 = 229,

    /// <summary>LINKTYPE_LINUX_SLL2: Linux "cooked" capture v2 (20-byte header).</summary>
    LinuxSll2 = 276,
}

namespace Ike.Fast.Diagnostics;

/// <summary>The outcome of <see cref="UdpPacketDecoder.TryDecode"/>.</summary>
public enum PacketDecodeStatus
{
    /// <summary>A complete UDP datagram was found.</summary>
    Ok = 0,

    /// <summary>The capture's link type is not one the decoder knows.</summary>
    UnsupportedLinkType,

    /// <summary>The link layer carries something other than IPv4/IPv6 (ARP, LLDP, ...).</summary>
    NotIp,

    /// <summary>The IP packet carries something other than UDP (ESP, ICMP, TCP, ...).</summary>
    NotUdp,

    /// <summary>The IP packet is a fragment; fragments are not reassembled.</summary>
    IpFragment,

    /// <summary>A header is cut short or its length fields are inconsistent.</summary>
    Truncated,
}

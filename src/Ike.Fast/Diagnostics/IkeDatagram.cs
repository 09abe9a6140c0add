using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// Tells ISAKMP messages apart from the other traffic that shares the IKE ports. On UDP 500 every datagram is
/// an ISAKMP message. On UDP 4500 (NAT traversal, RFC 3947 section 4 / RFC 3948 section 2) an ISAKMP message is
/// prefixed by the 4-byte non-ESP marker (zero, where ESP would have its SPI), a lone 0xFF byte is a
/// NAT-keepalive, and anything else is ESP (SPI non-zero).
/// </summary>
public static class IkeDatagram
{
    /// <summary>The IKE port (RFC 2408 section 3.1: UDP 500).</summary>
    public const ushort IsakmpPort = 500;

    /// <summary>The NAT-T port (RFC 3947 section 4).</summary>
    public const ushort NatTraversalPort = 4500;

    /// <summary>Length of the non-ESP marker (RFC 3948 section 2.2).</summary>
    public const int NonEspMarkerLength = UdpEncapsulation.NonEspMarkerLength;

    /// <summary>The NAT-keepalive byte (RFC 3948 section 2.3).</summary>
    public const byte NatKeepaliveByte = UdpEncapsulation.NatKeepaliveByte;

    /// <summary>Classifies a UDP datagram by its ports and first bytes; <paramref name="isakmp"/> is the ISAKMP message when the result is <see cref="IkeDatagramKind.Isakmp"/>.</summary>
    public static IkeDatagramKind Classify(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload,
        out ReadOnlySpan<byte> isakmp, out bool nonEspMarker)
    {
        isakmp = default;
        nonEspMarker = false;
        if (sourcePort == NatTraversalPort || destinationPort == NatTraversalPort)
        {
            return ClassifyNatTraversal(payload, out isakmp, out nonEspMarker);
        }

        if (sourcePort == IsakmpPort || destinationPort == IsakmpPort)
        {
            isakmp = payload;
            return IkeDatagramKind.Isakmp;
        }

        return IkeDatagramKind.NotIke;
    }

    /// <summary>Classifies a datagram whose ports are unknown (hex input): a keepalive byte or a leading zero marker is recognised, anything else is taken as ISAKMP.</summary>
    public static IkeDatagramKind ClassifyWithoutPorts(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> isakmp, out bool nonEspMarker)
    {
        // A real initiator cookie is never all-zero in its first four bytes in practice, and a zero SPI is
        // reserved (RFC 4303 section 2.1), so four leading zeros can only be the non-ESP marker; anything else that
        // is not a keepalive is taken as a bare ISAKMP message.
        IkeDatagramKind kind = ClassifyNatTraversal(payload, out isakmp, out nonEspMarker);
        if (kind is IkeDatagramKind.EspInUdp or IkeDatagramKind.Malformed)
        {
            isakmp = payload;
            return IkeDatagramKind.Isakmp;
        }

        return kind;
    }

    // The port-4500 demultiplexing itself is the wire layer's (UdpEncapsulation); this adds the diagnostic kinds.
    private static IkeDatagramKind ClassifyNatTraversal(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> isakmp, out bool nonEspMarker)
    {
        nonEspMarker = UdpEncapsulation.TryStripNonEspMarker(payload, out isakmp);
        return UdpEncapsulation.Classify(payload) switch
        {
            UdpEncapsulatedKind.NatKeepalive => IkeDatagramKind.NatKeepalive,
            UdpEncapsulatedKind.Ike => IkeDatagramKind.Isakmp,
            UdpEncapsulatedKind.Esp => IkeDatagramKind.EspInUdp,
            _ => IkeDatagramKind.Malformed,
        };
    }
}

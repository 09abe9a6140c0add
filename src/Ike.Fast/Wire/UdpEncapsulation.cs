using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// Demultiplexing of UDP port 4500 datagrams (RFC 3948 §2.2, §2.3): a one-byte 0xFF datagram is a NAT-keepalive, a
/// datagram starting with four zero bytes (the non-ESP marker, where ESP would carry its non-zero SPI) is IKE, anything
/// else is ESP.
/// </summary>
public static class UdpEncapsulation
{
    public const int NonEspMarkerLength = 4;
    public const byte NatKeepaliveByte = 0xFF;

    public static bool IsNatKeepalive(ReadOnlySpan<byte> datagram) => datagram.Length == 1 && datagram[0] == NatKeepaliveByte;

    /// <summary>What a port-4500 datagram carries.</summary>
    public static UdpEncapsulatedKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (IsNatKeepalive(datagram))
        {
            return UdpEncapsulatedKind.NatKeepalive;
        }

        if (datagram.Length < NonEspMarkerLength)
        {
            return UdpEncapsulatedKind.Invalid;
        }

        return BinaryPrimitives.ReadUInt32BigEndian(datagram) == 0 ? UdpEncapsulatedKind.Ike : UdpEncapsulatedKind.Esp;
    }

    /// <summary>The ISAKMP message after the non-ESP marker; false when the datagram does not start with one.</summary>
    public static bool TryStripNonEspMarker(ReadOnlySpan<byte> datagram, out ReadOnlySpan<byte> isakmpMessage)
    {
        if (Classify(datagram) != UdpEncapsulatedKind.Ike)
        {
            isakmpMessage = default;
            return false;
        }

        isakmpMessage = datagram[NonEspMarkerLength..];
        return true;
    }

    /// <summary>Writes the four zero bytes of the non-ESP marker.</summary>
    public static bool TryWriteNonEspMarker(Span<byte> destination)
    {
        if (destination.Length < NonEspMarkerLength)
        {
            return false;
        }

        destination[..NonEspMarkerLength].Clear();
        return true;
    }

    /// <summary>Writes the one-byte NAT-keepalive.</summary>
    public static bool TryWriteNatKeepalive(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return false;
        }

        destination[0] = NatKeepaliveByte;
        return true;
    }
}

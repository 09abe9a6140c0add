using System.Buffers.Binary;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// Finds the UDP datagram in a captured frame: link layer (Ethernet with 802.1Q/802.1ad tags, Linux cooked
/// SLL/SLL2, BSD loopback, raw IP), then IPv4 (RFC 791) or IPv6 (RFC 8200, walking extension headers), then UDP
/// (RFC 768). Lengths are taken from the IP and UDP headers so link-layer padding is never part of the payload.
/// IP fragments are reported, not reassembled. Never throws.
/// </summary>
public static class UdpPacketDecoder
{
    private const int EthernetHeaderLength = 14;
    private const int EthernetTypeOffset = 12;
    private const int VlanTagLength = 4;
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;

    // Linux cooked v1: packet_type(2) arphrd(2) addr_len(2) addr(8) protocol(2)
    private const int SllHeaderLength = 16;
    private const int SllProtocolOffset = 14;

    // Linux cooked v2: protocol(2) reserved(2) ifindex(4) arphrd(2) packet_type(1) addr_len(1) addr(8)
    private const int Sll2HeaderLength = 20;
    private const int Sll2ProtocolOffset = 0;

    // BSD loopback: a 4-byte address family in the capturing host's byte order.
    private const int NullHeaderLength = 4;
    private const uint AfInet = 2;
    private const uint AfInet6Bsd = 24;
    private const uint AfInet6FreeBsd = 28;
    private const uint AfInet6Darwin = 30;

    // IPv4 (RFC 791 section 3.1)
    private const int Ipv4MinHeaderLength = 20;
    private const int Ipv4TotalLengthOffset = 2;
    private const int Ipv4FlagsFragmentOffset = 6;
    private const ushort Ipv4MoreFragments = 0x2000;
    private const ushort Ipv4FragmentOffsetMask = 0x1FFF;
    private const int Ipv4ProtocolOffset = 9;
    private const int Ipv4SourceOffset = 12;
    private const int Ipv4DestinationOffset = 16;
    private const int Ipv4AddressLength = 4;

    // IPv6 (RFC 8200 section 3)
    private const int Ipv6HeaderLength = 40;
    private const int Ipv6PayloadLengthOffset = 4;
    private const int Ipv6NextHeaderOffset = 6;
    private const int Ipv6SourceOffset = 8;
    private const int Ipv6DestinationOffset = 24;
    private const int Ipv6AddressLength = 16;
    private const byte HopByHop = 0;
    private const byte Routing = 43;
    private const byte Fragment = 44;
    private const byte AuthenticationHeader = 51;
    private const byte DestinationOptions = 60;
    private const int Ipv6FragmentHeaderLength = 8;
    private const ushort Ipv6FragmentOffsetMask = 0xFFF8;
    private const ushort Ipv6MoreFragments = 0x0001;
    private const int MaxExtensionHeaders = 16;

    private const byte ProtocolUdp = 17;
    private const int UdpHeaderLength = 8;

    /// <summary>Decodes <paramref name="frame"/> of link type <paramref name="linkType"/> down to its UDP datagram.</summary>
    public static PacketDecodeStatus TryDecode(PcapLinkType linkType, ReadOnlySpan<byte> frame, out UdpDatagram datagram)
    {
        datagram = default;
        ReadOnlySpan<byte> network;
        switch (linkType)
        {
            case PcapLinkType.Ethernet:
                if (!TryStripEthernet(frame, out network, out ushort etherType))
                {
                    return PacketDecodeStatus.Truncated;
                }

                return DecodeByEtherType(etherType, network, out datagram);
            case PcapLinkType.LinuxSll:
                if (frame.Length < SllHeaderLength)
                {
                    return PacketDecodeStatus.Truncated;
                }

                return DecodeByEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[SllProtocolOffset..]), frame[SllHeaderLength..], out datagram);
            case PcapLinkType.LinuxSll2:
                if (frame.Length < Sll2HeaderLength)
                {
                    return PacketDecodeStatus.Truncated;
                }

                return DecodeByEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[Sll2ProtocolOffset..]), frame[Sll2HeaderLength..], out datagram);
            case PcapLinkType.Null:
                if (frame.Length < NullHeaderLength)
                {
                    return PacketDecodeStatus.Truncated;
                }

                // The family is in the writer's byte order; accept either.
                uint family = BinaryPrimitives.ReadUInt32LittleEndian(frame);
                if (family > 0xFFFF)
                {
                    family = BinaryPrimitives.ReverseEndianness(family);
                }

                return family switch
                {
                    AfInet => DecodeIpv4(frame[NullHeaderLength..], out datagram),
                    AfInet6Bsd or AfInet6FreeBsd or AfInet6Darwin => DecodeIpv6(frame[NullHeaderLength..], out datagram),
                    _ => PacketDecodeStatus.NotIp,
                };
            case PcapLinkType.Raw:
                return DecodeIp(frame, out datagram);
            case PcapLinkType.Ipv4:
                return DecodeIpv4(frame, out datagram);
            case PcapLinkType.Ipv6:
                return DecodeIpv6(frame, out datagram);
            default:
                return PacketDecodeStatus.UnsupportedLinkType;
        }
    }

    /// <summary>Decodes a bare IPv4 or IPv6 packet (chosen by its version nibble) down to its UDP datagram.</summary>
    public static PacketDecodeStatus DecodeIp(ReadOnlySpan<byte> packet, out UdpDatagram datagram)
    {
        datagram = default;
        if (packet.IsEmpty)
        {
            return PacketDecodeStatus.Truncated;
        }

        return (packet[0] >> 4) switch
        {
            4 => DecodeIpv4(packet, out datagram),
            6 => DecodeIpv6(packet, out datagram),
            _ => PacketDecodeStatus.NotIp,
        };
    }

    private static bool TryStripEthernet(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> network, out ushort etherType)
    {
        network = default;
        etherType = 0;
        if (frame.Length < EthernetHeaderLength)
        {
            return false;
        }

        int typeOffset = EthernetTypeOffset;
        etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[typeOffset..]);
        while (etherType is EtherTypeVlan or EtherTypeQinQ)
        {
            typeOffset += VlanTagLength;
            if (frame.Length < typeOffset + 2)
            {
                return false;
            }

            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[typeOffset..]);
        }

        network = frame[(typeOffset + 2)..];
        return true;
    }

    private static PacketDecodeStatus DecodeByEtherType(ushort etherType, ReadOnlySpan<byte> network, out UdpDatagram datagram)
    {
        datagram = default;
        return etherType switch
        {
            EtherTypeIpv4 => DecodeIpv4(network, out datagram),
            EtherTypeIpv6 => DecodeIpv6(network, out datagram),
            _ => PacketDecodeStatus.NotIp,
        };
    }

    private static PacketDecodeStatus DecodeIpv4(ReadOnlySpan<byte> packet, out UdpDatagram datagram)
    {
        datagram = default;
        if (packet.Length < Ipv4MinHeaderLength)
        {
            return PacketDecodeStatus.Truncated;
        }

        if (packet[0] >> 4 != 4)
        {
            return PacketDecodeStatus.NotIp;
        }

        int headerLength = (packet[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[Ipv4TotalLengthOffset..]);
        if (headerLength < Ipv4MinHeaderLength || totalLength < headerLength || totalLength > packet.Length)
        {
            return PacketDecodeStatus.Truncated;
        }

        if (packet[Ipv4ProtocolOffset] != ProtocolUdp)
        {
            return PacketDecodeStatus.NotUdp;
        }

        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(packet[Ipv4FlagsFragmentOffset..]);
        if ((fragment & (Ipv4MoreFragments | Ipv4FragmentOffsetMask)) != 0)
        {
            return PacketDecodeStatus.IpFragment;
        }

        return DecodeUdp(
            packet.Slice(Ipv4SourceOffset, Ipv4AddressLength),
            packet.Slice(Ipv4DestinationOffset, Ipv4AddressLength),
            packet[headerLength..totalLength],
            out datagram);
    }

    private static PacketDecodeStatus DecodeIpv6(ReadOnlySpan<byte> packet, out UdpDatagram datagram)
    {
        datagram = default;
        if (packet.Length < Ipv6HeaderLength)
        {
            return PacketDecodeStatus.Truncated;
        }

        if (packet[0] >> 4 != 6)
        {
            return PacketDecodeStatus.NotIp;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[Ipv6PayloadLengthOffset..]);
        if (payloadLength > packet.Length - Ipv6HeaderLength)
        {
            return PacketDecodeStatus.Truncated;
        }

        // A zero payload length means a jumbogram (RFC 2675): the captured bytes are all we have.
        ReadOnlySpan<byte> payload = payloadLength == 0 ? packet[Ipv6HeaderLength..] : packet.Slice(Ipv6HeaderLength, payloadLength);
        byte nextHeader = packet[Ipv6NextHeaderOffset];
        for (int i = 0; i < MaxExtensionHeaders && nextHeader != ProtocolUdp; i++)
        {
            int extensionLength;
            switch (nextHeader)
            {
                case HopByHop or Routing or DestinationOptions:
                    if (payload.Length < 2)
                    {
                        return PacketDecodeStatus.Truncated;
                    }

                    extensionLength = (payload[1] + 1) * 8;
                    break;
                case AuthenticationHeader:
                    if (payload.Length < 2)
                    {
                        return PacketDecodeStatus.Truncated;
                    }

                    extensionLength = (payload[1] + 2) * 4;
                    break;
                case Fragment:
                    if (payload.Length < Ipv6FragmentHeaderLength)
                    {
                        return PacketDecodeStatus.Truncated;
                    }

                    // An "atomic" fragment (offset 0, no more fragments) holds the whole packet (RFC 6946).
                    if ((BinaryPrimitives.ReadUInt16BigEndian(payload[2..]) & (Ipv6FragmentOffsetMask | Ipv6MoreFragments)) != 0)
                    {
                        return PacketDecodeStatus.IpFragment;
                    }

                    extensionLength = Ipv6FragmentHeaderLength;
                    break;
                default:
                    return PacketDecodeStatus.NotUdp;
            }

            if (extensionLength > payload.Length)
            {
                return PacketDecodeStatus.Truncated;
            }

            nextHeader = payload[0];
            payload = payload[extensionLength..];
        }

        if (nextHeader != ProtocolUdp)
        {
            return PacketDecodeStatus.NotUdp;
        }

        return DecodeUdp(
            packet.Slice(Ipv6SourceOffset, Ipv6AddressLength),
            packet.Slice(Ipv6DestinationOffset, Ipv6AddressLength),
            payload,
            out datagram);
    }

    private static PacketDecodeStatus DecodeUdp(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> segment, out UdpDatagram datagram)
    {
        // source_port(2) destination_port(2) length(2) checksum(2)
        datagram = default;
        if (segment.Length < UdpHeaderLength)
        {
            return PacketDecodeStatus.Truncated;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(segment[4..]);
        if (length == 0)
        {
            length = segment.Length; // IPv6 jumbogram UDP (RFC 2675 section 4)
        }

        if (length < UdpHeaderLength || length > segment.Length)
        {
            return PacketDecodeStatus.Truncated;
        }

        datagram = new UdpDatagram(
            source,
            BinaryPrimitives.ReadUInt16BigEndian(segment),
            destination,
            BinaryPrimitives.ReadUInt16BigEndian(segment[2..]),
            segment[UdpHeaderLength..length]);
        return PacketDecodeStatus.Ok;
    }
}

using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// Identification payload body, IPsec DOI form (RFC 2408 §3.8, RFC 2407 §4.6.2):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !        Payload Length         !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !   ID Type     !  Protocol ID  !             Port              !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                     Identification Data                       ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Address types have fixed data lengths (RFC 2407 §4.6.2.2-4.6.2.12): 4/8/8 bytes for IPv4 address/subnet/range,
/// 16/32/32 for IPv6; a mismatch is INVALID-ID-INFORMATION. Name types (FQDN, USER_FQDN, DER_ASN1_DN/GN, KEY_ID) and
/// unknown types are kept as raw bytes for the protocol layer.
/// </summary>
public readonly ref struct IdentificationPayload
{
    public const int IdTypeOffset = 0;
    public const int ProtocolIdOffset = 1;
    public const int PortOffset = 2;
    public const int DataOffset = 4;
    public const int FixedSize = 4;

    public IdentificationPayload(IdentificationType idType, byte protocolId, ushort port, ReadOnlySpan<byte> data)
    {
        IdType = idType;
        ProtocolId = protocolId;
        Port = port;
        Data = data;
    }

    public IdentificationType IdType { get; }

    /// <summary>IP protocol number (0 = any), RFC 2407 §4.6.2.</summary>
    public byte ProtocolId { get; }

    /// <summary>Port (0 = any), RFC 2407 §4.6.2.</summary>
    public ushort Port { get; }

    /// <summary>Identification data, raw.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The (first) address of an address, subnet or range type; empty for name types.</summary>
    public ReadOnlySpan<byte> Address => IdType switch
    {
        IdentificationType.Ipv4Address or IdentificationType.Ipv6Address => Data,
        IdentificationType.Ipv4AddressSubnet or IdentificationType.Ipv4AddressRange or
        IdentificationType.Ipv6AddressSubnet or IdentificationType.Ipv6AddressRange => Data[..(Data.Length / 2)],
        _ => default,
    };

    /// <summary>The mask of a subnet type, or the end address of a range type; empty otherwise.</summary>
    public ReadOnlySpan<byte> SecondAddress => IdType switch
    {
        IdentificationType.Ipv4AddressSubnet or IdentificationType.Ipv4AddressRange or
        IdentificationType.Ipv6AddressSubnet or IdentificationType.Ipv6AddressRange => Data[(Data.Length / 2)..],
        _ => default,
    };

    /// <summary>The exact data length an address type requires, or -1 for variable-length types.</summary>
    public static int RequiredDataLength(IdentificationType type) => type switch
    {
        IdentificationType.Ipv4Address => 4,
        IdentificationType.Ipv4AddressSubnet or IdentificationType.Ipv4AddressRange => 8,
        IdentificationType.Ipv6Address => 16,
        IdentificationType.Ipv6AddressSubnet or IdentificationType.Ipv6AddressRange => 32,
        _ => -1,
    };

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out IdentificationPayload payload, out WireFault fault)
    {
        payload = default;
        if (body.Length < FixedSize)
        {
            fault = new WireFault(WireError.BodyTooShort, bodyOffset + body.Length);
            return false;
        }

        var type = (IdentificationType)body[IdTypeOffset];
        int data = body.Length - DataOffset;
        int required = RequiredDataLength(type);
        if (type == IdentificationType.Reserved || (required >= 0 ? data != required : data == 0))
        {
            fault = new WireFault(WireError.InvalidIdInformation, bodyOffset + IdTypeOffset);
            return false;
        }

        payload = new IdentificationPayload(type, body[ProtocolIdOffset], BinaryPrimitives.ReadUInt16BigEndian(body[PortOffset..]), body[DataOffset..]);
        fault = default;
        return true;
    }
}

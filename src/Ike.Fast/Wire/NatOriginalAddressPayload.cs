using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// NAT-OA payload body (RFC 3947 §5.2; same layout under the draft type 131):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !   ID Type     !   RESERVED    !            RESERVED           !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !         IPv4 (4 octets) or IPv6 address (16 octets)           !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// ID type is ID_IPV4_ADDR or ID_IPV6_ADDR; anything else is INVALID-ID-INFORMATION.
/// </summary>
public readonly ref struct NatOriginalAddressPayload
{
    public const int IdTypeOffset = 0;
    public const int ReservedOffset = 1;
    public const int AddressOffset = 4;
    public const int FixedSize = 4;

    public NatOriginalAddressPayload(IdentificationType idType, ReadOnlySpan<byte> address)
    {
        IdType = idType;
        Address = address;
    }

    public IdentificationType IdType { get; }
    public ReadOnlySpan<byte> Address { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out NatOriginalAddressPayload payload, out WireFault fault)
    {
        payload = default;
        if (body.Length < FixedSize)
        {
            fault = new WireFault(WireError.BodyTooShort, bodyOffset + body.Length);
            return false;
        }

        if (body[ReservedOffset] != 0 || BinaryPrimitives.ReadUInt16BigEndian(body[(ReservedOffset + 1)..]) != 0)
        {
            fault = new WireFault(WireError.ReservedNotZero, bodyOffset + ReservedOffset);
            return false;
        }

        var type = (IdentificationType)body[IdTypeOffset];
        int expected = type switch
        {
            IdentificationType.Ipv4Address => 4,
            IdentificationType.Ipv6Address => 16,
            _ => -1,
        };
        if (body.Length - AddressOffset != expected)
        {
            fault = new WireFault(WireError.InvalidIdInformation, bodyOffset + IdTypeOffset);
            return false;
        }

        payload = new NatOriginalAddressPayload(type, body[AddressOffset..]);
        fault = default;
        return true;
    }
}

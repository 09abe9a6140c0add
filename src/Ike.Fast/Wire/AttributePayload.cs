using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// Attribute payload body of the Transaction exchange (draft-ietf-ipsec-isakmp-mode-cfg-05 §3.2):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !     Type      !   RESERVED    !           Identifier          !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                           Attributes                          ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The attributes use the RFC 2408 §3.3 data-attribute encoding (<see cref="ConfigurationAttributeType"/>).
/// </summary>
public readonly ref struct AttributePayload
{
    public const int TypeOffset = 0;
    public const int ReservedOffset = 1;
    public const int IdentifierOffset = 2;
    public const int AttributesOffset = 4;
    public const int FixedSize = 4;

    public AttributePayload(ConfigurationType type, ushort identifier, ReadOnlySpan<byte> attributes, int attributesOffset)
    {
        Type = type;
        Identifier = identifier;
        AttributeBytes = attributes;
        AttributeBytesOffset = attributesOffset;
    }

    public ConfigurationType Type { get; }
    public ushort Identifier { get; }
    public ReadOnlySpan<byte> AttributeBytes { get; }
    public int AttributeBytesOffset { get; }
    public DataAttributeReader Attributes => new(AttributeBytes, AttributeBytesOffset);

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out AttributePayload payload, out WireFault fault)
    {
        payload = default;
        if (body.Length < FixedSize)
        {
            fault = new WireFault(WireError.BodyTooShort, bodyOffset + body.Length);
            return false;
        }

        if (body[ReservedOffset] != 0)
        {
            fault = new WireFault(WireError.ReservedNotZero, bodyOffset + ReservedOffset);
            return false;
        }

        payload = new AttributePayload((ConfigurationType)body[TypeOffset], BinaryPrimitives.ReadUInt16BigEndian(body[IdentifierOffset..]),
            body[AttributesOffset..], bodyOffset + AttributesOffset);
        fault = default;
        return true;
    }
}

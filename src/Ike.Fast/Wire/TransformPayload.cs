namespace Ike.Fast.Wire;

/// <summary>
/// Transform payload (RFC 2408 §3.6), read by <see cref="TransformReader"/>:
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !  Transform #  !  Transform-Id !           RESERVED2           !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                        SA Attributes                          ~
/// </code>
/// </summary>
public readonly ref struct TransformPayload
{
    public const int TransformNumberOffset = 4;
    public const int TransformIdOffset = 5;
    public const int Reserved2Offset = 6;
    public const int AttributesOffset = 8;
    public const int FixedSize = 8;

    internal TransformPayload(PayloadType nextPayload, byte transformNumber, byte transformId, ReadOnlySpan<byte> attributes, int offset)
    {
        NextPayload = nextPayload;
        TransformNumber = transformNumber;
        TransformId = transformId;
        AttributeBytes = attributes;
        Offset = offset;
    }

    /// <summary><see cref="PayloadType.Transform"/> when another transform follows, else <see cref="PayloadType.None"/>.</summary>
    public PayloadType NextPayload { get; }
    public byte TransformNumber { get; }

    /// <summary>Interpret with the proposal's protocol: <see cref="IsakmpTransformId"/>, <see cref="EspTransformId"/>,
    /// <see cref="AhTransformId"/> or <see cref="IpcompTransformId"/>.</summary>
    public byte TransformId { get; }
    public ReadOnlySpan<byte> AttributeBytes { get; }

    /// <summary>Offset of this transform's generic header.</summary>
    public int Offset { get; }

    public DataAttributeReader Attributes => new(AttributeBytes, Offset + AttributesOffset);
}

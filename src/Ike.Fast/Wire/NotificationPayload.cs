using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// Notification payload body (RFC 2408 §3.14; IPsec DOI types RFC 2407 §4.6.3; DPD RFC 3706):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !              Domain of Interpretation  (DOI)                  !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !  Protocol-ID  !   SPI Size    !      Notify Message Type      !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                Security Parameter Index (SPI)                 ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                       Notification Data                       ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The DOI is not judged here: Phase 1 notifies legitimately carry 0 or 1.
/// </summary>
public readonly ref struct NotificationPayload
{
    public const int DoiOffset = 0;
    public const int ProtocolIdOffset = 4;
    public const int SpiSizeOffset = 5;
    public const int NotifyTypeOffset = 6;
    public const int SpiOffset = 8;
    public const int FixedSize = 8;

    public NotificationPayload(uint doi, ProtocolId protocolId, NotifyMessageType notifyType, ReadOnlySpan<byte> spi, ReadOnlySpan<byte> data)
    {
        Doi = doi;
        ProtocolId = protocolId;
        NotifyType = notifyType;
        Spi = spi;
        Data = data;
    }

    public uint Doi { get; }
    public ProtocolId ProtocolId { get; }
    public NotifyMessageType NotifyType { get; }

    /// <summary>The SPI (ISAKMP: the two cookies, 16 bytes, or empty; IPsec: 4 bytes).</summary>
    public ReadOnlySpan<byte> Spi { get; }

    /// <summary>Notification data (e.g. the DPD sequence number, RFC 3706 §5.1).</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Error types are below 8192 (RFC 2408 §3.14.1).</summary>
    public bool IsError => (ushort)NotifyType < 8192;

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out NotificationPayload payload, out WireFault fault)
    {
        payload = default;
        if (body.Length < FixedSize)
        {
            fault = new WireFault(WireError.BodyTooShort, bodyOffset + body.Length);
            return false;
        }

        int spiSize = body[SpiSizeOffset];
        if (spiSize > body.Length - FixedSize)
        {
            fault = new WireFault(WireError.InvalidSpi, bodyOffset + SpiSizeOffset);
            return false;
        }

        payload = new NotificationPayload(
            BinaryPrimitives.ReadUInt32BigEndian(body),
            (ProtocolId)body[ProtocolIdOffset],
            (NotifyMessageType)BinaryPrimitives.ReadUInt16BigEndian(body[NotifyTypeOffset..]),
            body.Slice(SpiOffset, spiSize),
            body[(SpiOffset + spiSize)..]);
        fault = default;
        return true;
    }
}

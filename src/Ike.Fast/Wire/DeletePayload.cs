using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// Delete payload body (RFC 2408 §3.15):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !              Domain of Interpretation  (DOI)                  !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !  Protocol-Id  !   SPI Size    !           # of SPIs           !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~               Security Parameter Index(es) (SPI)              ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The SPIs must fill the body exactly: SPI size × count = body − 8.
/// </summary>
public readonly ref struct DeletePayload
{
    public const int DoiOffset = 0;
    public const int ProtocolIdOffset = 4;
    public const int SpiSizeOffset = 5;
    public const int SpiCountOffset = 6;
    public const int SpisOffset = 8;
    public const int FixedSize = 8;

    public DeletePayload(uint doi, ProtocolId protocolId, byte spiSize, ushort spiCount, ReadOnlySpan<byte> spis)
    {
        Doi = doi;
        ProtocolId = protocolId;
        SpiSize = spiSize;
        SpiCount = spiCount;
        Spis = spis;
    }

    public uint Doi { get; }
    public ProtocolId ProtocolId { get; }
    public byte SpiSize { get; }
    public ushort SpiCount { get; }

    /// <summary>All SPIs, concatenated.</summary>
    public ReadOnlySpan<byte> Spis { get; }

    /// <summary>SPI number <paramref name="index"/> (0-based, below <see cref="SpiCount"/>).</summary>
    public ReadOnlySpan<byte> GetSpi(int index) => Spis.Slice(index * SpiSize, SpiSize);

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out DeletePayload payload, out WireFault fault)
    {
        payload = default;
        if (body.Length < FixedSize)
        {
            fault = new WireFault(WireError.BodyTooShort, bodyOffset + body.Length);
            return false;
        }

        byte spiSize = body[SpiSizeOffset];
        ushort count = BinaryPrimitives.ReadUInt16BigEndian(body[SpiCountOffset..]);
        if (spiSize * count != body.Length - FixedSize)
        {
            fault = new WireFault(WireError.InvalidSpi, bodyOffset + SpiCountOffset);
            return false;
        }

        payload = new DeletePayload(BinaryPrimitives.ReadUInt32BigEndian(body), (ProtocolId)body[ProtocolIdOffset], spiSize, count, body[SpisOffset..]);
        fault = default;
        return true;
    }
}

namespace Ike.Fast.Wire;

/// <summary>
/// Proposal payload (RFC 2408 §3.5), read by <see cref="ProposalReader"/>:
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !  Proposal #   !  Protocol-Id  !    SPI Size   !# of Transforms!
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !                        SPI (variable)                         !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                        Transforms ...                         ~
/// </code>
/// </summary>
public readonly ref struct ProposalPayload
{
    public const int ProposalNumberOffset = 4;
    public const int ProtocolIdOffset = 5;
    public const int SpiSizeOffset = 6;
    public const int TransformCountOffset = 7;
    public const int SpiOffset = 8;
    public const int FixedSize = 8;

    internal ProposalPayload(PayloadType nextPayload, byte proposalNumber, ProtocolId protocolId, byte transformCount,
        ReadOnlySpan<byte> spi, ReadOnlySpan<byte> transforms, int offset, int transformsOffset)
    {
        NextPayload = nextPayload;
        ProposalNumber = proposalNumber;
        ProtocolId = protocolId;
        TransformCount = transformCount;
        Spi = spi;
        TransformBytes = transforms;
        Offset = offset;
        TransformBytesOffset = transformsOffset;
    }

    /// <summary><see cref="PayloadType.Proposal"/> when another proposal follows, else <see cref="PayloadType.None"/>.</summary>
    public PayloadType NextPayload { get; }
    public byte ProposalNumber { get; }
    public ProtocolId ProtocolId { get; }

    /// <summary>The "# of Transforms" field (checked against the transforms by <see cref="TransformReader"/>).</summary>
    public byte TransformCount { get; }
    public ReadOnlySpan<byte> Spi { get; }
    public ReadOnlySpan<byte> TransformBytes { get; }

    /// <summary>Offset of this proposal's generic header.</summary>
    public int Offset { get; }
    public int TransformBytesOffset { get; }

    /// <summary>Reader over the transforms; it fails if their number differs from <see cref="TransformCount"/>.</summary>
    public TransformReader Transforms => new(TransformBytes, TransformBytesOffset, TransformCount);
}

using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// Walks the proposal payloads of an SA payload (RFC 2408 §3.5, §4.2): each proposal's next payload is Proposal (2)
/// or NONE for the last, and the last one must end exactly where the SA payload ends. Syntax errors map to
/// BAD-PROPOSAL-SYNTAX (RFC 2408 §5.5).
/// </summary>
public ref struct ProposalReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _baseOffset;
    private int _position;
    private bool _finished;
    private WireFault _fault;

    public ProposalReader(ReadOnlySpan<byte> proposals, int baseOffset = 0)
    {
        _buffer = proposals;
        _baseOffset = baseOffset;
        _position = 0;
        _finished = false;
        _fault = default;
    }

    public readonly WireFault Fault => _fault;
    public readonly bool IsComplete => _finished && !_fault.IsError;

    public bool TryReadNext(out ProposalPayload proposal)
    {
        proposal = default;
        if (_finished || _fault.IsError)
        {
            return false;
        }

        int remaining = _buffer.Length - _position;
        if (remaining == 0)
        {
            // An SA without proposals, or a chain announcing one more proposal that is not there.
            return Fail(WireError.ProposalSyntax, _position);
        }

        if (remaining < ProposalPayload.FixedSize)
        {
            return Fail(WireError.PayloadHeaderTruncated, _position);
        }

        ReadOnlySpan<byte> p = _buffer[_position..];
        var next = (PayloadType)p[GenericPayloadHeader.NextPayloadOffset];
        if (next != PayloadType.Proposal && next != PayloadType.None)
        {
            return Fail(WireError.ProposalSyntax, _position + GenericPayloadHeader.NextPayloadOffset);
        }

        if (p[GenericPayloadHeader.ReservedOffset] != 0)
        {
            return Fail(WireError.ReservedNotZero, _position + GenericPayloadHeader.ReservedOffset);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(p[GenericPayloadHeader.LengthOffset..]);
        if (length < ProposalPayload.FixedSize)
        {
            return Fail(WireError.PayloadLengthTooSmall, _position + GenericPayloadHeader.LengthOffset);
        }

        if (length > remaining)
        {
            return Fail(WireError.PayloadLengthExceedsMessage, _position + GenericPayloadHeader.LengthOffset);
        }

        int spiSize = p[ProposalPayload.SpiSizeOffset];
        if (ProposalPayload.SpiOffset + spiSize > length)
        {
            return Fail(WireError.InvalidSpi, _position + ProposalPayload.SpiSizeOffset);
        }

        if (next == PayloadType.None && length != remaining)
        {
            return Fail(WireError.TrailingBytes, _position + length);
        }

        int transformsStart = ProposalPayload.SpiOffset + spiSize;
        proposal = new ProposalPayload(
            next,
            p[ProposalPayload.ProposalNumberOffset],
            (ProtocolId)p[ProposalPayload.ProtocolIdOffset],
            p[ProposalPayload.TransformCountOffset],
            p.Slice(ProposalPayload.SpiOffset, spiSize),
            p[transformsStart..length],
            _baseOffset + _position,
            _baseOffset + _position + transformsStart);
        _position += length;
        _finished = next == PayloadType.None;
        return true;
    }

    private bool Fail(WireError error, int relativeOffset)
    {
        _fault = new WireFault(error, _baseOffset + relativeOffset);
        return false;
    }
}

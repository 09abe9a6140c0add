using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// Walks the transforms of a proposal (RFC 2408 §3.6): next payload is Transform (3) or NONE for the last, the last
/// ends exactly at the end of the proposal, and their number equals the proposal's "# of Transforms"
/// (else BAD-PROPOSAL-SYNTAX, RFC 2408 §5.5).
/// </summary>
public ref struct TransformReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _baseOffset;
    private readonly int _expectedCount;
    private int _position;
    private int _count;
    private bool _finished;
    private WireFault _fault;

    public TransformReader(ReadOnlySpan<byte> transforms, int baseOffset, int expectedCount)
    {
        _buffer = transforms;
        _baseOffset = baseOffset;
        _expectedCount = expectedCount;
        _position = 0;
        _count = 0;
        _finished = false;
        _fault = default;
    }

    public readonly WireFault Fault => _fault;
    public readonly bool IsComplete => _finished && !_fault.IsError;

    public bool TryReadNext(out TransformPayload transform)
    {
        transform = default;
        if (_finished || _fault.IsError)
        {
            return false;
        }

        int remaining = _buffer.Length - _position;
        if (remaining == 0)
        {
            return Fail(WireError.TransformSyntax, _position);
        }

        if (remaining < TransformPayload.FixedSize)
        {
            return Fail(WireError.PayloadHeaderTruncated, _position);
        }

        ReadOnlySpan<byte> t = _buffer[_position..];
        var next = (PayloadType)t[GenericPayloadHeader.NextPayloadOffset];
        if (next != PayloadType.Transform && next != PayloadType.None)
        {
            return Fail(WireError.TransformSyntax, _position + GenericPayloadHeader.NextPayloadOffset);
        }

        if (t[GenericPayloadHeader.ReservedOffset] != 0)
        {
            return Fail(WireError.ReservedNotZero, _position + GenericPayloadHeader.ReservedOffset);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(t[GenericPayloadHeader.LengthOffset..]);
        if (length < TransformPayload.FixedSize)
        {
            return Fail(WireError.PayloadLengthTooSmall, _position + GenericPayloadHeader.LengthOffset);
        }

        if (length > remaining)
        {
            return Fail(WireError.PayloadLengthExceedsMessage, _position + GenericPayloadHeader.LengthOffset);
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(t[TransformPayload.Reserved2Offset..]) != 0)
        {
            return Fail(WireError.ReservedNotZero, _position + TransformPayload.Reserved2Offset);
        }

        _count++;
        if (next == PayloadType.None)
        {
            if (length != remaining)
            {
                return Fail(WireError.TrailingBytes, _position + length);
            }

            if (_count != _expectedCount)
            {
                return Fail(WireError.TransformSyntax, _position);
            }
        }
        else if (_count >= _expectedCount)
        {
            return Fail(WireError.TransformSyntax, _position + GenericPayloadHeader.NextPayloadOffset);
        }

        transform = new TransformPayload(
            next,
            t[TransformPayload.TransformNumberOffset],
            t[TransformPayload.TransformIdOffset],
            t[TransformPayload.AttributesOffset..length],
            _baseOffset + _position);
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

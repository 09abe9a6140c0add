namespace Ike.Fast.Wire;

/// <summary>Walks a run of data attributes (RFC 2408 §3.3) that must fill its container exactly.</summary>
public ref struct DataAttributeReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _baseOffset;
    private int _position;
    private WireFault _fault;

    public DataAttributeReader(ReadOnlySpan<byte> attributes, int baseOffset = 0)
    {
        _buffer = attributes;
        _baseOffset = baseOffset;
        _position = 0;
        _fault = default;
    }

    public readonly WireFault Fault => _fault;
    public readonly bool IsComplete => _position == _buffer.Length && !_fault.IsError;

    public bool TryReadNext(out DataAttribute attribute)
    {
        if (_fault.IsError || _position == _buffer.Length)
        {
            attribute = default;
            return false;
        }

        if (!DataAttribute.TryRead(_buffer[_position..], _baseOffset + _position, out attribute, out int consumed))
        {
            _fault = new WireFault(WireError.AttributeTruncated, _baseOffset + _position);
            return false;
        }

        _position += consumed;
        return true;
    }
}

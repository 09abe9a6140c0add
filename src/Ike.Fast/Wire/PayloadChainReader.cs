using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// Walks a chain of payloads linked by their next-payload fields (RFC 2408 §3.2). Strict mode (the body of an
/// unencrypted message) requires the chain to end exactly at the end of the span. Decrypted-body mode (RFC 2409
/// §5.3) stops at the payload whose next payload is NONE and reports the rest as padding: IKEv1 pads plaintext to
/// the cipher block size, the last byte may or may not be a pad length, and some peers' padding does not agree
/// with the header length, so the padding is reported, never interpreted.
/// <code>
/// var chain = new PayloadChainReader(body, header.NextPayload, IsakmpHeader.Size);
/// while (chain.TryReadNext(out RawPayload p)) { ... }
/// if (chain.Fault.IsError) { notify chain.Fault.NotifyType }
/// </code>
/// </summary>
public ref struct PayloadChainReader
{
    private readonly ReadOnlySpan<byte> _chain;
    private readonly int _baseOffset;
    private readonly bool _trailingIsPadding;
    private readonly bool _allowUnknownTypes;
    private int _position;
    private int _nextFieldOffset;
    private PayloadType _next;
    private WireFault _fault;
    private bool _finished;

    /// <summary>A strict reader over <paramref name="chain"/>, whose first payload is <paramref name="firstPayload"/>
    /// (the header's next-payload field). <paramref name="baseOffset"/> is added to every reported offset.</summary>
    public PayloadChainReader(ReadOnlySpan<byte> chain, PayloadType firstPayload, int baseOffset = 0)
        : this(chain, firstPayload, baseOffset, trailingIsPadding: false, IsakmpReadOptions.None)
    {
    }

    /// <summary>A strict reader with the given leniencies (only <see cref="IsakmpReadOptions.AllowUnknownPayloadTypes"/>
    /// concerns a chain).</summary>
    public PayloadChainReader(ReadOnlySpan<byte> chain, PayloadType firstPayload, int baseOffset, IsakmpReadOptions options)
        : this(chain, firstPayload, baseOffset, trailingIsPadding: false, options)
    {
    }

    private PayloadChainReader(ReadOnlySpan<byte> chain, PayloadType firstPayload, int baseOffset, bool trailingIsPadding, IsakmpReadOptions options)
    {
        _chain = chain;
        _baseOffset = baseOffset;
        _trailingIsPadding = trailingIsPadding;
        _allowUnknownTypes = (options & IsakmpReadOptions.AllowUnknownPayloadTypes) != 0;
        _position = 0;
        // A fault on the first type points at the header's next-payload field when the chain follows a header.
        _nextFieldOffset = baseOffset >= IsakmpHeader.Size ? baseOffset - IsakmpHeader.Size + IsakmpHeader.NextPayloadOffset : baseOffset;
        _next = firstPayload;
        _fault = default;
        _finished = false;
    }

    /// <summary>
    /// A reader over a decrypted message body (RFC 2409 §5.3): the chain ends at the payload whose next payload is
    /// NONE and whatever follows is padding (<see cref="PaddingLength"/>).
    /// </summary>
    public static PayloadChainReader ForDecryptedBody(ReadOnlySpan<byte> plaintext, PayloadType firstPayload, int baseOffset = IsakmpHeader.Size,
        IsakmpReadOptions options = IsakmpReadOptions.None) =>
        new(plaintext, firstPayload, baseOffset, trailingIsPadding: true, options);

    /// <summary>The failure, once <see cref="TryReadNext"/> returned false because of one.</summary>
    public readonly WireFault Fault => _fault;

    /// <summary>True once the chain ended cleanly.</summary>
    public readonly bool IsComplete => _finished && !_fault.IsError;

    /// <summary>Bytes after the last payload (decrypted-body mode; zero in strict mode). Valid once complete.</summary>
    public readonly int PaddingLength => IsComplete ? _chain.Length - _position : 0;

    /// <summary>The padding bytes (decrypted-body mode). Valid once complete.</summary>
    public readonly ReadOnlySpan<byte> Padding => IsComplete ? _chain[_position..] : default;

    /// <summary>Length of the payload chain itself (without padding). Valid once complete.</summary>
    public readonly int ChainLength => _position;

    /// <summary>Reads the next payload; false at the end of the chain (<see cref="IsComplete"/>) or on a failure
    /// (<see cref="Fault"/>).</summary>
    public bool TryReadNext(out RawPayload payload)
    {
        payload = default;
        if (_finished || _fault.IsError)
        {
            return false;
        }

        int remaining = _chain.Length - _position;
        if (_next == PayloadType.None)
        {
            if (remaining != 0 && !_trailingIsPadding)
            {
                return Fail(WireError.TrailingBytes, _position);
            }

            _finished = true;
            return false;
        }

        if (!_allowUnknownTypes && !_next.IsValidInChain())
        {
            _fault = new WireFault(WireError.InvalidPayloadType, _nextFieldOffset);
            return false;
        }

        if (remaining < GenericPayloadHeader.Size)
        {
            return Fail(WireError.PayloadHeaderTruncated, _position);
        }

        ReadOnlySpan<byte> header = _chain.Slice(_position, GenericPayloadHeader.Size);
        if (header[GenericPayloadHeader.ReservedOffset] != 0)
        {
            return Fail(WireError.ReservedNotZero, _position + GenericPayloadHeader.ReservedOffset);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(header[GenericPayloadHeader.LengthOffset..]);
        if (length < GenericPayloadHeader.Size)
        {
            return Fail(WireError.PayloadLengthTooSmall, _position + GenericPayloadHeader.LengthOffset);
        }

        if (length > remaining)
        {
            return Fail(WireError.PayloadLengthExceedsMessage, _position + GenericPayloadHeader.LengthOffset);
        }

        payload = new RawPayload(
            _next,
            (PayloadType)header[GenericPayloadHeader.NextPayloadOffset],
            _baseOffset + _position,
            _chain.Slice(_position + GenericPayloadHeader.Size, length - GenericPayloadHeader.Size));
        _nextFieldOffset = _baseOffset + _position + GenericPayloadHeader.NextPayloadOffset;
        _next = payload.NextPayload;
        _position += length;
        return true;
    }

    private bool Fail(WireError error, int relativeOffset)
    {
        _fault = new WireFault(error, _baseOffset + relativeOffset);
        return false;
    }
}

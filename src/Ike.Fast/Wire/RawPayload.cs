namespace Ike.Fast.Wire;

/// <summary>
/// One payload of a chain as the walker found it: its type (named by the previous next-payload field), its own
/// next-payload field, and its body (everything after the generic header). Parse the body with the matching
/// <c>XxxPayload.TryRead(body, bodyOffset, ...)</c>.
/// </summary>
public readonly ref struct RawPayload
{
    public RawPayload(PayloadType type, PayloadType nextPayload, int offset, ReadOnlySpan<byte> body)
    {
        Type = type;
        NextPayload = nextPayload;
        Offset = offset;
        Body = body;
    }

    /// <summary>The payload type.</summary>
    public PayloadType Type { get; }

    /// <summary>The type of the payload after this one (<see cref="PayloadType.None"/> for the last).</summary>
    public PayloadType NextPayload { get; }

    /// <summary>Offset of the generic header from the start of the outermost span (the message).</summary>
    public int Offset { get; }

    /// <summary>Payload body, generic header excluded.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>Offset of <see cref="Body"/>.</summary>
    public int BodyOffset => Offset + GenericPayloadHeader.Size;

    /// <summary>The payload length field (generic header included).</summary>
    public int Length => Body.Length + GenericPayloadHeader.Size;
}

namespace Ike.Fast.Wire;

/// <summary>Leniencies a caller may grant <see cref="IsakmpMessageReader"/>; the default is strict RFC 2408.</summary>
[Flags]
public enum IsakmpReadOptions
{
    None = 0,

    /// <summary>
    /// Accept a datagram longer than the header length (some old clients append zero bytes after the message);
    /// the extra bytes are exposed as <see cref="IsakmpMessageReader.TrailingBytes"/> and never parsed.
    /// </summary>
    AllowTrailingBytes = 1,

    /// <summary>
    /// Walk payload types this implementation does not know (dissectors, fuzzers) instead of failing with
    /// INVALID-PAYLOAD-TYPE; their bodies are only bounds-checked through the generic header.
    /// </summary>
    AllowUnknownPayloadTypes = 2,
}

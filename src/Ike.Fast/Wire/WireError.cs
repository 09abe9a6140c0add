namespace Ike.Fast.Wire;

/// <summary>
/// Why a reader refused its input. Each value maps to the RFC 2408 §3.14.1 notify it deserves through
/// <see cref="WireErrorExtensions.ToNotifyType"/> (the one table).
/// </summary>
public enum WireError : byte
{
    None = 0,

    /// <summary>Fewer than 28 bytes: not even an ISAKMP header.</summary>
    HeaderTruncated,

    /// <summary>Header length smaller than the header itself.</summary>
    HeaderLengthTooSmall,

    /// <summary>Header length larger than the datagram.</summary>
    HeaderLengthExceedsDatagram,

    /// <summary>Datagram longer than the header length says.</summary>
    DatagramLongerThanHeaderLength,

    /// <summary>Major version is not 1 (RFC 2408 §5.1).</summary>
    InvalidMajorVersion,

    /// <summary>Minor version is not 0 (RFC 2408 §5.1).</summary>
    InvalidMinorVersion,

    /// <summary>Exchange type NONE.</summary>
    InvalidExchangeType,

    /// <summary>A reserved flag bit is set.</summary>
    InvalidFlags,

    /// <summary>Initiator cookie is zero (RFC 2408 §2.5.3: the initiator always sets it).</summary>
    InvalidCookie,

    /// <summary>A next-payload value this implementation does not know at this place.</summary>
    InvalidPayloadType,

    /// <summary>A generic payload header does not fit in what is left.</summary>
    PayloadHeaderTruncated,

    /// <summary>A payload length is smaller than its generic header.</summary>
    PayloadLengthTooSmall,

    /// <summary>A payload length runs past its enclosing message or payload.</summary>
    PayloadLengthExceedsMessage,

    /// <summary>A RESERVED field is not zero.</summary>
    ReservedNotZero,

    /// <summary>Bytes left after the payload whose next payload is NONE.</summary>
    TrailingBytes,

    /// <summary>The body is shorter than the payload's fixed fields.</summary>
    BodyTooShort,

    /// <summary>A payload body has bytes its fixed format does not allow (wrong exact length).</summary>
    BodyLengthInvalid,

    /// <summary>Unknown DOI.</summary>
    DoiNotSupported,

    /// <summary>Situation other than SIT_IDENTITY_ONLY (labelled secrecy/integrity is not supported).</summary>
    SituationNotSupported,

    /// <summary>Proposal next payload is neither P nor NONE, or the proposal chain is inconsistent.</summary>
    ProposalSyntax,

    /// <summary>Transform next payload is neither T nor NONE, or the transform count disagrees.</summary>
    TransformSyntax,

    /// <summary>A data attribute header or value runs past its container.</summary>
    AttributeTruncated,

    /// <summary>ID data has the wrong length for its type.</summary>
    InvalidIdInformation,

    /// <summary>SPI size and count disagree with the payload length.</summary>
    InvalidSpi,

    /// <summary>The message body is encrypted (E flag): decrypt it, then read the plaintext chain.</summary>
    BodyEncrypted,

    /// <summary>An integer attribute value does not fit 64 bits.</summary>
    AttributeValueTooLarge,

    /// <summary>The destination span is too small (writers).</summary>
    OutOfSpace,

    /// <summary>A payload grew beyond the 16-bit length field (writers).</summary>
    PayloadTooLong,

    /// <summary>A basic (TV-only) attribute class was given a value above 0xFFFF (writers).</summary>
    AttributeValueNotBasic,

    /// <summary>The writer was used in an order the structure does not allow (writers).</summary>
    InvalidWriterState,
}

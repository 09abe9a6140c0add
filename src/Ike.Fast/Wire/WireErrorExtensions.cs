namespace Ike.Fast.Wire;

/// <summary>The one table from reader failures to the notify a responder should send (RFC 2408 §5).</summary>
public static class WireErrorExtensions
{
    /// <summary>
    /// The RFC 2408 notify for <paramref name="error"/>; <see cref="NotifyMessageType.None"/> when there is nothing to
    /// notify (success, local writer problems, or an encrypted body that simply needs decrypting first).
    /// </summary>
    public static NotifyMessageType ToNotifyType(this WireError error) => error switch
    {
        WireError.None => NotifyMessageType.None,
        // RFC 2408 §5.1: header checks.
        WireError.HeaderTruncated => NotifyMessageType.PayloadMalformed,
        WireError.HeaderLengthTooSmall => NotifyMessageType.PayloadMalformed,
        WireError.HeaderLengthExceedsDatagram => NotifyMessageType.UnequalPayloadLengths,
        WireError.DatagramLongerThanHeaderLength => NotifyMessageType.UnequalPayloadLengths,
        WireError.InvalidMajorVersion => NotifyMessageType.InvalidMajorVersion,
        WireError.InvalidMinorVersion => NotifyMessageType.InvalidMinorVersion,
        WireError.InvalidExchangeType => NotifyMessageType.InvalidExchangeType,
        WireError.InvalidFlags => NotifyMessageType.InvalidFlags,
        WireError.InvalidCookie => NotifyMessageType.InvalidCookie,
        // RFC 2408 §5.2: generic payload header checks.
        WireError.InvalidPayloadType => NotifyMessageType.InvalidPayloadType,
        WireError.PayloadHeaderTruncated => NotifyMessageType.UnequalPayloadLengths,
        WireError.PayloadLengthTooSmall => NotifyMessageType.PayloadMalformed,
        WireError.PayloadLengthExceedsMessage => NotifyMessageType.UnequalPayloadLengths,
        WireError.ReservedNotZero => NotifyMessageType.PayloadMalformed,
        WireError.TrailingBytes => NotifyMessageType.UnequalPayloadLengths,
        WireError.BodyTooShort => NotifyMessageType.PayloadMalformed,
        WireError.BodyLengthInvalid => NotifyMessageType.PayloadMalformed,
        // RFC 2408 §5.4-5.6: SA, proposal and transform checks.
        WireError.DoiNotSupported => NotifyMessageType.DoiNotSupported,
        WireError.SituationNotSupported => NotifyMessageType.SituationNotSupported,
        WireError.ProposalSyntax => NotifyMessageType.BadProposalSyntax,
        WireError.TransformSyntax => NotifyMessageType.BadProposalSyntax,
        WireError.AttributeTruncated => NotifyMessageType.PayloadMalformed,
        WireError.AttributeValueTooLarge => NotifyMessageType.AttributesNotSupported,
        // RFC 2408 §5.8, §5.15: identification and SPI checks.
        WireError.InvalidIdInformation => NotifyMessageType.InvalidIdInformation,
        WireError.InvalidSpi => NotifyMessageType.InvalidSpi,
        WireError.BodyEncrypted => NotifyMessageType.None,
        WireError.OutOfSpace => NotifyMessageType.None,
        WireError.InvalidWriterState => NotifyMessageType.None,
        WireError.PayloadTooLong => NotifyMessageType.None,
        WireError.AttributeValueNotBasic => NotifyMessageType.None,
        _ => NotifyMessageType.PayloadMalformed,
    };
}

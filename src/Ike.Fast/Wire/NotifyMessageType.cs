namespace Ike.Fast.Wire;

/// <summary>
/// Notify message types: errors 1-30 and status 16384 (RFC 2408 §3.14.1), IPsec DOI status types
/// (RFC 2407 §4.6.3) and Dead Peer Detection (RFC 3706 §5.1).
/// </summary>
public enum NotifyMessageType : ushort
{
    None = 0,
    InvalidPayloadType = 1,
    DoiNotSupported = 2,
    SituationNotSupported = 3,
    InvalidCookie = 4,
    InvalidMajorVersion = 5,
    InvalidMinorVersion = 6,
    InvalidExchangeType = 7,
    InvalidFlags = 8,
    InvalidMessageId = 9,
    InvalidProtocolId = 10,
    InvalidSpi = 11,
    InvalidTransformId = 12,
    AttributesNotSupported = 13,
    NoProposalChosen = 14,
    BadProposalSyntax = 15,
    PayloadMalformed = 16,
    InvalidKeyInformation = 17,
    InvalidIdInformation = 18,
    InvalidCertEncoding = 19,
    InvalidCertificate = 20,
    CertTypeUnsupported = 21,
    InvalidCertAuthority = 22,
    InvalidHashInformation = 23,
    AuthenticationFailed = 24,
    InvalidSignature = 25,
    AddressNotification = 26,
    NotifySaLifetime = 27,
    CertificateUnavailable = 28,
    UnsupportedExchangeType = 29,
    UnequalPayloadLengths = 30,

    /// <summary>CONNECTED (RFC 2408 §3.14.1), the first status type.</summary>
    Connected = 16384,

    /// <summary>RESPONDER-LIFETIME (RFC 2407 §4.6.3.1).</summary>
    ResponderLifetime = 24576,

    /// <summary>REPLAY-STATUS (RFC 2407 §4.6.3.2).</summary>
    ReplayStatus = 24577,

    /// <summary>INITIAL-CONTACT (RFC 2407 §4.6.3.3).</summary>
    InitialContact = 24578,

    /// <summary>R-U-THERE (RFC 3706 §5.1).</summary>
    DpdRUThere = 36136,

    /// <summary>R-U-THERE-ACK (RFC 3706 §5.1).</summary>
    DpdRUThereAck = 36137,
}

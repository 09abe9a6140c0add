namespace Ike.Fast.Protocol;

/// <summary>Reason codes of <see cref="EngineEventKind.Diagnostic"/> events and of the engine's counters.</summary>
public enum DiagnosticCode
{
    /// <summary>No reason.</summary>
    None = 0,

    /// <summary>The datagram is not a well-formed ISAKMP message (see the wire fault).</summary>
    Malformed,

    /// <summary>No connection matches the peer or proposal.</summary>
    NoMatchingConnection,

    /// <summary>None of the peer's proposals is acceptable (NO-PROPOSAL-CHOSEN).</summary>
    NoProposalChosen,

    /// <summary>HASH_I/HASH_R or a signature did not verify (AUTHENTICATION-FAILED).</summary>
    AuthenticationFailed,

    /// <summary>A Quick Mode/Informational HASH did not verify (INVALID-HASH-INFORMATION).</summary>
    InvalidHash,

    /// <summary>The peer's identity is not the configured one (INVALID-ID-INFORMATION).</summary>
    InvalidIdInformation,

    /// <summary>The peer's KE value is invalid (INVALID-KEY-INFORMATION).</summary>
    InvalidKeyInformation,

    /// <summary>No pre-shared key for the peer.</summary>
    NoSecret,

    /// <summary>A message for an unknown SA (cookies or message ID).</summary>
    UnknownSa,

    /// <summary>A retransmission of a message already processed: the last reply was sent again.</summary>
    Retransmission,

    /// <summary>A duplicate/replayed message dropped without reply.</summary>
    Duplicate,

    /// <summary>Too many half-open Phase 1 SAs (globally or from one address): MM1 dropped.</summary>
    HalfOpenLimit,

    /// <summary>An exchange gave up after the retransmission limit.</summary>
    Timeout,

    /// <summary>A notification arrived outside protection (logged, never acted upon).</summary>
    UnprotectedNotify,

    /// <summary>A protected error notification from the peer.</summary>
    PeerNotify,

    /// <summary>Aggressive Mode PSK as responder is not allowed by the configuration.</summary>
    AggressiveModeRefused,

    /// <summary>A message arrived in a state that does not expect it.</summary>
    UnexpectedMessage,

    /// <summary>INITIAL-CONTACT received: older SAs with the peer were dropped.</summary>
    InitialContact,

    /// <summary>The peer sent the RESPONDER-LIFETIME notify: the shorter lifetime is used.</summary>
    ResponderLifetime,

    /// <summary>Decryption failed or the plaintext does not parse.</summary>
    DecryptionFailed,

    /// <summary>An unsupported exchange type.</summary>
    UnsupportedExchange,

    /// <summary>XAUTH succeeded (server: the user is authenticated; client: STATUS=1).</summary>
    XauthSucceeded,

    /// <summary>XAUTH failed (bad credentials, no backend, or no answer): the ISAKMP SA is deleted.</summary>
    XauthFailed,

    /// <summary>Mode-Config: the pool has no free address; the ISAKMP SA is deleted.</summary>
    PoolExhausted,

    /// <summary>DPD: R-U-THERE unanswered for dpd_timeout (RFC 3706 §5.5); the configured action follows.</summary>
    DeadPeer,

    /// <summary>DPD: an R-U-THERE(-ACK) with a bad SPI, data length or sequence number (RFC 3706 §5.6), ignored.</summary>
    DpdInvalid,

    /// <summary>NAT-D showed a NAT between the peers (RFC 3947 §3.2): IKE floats to 4500, ESP is UDP-encapsulated.</summary>
    NatDetected,
}

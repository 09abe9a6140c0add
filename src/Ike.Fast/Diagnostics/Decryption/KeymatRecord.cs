namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// The KEYMAT of one IPsec SA negotiated by a Quick Mode (RFC 2409 section 5.5), split into the cipher key and
/// the integrity key the transform needs. <see cref="Spi"/> is the SPI of the SA the keys protect: for
/// initiator-to-responder traffic the one the responder chose, and the other way round.
/// <see cref="Problem"/> says why the keys could not be derived (then the byte arrays are empty).
/// </summary>
public sealed record KeymatRecord(
    ulong InitiatorCookie,
    uint MessageId,
    byte ProtocolId,
    byte[] Spi,
    bool InitiatorToResponder,
    byte[] EncryptionKey,
    byte[] IntegrityKey,
    string? Problem = null);

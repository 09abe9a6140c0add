namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// What was derived for one Phase 1 (for the Wireshark key table, the summary and tests): the cookies, the
/// negotiated cipher/hash/authentication, Ka (the Phase 1 encryption key, RFC 2409 Appendix B), the initial IV
/// and the last Phase 1 CBC block (the seed of every Phase 2 IV) once known.
/// </summary>
public sealed record DerivedPhase1(
    ulong InitiatorCookie,
    ulong ResponderCookie,
    string Proposal,
    byte[] EncryptionKey,
    byte[] InitialIv)
{
    /// <summary>Last ciphertext block of the last Phase 1 message (null until one was decrypted).</summary>
    public byte[]? LastPhase1Block { get; internal set; }
}

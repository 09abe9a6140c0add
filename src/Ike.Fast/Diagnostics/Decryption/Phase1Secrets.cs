namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// What a user must supply to decrypt one IKEv1 Phase 1 and its Phase 2 exchanges (the "Secrets files" format of
/// tests/data/vectors/README.md): the cookies that name the ISAKMP SA, the pre-shared key (PSK authentication) or
/// SKEYID (signature authentication, whose SKEYID needs no long-term secret but is not computable without g^xy
/// either), and g^xy. Everything else (proposal, nonces, KE values, IDs, IVs) is read from the capture.
/// </summary>
public sealed record Phase1Secrets
{
    /// <summary>CKY-I (8 bytes).</summary>
    public required byte[] InitiatorCookie { get; init; }

    /// <summary>CKY-R (8 bytes), or null to match on CKY-I alone.</summary>
    public byte[]? ResponderCookie { get; init; }

    /// <summary>The pre-shared key (psk as UTF-8, or psk_hex).</summary>
    public byte[]? PreSharedKey { get; init; }

    /// <summary>SKEYID (hex in the file); used when there is no pre-shared key.</summary>
    public byte[]? Skeyid { get; init; }

    /// <summary>g^xy of the Phase 1 Diffie-Hellman exchange (RFC 2409 section 5).</summary>
    public required byte[] SharedSecret { get; init; }

    /// <summary>The Oakley group (informational: the proposal in the capture is authoritative).</summary>
    public int? DhGroup { get; init; }

    /// <summary>g(qm)^xy of each Quick Mode with PFS, by message ID (RFC 2409 section 5.5).</summary>
    public IReadOnlyDictionary<uint, byte[]> QuickModeSharedSecrets { get; init; } = new Dictionary<uint, byte[]>();
}

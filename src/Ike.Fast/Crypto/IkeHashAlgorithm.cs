namespace Ike.Fast.Crypto;

/// <summary>
/// Oakley hash algorithms (RFC 2409 Appendix A "Hash Algorithm" class values; SHA2 values from RFC 4868 §2.1 and
/// the IANA IPsec registry). In IKEv1 the negotiated hash is both the plain hash (Phase 1 IV, RFC 2409 §5/Appendix
/// B) and, as HMAC, the PRF when no PRF attribute is negotiated (RFC 2409 §4).
/// </summary>
public enum IkeHashAlgorithm
{
    /// <summary>Not negotiated.</summary>
    None = 0,

    /// <summary>MD5 (RFC 1321), HMAC-MD5 (RFC 2104).</summary>
    Md5 = 1,

    /// <summary>SHA-1 (FIPS 180), HMAC-SHA1 (RFC 2104).</summary>
    Sha1 = 2,

    /// <summary>SHA2-256, HMAC-SHA2-256 with full 32-byte output as PRF (RFC 4868 §2.1.2).</summary>
    Sha256 = 4,

    /// <summary>SHA2-384, HMAC-SHA2-384 with full 48-byte output as PRF (RFC 4868 §2.1.2).</summary>
    Sha384 = 5,

    /// <summary>SHA2-512, HMAC-SHA2-512 with full 64-byte output as PRF (RFC 4868 §2.1.2).</summary>
    Sha512 = 6,
}

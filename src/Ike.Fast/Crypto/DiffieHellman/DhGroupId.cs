namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Oakley "Group Description" values (IANA "IPSEC Group Description" registry; RFC 2409 Appendix A attribute
/// class 4). Only the groups IkeFast implements are listed.
/// </summary>
public enum DhGroupId : ushort
{
    /// <summary>768-bit MODP (RFC 2409 §6.1). Legacy: only when configured explicitly.</summary>
    Modp768 = 1,

    /// <summary>1024-bit MODP (RFC 2409 §6.2). Legacy: only when configured explicitly.</summary>
    Modp1024 = 2,

    /// <summary>1536-bit MODP (RFC 3526 §2).</summary>
    Modp1536 = 5,

    /// <summary>2048-bit MODP (RFC 3526 §3).</summary>
    Modp2048 = 14,

    /// <summary>3072-bit MODP (RFC 3526 §4).</summary>
    Modp3072 = 15,

    /// <summary>4096-bit MODP (RFC 3526 §5).</summary>
    Modp4096 = 16,

    /// <summary>6144-bit MODP (RFC 3526 §6).</summary>
    Modp6144 = 17,

    /// <summary>8192-bit MODP (RFC 3526 §7).</summary>
    Modp8192 = 18,

    /// <summary>256-bit random ECP group, NIST P-256 (RFC 5903 §3.1).</summary>
    Ecp256 = 19,

    /// <summary>384-bit random ECP group, NIST P-384 (RFC 5903 §3.2).</summary>
    Ecp384 = 20,

    /// <summary>521-bit random ECP group, NIST P-521 (RFC 5903 §3.3).</summary>
    Ecp521 = 21,

    /// <summary>Curve25519 (RFC 8031 §2, X25519 of RFC 7748).</summary>
    Curve25519 = 31,
}

namespace Ike.Fast.Wire;

/// <summary>
/// Diffie-Hellman groups, the values of IKE attribute 4 and IPsec attribute 3 (RFC 2409 §6, RFC 3526, RFC 5903,
/// RFC 8031 in the shared IANA "Group Description" registry).
/// </summary>
public enum GroupDescription : ushort
{
    Modp768 = 1,
    Modp1024 = 2,
    Modp1536 = 5,
    Modp2048 = 14,
    Modp3072 = 15,
    Modp4096 = 16,
    Modp6144 = 17,
    Modp8192 = 18,
    Ecp256 = 19,
    Ecp384 = 20,
    Ecp521 = 21,
    Modp1024S160 = 22,
    Modp2048S224 = 23,
    Modp2048S256 = 24,
    Ecp192 = 25,
    Ecp224 = 26,
    Curve25519 = 31,
    Curve448 = 32,
}

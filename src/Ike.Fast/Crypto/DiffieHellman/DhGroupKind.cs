namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>The arithmetic behind a Diffie-Hellman group; decides the KE payload and shared secret encodings.</summary>
public enum DhGroupKind : byte
{
    /// <summary>Modular exponentiation over a safe prime (RFC 2409 §6, RFC 3526); values are left-padded to the prime length.</summary>
    Modp = 1,

    /// <summary>Elliptic curve over a prime field (RFC 5903 §7): KE data is x‖y, the shared secret is x.</summary>
    Ecp = 2,

    /// <summary>Montgomery curve X25519 (RFC 8031 §2): 32-byte little-endian u-coordinates.</summary>
    Curve25519 = 3,
}

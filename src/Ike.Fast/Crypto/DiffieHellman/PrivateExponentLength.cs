namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>How long a MODP private exponent is (the ECP and Curve25519 groups have a fixed scalar size).</summary>
public enum PrivateExponentLength : byte
{
    /// <summary>
    /// Default: <see cref="DhGroup.ShortExponentBits"/>, at least twice the group's security strength
    /// (NIST SP 800-56A rev. 3 §5.6.1.1.4: N &gt;= 2s for the safe-prime groups; RFC 3526 §8 table) and
    /// never below 256 bits.
    /// </summary>
    Short = 0,

    /// <summary>Full length: bit length of q = (p - 1) / 2, i.e. the prime's bit length minus one.</summary>
    Full = 1,
}

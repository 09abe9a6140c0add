using System.Numerics;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// A MODP prime with its Montgomery constants, computed once per group (RFC 2409 §6, RFC 3526).
/// Limbs are 64-bit, least significant first; R = 2^(64 * LimbCount).
/// </summary>
internal sealed class ModpGroup
{
    private ModpGroup(int bits, string primeHex)
    {
        byte[] prime = Convert.FromHexString(primeHex.Replace(" ", "", StringComparison.Ordinal));
        if (prime.Length * 8 != bits || prime.Length % sizeof(ulong) != 0)
        {
            throw new ArgumentException("The prime does not have the declared length.", nameof(primeHex));
        }

        Bits = bits;
        ByteLength = prime.Length;
        LimbCount = prime.Length / sizeof(ulong);
        PrimeBytes = prime;

        var p = new BigInteger(prime, isUnsigned: true, isBigEndian: true);
        PrimeMinusOneBytes = ToBigEndian(p - 1, ByteLength);

        Modulus = new ulong[LimbCount];
        MontgomeryArithmetic.LoadBigEndian(prime, Modulus);

        // The one-time set-up may use BigInteger; the exponentiation itself never does.
        BigInteger r = BigInteger.One << (64 * LimbCount);
        RSquared = new ulong[LimbCount];
        MontgomeryArithmetic.LoadBigEndian(ToBigEndian(r * r % p, ByteLength), RSquared);
        MontgomeryOne = new ulong[LimbCount];
        MontgomeryArithmetic.LoadBigEndian(ToBigEndian(r % p, ByteLength), MontgomeryOne);

        // k0 = -p^-1 mod 2^64 by Newton iteration (each step doubles the correct low bits; p is odd).
        ulong p0 = Modulus[0];
        ulong inv = p0; // correct to 3 bits for odd p0
        for (int i = 0; i < 5; i++)
        {
            inv *= 2 - (p0 * inv);
        }

        K0 = 0 - inv;
        Vector = VectorModulus.TryCreate(p, bits);
    }

    /// <summary>Group 1 prime (RFC 2409 §6.1).</summary>
    internal static ModpGroup Modp768 { get; } = new(768, ModpPrimes.Modp768);

    /// <summary>Group 2 prime (RFC 2409 §6.2).</summary>
    internal static ModpGroup Modp1024 { get; } = new(1024, ModpPrimes.Modp1024);

    /// <summary>Group 5 prime (RFC 3526 §2).</summary>
    internal static ModpGroup Modp1536 { get; } = new(1536, ModpPrimes.Modp1536);

    /// <summary>Group 14 prime (RFC 3526 §3).</summary>
    internal static ModpGroup Modp2048 { get; } = new(2048, ModpPrimes.Modp2048);

    /// <summary>Group 15 prime (RFC 3526 §4).</summary>
    internal static ModpGroup Modp3072 { get; } = new(3072, ModpPrimes.Modp3072);

    /// <summary>Group 16 prime (RFC 3526 §5).</summary>
    internal static ModpGroup Modp4096 { get; } = new(4096, ModpPrimes.Modp4096);

    /// <summary>Group 17 prime (RFC 3526 §6).</summary>
    internal static ModpGroup Modp6144 { get; } = new(6144, ModpPrimes.Modp6144);

    /// <summary>Group 18 prime (RFC 3526 §7).</summary>
    internal static ModpGroup Modp8192 { get; } = new(8192, ModpPrimes.Modp8192);

    /// <summary>Bit length of the prime.</summary>
    internal int Bits { get; }

    /// <summary>Byte length of the prime: the length of KE payload data and of the shared secret (RFC 2409 §5).</summary>
    internal int ByteLength { get; }

    /// <summary>Number of 64-bit limbs.</summary>
    internal int LimbCount { get; }

    /// <summary>The generator of every MODP group here (RFC 2409 §6, RFC 3526).</summary>
    internal static ulong Generator => 2;

    /// <summary>p, big-endian.</summary>
    internal byte[] PrimeBytes { get; }

    /// <summary>p - 1, big-endian (upper bound, exclusive, of a valid public value: RFC 6989 §2.1).</summary>
    internal byte[] PrimeMinusOneBytes { get; }

    /// <summary>p as little-endian limbs.</summary>
    internal ulong[] Modulus { get; }

    /// <summary>R^2 mod p: converts into the Montgomery domain with one multiplication.</summary>
    internal ulong[] RSquared { get; }

    /// <summary>R mod p: 1 in the Montgomery domain.</summary>
    internal ulong[] MontgomeryOne { get; }

    /// <summary>Constants for the AVX-512 path (28-bit limbs).</summary>
    internal VectorModulus? Vector { get; }

    /// <summary>-p^-1 mod 2^64 (equals 1 for these primes, whose low limb is all ones).</summary>
    internal ulong K0 { get; }

    private static byte[] ToBigEndian(BigInteger value, int length)
    {
        var result = new byte[length];
        int written = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(result.AsSpan(length - written), out _, isUnsigned: true, isBigEndian: true);
        return result;
    }
}

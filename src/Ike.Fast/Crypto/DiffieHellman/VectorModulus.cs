using System.Numerics;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Constants of a MODP prime for <see cref="VectorMontgomeryArithmetic"/>: 28-bit limbs in 64-bit lanes,
/// padded to whole 8-lane vectors; R = 2^(28 L). Unreduced lane sums grow by at most 2 products below 2^56 per
/// step, so up to 127 limbs (3072-bit primes) never overflow 64 bits; larger primes renormalise every 64 steps.
/// </summary>
internal sealed class VectorModulus
{
    internal const int LimbBits = 28;
    internal const ulong LimbMask = (1UL << LimbBits) - 1;
    internal const int LanesPerVector = 8;
    internal const int MaxLimbsWithoutNormalization = 127;

    private VectorModulus(BigInteger p, int limbCount)
    {
        LimbCount = limbCount;
        BigInteger r = BigInteger.One << (LimbBits * limbCount);
        Modulus = ToLimbs(p, limbCount);
        MontgomeryOne = ToLimbs(r % p, limbCount);
        RSquared = ToLimbs(r * r % p, limbCount);
        ulong p0 = Modulus[0];

        // k0 = -p^-1 mod 2^28 (Newton; 1 for these primes, whose low 64 bits are all ones).
        ulong inv = p0;
        for (int i = 0; i < 5; i++)
        {
            inv *= 2 - (p0 * inv);
        }

        K0 = (0 - inv) & LimbMask;
    }

    /// <summary>Limbs (a multiple of 8): the smallest L with 28 L &gt;= bits + 2 (R &gt; 4p, so outputs stay below 2p).</summary>
    internal int LimbCount { get; }

    internal int VectorCount => LimbCount / LanesPerVector;

    internal ulong[] Modulus { get; }

    internal ulong[] MontgomeryOne { get; }

    internal ulong[] RSquared { get; }

    internal ulong K0 { get; }

    /// <summary>Whether the multiplication must renormalise its accumulator every 64 steps.</summary>
    internal bool NeedsNormalization => LimbCount > MaxLimbsWithoutNormalization;

    /// <summary>
    /// Constants for p, or null when its low limb is not all ones (the multiplication relies on p ≡ -1 mod 2^28, true of every IKE MODP prime: then k0 = 1 and
    /// the quotient digit is simply the low limb).
    /// </summary>
    internal static VectorModulus? TryCreate(BigInteger p, int bits)
    {
        int limbs = (bits + 2 + LimbBits - 1) / LimbBits;
        limbs = (limbs + LanesPerVector - 1) / LanesPerVector * LanesPerVector;
        if ((ulong)(p & LimbMask) != LimbMask)
        {
            return null;
        }

        return new VectorModulus(p, limbs);
    }

    private static ulong[] ToLimbs(BigInteger value, int count)
    {
        var limbs = new ulong[count];
        for (int j = 0; j < count; j++)
        {
            limbs[j] = (ulong)(value & LimbMask);
            value >>= LimbBits;
        }

        return limbs;
    }
}

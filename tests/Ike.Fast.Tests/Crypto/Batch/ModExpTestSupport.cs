using System.Numerics;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Native.ModExp;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>Shared helpers: tier support, kernels, random inputs and the BigInteger.ModPow reference.</summary>
internal static class ModExpTestSupport
{
    internal static IModExpKernelFactory Native => IfmaModExpKernelFactory.Instance;

    internal static bool IsSupported(ModExpTier tier) => ModExpTierSelector.IsSupported(tier, Native);

    internal static IModExpLaneKernel Create(ModExpTier tier, ReadOnlySpan<byte> modulus) =>
        ModExpTierSelector.CreateKernel(tier, modulus, Native);

    internal static BigInteger ToBig(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    internal static byte[] ToBytes(BigInteger value, int length)
    {
        var bytes = new byte[length];
        int count = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(bytes.AsSpan(length - count), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }

    internal static byte[] Prime(int bits) => ModExpGroups.All.Single(g => g.Bits == bits).PrimeBytes;

    /// <summary>A random odd modulus of exactly <paramref name="length"/> bytes with its top bit set.</summary>
    internal static byte[] RandomOddModulus(Random random, int length)
    {
        var m = new byte[length];
        random.NextBytes(m);
        m[0] |= 0x80;
        m[^1] |= 1;
        return m;
    }

    /// <summary>A random base below <paramref name="modulus"/>.</summary>
    internal static void RandomBase(Random random, BigInteger modulus, Span<byte> destination)
    {
        random.NextBytes(destination);
        BigInteger b = ToBig(destination) % modulus;
        ToBytes(b, destination.Length).CopyTo(destination);
    }

    /// <summary>
    /// Runs one call of <paramref name="lanes"/> lanes with random bases and exponents (some edge values mixed
    /// in) and checks every lane against BigInteger.ModPow.
    /// </summary>
    internal static void CheckRandomBatch(IModExpLaneKernel kernel, ReadOnlySpan<byte> modulus, Random random, int lanes, int exponentLength)
    {
        int len = modulus.Length;
        BigInteger m = ToBig(modulus);
        var bases = new byte[lanes * len];
        var exponents = new byte[lanes * exponentLength];
        var results = new byte[lanes * len];
        random.NextBytes(exponents);
        for (int lane = 0; lane < lanes; lane++)
        {
            Span<byte> b = bases.AsSpan(lane * len, len);
            Span<byte> e = exponents.AsSpan(lane * exponentLength, exponentLength);
            switch (random.Next(16))
            {
                case 0: b.Clear(); break;                                  // 0
                case 1: b.Clear(); b[^1] = 1; break;                       // 1
                case 2: ToBytes(m - 1, len).CopyTo(b); break;             // m - 1
                case 3: b.Clear(); b[^1] = 2; e.Fill(0xFF); break;        // 2 ^ (all ones)
                case 4: RandomBase(random, m, b); e.Clear(); break;       // x ^ 0
                case 5: RandomBase(random, m, b); e.Clear(); e[^1] = 1; break; // x ^ 1
                default: RandomBase(random, m, b); break;
            }
        }

        kernel.ModPow(bases, exponents, exponentLength, results, lanes);

        for (int lane = 0; lane < lanes; lane++)
        {
            BigInteger expected = BigInteger.ModPow(
                ToBig(bases.AsSpan(lane * len, len)), ToBig(exponents.AsSpan(lane * exponentLength, exponentLength)), m);
            BigInteger actual = ToBig(results.AsSpan(lane * len, len));
            if (expected != actual)
            {
                Assert.Fail($"{kernel.Tier}: lane {lane} of {lanes}, modulus {len * 8} bits, exponent {exponentLength * 8} bits: " +
                    $"expected {expected:X}, got {actual:X}.");
            }
        }
    }
}

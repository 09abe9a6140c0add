using System.Numerics;
using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>
/// Every tier (skipped where the machine cannot run it) against BigInteger.ModPow: random bases and exponents,
/// the MODP primes and random odd moduli, every batch fill from 1 to 8 lanes, short and full exponents.
/// </summary>
public class ManagedModExpKernelTests
{
    // bits, calls for the vector tiers (each call checks up to 8 lanes; BigInteger.ModPow is the slow side).
    public static TheoryData<int, int> Groups => new()
    {
        { 768, 32 }, { 1024, 32 }, { 1536, 24 }, { 2048, 24 }, { 3072, 8 }, { 4096, 3 }, { 6144, 2 }, { 8192, 2 },
    };

    [ModExpTierTheory(ModExpTier.Avx512)]
    [MemberData(nameof(Groups))]
    public void Avx512_matches_ModPow_on_MODP_primes(int bits, int calls) => CheckGroup(ModExpTier.Avx512, bits, calls);

    [ModExpTierTheory(ModExpTier.Avx2)]
    [MemberData(nameof(Groups))]
    public void Avx2_matches_ModPow_on_MODP_primes(int bits, int calls) => CheckGroup(ModExpTier.Avx2, bits, calls / 2);

    [Theory]
    [InlineData(768, 3)]
    [InlineData(1024, 3)]
    [InlineData(1536, 2)]
    [InlineData(2048, 2)]
    [InlineData(3072, 1)]
    [InlineData(8192, 1)]
    public void Scalar_matches_ModPow_on_MODP_primes(int bits, int calls) => CheckGroup(ModExpTier.Scalar, bits, calls);

    [ModExpTierFact(ModExpTier.Avx512)]
    public void Avx512_matches_ModPow_on_random_odd_moduli() => CheckRandomModuli(ModExpTier.Avx512, 120);

    [ModExpTierFact(ModExpTier.Avx2)]
    public void Avx2_matches_ModPow_on_random_odd_moduli() => CheckRandomModuli(ModExpTier.Avx2, 60);

    [Fact]
    public void Scalar_matches_ModPow_on_random_odd_moduli() => CheckRandomModuli(ModExpTier.Scalar, 20);

    [Fact]
    public void Every_supported_tier_gives_identical_bytes()
    {
        var random = new Random(5);
        byte[] prime = ModExpTestSupport.Prime(2048);
        const int exponentLength = 32;
        var bases = new byte[8 * prime.Length];
        var exponents = new byte[8 * exponentLength];
        random.NextBytes(exponents);
        for (int lane = 0; lane < 8; lane++)
        {
            ModExpTestSupport.RandomBase(random, ModExpTestSupport.ToBig(prime), bases.AsSpan(lane * prime.Length, prime.Length));
        }

        byte[]? reference = null;
        foreach (ModExpTier tier in Enum.GetValues<ModExpTier>())
        {
            if (!ModExpTestSupport.IsSupported(tier))
            {
                continue;
            }

            using IModExpLaneKernel kernel = ModExpTestSupport.Create(tier, prime);
            var results = new byte[8 * prime.Length];
            kernel.ModPow(bases, exponents, exponentLength, results, 8);
            reference ??= results;
            Assert.Equal(reference, results);
        }
    }

    [Theory]
    [InlineData(ModExpTier.Scalar)]
    [InlineData(ModExpTier.Avx2)]
    [InlineData(ModExpTier.Avx512)]
    [InlineData(ModExpTier.Ifma)]
    public void Misuse_throws(ModExpTier tier)
    {
        if (!ModExpTestSupport.IsSupported(tier))
        {
            return; // covered where supported; the tier attributes report skips elsewhere
        }

        byte[] prime = ModExpTestSupport.Prime(1024);
        using IModExpLaneKernel kernel = ModExpTestSupport.Create(tier, prime);
        var bases = new byte[8 * 128];
        var exponents = new byte[8 * 32];
        var results = new byte[8 * 128];
        Assert.Throws<ArgumentOutOfRangeException>(() => kernel.ModPow(bases, exponents, 32, results, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => kernel.ModPow(bases, exponents, 32, results, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => kernel.ModPow(bases, exponents, 0, results, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => kernel.ModPow(bases, new byte[8 * 129], 129, results, 1));
        Assert.Throws<ArgumentException>(() => kernel.ModPow(bases.AsSpan(0, 100), exponents, 32, results, 1));
        Assert.Throws<ArgumentException>(() => kernel.ModPow(bases, exponents, 32, results.AsSpan(0, 100), 1));
        prime.CopyTo(bases, 128); // lane 1's base equals the modulus
        Assert.Throws<ArgumentException>(() => kernel.ModPow(bases, exponents, 32, results, 2));
    }

    [Theory]
    [InlineData(96, 28)]    // MODP-768
    [InlineData(256, 28)]   // MODP-2048: 74 limbs
    [InlineData(384, 28)]   // MODP-3072
    [InlineData(440, 28)]   // the widest modulus at 28 bits: 126 limbs
    [InlineData(441, 27)]
    [InlineData(1024, 27)]  // MODP-8192
    public void Radix_is_the_widest_whose_accumulators_cannot_overflow(int modulusLength, int expectedBits)
    {
        int bits = ManagedModExpKernel<ScalarLaneMath, ulong>.LimbBitsFor(modulusLength);
        Assert.Equal(expectedBits, bits);
        int n = ManagedModExpKernel<ScalarLaneMath, ulong>.LimbsFor(modulusLength, bits);
        Assert.True(n * bits >= (modulusLength * 8) + 2); // R > 4m
        Assert.True((2.0 * (n + 1) * Math.Pow(2, 2 * bits)) + Math.Pow(2, 65 - bits) < Math.Pow(2, 64));
    }

    [Theory]
    [InlineData(440)]
    [InlineData(441)]
    public void All_ones_limbs_at_the_radix_edges_match_ModPow(int length)
    {
        // m = 2^(8 length) - 1 and base m - 1: every limb of m and of the base is all ones (largest products).
        byte[] modulus = new byte[length];
        modulus.AsSpan().Fill(0xFF);
        var random = new Random(length);
        foreach (ModExpTier tier in new[] { ModExpTier.Scalar, ModExpTier.Avx2, ModExpTier.Avx512 })
        {
            if (!ModExpTestSupport.IsSupported(tier))
            {
                continue;
            }

            using IModExpLaneKernel kernel = ModExpTestSupport.Create(tier, modulus);
            ModExpTestSupport.CheckRandomBatch(kernel, modulus, random, 8, 16);
            var bases = new byte[length];
            bases.AsSpan().Fill(0xFF);
            bases[^1] = 0xFE;
            byte[] exponent = [0xFF, 0xFF, 0xFF];
            var result = new byte[length];
            kernel.ModPow(bases, exponent, exponent.Length, result, 1);
            BigInteger m = ModExpTestSupport.ToBig(modulus);
            Assert.Equal(BigInteger.ModPow(m - 1, 0xFFFFFF, m), ModExpTestSupport.ToBig(result));
        }
    }

    private static void CheckGroup(ModExpTier tier, int bits, int calls)
    {
        byte[] prime = ModExpTestSupport.Prime(bits);
        using IModExpLaneKernel kernel = ModExpTestSupport.Create(tier, prime);
        Assert.Equal(tier, kernel.Tier);
        var random = new Random(bits + (int)tier);
        for (int call = 0; call < Math.Max(calls, 1); call++)
        {
            // Fill 1..8 lanes in turn; mostly 256-bit exponents, some odd lengths, every fourth one full length
            // (on one lane: BigInteger.ModPow is the slow side).
            int lanes = 1 + (call % 8);
            int exponentLength = (call % 4) switch
            {
                0 => Math.Min(prime.Length, 384),
                1 => 1 + random.Next(40),
                _ => 32,
            };
            ModExpTestSupport.CheckRandomBatch(kernel, prime, random, exponentLength > 40 ? 1 : lanes, exponentLength);
        }
    }

    private static void CheckRandomModuli(ModExpTier tier, int calls)
    {
        var random = new Random(77 + (int)tier);
        for (int call = 0; call < calls; call++)
        {
            // Lengths that are and are not multiples of the limb sizes, up to 4096 bits (mostly small: fast).
            int length = call % 10 == 0 ? 8 + random.Next(505) : 8 + random.Next(121);
            byte[] modulus = ModExpTestSupport.RandomOddModulus(random, length);
            using IModExpLaneKernel kernel = ModExpTestSupport.Create(tier, modulus);
            ModExpTestSupport.CheckRandomBatch(kernel, modulus, random, 1 + random.Next(8), 1 + random.Next(Math.Min(length, 48)));
        }
    }
}

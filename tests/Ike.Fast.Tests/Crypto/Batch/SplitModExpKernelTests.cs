using System.Numerics;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>
/// The automatic per-group split between a vector tier and the scalar tier: the lanes it hands to each, results equal
/// to BigInteger.ModPow at every fill 1..8, and which kernel each group gets.
/// </summary>
public class SplitModExpKernelTests
{
    [Theory]
    [InlineData(4, 3, new[] { 0, 0, 3, 4, 4, 4, 7, 8 })] // AVX2 at 1024 bits: a vector of 1-2 lanes is scalar
    [InlineData(8, 5, new[] { 0, 0, 0, 0, 5, 6, 7, 8 })] // AVX-512 at 1024 bits
    [InlineData(8, 8, new[] { 0, 0, 0, 0, 0, 0, 0, 8 })] // AVX-512 at 2048 bits: full vectors only
    public void Vector_lanes_follow_the_threshold(int width, int minLanes, int[] expected)
    {
        byte[] prime = ModExpTestSupport.Prime(1024);
        using var kernel = new SplitModExpKernel(
            ModExpTestSupport.Create(ModExpTier.Scalar, prime), width, minLanes, ModExpTestSupport.Create(ModExpTier.Scalar, prime));
        for (int lanes = 1; lanes <= 8; lanes++)
        {
            Assert.Equal(expected[lanes - 1], kernel.VectorLanes(lanes));
        }
    }

    [ModExpTierTheory(ModExpTier.Avx2)]
    [InlineData(768)]
    [InlineData(1024)]
    public void Avx2_split_matches_ModPow_at_every_fill(int bits) => CheckEveryFill(ModExpTier.Avx2, bits);

    [ModExpTierTheory(ModExpTier.Avx512)]
    [InlineData(1024)]
    [InlineData(1536)]
    [InlineData(2048)]
    public void Avx512_split_matches_ModPow_at_every_fill(int bits) => CheckEveryFill(ModExpTier.Avx512, bits);

    [ModExpTierTheory(ModExpTier.Ifma)]
    [InlineData(2048)]
    [InlineData(3072)]
    public void Ifma_split_matches_ModPow_at_every_fill(int bits) => CheckEveryFill(ModExpTier.Ifma, bits);

    [Fact]
    public void Groups_get_the_measured_kernel_unless_the_tier_is_forced()
    {
        Assert.Equal(3, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx2, 1024));
        Assert.Equal(4, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx2, 1536));
        Assert.Equal(4, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx2, 2048));
        Assert.Equal(0, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx2, 3072));
        Assert.Equal(3, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx512, 1024));
        Assert.Equal(4, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx512, 1536));
        Assert.Equal(4, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx512, 2048));
        Assert.Equal(6, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx512, 3072));
        Assert.Equal(0, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx512, 4096));
        Assert.Equal(1, ModExpTierSelector.MinVectorLanes(ModExpTier.Ifma, 1536));
        Assert.Equal(2, ModExpTierSelector.MinVectorLanes(ModExpTier.Ifma, 2048));
        Assert.Equal(2, ModExpTierSelector.MinVectorLanes(ModExpTier.Ifma, 8192));

        foreach (ModExpTier tier in (ReadOnlySpan<ModExpTier>)[ModExpTier.Avx2, ModExpTier.Avx512, ModExpTier.Ifma])
        {
            if (!ModExpTestSupport.IsSupported(tier))
            {
                continue;
            }

            foreach (ModpGroup group in ModExpGroups.All)
            {
                using IModExpLaneKernel automatic = ModExpTierSelector.CreateGroupKernel(tier, false, group.PrimeBytes, group.Bits, ModExpTestSupport.Native);
                int minLanes = ModExpTierSelector.MinVectorLanes(tier, group.Bits);
                if (minLanes == 0)
                {
                    Assert.Equal(ModExpTier.Scalar, automatic.Tier);
                }
                else if (minLanes == 1)
                {
                    Assert.Equal(tier, automatic.Tier);
                    Assert.IsNotType<SplitModExpKernel>(automatic);
                }
                else
                {
                    Assert.Equal(minLanes, Assert.IsType<SplitModExpKernel>(automatic).MinVectorLanes);
                }

                using IModExpLaneKernel forced = ModExpTierSelector.CreateGroupKernel(tier, true, group.PrimeBytes, group.Bits, ModExpTestSupport.Native);
                Assert.Equal(tier, forced.Tier);
                Assert.IsNotType<SplitModExpKernel>(forced);
            }
        }

        byte[] prime = ModExpTestSupport.Prime(2048);
        using IModExpLaneKernel scalar = ModExpTierSelector.CreateGroupKernel(ModExpTier.Scalar, false, prime, 2048, null);
        Assert.Equal(ModExpTier.Scalar, scalar.Tier);
    }

    [Fact]
    public void Split_kernels_allocate_nothing_in_steady_state()
    {
        foreach (ModExpTier tier in (ReadOnlySpan<ModExpTier>)[ModExpTier.Avx2, ModExpTier.Avx512, ModExpTier.Ifma])
        {
            if (!ModExpTestSupport.IsSupported(tier))
            {
                continue;
            }

            int bits = tier == ModExpTier.Ifma ? 2048 : 1024; // groups where the tier splits
            byte[] prime = ModExpTestSupport.Prime(bits);
            using IModExpLaneKernel kernel = ModExpTierSelector.CreateGroupKernel(tier, false, prime, bits, ModExpTestSupport.Native);
            Assert.IsType<SplitModExpKernel>(kernel);
            var bases = new byte[8 * prime.Length];
            var exponents = new byte[8 * 32];
            var results = new byte[8 * prime.Length];
            new Random(5).NextBytes(exponents);
            for (int lane = 0; lane < 8; lane++)
            {
                bases[((lane + 1) * prime.Length) - 1] = (byte)(lane + 2);
            }

            for (int lanes = 1; lanes <= 8; lanes++)
            {
                kernel.ModPow(bases, exponents, 32, results, lanes);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int lanes = 1; lanes <= 8; lanes++)
            {
                kernel.ModPow(bases, exponents, 32, results, lanes);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void Forced_reads_the_option_then_the_environment_value()
    {
        Assert.Null(ModExpTierSelector.Forced(new ModExpBatchOptions(), null));
        Assert.Equal(ModExpTier.Avx2, ModExpTierSelector.Forced(new ModExpBatchOptions(), "avx2"));
        Assert.Equal(ModExpTier.Scalar, ModExpTierSelector.Forced(new ModExpBatchOptions { Tier = ModExpTier.Scalar }, "avx2"));
    }

    [ModExpTierFact(ModExpTier.Avx512)]
    public void Key_pair_batches_run_wholly_on_the_vector_tier()
    {
        // A lone key pair (every base g) goes to the vector tier's comb, a lone shared secret to the scalar tier.
        byte[] prime = ModExpTestSupport.Prime(2048);
        var vector = new ManagedModExpKernel<Avx512LaneMath, System.Runtime.Intrinsics.Vector512<ulong>>(prime, ModExpTier.Avx512);
        using var split = new SplitModExpKernel(vector, 8, ModExpTierSelector.MinVectorLanes(ModExpTier.Avx512, 2048), new ScalarModExpKernel(prime));
        Assert.Equal(8, split.VectorLanes(8));
        Assert.Equal(0, split.VectorLanes(1));
        var exponent = new byte[32];
        new Random(11).NextBytes(exponent);
        var result = new byte[256];
        var two = new byte[256];
        two[^1] = 2;
        split.ModPow(two, exponent, 32, result, 1);
        Assert.Equal(1, vector.CombCalls);
        long multiplications = vector.Multiplications;
        BigInteger p = ModExpTestSupport.ToBig(prime);
        Assert.Equal(BigInteger.ModPow(2, ModExpTestSupport.ToBig(exponent), p), ModExpTestSupport.ToBig(result));

        var three = new byte[256];
        three[^1] = 3;
        split.ModPow(three, exponent, 32, result, 1);
        Assert.Equal(multiplications, vector.Multiplications); // on the scalar tier
        Assert.Equal(BigInteger.ModPow(3, ModExpTestSupport.ToBig(exponent), p), ModExpTestSupport.ToBig(result));
    }

    private static void CheckEveryFill(ModExpTier tier, int bits)
    {
        byte[] prime = ModExpTestSupport.Prime(bits);
        int minLanes = ModExpTierSelector.MinVectorLanes(tier, bits);
        Assert.NotEqual(0, minLanes);
        using IModExpLaneKernel kernel = ModExpTierSelector.CreateGroupKernel(tier, false, prime, bits, ModExpTestSupport.Native);
        Assert.IsType<SplitModExpKernel>(kernel);
        var random = new Random(bits + (int)tier);
        for (int lanes = 1; lanes <= 8; lanes++)
        {
            ModExpTestSupport.CheckRandomBatch(kernel, prime, random, lanes, 32);
            ModExpTestSupport.CheckRandomBatch(kernel, prime, random, lanes, 1 + random.Next(24));
        }
    }
}

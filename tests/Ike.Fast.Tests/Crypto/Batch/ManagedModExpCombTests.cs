using System.Numerics;
using System.Runtime.Intrinsics;
using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>
/// The managed tiers' fixed-base comb (key pairs: every base g = 2) against BigInteger.ModPow(2, x, p): random and edge
/// exponents at every lane fill 1..8, per group, short and full length; constant work; the variable-base path for
/// other bases, other lengths, or with the comb off.
/// </summary>
public class ManagedModExpCombTests
{
    public static TheoryData<int, int> Groups => new()
    {
        // bits, the pool's default private key length.
        { 768, 32 }, { 1024, 32 }, { 1536, 32 }, { 2048, 32 }, { 3072, 40 },
    };

    [ModExpTierTheory(ModExpTier.Avx512)]
    [MemberData(nameof(Groups))]
    public void Avx512_comb_matches_ModPow_for_every_lane_fill(int bits, int exponentLength)
    {
        using var kernel = new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(ModExpTestSupport.Prime(bits), ModExpTier.Avx512);
        CheckEveryFill(kernel, bits, exponentLength, () => kernel.CombCalls);
    }

    [ModExpTierTheory(ModExpTier.Avx2)]
    [MemberData(nameof(Groups))]
    public void Avx2_comb_matches_ModPow_for_every_lane_fill(int bits, int exponentLength)
    {
        using var kernel = new ManagedModExpKernel<Avx2LaneMath, Vector256<ulong>>(ModExpTestSupport.Prime(bits), ModExpTier.Avx2);
        CheckEveryFill(kernel, bits, exponentLength, () => kernel.CombCalls);
    }

    [Theory]
    [InlineData(768, 32)]
    [InlineData(2048, 32)]
    public void Scalar_lane_comb_matches_ModPow_for_every_lane_fill(int bits, int exponentLength)
    {
        using var kernel = new ManagedModExpKernel<ScalarLaneMath, ulong>(ModExpTestSupport.Prime(bits), ModExpTier.Scalar);
        CheckEveryFill(kernel, bits, exponentLength, () => kernel.CombCalls);
    }

    [ModExpTierTheory(ModExpTier.Avx512)]
    [InlineData(768)]
    [InlineData(1024)]
    [InlineData(2048)]
    public void Comb_matches_ModPow_with_full_length_exponents(int bits)
    {
        // daemon.dh_exponent = full: the comb squares between its columns.
        byte[] prime = ModExpTestSupport.Prime(bits);
        using var kernel = new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(prime, ModExpTier.Avx512);
        var random = new Random(bits);
        foreach (int lanes in (int[])[1, 5, 8])
        {
            Check(kernel, prime, random, lanes, prime.Length);
        }

        Assert.Equal(3, kernel.CombCalls);
    }

    [ModExpTierFact(ModExpTier.Avx512)]
    public void Comb_work_does_not_depend_on_exponent_values()
    {
        byte[] prime = ModExpTestSupport.Prime(2048);
        using var kernel = new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(prime, ModExpTier.Avx512);
        var bases = Generators(prime.Length, 8);
        var results = new byte[8 * prime.Length];
        var mixed = new byte[8 * 32];
        new Random(7).NextBytes(mixed);
        (long, long) Work(byte[] exponents)
        {
            long m = kernel.Multiplications, t = kernel.TableReads;
            kernel.ModPow(bases, exponents, 32, results, 8);
            return (kernel.Multiplications - m, kernel.TableReads - t);
        }

        var zero = Work(new byte[8 * 32]); // also builds the tables (not counted)
        Assert.Equal((64L, 64L * 16), zero); // 63 products of table entries, one to leave the Montgomery domain
        Assert.Equal(zero, Work(Enumerable.Repeat((byte)0xFF, 8 * 32).ToArray()));
        Assert.Equal(zero, Work(mixed));
    }

    [ModExpTierFact(ModExpTier.Avx512)]
    public void Other_bases_lengths_or_the_comb_off_take_the_variable_base_path()
    {
        byte[] prime = ModExpTestSupport.Prime(1024);
        int len = prime.Length;
        using var kernel = new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(prime, ModExpTier.Avx512);
        using var off = new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(prime, ModExpTier.Avx512) { FixedBaseComb = false };
        var random = new Random(9);
        Check(kernel, prime, random, 8, 32);
        Assert.Equal(1, kernel.CombCalls);
        Check(kernel, prime, random, 8, 31); // another length: the tables are for 32 bytes
        Check(off, prime, random, 8, 32);
        Assert.Equal(1, kernel.CombCalls);
        Assert.Equal(0, off.CombCalls);

        var bases = Generators(len, 8);
        bases[(5 * len) + len - 1] = 3; // one lane is a shared secret
        var exponents = new byte[8 * 32];
        random.NextBytes(exponents);
        var results = new byte[8 * len];
        kernel.ModPow(bases, exponents, 32, results, 8);
        Assert.Equal(1, kernel.CombCalls);
        BigInteger p = ModExpTestSupport.ToBig(prime);
        for (int lane = 0; lane < 8; lane++)
        {
            BigInteger expected = BigInteger.ModPow(lane == 5 ? 3 : 2, ModExpTestSupport.ToBig(exponents.AsSpan(lane * 32, 32)), p);
            Assert.Equal(expected, ModExpTestSupport.ToBig(results.AsSpan(lane * len, len)));
        }
    }

    [ModExpTierFact(ModExpTier.Avx512)]
    public void Comb_allocates_nothing_once_built()
    {
        byte[] prime = ModExpTestSupport.Prime(2048);
        using var kernel = new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(prime, ModExpTier.Avx512);
        var bases = Generators(prime.Length, 8);
        var exponents = new byte[8 * 32];
        var results = new byte[8 * prime.Length];
        kernel.ModPow(bases, exponents, 32, results, 8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            kernel.ModPow(bases, exponents, 32, results, 8);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void CheckEveryFill(IModExpLaneKernel kernel, int bits, int exponentLength, Func<long> combCalls)
    {
        byte[] prime = ModExpTestSupport.Prime(bits);
        var random = new Random(bits + exponentLength);
        for (int lanes = 1; lanes <= 8; lanes++)
        {
            Check(kernel, prime, random, lanes, exponentLength);
        }

        Assert.Equal(8, combCalls());
    }

    private static byte[] Generators(int len, int lanes)
    {
        var bases = new byte[lanes * len];
        for (int lane = 0; lane < lanes; lane++)
        {
            bases[(lane * len) + len - 1] = 2;
        }

        return bases;
    }

    /// <summary>One call, every base g, exponents random or at the edges; each lane against BigInteger.ModPow.</summary>
    private static void Check(IModExpLaneKernel kernel, byte[] prime, Random random, int lanes, int exponentLength)
    {
        int len = prime.Length;
        BigInteger p = ModExpTestSupport.ToBig(prime);
        var exponents = new byte[lanes * exponentLength];
        random.NextBytes(exponents);
        for (int lane = 0; lane < lanes; lane++)
        {
            Span<byte> e = exponents.AsSpan(lane * exponentLength, exponentLength);
            switch ((lane + random.Next(3)) % 8)
            {
                case 0: e.Clear(); break;
                case 1: e.Clear(); e[^1] = 1; break;
                case 2: e.Fill(0xFF); break;
                case 3: e.Clear(); e[0] = 0x80; break;
                case 4: ModExpTestSupport.ToBytes((p - 2) & ((BigInteger.One << (8 * exponentLength)) - 1), exponentLength).CopyTo(e); break;
                default: break;
            }
        }

        var results = new byte[lanes * len];
        kernel.ModPow(Generators(len, lanes), exponents, exponentLength, results, lanes);
        for (int lane = 0; lane < lanes; lane++)
        {
            BigInteger expected = BigInteger.ModPow(2, ModExpTestSupport.ToBig(exponents.AsSpan(lane * exponentLength, exponentLength)), p);
            Assert.True(
                ModExpTestSupport.ToBytes(expected, len).AsSpan().SequenceEqual(results.AsSpan(lane * len, len)),
                $"{len * 8}-bit prime, {exponentLength}-byte exponent, lane {lane} of {lanes}");
        }
    }
}

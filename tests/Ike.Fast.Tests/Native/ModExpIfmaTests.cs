using System.Numerics;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Tests.Crypto.Batch;
using Ike.Native;
using Ike.Native.ModExp;

namespace Ike.Fast.Tests.Native;

/// <summary>Every native modexp entry point (IkeFastNative_CpuFeatures, _ModExpIfma*), through Ike.Native.</summary>
public class ModExpIfmaTests
{
    public static TheoryData<int, int> Groups => new()
    {
        // bits, calls (each call up to 8 lanes; thousands of lanes in all for the common groups).
        { 768, 240 }, { 1024, 240 }, { 1536, 120 }, { 2048, 120 }, { 3072, 24 }, { 4096, 10 }, { 6144, 5 }, { 8192, 4 },
    };

    [Fact]
    public void CpuFeatures_agrees_with_the_runtime()
    {
        CpuFeatures features = IfmaModExpKernel.DetectedCpuFeatures;
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx2.IsSupported, features.HasFlag(CpuFeatures.Avx2));
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, features.HasFlag(CpuFeatures.Avx512F));
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported, features.HasFlag(CpuFeatures.Avx512VL));
        Assert.Equal(System.Runtime.Intrinsics.X86.Bmi2.IsSupported, features.HasFlag(CpuFeatures.Bmi2));
        bool ifma = features.HasFlag(CpuFeatures.Avx512Ifma) && features.HasFlag(CpuFeatures.Avx512F) && features.HasFlag(CpuFeatures.Avx512VL);
        Assert.Equal(ifma, IfmaModExpKernel.IsSupported);
        Assert.Equal(ifma ? 1 : 0, Interop.IkeFastNative.ModExpIfmaSupported());
    }

    [Fact]
    public void ContextSize_accepts_64_to_8192_bit_moduli()
    {
        Assert.True(Interop.IkeFastNative.ModExpIfmaContextSize(7) < 0);
        Assert.True(Interop.IkeFastNative.ModExpIfmaContextSize(1025) < 0);
        Assert.True(Interop.IkeFastNative.ModExpIfmaContextSize(256) > 0);
        Assert.Equal(0, Interop.IkeFastNative.ModExpIfmaContextSize(256) % 64);
        Assert.True(Interop.IkeFastNative.ModExpIfmaContextSize(1024) > Interop.IkeFastNative.ModExpIfmaContextSize(256));
    }

    [Fact]
    public unsafe void Init_refuses_bad_moduli_and_small_or_misaligned_contexts()
    {
        long size = Interop.IkeFastNative.ModExpIfmaContextSize(128);
        void* context = System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)size + 64, 64);
        try
        {
            byte[] even = ModExpTestSupport.Prime(1024).ToArray();
            even[^1] &= 0xFE;
            byte[] leadingZero = ModExpTestSupport.Prime(1024).ToArray();
            leadingZero[0] = 0;
            byte[] prime = ModExpTestSupport.Prime(1024);
            fixed (byte* e = even)
            fixed (byte* z = leadingZero)
            fixed (byte* p = prime)
            {
                Assert.Equal(Interop.IkeFastNative.ModExpModulus, Interop.IkeFastNative.ModExpIfmaInit(context, size, e, 128));
                Assert.Equal(Interop.IkeFastNative.ModExpModulus, Interop.IkeFastNative.ModExpIfmaInit(context, size, z, 128));
                Assert.Equal(Interop.IkeFastNative.ModExpContext, Interop.IkeFastNative.ModExpIfmaInit(context, size - 1, p, 128));
                Assert.Equal(Interop.IkeFastNative.ModExpContext, Interop.IkeFastNative.ModExpIfmaInit((byte*)context + 8, size, p, 128));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaInit(null, size, p, 128));
                Assert.Equal(Interop.IkeFastNative.ModExpOk, Interop.IkeFastNative.ModExpIfmaInit(context, size, p, 128));
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(context);
        }
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public unsafe void ModExpIfma8_reports_bad_arguments_and_uninitialised_contexts()
    {
        byte[] prime = ModExpTestSupport.Prime(1024);
        long size = Interop.IkeFastNative.ModExpIfmaContextSize(128);
        void* context = System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)size, 64);
        System.Runtime.InteropServices.NativeMemory.Clear(context, (nuint)size);
        var bases = new byte[8 * 128];
        var exponents = new byte[8 * 32];
        var results = new byte[8 * 128];
        try
        {
            fixed (byte* p = prime)
            fixed (byte* b = bases)
            fixed (byte* e = exponents)
            fixed (byte* r = results)
            {
                Assert.Equal(Interop.IkeFastNative.ModExpContext, Interop.IkeFastNative.ModExpIfma8(context, b, e, 32, r, 1));
                Assert.Equal(Interop.IkeFastNative.ModExpOk, Interop.IkeFastNative.ModExpIfmaInit(context, size, p, 128));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfma8(context, b, e, 32, r, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfma8(context, b, e, 32, r, 9));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfma8(context, b, e, 0, r, 1));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfma8(context, null, e, 32, r, 1));
                prime.CopyTo(bases, 0);
                Assert.Equal(Interop.IkeFastNative.ModExpBase, Interop.IkeFastNative.ModExpIfma8(context, b, e, 32, r, 1));
                bases[0] = 0; // now below the prime
                Assert.Equal(Interop.IkeFastNative.ModExpOk, Interop.IkeFastNative.ModExpIfma8(context, b, e, 32, r, 1));
                ulong* counters = stackalloc ulong[3];
                Assert.Equal(3, Interop.IkeFastNative.ModExpIfmaCounters(context, counters, 8));
                Assert.Equal(1UL, counters[Interop.IkeFastNative.CounterCalls]);
                Assert.Equal(2, Interop.IkeFastNative.ModExpIfmaCounters(context, counters, 2));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaCounters(context, null, 3));
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(context);
        }
    }

    [ModExpTierTheory(ModExpTier.Ifma)]
    [MemberData(nameof(Groups))]
    public void ModExpIfma8_matches_ModPow_on_MODP_primes(int bits, int calls)
    {
        byte[] prime = ModExpTestSupport.Prime(bits);
        using var kernel = new IfmaModExpKernel(prime);
        var random = new Random(bits);
        for (int call = 0; call < calls; call++)
        {
            int lanes = 1 + (call % 8);
            // Full-length exponents (up to 3072 bits: BigInteger.ModPow is the slow side; the Fermat test covers
            // the larger groups) on one lane at a time, else 1..64 bytes.
            int exponentLength = (call % 8) switch
            {
                0 => Math.Min(prime.Length, 384),
                1 => 1 + random.Next(64),
                2 => 1 + random.Next(8),
                _ => 32,
            };
            ModExpTestSupport.CheckRandomBatch(kernel, prime, random, exponentLength > 64 ? 1 : lanes, exponentLength);
        }
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public void ModExpIfma8_matches_ModPow_on_random_odd_moduli()
    {
        var random = new Random(1234);
        for (int call = 0; call < 300; call++)
        {
            // Every length from 8 to 1024 bytes appears across the limb-count boundaries (52-bit limbs).
            int length = call < 150 ? 8 + call : 8 + random.Next(call % 20 == 0 ? 1017 : 300);
            byte[] modulus = ModExpTestSupport.RandomOddModulus(random, length);
            using var kernel = new IfmaModExpKernel(modulus);
            ModExpTestSupport.CheckRandomBatch(kernel, modulus, random, 1 + random.Next(8), 1 + random.Next(Math.Min(length, 40)));
        }
    }

    [ModExpTierTheory(ModExpTier.Ifma)]
    [InlineData(91, false)] // 15 limbs (the 768-bit body): smallest and largest byte lengths
    [InlineData(97, false)]
    [InlineData(96, true)]
    [InlineData(124, false)] // 20 limbs (the 1024-bit body)
    [InlineData(129, false)]
    [InlineData(128, true)]
    public void Register_resident_bodies_match_ModPow_for_every_lane_fill(int length, bool minusOneMod2To52)
    {
        // The 15- and 20-limb bodies keep the accumulators in registers and have a second form for moduli that are
        // -1 mod 2^52 (k0 = 1, every MODP prime); random moduli of both kinds, every lane fill 1..8.
        var random = new Random(length * 2 + (minusOneMod2To52 ? 1 : 0));
        for (int call = 0; call < 24; call++)
        {
            byte[] modulus = ModExpTestSupport.RandomOddModulus(random, length);
            if (minusOneMod2To52)
            {
                modulus.AsSpan(length - 7).Fill(0xFF); // low 56 bits set
            }

            using var kernel = new IfmaModExpKernel(modulus);
            int exponentLength = (call % 3) switch { 0 => 32, 1 => 1 + random.Next(64), _ => length };
            ModExpTestSupport.CheckRandomBatch(kernel, modulus, random, 1 + (call % 8), exponentLength);
        }
    }

    [ModExpTierTheory(ModExpTier.Ifma)]
    [InlineData(768)]
    [InlineData(1024)]
    public void Register_bodies_work_does_not_depend_on_exponent_values(int bits)
    {
        // The 15- and 20-limb register bodies count their work like the others: all-zero, all-one and random
        // exponents of one length do the same number of multiplications and table reads.
        byte[] prime = ModExpTestSupport.Prime(bits);
        using var kernel = new IfmaModExpKernel(prime);
        int len = prime.Length;
        var bases = new byte[8 * len];
        for (int lane = 0; lane < 8; lane++)
        {
            bases[(lane * len) + len - 1] = (byte)(3 + lane);
        }

        var results = new byte[8 * len];
        var random = new Random(bits);
        foreach (int exponentLength in (int[])[1, 32, len])
        {
            byte[] mixed = new byte[8 * exponentLength];
            random.NextBytes(mixed);
            (ulong, ulong) Work(byte[] exponents)
            {
                var before = kernel.ReadCounters();
                kernel.ModPow(bases, exponents, exponentLength, results, 8);
                var after = kernel.ReadCounters();
                return (after.Multiplications - before.Multiplications, after.TableReads - before.TableReads);
            }

            var zero = Work(new byte[8 * exponentLength]);
            Assert.Equal(zero, Work(Enumerable.Repeat((byte)0xFF, 8 * exponentLength).ToArray()));
            Assert.Equal(zero, Work(mixed));
            Assert.True(zero.Item1 > 0 && zero.Item2 > 0);
        }
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public void ModExpIfma8_allocates_nothing_per_call()
    {
        byte[] prime = ModExpTestSupport.Prime(1024);
        using var kernel = new IfmaModExpKernel(prime);
        var bases = new byte[8 * 128];
        var exponents = new byte[8 * 32];
        var results = new byte[8 * 128];
        bases[127] = 2;
        kernel.ModPow(bases, exponents, 32, results, 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            kernel.ModPow(bases, exponents, 32, results, 8);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(BigInteger.One, ModExpTestSupport.ToBig(results.AsSpan(0, 128))); // 2^0
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public void Kernel_refuses_use_after_dispose()
    {
        var kernel = new IfmaModExpKernel(ModExpTestSupport.Prime(768));
        kernel.Dispose();
        kernel.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kernel.ModPow(new byte[96], new byte[1], 1, new byte[96], 1));
    }
}

using System.Numerics;
using System.Runtime.InteropServices;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Tests.Crypto.Batch;
using Ike.Native;
using Ike.Native.ModExp;

namespace Ike.Fast.Tests.Native;

/// <summary>
/// The fixed-base comb (IkeFastNative_ModExpIfmaBaseContextSize / _BaseInit / _Base8 / _BaseCounters, through
/// <see cref="IfmaModExpBase"/> and <see cref="IfmaModExpKernel"/>) against BigInteger.ModPow(2, x, p).
/// </summary>
public class ModExpIfmaBaseTests
{
    public static TheoryData<int, int> Groups => new()
    {
        // bits, the pool's default private key length (EphemeralKeyPairPool.DefaultPrivateKeyLength).
        { 768, 32 }, { 1024, 32 }, { 1536, 32 }, { 2048, 32 }, { 3072, 40 }, { 4096, 48 }, { 6144, 56 }, { 8192, 64 },
    };

    [Fact]
    public void ContextSize_refuses_bad_lengths_and_teeth()
    {
        Assert.Equal(Interop.IkeFastNative.ModExpModulus, Interop.IkeFastNative.ModExpIfmaBaseContextSize(7, 4, 0));
        Assert.Equal(Interop.IkeFastNative.ModExpModulus, Interop.IkeFastNative.ModExpIfmaBaseContextSize(1025, 32, 0));
        Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBaseContextSize(256, 0, 0));
        Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBaseContextSize(256, 257, 0));
        Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBaseContextSize(256, 32, 3));
        Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBaseContextSize(256, 32, 7));
        for (int teeth = 4; teeth <= 6; teeth++)
        {
            long size = Interop.IkeFastNative.ModExpIfmaBaseContextSize(256, 32, teeth);
            Assert.True(size > 0);
            Assert.Equal(0, size % 64);
        }

        // The default: the most teeth whose table fits in 1 MiB (6 for MODP-2048 with 256-bit exponents), else 4.
        Assert.Equal(Interop.IkeFastNative.ModExpIfmaBaseContextSize(256, 32, 6), Interop.IkeFastNative.ModExpIfmaBaseContextSize(256, 32, 0));
        Assert.Equal(Interop.IkeFastNative.ModExpIfmaBaseContextSize(256, 256, 5), Interop.IkeFastNative.ModExpIfmaBaseContextSize(256, 256, 0));
        Assert.Equal(Interop.IkeFastNative.ModExpIfmaBaseContextSize(1024, 64, 4), Interop.IkeFastNative.ModExpIfmaBaseContextSize(1024, 64, 0));
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public unsafe void Init_refuses_bad_moduli_bases_and_contexts()
    {
        long size = Interop.IkeFastNative.ModExpIfmaBaseContextSize(128, 32, 0);
        void* context = NativeMemory.AlignedAlloc((nuint)size + 64, 64);
        try
        {
            byte[] prime = ModExpTestSupport.Prime(1024);
            byte[] even = prime.ToArray();
            even[^1] &= 0xFE;
            byte[] leadingZero = prime.ToArray();
            leadingZero[0] = 0;
            byte[] g = [2];
            fixed (byte* p = prime)
            fixed (byte* e = even)
            fixed (byte* z = leadingZero)
            fixed (byte* b = g)
            {
                Assert.Equal(Interop.IkeFastNative.ModExpModulus, Interop.IkeFastNative.ModExpIfmaBaseInit(context, size, e, 128, b, 1, 32, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpModulus, Interop.IkeFastNative.ModExpIfmaBaseInit(context, size, z, 128, b, 1, 32, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpContext, Interop.IkeFastNative.ModExpIfmaBaseInit(context, size - 1, p, 128, b, 1, 32, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpContext, Interop.IkeFastNative.ModExpIfmaBaseInit((byte*)context + 8, size, p, 128, b, 1, 32, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBaseInit(null, size, p, 128, b, 1, 32, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBaseInit(context, size, p, 128, null, 1, 32, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBaseInit(context, size, p, 128, b, 0, 32, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBaseInit(context, size, p, 128, p, 129, 32, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpBase, Interop.IkeFastNative.ModExpIfmaBaseInit(context, size, p, 128, p, 128, 32, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpOk, Interop.IkeFastNative.ModExpIfmaBaseInit(context, size, p, 128, b, 1, 32, 0));
            }
        }
        finally
        {
            NativeMemory.AlignedFree(context);
        }
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public unsafe void Base8_and_counters_report_bad_arguments_and_uninitialised_contexts()
    {
        byte[] prime = ModExpTestSupport.Prime(1024);
        long size = Interop.IkeFastNative.ModExpIfmaBaseContextSize(128, 32, 4);
        void* context = NativeMemory.AlignedAlloc((nuint)size, 64);
        NativeMemory.Clear(context, (nuint)size);
        var exponents = new byte[8 * 33];
        var results = new byte[8 * 128];
        byte[] g = [2];
        try
        {
            fixed (byte* p = prime)
            fixed (byte* b = g)
            fixed (byte* e = exponents)
            fixed (byte* r = results)
            {
                ulong* counters = stackalloc ulong[3];
                Assert.Equal(Interop.IkeFastNative.ModExpContext, Interop.IkeFastNative.ModExpIfmaBase8(context, e, 32, r, 1));
                Assert.Equal(Interop.IkeFastNative.ModExpContext, Interop.IkeFastNative.ModExpIfmaBaseCounters(context, counters, 3));
                Assert.Equal(Interop.IkeFastNative.ModExpOk, Interop.IkeFastNative.ModExpIfmaBaseInit(context, size, p, 128, b, 1, 32, 4));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBase8(context, e, 32, r, 0));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBase8(context, e, 32, r, 9));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBase8(context, e, 0, r, 1));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBase8(context, e, 33, r, 1)); // longer than the tables
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBase8(context, null, 32, r, 1));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBase8(context, e, 32, null, 1));
                // The plain context's entry points refuse a fixed-base context, and the other way round.
                Assert.Equal(Interop.IkeFastNative.ModExpContext, Interop.IkeFastNative.ModExpIfmaCounters(context, counters, 3));
                Assert.Equal(Interop.IkeFastNative.ModExpOk, Interop.IkeFastNative.ModExpIfmaBase8(context, e, 32, r, 1));
                Assert.Equal(BigInteger.One, ModExpTestSupport.ToBig(results.AsSpan(0, 128))); // 2^0
                Assert.Equal(3, Interop.IkeFastNative.ModExpIfmaBaseCounters(context, counters, 8));
                Assert.Equal(1UL, counters[Interop.IkeFastNative.CounterCalls]);
                Assert.Equal(64UL, counters[Interop.IkeFastNative.CounterMultiplications]); // 64 tables: 63 + 1 to leave Montgomery
                Assert.Equal(64UL * 16, counters[Interop.IkeFastNative.CounterTableReads]);
                Assert.Equal(2, Interop.IkeFastNative.ModExpIfmaBaseCounters(context, counters, 2));
                Assert.Equal(Interop.IkeFastNative.ModExpArgument, Interop.IkeFastNative.ModExpIfmaBaseCounters(context, null, 3));
            }
        }
        finally
        {
            NativeMemory.AlignedFree(context);
        }
    }

    [ModExpTierTheory(ModExpTier.Ifma)]
    [MemberData(nameof(Groups))]
    public void Comb_matches_ModPow_for_every_lane_fill(int bits, int exponentLength)
    {
        byte[] prime = ModExpTestSupport.Prime(bits);
        using var comb = new IfmaModExpBase(prime, [2], exponentLength);
        var random = new Random(bits);
        for (int lanes = 1; lanes <= 8; lanes++)
        {
            CheckBatch(comb, prime, random, lanes, exponentLength);
        }
    }

    [ModExpTierTheory(ModExpTier.Ifma)]
    [InlineData(768, 0)]
    [InlineData(1024, 0)]
    [InlineData(1536, 0)]
    [InlineData(2048, 0)]
    [InlineData(2048, 4)]
    [InlineData(2048, 5)]
    [InlineData(2048, 6)]
    public void Comb_matches_ModPow_with_full_length_exponents(int bits, int teeth)
    {
        // daemon.dh_exponent = full: exponents as long as the prime (the comb then squares between columns).
        byte[] prime = ModExpTestSupport.Prime(bits);
        using var comb = new IfmaModExpBase(prime, [2], prime.Length, teeth);
        var random = new Random(bits + teeth);
        foreach (int lanes in (int[])[1, 3, 8])
        {
            CheckBatch(comb, prime, random, lanes, prime.Length);
        }
    }

    [ModExpTierTheory(ModExpTier.Ifma)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Every_teeth_count_matches_ModPow_and_takes_shorter_exponents(int teeth)
    {
        byte[] prime = ModExpTestSupport.Prime(2048);
        using var comb = new IfmaModExpBase(prime, [2], 32, teeth);
        var random = new Random(teeth);
        for (int lanes = 1; lanes <= 8; lanes++)
        {
            CheckBatch(comb, prime, random, lanes, 32);
            CheckBatch(comb, prime, random, lanes, 1 + random.Next(31)); // shorter than the tables: zero-extended
        }
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public void Comb_serves_any_base_and_random_moduli()
    {
        var random = new Random(77);
        foreach (int length in (int[])[8, 91, 96, 124, 128, 200, 256, 383])
        {
            byte[] modulus = ModExpTestSupport.RandomOddModulus(random, length);
            var baseValue = new byte[length];
            ModExpTestSupport.RandomBase(random, ModExpTestSupport.ToBig(modulus), baseValue);
            int exponentLength = Math.Min(length, 1 + random.Next(40));
            using var comb = new IfmaModExpBase(modulus, baseValue, exponentLength);
            CheckBatch(comb, modulus, random, 1 + random.Next(8), exponentLength, ModExpTestSupport.ToBig(baseValue));
        }
    }

    [ModExpTierTheory(ModExpTier.Ifma)]
    [InlineData(1024, 32)]
    [InlineData(2048, 32)]
    [InlineData(2048, 256)]
    public void Comb_work_does_not_depend_on_exponent_values(int bits, int exponentLength)
    {
        byte[] prime = ModExpTestSupport.Prime(bits);
        using var comb = new IfmaModExpBase(prime, [2], exponentLength);
        var results = new byte[8 * prime.Length];
        var mixed = new byte[8 * exponentLength];
        new Random(bits).NextBytes(mixed);
        (ulong, ulong, ulong) Work(byte[] exponents)
        {
            var before = comb.ReadCounters();
            comb.Pow(exponents, exponentLength, results, 8);
            var after = comb.ReadCounters();
            return (after.Multiplications - before.Multiplications, after.TableReads - before.TableReads, after.Calls - before.Calls);
        }

        var zero = Work(new byte[8 * exponentLength]);
        Assert.Equal(zero, Work(Enumerable.Repeat((byte)0xFF, 8 * exponentLength).ToArray()));
        Assert.Equal(zero, Work(mixed));
        Assert.True(zero.Item1 > 0 && zero.Item2 > 0 && zero.Item3 == 1);
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public void Kernel_runs_all_generator_batches_on_the_comb_and_others_on_the_variable_base_kernel()
    {
        byte[] prime = ModExpTestSupport.Prime(2048);
        int len = prime.Length;
        using var kernel = new IfmaModExpKernel(prime);
        using var plain = new IfmaModExpKernel(prime, fixedBaseComb: false);
        Assert.True(kernel.FixedBaseComb);
        Assert.False(plain.FixedBaseComb);
        var random = new Random(5);
        var bases = new byte[8 * len];
        for (int lane = 0; lane < 8; lane++)
        {
            bases[(lane * len) + len - 1] = 2;
        }

        var exponents = new byte[8 * 32];
        random.NextBytes(exponents);
        var viaComb = new byte[8 * len];
        var viaPlain = new byte[8 * len];
        kernel.ModPow(bases, exponents, 32, viaComb, 8);
        plain.ModPow(bases, exponents, 32, viaPlain, 8);
        Assert.Equal(viaPlain, viaComb);
        IfmaModExpBase comb = Assert.IsType<IfmaModExpBase>(kernel.CombOf(32));
        Assert.Equal(1UL, comb.ReadCounters().Calls);
        Assert.Equal(0UL, kernel.ReadCounters().Calls);
        Assert.Null(plain.CombOf(32));

        // One lane with another base (a shared secret): the whole call stays on the variable-base kernel.
        bases[(3 * len) + len - 1] = 3;
        kernel.ModPow(bases, exponents, 32, viaComb, 8);
        plain.ModPow(bases, exponents, 32, viaPlain, 8);
        Assert.Equal(viaPlain, viaComb);
        Assert.Equal(1UL, comb.ReadCounters().Calls);
        Assert.Equal(1UL, kernel.ReadCounters().Calls);

        // A second exponent length gets its own comb; a third stays on the variable-base kernel.
        bases[(3 * len) + len - 1] = 2;
        kernel.ModPow(bases, exponents, 31, viaComb, 8);
        plain.ModPow(bases, exponents, 31, viaPlain, 8);
        Assert.Equal(viaPlain, viaComb);
        Assert.NotNull(kernel.CombOf(31));
        kernel.ModPow(bases, exponents, 30, viaComb, 8);
        plain.ModPow(bases, exponents, 30, viaPlain, 8);
        Assert.Equal(viaPlain, viaComb);
        Assert.Null(kernel.CombOf(30));
        Assert.Equal(2UL, kernel.ReadCounters().Calls);
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public void Pow_allocates_nothing_per_call()
    {
        byte[] prime = ModExpTestSupport.Prime(2048);
        using var comb = new IfmaModExpBase(prime, [2], 32);
        var exponents = new byte[8 * 32];
        var results = new byte[8 * 256];
        comb.Pow(exponents, 32, results, 8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            comb.Pow(exponents, 32, results, 8);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public void Wrapper_checks_arguments_and_refuses_use_after_dispose()
    {
        byte[] prime = ModExpTestSupport.Prime(768);
        Assert.Throws<ArgumentException>(() => new IfmaModExpBase(prime, [2], 97));
        Assert.Throws<ArgumentException>(() => new IfmaModExpBase(prime, prime, 32));
        var comb = new IfmaModExpBase(prime, [2], 32);
        Assert.Equal(96, comb.ModulusLength);
        Assert.Equal(32, comb.ExponentLength);
        Assert.True(comb.ContextLength > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => comb.Pow(new byte[33], 33, new byte[96], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => comb.Pow(new byte[32], 32, new byte[96], 0));
        Assert.Throws<ArgumentException>(() => comb.Pow(new byte[31], 32, new byte[96], 1));
        Assert.Throws<ArgumentException>(() => comb.Pow(new byte[32], 32, new byte[95], 1));
        comb.Dispose();
        comb.Dispose();
        Assert.Throws<ObjectDisposedException>(() => comb.Pow(new byte[32], 32, new byte[96], 1));
    }

    /// <summary>
    /// One call of <paramref name="lanes"/> lanes, exponents random or at the edges (0, 1, 2, all ones, only the top
    /// bit, one 0xFF byte at each end, p - 2 cut to the length), each lane checked against BigInteger.ModPow.
    /// </summary>
    private static void CheckBatch(IfmaModExpBase comb, byte[] modulus, Random random, int lanes, int exponentLength, BigInteger? baseValue = null)
    {
        int len = modulus.Length;
        BigInteger m = ModExpTestSupport.ToBig(modulus);
        BigInteger g = baseValue ?? 2;
        var exponents = new byte[lanes * exponentLength];
        random.NextBytes(exponents);
        for (int lane = 0; lane < lanes; lane++)
        {
            Span<byte> e = exponents.AsSpan(lane * exponentLength, exponentLength);
            switch ((lane + random.Next(3)) % 9)
            {
                case 0: e.Clear(); break;
                case 1: e.Clear(); e[^1] = (byte)(1 + random.Next(2)); break;
                case 2: e.Fill(0xFF); break;
                case 3: e.Clear(); e[0] = 0x80; break;
                case 4: e.Clear(); e[0] = 0xFF; e[^1] = 0xFF; break;
                case 5: ModExpTestSupport.ToBytes((m - 2) & ((BigInteger.One << (8 * exponentLength)) - 1), exponentLength).CopyTo(e); break;
                default: break; // random
            }
        }

        var results = new byte[lanes * len];
        results.AsSpan().Fill(0xA5);
        comb.Pow(exponents, exponentLength, results, lanes);
        for (int lane = 0; lane < lanes; lane++)
        {
            BigInteger x = ModExpTestSupport.ToBig(exponents.AsSpan(lane * exponentLength, exponentLength));
            BigInteger expected = BigInteger.ModPow(g, x, m);
            Assert.True(
                ModExpTestSupport.ToBytes(expected, len).AsSpan().SequenceEqual(results.AsSpan(lane * len, len)),
                $"{len * 8}-bit modulus, {exponentLength}-byte exponent, lane {lane} of {lanes}");
        }
    }
}

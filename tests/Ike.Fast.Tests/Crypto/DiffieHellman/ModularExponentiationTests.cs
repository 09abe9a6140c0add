using System.Numerics;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

public class ModularExponentiationTests
{
    public static TheoryData<int, int> RandomCases => new()
    {
        // bits, iterations (fewer for the large groups: BigInteger.ModPow is the slow side of the comparison).
        { 768, 700 },
        { 1024, 700 },
        { 1536, 400 },
        { 2048, 250 },
        { 3072, 100 },
        { 4096, 40 },
        { 6144, 12 },
        { 8192, 8 },
    };

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Matches_BigInteger_ModPow_for_random_bases_and_exponents(int bits, int iterations)
    {
        ModpGroup group = ModpPrimesTests.GroupOfBits(bits);
        BigInteger p = ToBig(group.PrimeBytes);
        var random = new Random(bits * 7919);
        var result = new byte[group.ByteLength];
        for (int i = 0; i < iterations; i++)
        {
            // Mostly short exponents (the default policy); every eighth is full length (only the first for the
            // two largest groups), and lengths vary so every window alignment and partial leading window occur.
            bool full = i % 8 == 0 && (bits < 6144 || i == 0);
            int exponentLength = full ? group.ByteLength : random.Next(0, Math.Min(group.ByteLength, 48) + 1);
            byte[] exponent = new byte[exponentLength];
            random.NextBytes(exponent);
            byte[] @base = new byte[random.Next(1, group.ByteLength + 1)];
            random.NextBytes(@base);

            ModularExponentiation.ModExp(@base, exponent, group, result);

            BigInteger expected = BigInteger.ModPow(ToBig(@base), ToBig(exponent), p);
            Assert.Equal(expected, ToBig(result));
        }
    }

    [Theory]
    [InlineData(768)]
    [InlineData(1024)]
    [InlineData(1536)]
    [InlineData(2048)]
    [InlineData(3072)]
    [InlineData(4096)]
    [InlineData(6144)]
    [InlineData(8192)]
    public void Edge_cases_match_BigInteger(int bits)
    {
        ModpGroup group = ModpPrimesTests.GroupOfBits(bits);
        BigInteger p = ToBig(group.PrimeBytes);
        byte[] pMinusOne = group.PrimeMinusOneBytes;
        byte[] allOnes = Enumerable.Repeat((byte)0xFF, group.ByteLength).ToArray();
        byte[][] bases = [[0], [1], [2], pMinusOne, group.PrimeBytes, allOnes, new byte[group.ByteLength]];
        byte[][] exponents = [[], [0], [1], [2], [0, 0, 0, 0], new byte[32], Enumerable.Repeat((byte)0xFF, 32).ToArray(), pMinusOne[..24]];
        var result = new byte[group.ByteLength];
        foreach (byte[] b in bases)
        {
            foreach (byte[] e in exponents)
            {
                ModularExponentiation.ModExp(b, e, group, result);
                Assert.Equal(BigInteger.ModPow(ToBig(b), ToBig(e), p), ToBig(result));
            }
        }

        // Fermat: 2^(p-1) = 1 with a full-length exponent (the generator of every group is 2).
        ModularExponentiation.ModExp([2], pMinusOne, group, result);
        Assert.Equal(BigInteger.One, ToBig(result));
    }

    [Fact]
    public void Does_not_allocate()
    {
        ModpGroup group = ModpGroup.Modp2048;
        byte[] @base = new byte[group.ByteLength];
        byte[] exponent = new byte[32];
        byte[] result = new byte[group.ByteLength];
        new Random(1).NextBytes(@base);
        new Random(2).NextBytes(exponent);
        ModularExponentiation.ModExp(@base, exponent, group, result); // warm-up (JIT, statics)
        ModularExponentiation.ModExp(@base, group.PrimeMinusOneBytes, group, result);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            ModularExponentiation.ModExp(@base, exponent, group, result);
        }

        ModularExponentiation.ModExp(@base, group.PrimeMinusOneBytes, group, result);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
    }

    [Theory]
    [InlineData(768, 32)]
    [InlineData(2048, 32)]
    [InlineData(2048, 256)]
    [InlineData(3072, 33)]
    [InlineData(8192, 50)]
    public void Work_does_not_depend_on_exponent_bits(int bits, int exponentLength)
    {
        ModpGroup group = ModpPrimesTests.GroupOfBits(bits);
        byte[] result = new byte[group.ByteLength];
        byte[] @base = [3];
        var zeros = default(CountingModExpWorkCounter);
        ModularExponentiation.ModExp(@base, new byte[exponentLength], group, result, ref zeros);
        var ones = default(CountingModExpWorkCounter);
        ModularExponentiation.ModExp(@base, Enumerable.Repeat((byte)0xFF, exponentLength).ToArray(), group, result, ref ones);
        var mixed = default(CountingModExpWorkCounter);
        byte[] random = new byte[exponentLength];
        new Random(bits).NextBytes(random);
        ModularExponentiation.ModExp(@base, random, group, result, ref mixed);

        Assert.Equal(zeros, ones);
        Assert.Equal(zeros, mixed);
        int w = ModularExponentiation.WindowBits(exponentLength * 8);
        int windows = ((exponentLength * 8) + w - 1) / w;
        Assert.Equal(windows * (1 << w), zeros.TableEntriesRead);
        Assert.True(zeros.Squares >= (exponentLength * 8) - w);
    }

    [Theory]
    [InlineData(DhGroupId.Modp768, 60)]
    [InlineData(DhGroupId.Modp1024, 60)]
    [InlineData(DhGroupId.Modp1536, 40)]
    [InlineData(DhGroupId.Modp2048, 40)]
    [InlineData(DhGroupId.Modp3072, 10)]
    [InlineData(DhGroupId.Modp4096, 6)]
    [InlineData(DhGroupId.Modp6144, 3)]
    [InlineData(DhGroupId.Modp8192, 2)]
    public void Fixed_base_generator_table_matches_the_generic_ladder(DhGroupId id, int iterations)
    {
        DhGroup group = DhGroupRegistry.Get(id);
        FixedBaseTable table = group.GeneratorTable;
        FixedBaseTable scalarTable = FixedBaseTable.Create(group.Modp!, group.ShortExponentBits / 8, allowVector: false);
        Assert.False(scalarTable.IsVector);
        var random = new Random((int)id);
        byte[] expected = new byte[group.Modp!.ByteLength];
        byte[] actual = new byte[group.Modp.ByteLength];
        for (int i = 0; i < iterations; i++)
        {
            byte[] exponent = new byte[group.ShortExponentBits / 8];
            if (i == 1)
            {
                Array.Fill(exponent, (byte)0xFF);
            }
            else if (i > 1)
            {
                random.NextBytes(exponent);
            }

            ModularExponentiation.ModExp([2], exponent, group.Modp, expected);
            ModularExponentiation.ModExpFixedBase(table, exponent, actual);
            Assert.Equal(expected, actual);
            ModularExponentiation.ModExpFixedBase(scalarTable, exponent, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Fixed_base_work_and_allocation_do_not_depend_on_the_exponent()
    {
        DhGroup group = DhGroupRegistry.Get(DhGroupId.Modp2048);
        FixedBaseTable table = group.GeneratorTable;
        byte[] result = new byte[256];
        var zeros = default(CountingModExpWorkCounter);
        ModularExponentiation.ModExpFixedBase(table, new byte[32], result, ref zeros);
        var ones = default(CountingModExpWorkCounter);
        ModularExponentiation.ModExpFixedBase(table, Enumerable.Repeat((byte)0xFF, 32).ToArray(), result, ref ones);
        Assert.Equal(zeros, ones);
        Assert.Equal(64 * FixedBaseTable.Entries, zeros.TableEntriesRead);
        Assert.Equal(0, zeros.Squares);

        byte[] exponent = new byte[32];
        new Random(3).NextBytes(exponent);
        ModularExponentiation.ModExpFixedBase(table, exponent, result);
        // Up to three windows, one of which must allocate exactly 0 B: in a full-suite run the runtime (tiering, type
        // loading) now and then charges a one-off allocation to this thread (3,912 B once in CI), which is not ours.
        long allocated = -1;
        for (int window = 0; window < 3 && allocated != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                ModularExponentiation.ModExpFixedBase(table, exponent, result);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Every_window_width_gives_the_same_result()
    {
        ModpGroup group = ModpGroup.Modp1536;
        BigInteger p = ToBig(group.PrimeBytes);
        var random = new Random(77);
        byte[] result = new byte[group.ByteLength];
        for (int i = 0; i < 12; i++)
        {
            byte[] @base = new byte[group.ByteLength];
            random.NextBytes(@base);
            byte[] exponent = new byte[random.Next(1, 70)];
            random.NextBytes(exponent);
            BigInteger expected = BigInteger.ModPow(ToBig(@base), ToBig(exponent), p);
            for (int w = 1; w <= ModularExponentiation.MaxWindowBits; w++)
            {
                var counter = default(CountingModExpWorkCounter);
                ModularExponentiation.ModExp(@base, exponent, group, result, w, ref counter);
                Assert.Equal(expected, ToBig(result));
            }
        }
    }

    [Fact]
    public void Rejects_misuse_with_exceptions()
    {
        ModpGroup group = ModpGroup.Modp768;
        Assert.Throws<ArgumentException>(() => ModularExponentiation.ModExp([2], [1], group, new byte[group.ByteLength - 1]));
        Assert.Throws<ArgumentException>(() => ModularExponentiation.ModExp(new byte[group.ByteLength + 1], [1], group, new byte[group.ByteLength]));
    }

    internal static BigInteger ToBig(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);
}

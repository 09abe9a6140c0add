using System.Numerics;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

/// <summary>The AVX-512 path must give exactly the portable path's results (and BigInteger's).</summary>
public class VectorMontgomeryArithmeticTests
{
    public static TheoryData<int> VectorGroups => [768, 1024, 1536, 2048, 3072, 4096, 6144, 8192];

    [Fact]
    public void Vector_constants_exist_for_every_group()
    {
        foreach (ModpGroup group in ModpPrimesTests.AllGroups())
        {
            Assert.NotNull(group.Vector);
            Assert.Equal(group.Bits > 3072, group.Vector.NeedsNormalization);
            if (group.Vector is { } vm)
            {
                Assert.True(vm.LimbCount * VectorModulus.LimbBits >= group.Bits + 2); // R > 4p
                Assert.Equal(0, vm.LimbCount % VectorModulus.LanesPerVector);
                Assert.Equal(1UL, vm.K0);
            }
        }
    }

    [Theory]
    [MemberData(nameof(VectorGroups))]
    public void Vector_and_scalar_ladders_agree(int bits)
    {
        if (!VectorMontgomeryArithmetic.IsSupported)
        {
            return; // nothing to compare on this CPU; the scalar path is covered by the other tests
        }

        ModpGroup group = ModpPrimesTests.GroupOfBits(bits);
        BigInteger p = ModularExponentiationTests.ToBig(group.PrimeBytes);
        var random = new Random(bits + 1);
        byte[] scalar = new byte[group.ByteLength];
        byte[] vector = new byte[group.ByteLength];
        for (int i = 0; i < (bits <= 3072 ? 40 : 8); i++)
        {
            byte[] @base = new byte[group.ByteLength];
            random.NextBytes(@base);
            if (i == 0)
            {
                Array.Fill(@base, (byte)0xFF); // above p: the ladder must still reduce fully
            }
            else if (i == 1)
            {
                group.PrimeMinusOneBytes.CopyTo(@base, 0);
            }
            else if (i == 2)
            {
                group.PrimeBytes.CopyTo(@base, 0);
            }

            byte[] exponent = new byte[i == 3 && bits <= 3072 ? group.ByteLength : random.Next(0, 40)];
            random.NextBytes(exponent);
            int w = 1 + (i % ModularExponentiation.MaxWindowBits);
            var c1 = default(CountingModExpWorkCounter);
            var c2 = default(CountingModExpWorkCounter);
            ModularExponentiation.ModExpScalar(@base, exponent, group, scalar, w, ref c1);
            ModularExponentiation.ModExpVector(@base, exponent, group, vector, w, ref c2);
            Assert.Equal(scalar, vector);
            Assert.Equal(c1, c2);
            Assert.Equal(BigInteger.ModPow(ModularExponentiationTests.ToBig(@base), ModularExponentiationTests.ToBig(exponent), p), ModularExponentiationTests.ToBig(vector));
        }
    }

    [Theory]
    [MemberData(nameof(VectorGroups))]
    public void Register_and_memory_forms_agree(int bits)
    {
        if (!VectorMontgomeryArithmetic.IsSupported)
        {
            return;
        }

        VectorModulus vm = ModpPrimesTests.GroupOfBits(bits).Vector!;
        int limbs = vm.LimbCount;
        var random = new Random(bits + 2);
        var a = new ulong[limbs];
        var b = new ulong[limbs];
        var r1 = new ulong[limbs];
        var r2 = new ulong[limbs];
        var scratch = new ulong[limbs];
        for (int i = 0; i < 200; i++)
        {
            // Normalised limbs of values below 2^bits (< 2p).
            for (int j = 0; j < limbs; j++)
            {
                bool inRange = (j + 1) * VectorModulus.LimbBits <= bits;
                a[j] = inRange ? (ulong)random.NextInt64() & VectorModulus.LimbMask : 0;
                b[j] = inRange ? (ulong)random.NextInt64() & VectorModulus.LimbMask : 0;
            }

            VectorMontgomeryArithmetic.Multiply(r1, a, b, vm, scratch);
            if (VectorMontgomeryArithmetic.HasAvx512)
            {
                VectorMontgomeryArithmetic.MultiplyInMemory(r2, a, b, vm, scratch);
                Assert.Equal(r1, r2);
            }

            if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            {
                VectorMontgomeryArithmetic.MultiplyAvx2(r2, a, b, vm, scratch);
                Assert.Equal(r1, r2);
            }

            // And the portable arithmetic agrees after conversion: a b 2^(-28 L) ≡ r1 (mod p).
            if (i < 20)
            {
                BigInteger p = ModularExponentiationTests.ToBig(ModpPrimesTests.GroupOfBits(bits).PrimeBytes);
                BigInteger expected = FromLimbs(a) * FromLimbs(b) % p;
                Assert.Equal(expected, FromLimbs(r1) * BigInteger.Pow(2, VectorModulus.LimbBits * limbs) % p);
                Assert.True(FromLimbs(r1) < 2 * p);
            }
            Assert.All(r1, limb => Assert.True(limb <= VectorModulus.LimbMask));
        }
    }

    private static BigInteger FromLimbs(ulong[] limbs)
    {
        BigInteger value = BigInteger.Zero;
        for (int j = limbs.Length - 1; j >= 0; j--)
        {
            value = (value << VectorModulus.LimbBits) + limbs[j];
        }

        return value;
    }

    [Fact]
    public void Scalar_ladder_matches_BigInteger_on_every_machine()
    {
        // The dispatching entry uses the vector path here when AVX-512 exists; pin the portable one too.
        var random = new Random(99);
        foreach (ModpGroup group in ModpPrimesTests.AllGroups())
        {
            BigInteger p = ModularExponentiationTests.ToBig(group.PrimeBytes);
            byte[] result = new byte[group.ByteLength];
            for (int i = 0; i < (group.Bits <= 2048 ? 40 : 4); i++)
            {
                byte[] @base = new byte[group.ByteLength];
                random.NextBytes(@base);
                byte[] exponent = new byte[random.Next(0, 36)];
                random.NextBytes(exponent);
                var counter = default(CountingModExpWorkCounter);
                ModularExponentiation.ModExpScalar(@base, exponent, group, result, ModularExponentiation.WindowBits(exponent.Length * 8), ref counter);
                Assert.Equal(BigInteger.ModPow(ModularExponentiationTests.ToBig(@base), ModularExponentiationTests.ToBig(exponent), p), ModularExponentiationTests.ToBig(result));
            }
        }
    }
}

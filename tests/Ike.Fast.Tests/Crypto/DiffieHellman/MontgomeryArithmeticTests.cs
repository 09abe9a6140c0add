using System.Numerics;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

public class MontgomeryArithmeticTests
{
    [Fact]
    public void Vector_and_scalar_table_select_agree_for_every_index()
    {
        var random = new Random(5);
        foreach (int n in new[] { 12, 16, 32, 128 })
        {
            for (int entries = 2; entries <= 64; entries *= 2)
            {
                ulong[] table = new ulong[n * entries];
                for (int i = 0; i < table.Length; i++)
                {
                    table[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
                }

                var scalar = new ulong[n];
                var vector = new ulong[n];
                for (int index = 0; index < entries; index++)
                {
                    MontgomeryArithmetic.SelectScalar(scalar, table, n, entries, index);
                    MontgomeryArithmetic.SelectVector256(vector, table, n, entries, index);
                    Assert.Equal(table.AsSpan(index * n, n).ToArray(), scalar);
                    Assert.Equal(scalar, vector);
                }
            }
        }
    }

    [Fact]
    public void Square_equals_multiply_by_itself_and_matches_BigInteger()
    {
        var random = new Random(9);
        foreach (ModpGroup group in ModpPrimesTests.AllGroups())
        {
            int n = group.LimbCount;
            BigInteger p = ModularExponentiationTests.ToBig(group.PrimeBytes);
            BigInteger r = BigInteger.One << (64 * n);
            var t = new ulong[2 * n];
            for (int i = 0; i < 40; i++)
            {
                byte[] bytes = new byte[group.ByteLength];
                random.NextBytes(bytes);
                if (i == 0)
                {
                    group.PrimeMinusOneBytes.CopyTo(bytes, 0); // largest reduced value
                }

                BigInteger a = ModularExponentiationTests.ToBig(bytes) % p;
                var limbs = new ulong[n];
                MontgomeryArithmetic.LoadBigEndian(ToBytes(a, group.ByteLength), limbs);
                var square = new ulong[n];
                var product = new ulong[n];
                MontgomeryArithmetic.Square(square, limbs, group, t);
                MontgomeryArithmetic.Multiply(product, limbs, limbs, group, t);
                Assert.Equal(product, square);
                var output = new byte[group.ByteLength];
                MontgomeryArithmetic.StoreBigEndian(square, n, output);
                // square = a^2 R^-1 mod p  <=>  square * R = a^2 (mod p), and square is fully reduced.
                BigInteger square2 = ModularExponentiationTests.ToBig(output);
                Assert.True(square2 < p);
                Assert.Equal(a * a % p, square2 * r % p);
            }
        }
    }

    [Fact]
    public void Bmi2_and_portable_multiplication_agree()
    {
        var random = new Random(11);
        ulong[] special = [0, 1, ulong.MaxValue, ulong.MaxValue - 1, 1UL << 63];
        for (int i = 0; i < 20000; i++)
        {
            ulong a = i < special.Length * special.Length ? special[i % special.Length] : (ulong)random.NextInt64() * 3;
            ulong b = i < special.Length * special.Length ? special[i / special.Length] : (ulong)random.NextInt64() * 5;
            ulong hiP = MontgomeryArithmetic.MulPortable(a, b, out ulong loP);
            Assert.Equal((UInt128)a * b, new UInt128(hiP, loP));
            if (System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported)
            {
                ulong hiB = MontgomeryArithmetic.MulBmi2(a, b, out ulong loB);
                Assert.Equal((hiP, loP), (hiB, loB));
            }
        }
    }

    private static byte[] ToBytes(BigInteger value, int length)
    {
        var result = new byte[length];
        int count = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(result.AsSpan(length - count), out _, isUnsigned: true, isBigEndian: true);
        return result;
    }
}

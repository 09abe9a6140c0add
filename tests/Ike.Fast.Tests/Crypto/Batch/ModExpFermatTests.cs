using System.Numerics;
using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>
/// Full-length exponents on every lane, checked without BigInteger.ModPow (too slow at 8192 bits): for a prime p
/// and x != 0, x^(p-1) = 1 and x * x^(p-2) = 1 (Fermat's little theorem).
/// </summary>
public class ModExpFermatTests
{
    [ModExpTierTheory(ModExpTier.Ifma)]
    [InlineData(768)]
    [InlineData(1024)]
    [InlineData(1536)]
    [InlineData(2048)]
    [InlineData(3072)]
    [InlineData(4096)]
    [InlineData(6144)]
    [InlineData(8192)]
    public void Ifma_full_length_exponents_satisfy_Fermat(int bits) => Check(ModExpTier.Ifma, bits);

    [ModExpTierTheory(ModExpTier.Avx512)]
    [InlineData(768)]
    [InlineData(2048)]
    [InlineData(4096)]
    public void Avx512_full_length_exponents_satisfy_Fermat(int bits) => Check(ModExpTier.Avx512, bits);

    [ModExpTierTheory(ModExpTier.Avx2)]
    [InlineData(1024)]
    [InlineData(2048)]
    public void Avx2_full_length_exponents_satisfy_Fermat(int bits) => Check(ModExpTier.Avx2, bits);

    [Theory]
    [InlineData(1536)]
    [InlineData(2048)]
    public void Scalar_full_length_exponents_satisfy_Fermat(int bits) => Check(ModExpTier.Scalar, bits);

    private static void Check(ModExpTier tier, int bits)
    {
        byte[] prime = ModExpTestSupport.Prime(bits);
        BigInteger p = ModExpTestSupport.ToBig(prime);
        int len = prime.Length;
        var random = new Random(bits);
        var bases = new byte[8 * len];
        var exponents = new byte[8 * len];
        var results = new byte[8 * len];
        for (int lane = 0; lane < 8; lane++)
        {
            Span<byte> b = bases.AsSpan(lane * len, len);
            do
            {
                ModExpTestSupport.RandomBase(random, p, b);
            }
            while (ModExpTestSupport.ToBig(b).IsZero);

            ModExpTestSupport.ToBytes(p - 1 - (lane & 1), len).CopyTo(exponents, lane * len);
        }

        using IModExpLaneKernel kernel = ModExpTestSupport.Create(tier, prime);
        kernel.ModPow(bases, exponents, len, results, 8);

        for (int lane = 0; lane < 8; lane++)
        {
            BigInteger x = ModExpTestSupport.ToBig(bases.AsSpan(lane * len, len));
            BigInteger r = ModExpTestSupport.ToBig(results.AsSpan(lane * len, len));
            Assert.Equal(BigInteger.One, (lane & 1) == 0 ? r : r * x % p);
        }
    }
}

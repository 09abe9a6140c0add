using CsCheck;
using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>
/// CsCheck properties: for generated (lanes, exponent length, input seed), every lane equals BigInteger.ModPow.
/// A failure prints the CsCheck seed that reproduces it. One thread: a kernel is single-threaded.
/// </summary>
public class ModExpPropertyTests
{
    private static readonly Gen<(int Lanes, int ExponentLength, int Seed)> Cases =
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 64], Gen.Int);

    [ModExpTierTheory(ModExpTier.Ifma)]
    [InlineData(1536, 150)]
    [InlineData(2048, 150)]
    public void Ifma_lanes_equal_ModPow(int bits, int iterations) => Check(ModExpTier.Ifma, bits, iterations);

    [ModExpTierTheory(ModExpTier.Avx512)]
    [InlineData(1536, 40)]
    [InlineData(2048, 40)]
    public void Avx512_lanes_equal_ModPow(int bits, int iterations) => Check(ModExpTier.Avx512, bits, iterations);

    [ModExpTierTheory(ModExpTier.Avx2)]
    [InlineData(2048, 25)]
    public void Avx2_lanes_equal_ModPow(int bits, int iterations) => Check(ModExpTier.Avx2, bits, iterations);

    private static void Check(ModExpTier tier, int bits, int iterations)
    {
        byte[] prime = ModExpTestSupport.Prime(bits);
        using IModExpLaneKernel kernel = ModExpTestSupport.Create(tier, prime);
        Cases.Sample(
            (lanes, exponentLength, seed) => ModExpTestSupport.CheckRandomBatch(kernel, prime, new Random(seed), lanes, exponentLength),
            iter: iterations,
            threads: 1);
    }
}

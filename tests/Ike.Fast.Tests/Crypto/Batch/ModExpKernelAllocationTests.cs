using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>Every tier's ModPow allocates nothing once created (scratch lives in the kernel).</summary>
public class ModExpKernelAllocationTests
{
    [Theory]
    [InlineData(ModExpTier.Scalar)]
    [InlineData(ModExpTier.Avx2)]
    [InlineData(ModExpTier.Avx512)]
    [InlineData(ModExpTier.Ifma)]
    public void ModPow_allocates_nothing_in_steady_state(ModExpTier tier)
    {
        if (!ModExpTestSupport.IsSupported(tier))
        {
            return; // the tier-specific tests report the skip
        }

        byte[] prime = ModExpTestSupport.Prime(768);
        using IModExpLaneKernel kernel = ModExpTestSupport.Create(tier, prime);
        var bases = new byte[8 * prime.Length];
        var exponents = new byte[8 * 32];
        var results = new byte[8 * prime.Length];
        new Random(3).NextBytes(exponents);
        for (int lane = 0; lane < 8; lane++)
        {
            bases[((lane + 1) * prime.Length) - 1] = (byte)(lane + 2);
        }

        kernel.ModPow(bases, exponents, 32, results, 8);
        kernel.ModPow(bases, exponents, 3, results, 5);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 4; i++)
        {
            kernel.ModPow(bases, exponents, 32, results, 8);
            kernel.ModPow(bases, exponents, 3, results, 5);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

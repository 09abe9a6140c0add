using System.Runtime.Intrinsics;
using Ike.Fast.Crypto.Batch;
using Ike.Native.ModExp;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>
/// The work a kernel does (Montgomery multiplications, table entries read) must depend on the exponent length
/// only: all-zero, all-one and random exponents of the same length count the same. (The code has no
/// exponent-dependent branch or index by construction; this guards against regressions such as skipping zero
/// windows.)
/// </summary>
public class ModExpConstantTimeTests
{
    [Fact]
    public void Managed_scalar_body_work_does_not_depend_on_exponent_values()
    {
        using var kernel = new ManagedModExpKernel<ScalarLaneMath, ulong>(ModExpTestSupport.Prime(768), ModExpTier.Scalar);
        AssertSameWork(kernel.ModulusLength, (b, e, l, r) => kernel.ModPow(b, e, l, r, 8), () => (kernel.Multiplications, kernel.TableReads));
    }

    [ModExpTierFact(ModExpTier.Avx512)]
    public void Managed_avx512_work_does_not_depend_on_exponent_values()
    {
        using var kernel = new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(ModExpTestSupport.Prime(2048), ModExpTier.Avx512);
        AssertSameWork(kernel.ModulusLength, (b, e, l, r) => kernel.ModPow(b, e, l, r, 8), () => (kernel.Multiplications, kernel.TableReads));
    }

    [ModExpTierFact(ModExpTier.Avx2)]
    public void Managed_avx2_work_does_not_depend_on_exponent_values()
    {
        using var kernel = new ManagedModExpKernel<Avx2LaneMath, Vector256<ulong>>(ModExpTestSupport.Prime(1024), ModExpTier.Avx2);
        AssertSameWork(kernel.ModulusLength, (b, e, l, r) => kernel.ModPow(b, e, l, r, 8), () => (kernel.Multiplications, kernel.TableReads));
    }

    [ModExpTierFact(ModExpTier.Ifma)]
    public void Native_ifma_work_does_not_depend_on_exponent_values()
    {
        using var kernel = new IfmaModExpKernel(ModExpTestSupport.Prime(2048));
        AssertSameWork(
            kernel.ModulusLength,
            (b, e, l, r) => kernel.ModPow(b, e, l, r, 8),
            () =>
            {
                var c = kernel.ReadCounters();
                return ((long)c.Multiplications, (long)c.TableReads);
            });
    }

    private delegate void Run(byte[] bases, byte[] exponents, int exponentLength, byte[] results);

    private static void AssertSameWork(int modulusLength, Run run, Func<(long Multiplications, long TableReads)> counters)
    {
        var random = new Random(9);
        var bases = new byte[8 * modulusLength];
        for (int lane = 0; lane < 8; lane++)
        {
            bases[(lane * modulusLength) + modulusLength - 1] = (byte)(2 + lane);
        }

        var results = new byte[8 * modulusLength];
        foreach (int exponentLength in (int[])[1, 3, 32, modulusLength])
        {
            var zero = new byte[8 * exponentLength];
            var ones = Enumerable.Repeat((byte)0xFF, 8 * exponentLength).ToArray();
            var mixed = new byte[8 * exponentLength];
            random.NextBytes(mixed);

            (long, long) Work(byte[] exponents)
            {
                var before = counters();
                run(bases, exponents, exponentLength, results);
                var after = counters();
                return (after.Multiplications - before.Multiplications, after.TableReads - before.TableReads);
            }

            var zeroWork = Work(zero);
            Assert.Equal(zeroWork, Work(ones));
            Assert.Equal(zeroWork, Work(mixed));
            Assert.True(zeroWork.Item1 > 0 && zeroWork.Item2 > 0);
        }
    }
}

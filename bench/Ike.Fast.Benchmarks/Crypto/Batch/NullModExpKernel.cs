using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>A kernel that leaves the results as they are: see <see cref="NullModExpKernelFactory"/>.</summary>
internal sealed class NullModExpKernel(int modulusLength) : IModExpLaneKernel
{
    public ModExpTier Tier => ModExpTier.Ifma;

    public int MaxLanes => 8;

    public int ModulusLength => modulusLength;

    public void ModPow(ReadOnlySpan<byte> bases, ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results, int lanes)
    {
    }

    public void Dispose()
    {
    }
}

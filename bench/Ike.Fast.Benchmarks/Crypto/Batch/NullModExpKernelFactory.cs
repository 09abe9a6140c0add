using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// A factory of kernels that compute nothing (they pose as the IFMA tier): run through a <see cref="ModExpBatcher"/>
/// they leave only the batcher's own cost (copies, ring bookkeeping, callbacks, wiping) on the clock.
/// </summary>
internal sealed class NullModExpKernelFactory : IModExpKernelFactory
{
    public ModExpTier Tier => ModExpTier.Ifma;

    public bool IsSupported => true;

    public IModExpLaneKernel Create(ReadOnlySpan<byte> modulus) => new NullModExpKernel(modulus.Length);
}

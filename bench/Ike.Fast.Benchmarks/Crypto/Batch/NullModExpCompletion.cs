using Ike.Fast.Crypto.Batch;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>An owner that ignores its results, so benchmarks time only the batcher and the kernel.</summary>
internal sealed class NullModExpCompletion : IModExpCompletion
{
    public void OnModExpCompleted(long token, ReadOnlySpan<byte> result)
    {
    }
}

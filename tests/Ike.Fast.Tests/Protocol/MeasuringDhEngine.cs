using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Wraps a DH engine and sums the bytes allocated on this thread inside its calls, so an allocation test can tell
/// the protocol engine's own allocations from the DH engine's (key objects belong to the DH engine).
/// </summary>
internal sealed class MeasuringDhEngine(IDhEngine inner) : IDhEngine
{
    public long AllocatedBytes { get; private set; }

    public int Operations { get; private set; }

    /// <summary>Stopwatch ticks spent inside the DH engine (for reports only: tests never assert time).</summary>
    public long ElapsedTicks { get; private set; }

    public DhResult Execute(in DhRequest request)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        DhResult result = inner.Execute(request);
        ElapsedTicks += System.Diagnostics.Stopwatch.GetTimestamp() - started;
        AllocatedBytes += GC.GetAllocatedBytesForCurrentThread() - before;
        Operations++;
        return result;
    }
}

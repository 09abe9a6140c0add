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

    public DhResult Execute(in DhRequest request)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        DhResult result = inner.Execute(request);
        AllocatedBytes += GC.GetAllocatedBytesForCurrentThread() - before;
        Operations++;
        return result;
    }
}

namespace Ike.Native.ModExp;

/// <summary>
/// Reads a native IFMA context's work counters (multiplications, table entries read, calls): the constant-time tests
/// compare them across exponents. One reader for the variable-base and the fixed-base contexts, whose counter entry
/// points share a signature.
/// </summary>
internal static unsafe class IfmaWorkCounters
{
    public static (ulong Multiplications, ulong TableReads, ulong Calls) Read(
        void* context, delegate*<void*, ulong*, int, int> read, string entryPoint)
    {
        ulong* counters = stackalloc ulong[Interop.IkeFastNative.CounterCount];
        int copied = read(context, counters, Interop.IkeFastNative.CounterCount);
        if (copied != Interop.IkeFastNative.CounterCount)
        {
            throw new InvalidOperationException($"{entryPoint} returned {copied}.");
        }

        return (counters[Interop.IkeFastNative.CounterMultiplications],
            counters[Interop.IkeFastNative.CounterTableReads],
            counters[Interop.IkeFastNative.CounterCalls]);
    }
}

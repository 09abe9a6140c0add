using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>
/// A BenchmarkDotNet clock that reads the calling thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID, nanoseconds)
/// instead of the wall clock. The build machine is shared by several busy processes on two cores: wall-clock times
/// there measure the scheduler as much as the code, while the CPU time the benchmark thread spent is what the
/// issue's "operations per second per core" means. Only meaningful with an in-process toolchain (the workload
/// runs on the thread that reads the clock).
/// </summary>
internal sealed partial class ThreadCpuClock : IClock
{
    private const int ClockThreadCpuTimeId = 3;

    internal static readonly ThreadCpuClock Instance = new();

    public string Title => "ThreadCpuTime";

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => new(1_000_000_000);

    public long GetTimestamp()
    {
        Span<long> timespec = stackalloc long[2];
        _ = ClockGetTime(ClockThreadCpuTimeId, ref MemoryMarshal.GetReference(timespec));
        return (timespec[0] * 1_000_000_000L) + timespec[1];
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, ref long timespec);
}

using System.Diagnostics;
using System.Globalization;

namespace Ike.Fast.LoadTest;

/// <summary>
/// CPU time of single threads (Linux: <c>/proc/self/task/TID/schedstat</c>, nanoseconds on the CPU) and of the whole
/// process. With the embedded responder in the same process, the responder's loop thread is measured on its own and
/// everything else (generator threads, socket completions, GC, JIT) is charged to the generator: the generator's
/// figure is an upper bound.
/// </summary>
internal static class ThreadCpu
{
    /// <summary>The calling thread's kernel id (from the <c>/proc/thread-self</c> link), or 0 where there is none.</summary>
    public static int CurrentThreadId()
    {
        try
        {
            // "/proc/thread-self" -> "<pid>/task/<tid>"
            FileSystemInfo? target = new FileInfo("/proc/thread-self").ResolveLinkTarget(returnFinalTarget: false);
            return target is null ? 0 : int.Parse(Path.GetFileName(target.FullName), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or PlatformNotSupportedException)
        {
            return 0;
        }
    }

    /// <summary>CPU time of one thread of this process, or null when it cannot be read (thread gone, not Linux).</summary>
    public static TimeSpan? OfThread(int tid)
    {
        if (tid == 0)
        {
            return null;
        }

        try
        {
            string text = File.ReadAllText($"/proc/self/task/{tid}/schedstat");
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            long ns = long.Parse(space < 0 ? text.AsSpan().Trim() : text.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture);
            return TimeSpan.FromTicks(ns / 100);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU time (user + system) of another process, from <c>/proc/PID/stat</c> fields 14 and 15 in clock ticks
    /// (proc(5); USER_HZ is 100 on Linux), or null when it cannot be read.
    /// </summary>
    public static TimeSpan? OfOtherProcess(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
            string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Kernel ids of this process's threads (<c>/proc/self/task</c>), empty where there is none.</summary>
    public static HashSet<int> ThreadIds()
    {
        var ids = new HashSet<int>();
        try
        {
            foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
                {
                    ids.Add(tid);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return ids;
    }

    /// <summary>
    /// The threads named <paramref name="namePrefix"/> (the kernel's 15-character <c>comm</c>) that appeared since
    /// <paramref name="before"/>: helper threads a component started while it was built (a DH engine's batch worker),
    /// so their CPU is charged to that component rather than to "other".
    /// </summary>
    public static int[] NewThreads(HashSet<int> before, string namePrefix)
    {
        var found = new List<int>();
        foreach (int tid in ThreadIds())
        {
            if (before.Contains(tid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText($"/proc/self/task/{tid}/comm").StartsWith(namePrefix, StringComparison.Ordinal))
                {
                    found.Add(tid);
                }
            }
            catch (IOException)
            {
                // the thread ended
            }
        }

        return [.. found];
    }

    /// <summary>Summed CPU time of <paramref name="tids"/> (threads that cannot be read count zero).</summary>
    public static TimeSpan OfThreads(IReadOnlyList<int> tids)
    {
        TimeSpan sum = TimeSpan.Zero;
        foreach (int tid in tids)
        {
            sum += OfThread(tid) ?? TimeSpan.Zero;
        }

        return sum;
    }

    /// <summary>CPU time of the whole process (user + system, all threads including exited ones).</summary>
    public static TimeSpan OfProcess()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }
}

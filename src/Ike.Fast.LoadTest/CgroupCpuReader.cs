using System.Globalization;

namespace Ike.Fast.LoadTest;

/// <summary>
/// CPU time of every task of one control group (<c>--responder-cgroup</c>): the responder's threads and processes,
/// its children, and those that exited during the run, all charged by the scheduler in nanoseconds, not sampled at
/// the 10 ms tick as <c>/proc/PID/stat</c>'s utime and stime are.
/// <list type="bullet">
/// <item>cgroup v2: <c>cpu.stat</c>, line <c>usage_usec</c> (microseconds; a core file present in every group, with or
/// without the cpu controller; Documentation/admin-guide/cgroup-v2.rst, "Core Interface Files" / "CPU").</item>
/// <item>cgroup v1: <c>cpuacct.usage</c> of the cpuacct hierarchy (one number, nanoseconds;
/// Documentation/admin-guide/cgroup-v1/cpuacct.rst).</item>
/// </list>
/// </summary>
internal sealed class CgroupCpuReader
{
    /// <summary>cgroup v2's CPU statistics file.</summary>
    internal const string CpuStatFile = "cpu.stat";

    /// <summary>cgroup v1 cpuacct's total usage file.</summary>
    internal const string CpuacctUsageFile = "cpuacct.usage";

    private const string UsageUsecKey = "usage_usec";

    private readonly string _file;

    private CgroupCpuReader(string directory, string file, bool isVersion2)
    {
        GroupDirectory = directory;
        _file = file;
        IsVersion2 = isVersion2;
    }

    /// <summary>The group's directory (e.g. <c>/sys/fs/cgroup/race-1234-mm-psk-31-ikefast</c>).</summary>
    public string GroupDirectory { get; }

    /// <summary>True for cgroup v2 (<c>cpu.stat</c>), false for v1 (<c>cpuacct.usage</c>).</summary>
    public bool IsVersion2 { get; }

    /// <summary>Names the figure's source for reports: <c>cgroup-v2</c> or <c>cgroup-v1</c>.</summary>
    public string Source => IsVersion2 ? "cgroup-v2" : "cgroup-v1";

    /// <summary>
    /// A reader for <paramref name="directory"/> when one of the two files is there and reads as a number (v2's
    /// <c>cpu.stat</c> first), otherwise null: the caller falls back to another source.
    /// </summary>
    public static CgroupCpuReader? TryOpen(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var v2 = new CgroupCpuReader(directory, Path.Combine(directory, CpuStatFile), isVersion2: true);
        if (v2.ReadNanoseconds() is not null)
        {
            return v2;
        }

        var v1 = new CgroupCpuReader(directory, Path.Combine(directory, CpuacctUsageFile), isVersion2: false);
        return v1.ReadNanoseconds() is not null ? v1 : null;
    }

    /// <summary>The group's CPU time so far in nanoseconds, or null when the file cannot be read (group removed).</summary>
    public long? ReadNanoseconds()
    {
        string text;
        try
        {
            text = File.ReadAllText(_file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (IsVersion2)
        {
            return TryParseCpuStat(text, out long usec) ? usec * 1000 : null;
        }

        return TryParseCpuacctUsage(text, out long ns) ? ns : null;
    }

    /// <summary>The <c>usage_usec</c> value of a cgroup v2 <c>cpu.stat</c> text ("key value" lines).</summary>
    internal static bool TryParseCpuStat(ReadOnlySpan<char> text, out long usageUsec)
    {
        foreach (Range line in text.Split('\n'))
        {
            ReadOnlySpan<char> l = text[line];
            int space = l.IndexOf(' ');
            if (space > 0 && l[..space].SequenceEqual(UsageUsecKey))
            {
                return long.TryParse(l[(space + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out usageUsec);
            }
        }

        usageUsec = 0;
        return false;
    }

    /// <summary>The number of a cgroup v1 <c>cpuacct.usage</c> text (nanoseconds, one line).</summary>
    internal static bool TryParseCpuacctUsage(ReadOnlySpan<char> text, out long nanoseconds) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out nanoseconds);
}

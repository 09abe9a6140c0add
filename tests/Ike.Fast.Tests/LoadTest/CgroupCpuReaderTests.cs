using Ike.Fast.LoadTest;

namespace Ike.Fast.Tests.LoadTest;

/// <summary>
/// <see cref="CgroupCpuReader"/> on the two kernels' file formats, written to a temporary directory (cgroup v2
/// <c>cpu.stat</c>, v1 <c>cpuacct.usage</c>), and what it does with missing or malformed files.
/// </summary>
public sealed class CgroupCpuReaderTests : IDisposable
{
    // A cgroup v2 cpu.stat as Linux 6.x writes it (the cpu controller's lines follow when it is enabled).
    private const string CpuStatV2 = """
        usage_usec 1234567
        user_usec 1000000
        system_usec 234567
        nice_usec 0
        core_sched.force_idle_usec 0
        nr_periods 0
        nr_throttled 0
        throttled_usec 0

        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("ikefast-cgroup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Version2_CpuStat_UsageUsecInNanoseconds()
    {
        File.WriteAllText(Path.Combine(_dir, "cpu.stat"), CpuStatV2);

        CgroupCpuReader? reader = CgroupCpuReader.TryOpen(_dir);

        Assert.NotNull(reader);
        Assert.True(reader.IsVersion2);
        Assert.Equal("cgroup-v2", reader.Source);
        Assert.Equal(_dir, reader.GroupDirectory);
        Assert.Equal(1_234_567_000L, reader.ReadNanoseconds());
    }

    [Fact]
    public void Version1_CpuacctUsage_Nanoseconds()
    {
        File.WriteAllText(Path.Combine(_dir, "cpuacct.usage"), "1001910971\n");

        CgroupCpuReader? reader = CgroupCpuReader.TryOpen(_dir);

        Assert.NotNull(reader);
        Assert.False(reader.IsVersion2);
        Assert.Equal("cgroup-v1", reader.Source);
        Assert.Equal(1_001_910_971L, reader.ReadNanoseconds());
    }

    [Fact]
    public void BothFiles_Version2First()
    {
        File.WriteAllText(Path.Combine(_dir, "cpu.stat"), CpuStatV2);
        File.WriteAllText(Path.Combine(_dir, "cpuacct.usage"), "5\n");

        Assert.True(CgroupCpuReader.TryOpen(_dir)!.IsVersion2);
    }

    [Fact]
    public void UnreadableCpuStat_FallsBackToCpuacctUsage()
    {
        File.WriteAllText(Path.Combine(_dir, "cpu.stat"), "user_usec 1\nsystem_usec 2\n"); // no usage_usec line
        File.WriteAllText(Path.Combine(_dir, "cpuacct.usage"), "42\n");

        CgroupCpuReader? reader = CgroupCpuReader.TryOpen(_dir);

        Assert.NotNull(reader);
        Assert.False(reader.IsVersion2);
        Assert.Equal(42L, reader.ReadNanoseconds());
    }

    [Fact]
    public void MissingDirectoryOrFiles_Null()
    {
        Assert.Null(CgroupCpuReader.TryOpen(_dir));
        Assert.Null(CgroupCpuReader.TryOpen(Path.Combine(_dir, "gone")));
    }

    [Fact]
    public void GroupRemovedAfterOpening_ReadsNull()
    {
        string group = Directory.CreateDirectory(Path.Combine(_dir, "g")).FullName;
        File.WriteAllText(Path.Combine(group, "cpu.stat"), CpuStatV2);
        CgroupCpuReader reader = CgroupCpuReader.TryOpen(group)!;

        Directory.Delete(group, recursive: true);

        Assert.Null(reader.ReadNanoseconds());
    }

    [Theory]
    [InlineData("usage_usec 0\n", 0L)]
    [InlineData("user_usec 3\nusage_usec 17", 17L)]
    [InlineData("usage_usec 9223372036854775\nuser_usec 1\n", 9_223_372_036_854_775L)]
    public void ParseCpuStat(string text, long expected)
    {
        Assert.True(CgroupCpuReader.TryParseCpuStat(text, out long usec));
        Assert.Equal(expected, usec);
    }

    [Theory]
    [InlineData("")]
    [InlineData("usage_usec\n")]
    [InlineData("usage_usec -1\n")]
    [InlineData("usage_usec x\n")]
    [InlineData("usage 5\n")]
    [InlineData("usage_usec_extra 5\n")]
    public void ParseCpuStat_Malformed(string text) =>
        Assert.False(CgroupCpuReader.TryParseCpuStat(text, out _));

    [Theory]
    [InlineData("0\n", true, 0L)]
    [InlineData("123456789012\n", true, 123_456_789_012L)]
    [InlineData("", false, 0L)]
    [InlineData("12 34\n", false, 0L)]
    [InlineData("-5\n", false, 0L)]
    public void ParseCpuacctUsage(string text, bool ok, long expected)
    {
        Assert.Equal(ok, CgroupCpuReader.TryParseCpuacctUsage(text, out long ns));
        if (ok)
        {
            Assert.Equal(expected, ns);
        }
    }
}

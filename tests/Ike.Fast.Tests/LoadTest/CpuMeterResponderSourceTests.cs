using System.CommandLine;
using System.Text.Json;
using Ike.Fast.Cli;
using Ike.Fast.LoadTest;

namespace Ike.Fast.Tests.LoadTest;

/// <summary>
/// Where <see cref="CpuMeter"/> takes the external responder's CPU from: <c>--responder-cgroup</c> when readable
/// (exact), else <c>--responder-pid</c> (10 ms ticks), and the pid's ticks kept beside the cgroup's figure; the option
/// through the real command-line parser and into the JSON report.
/// </summary>
[Collection("LoadTest")]
public sealed class CpuMeterResponderSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ikefast-cpumeter-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Cgroup_Readable_IsTheResponderFigure_PidTicksKeptBeside()
    {
        string stat = Path.Combine(_dir, "cpu.stat");
        File.WriteAllText(stat, "usage_usec 1000000\nuser_usec 0\nsystem_usec 0\n");
        var meter = new CpuMeter([], embedded: null, responderPid: Environment.ProcessId, responderCgroup: _dir);

        File.WriteAllText(stat, "usage_usec 1250017\nuser_usec 0\nsystem_usec 0\n");
        (_, double? responder, _) = meter.Read();

        Assert.Equal("cgroup-v2", meter.ResponderSource);
        Assert.NotNull(responder);
        Assert.Equal(0.250017, responder.Value, 9);
        Assert.NotNull(meter.ReadResponderTicks()); // this process's utime + stime: readable, whole ticks
        Assert.True(meter.ReadResponderTicks() >= 0);
    }

    [Fact]
    public void Cgroup_V1_CpuacctUsage()
    {
        string usage = Path.Combine(_dir, "cpuacct.usage");
        File.WriteAllText(usage, "5000000000\n");
        var meter = new CpuMeter([], embedded: null, responderPid: null, responderCgroup: _dir);

        File.WriteAllText(usage, "5000123400\n");

        Assert.Equal("cgroup-v1", meter.ResponderSource);
        Assert.Equal(0.0001234, meter.Read().Responder!.Value, 9);
        Assert.Null(meter.ReadResponderTicks()); // no pid: nothing to compare with
    }

    [Fact]
    public void Cgroup_Missing_FallsBackToPidTicks()
    {
        var meter = new CpuMeter([], embedded: null, responderPid: Environment.ProcessId, responderCgroup: Path.Combine(_dir, "none"));

        Assert.Equal(CpuMeter.PidTicksSource, meter.ResponderSource);
        Assert.NotNull(meter.Read().Responder);
        Assert.Null(meter.ReadResponderTicks()); // the ticks are the figure itself
    }

    [Fact]
    public void Neither_NoResponderFigure()
    {
        var meter = new CpuMeter([], embedded: null, responderPid: null, responderCgroup: Path.Combine(_dir, "none"));

        Assert.Null(meter.ResponderSource);
        Assert.Null(meter.Read().Responder);
    }

    [Fact]
    public void CgroupRemovedDuringTheRun_NoFigure()
    {
        string group = Directory.CreateDirectory(Path.Combine(_dir, "g")).FullName;
        File.WriteAllText(Path.Combine(group, "cpu.stat"), "usage_usec 1\n");
        var meter = new CpuMeter([], embedded: null, responderPid: Environment.ProcessId, responderCgroup: group);

        Directory.Delete(group, recursive: true);

        Assert.Null(meter.Read().Responder); // not a figure from two different sources
    }

    [Fact]
    public void Option_ParsedByTheLoadtestCommand()
    {
        Command loadtest = Commands.All().Single(c => c.Name == "loadtest");
        Option cgroup = loadtest.Options.Single(o => o.Name == "--responder-cgroup");

        ParseResult parsed = loadtest.Parse(["--target", "192.0.2.2", "--responder-pid", "42", "--responder-cgroup", "/sys/fs/cgroup/race-1"]);

        Assert.Empty(parsed.Errors);
        Assert.Equal("/sys/fs/cgroup/race-1", parsed.GetValue<string?>("--responder-cgroup"));
        Assert.Equal(42, parsed.GetValue<int?>("--responder-pid"));
        Assert.Null(loadtest.Parse(["--target", "192.0.2.2"]).GetValue<string?>("--responder-cgroup"));
        Assert.False(cgroup.Required);
    }

    [Fact]
    public async Task Option_WithoutTarget_UsageErrorExitsTwo()
    {
        var root = new RootCommand();
        foreach (Command command in Commands.All())
        {
            root.Subcommands.Add(command);
        }

        int exit = await root.Parse(["loadtest", "--responder-cgroup", _dir, "--count", "1"]).InvokeAsync(
            new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter(), ProcessTerminationTimeout = null });

        Assert.Equal(2, exit);
        Assert.Throws<ArgumentException>(() => new LoadTestOptions { ResponderCgroup = _dir, Count = 1 }.Validate());
    }

    [Fact]
    public void Json_RecordsTheSource_EmbeddedThreads()
    {
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions { Count = 4, Concurrency = 4, Warmup = 0 });

        Assert.Equal(CpuMeter.EmbeddedSource, r.ResponderCpuSource);
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(r));
        JsonElement cpu = doc.RootElement.GetProperty("cpu");
        Assert.Equal("embedded-threads", cpu.GetProperty("responder_source").GetString());
        Assert.Equal(JsonValueKind.Null, cpu.GetProperty("responder_ticks_seconds").ValueKind);
    }
}

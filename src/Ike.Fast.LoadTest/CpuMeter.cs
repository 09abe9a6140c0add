namespace Ike.Fast.LoadTest;

/// <summary>
/// CPU used since the start of a run by the generator threads, the responder and the whole process. Where threads
/// cannot be measured (not Linux), the generator is charged with the process minus the responder. The responder's
/// figure, in order of preference (<see cref="ResponderSource"/>):
/// <list type="bullet">
/// <item>embedded: its daemon thread and its DH workers (schedstat, ns);</item>
/// <item><c>--responder-cgroup</c>: every task of that control group (<see cref="CgroupCpuReader"/>, ns or µs: child
/// processes, helper threads and threads that exited during the phase included);</item>
/// <item><c>--responder-pid</c>: utime + stime of <c>/proc/PID/stat</c>, in 10 ms ticks (exited threads included,
/// children not), used when no cgroup is given or it cannot be read.</item>
/// </list>
/// With both a cgroup and a pid, the pid's ticks are kept as a second figure (<see cref="ReadResponderTicks"/>) to
/// compare the two.
/// </summary>
internal sealed class CpuMeter
{
    /// <summary><see cref="ResponderSource"/> of the embedded responder's threads.</summary>
    public const string EmbeddedSource = "embedded-threads";

    /// <summary><see cref="ResponderSource"/> of <c>/proc/PID/stat</c>'s utime + stime (10 ms ticks).</summary>
    public const string PidTicksSource = "pid-ticks";

    private readonly IReadOnlyList<GeneratorShard> _shards;
    private readonly Func<TimeSpan?> _responder;
    private readonly bool _responderInProcess;
    private readonly TimeSpan _process0;
    private readonly int[] _generatorHelpers;
    private readonly TimeSpan _generatorHelpers0;
    private readonly TimeSpan? _responder0;
    private readonly Func<TimeSpan?> _responderTicks;
    private readonly TimeSpan? _responderTicks0;

    public CpuMeter(IReadOnlyList<GeneratorShard> shards, EmbeddedResponder? embedded, int? responderPid, string? responderCgroup = null)
    {
        _shards = shards;
        _responderInProcess = embedded is not null;
        CgroupCpuReader? cgroup = embedded is null && responderCgroup is not null ? CgroupCpuReader.TryOpen(responderCgroup) : null;
        if (embedded is not null)
        {
            _responder = () => ThreadCpu.OfThread(embedded.ThreadId) + ThreadCpu.OfThreads(embedded.HelperThreadIds);
            ResponderSource = EmbeddedSource;
        }
        else if (cgroup is not null)
        {
            _responder = () => cgroup.ReadNanoseconds() is { } ns ? TimeSpan.FromTicks(ns / 100) : null;
            ResponderSource = cgroup.Source;
        }
        else if (responderPid is { } pid)
        {
            _responder = () => ThreadCpu.OfOtherProcess(pid);
            ResponderSource = PidTicksSource;
        }
        else
        {
            _responder = () => null;
        }

        _responderTicks = cgroup is not null && responderPid is { } tickPid ? () => ThreadCpu.OfOtherProcess(tickPid) : () => null;
        _generatorHelpers = [.. shards.SelectMany(s => s.HelperThreadIds)];
        _generatorHelpers0 = ThreadCpu.OfThreads(_generatorHelpers);
        _process0 = ThreadCpu.OfProcess();
        _responderTicks0 = _responderTicks();
        _responder0 = _responder();
    }

    /// <summary>
    /// Where the responder's figure comes from: <see cref="EmbeddedSource"/>, <c>cgroup-v2</c>, <c>cgroup-v1</c>,
    /// <see cref="PidTicksSource"/>, or null when there is none.
    /// </summary>
    public string? ResponderSource { get; }

    /// <summary>
    /// With a readable cgroup and a pid: seconds of <c>--responder-pid</c>'s utime + stime (10 ms ticks) since
    /// construction, beside the cgroup's exact figure; otherwise null.
    /// </summary>
    public double? ReadResponderTicks() =>
        _responderTicks() is { } t && _responderTicks0 is { } t0 ? (t - t0).TotalSeconds : null;

    /// <summary>Seconds used since construction: generator, responder (null if unknown), process.</summary>
    public (double Generator, double? Responder, double Process) Read()
    {
        double process = (ThreadCpu.OfProcess() - _process0).TotalSeconds;
        double? responder = _responder() is { } r && _responder0 is { } r0 ? (r - r0).TotalSeconds : null;
        double threads = 0;
        bool measured = true;
        foreach (GeneratorShard s in _shards)
        {
            if (ThreadCpu.OfThread(s.ThreadId) is { } t)
            {
                threads += t.TotalSeconds; // generator threads start after the meter: their whole CPU time counts
            }
            else
            {
                measured = false;
            }
        }

        // The generators' DH workers existed before the meter (their key pair pools fill at construction): from then on.
        threads += (ThreadCpu.OfThreads(_generatorHelpers) - _generatorHelpers0).TotalSeconds;
        double generator = measured && _shards.Count > 0
            ? threads
            : Math.Max(0, process - (_responderInProcess ? responder ?? 0 : 0));
        return (generator, responder, process);
    }
}

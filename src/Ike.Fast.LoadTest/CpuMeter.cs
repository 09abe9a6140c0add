namespace Ike.Fast.LoadTest;

/// <summary>
/// CPU used since the start of a run by the generator threads, the responder (embedded: its daemon thread and its DH worker; external:
/// <c>--responder-pid</c>) and the whole process. Where threads cannot be measured (not Linux), the generator is
/// charged with the process minus the responder.
/// </summary>
internal sealed class CpuMeter
{
    private readonly IReadOnlyList<GeneratorShard> _shards;
    private readonly Func<TimeSpan?> _responder;
    private readonly bool _responderInProcess;
    private readonly TimeSpan _process0;
    private readonly int[] _generatorHelpers;
    private readonly TimeSpan _generatorHelpers0;
    private readonly TimeSpan? _responder0;

    public CpuMeter(IReadOnlyList<GeneratorShard> shards, EmbeddedResponder? embedded, int? responderPid)
    {
        _shards = shards;
        _responderInProcess = embedded is not null;
        _responder = embedded is not null ? () => ThreadCpu.OfThread(embedded.ThreadId) + ThreadCpu.OfThreads(embedded.HelperThreadIds)
            : responderPid is { } pid ? () => ThreadCpu.OfOtherProcess(pid)
            : () => null;
        _generatorHelpers = [.. shards.SelectMany(s => s.HelperThreadIds)];
        _generatorHelpers0 = ThreadCpu.OfThreads(_generatorHelpers);
        _process0 = ThreadCpu.OfProcess();
        _responder0 = _responder();
    }

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

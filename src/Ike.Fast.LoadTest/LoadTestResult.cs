namespace Ike.Fast.LoadTest;

/// <summary>Everything a run measured.</summary>
public sealed record LoadTestResult
{
    public required LoadTestOptions Options { get; init; }

    /// <summary>"embedded IkeFast responder on 127.0.0.1:PORT" or the target address.</summary>
    public required string Target { get; init; }

    public required double ElapsedSeconds { get; init; }

    /// <summary>Seconds from the first start to the last completion (the rate's denominator).</summary>
    public required double ActiveSeconds { get; init; }

    public required long Started { get; init; }

    public required long Completed { get; init; }

    public required long Failed { get; init; }

    /// <summary>Failures by reason (timeout, notify type, authentication failure, ...).</summary>
    public required IReadOnlyList<KeyValuePair<string, long>> FailuresByReason { get; init; }

    public required long ChildSas { get; init; }

    /// <summary>Of <see cref="ChildSas"/>, those whose Quick Mode ran a Diffie-Hellman exchange (PFS, a group in <c>--esp</c>).</summary>
    public long ChildSasWithPfs { get; init; }

    /// <summary>Of <see cref="ChildSas"/>, those set up as ESP-in-UDP (<c>--nat-t</c>, RFC 3948).</summary>
    public long ChildSasUdpEncapsulated { get; init; }

    /// <summary>Mode-Config replies received (<c>--mode-config</c>: one per handshake).</summary>
    public long ModeConfigReplies { get; init; }

    public required long Retransmits { get; init; }

    /// <summary>Responder-side answers to retransmitted requests (embedded responder only).</summary>
    public long? ResponderRetransmissionAnswers { get; init; }

    public required long DatagramsSent { get; init; }

    public required long DatagramsReceived { get; init; }

    public required long Dropped { get; init; }

    public required long Duplicated { get; init; }

    /// <summary>Phase 1 SAs deleted with an Informational Delete (churn and at exit).</summary>
    public required long Deleted { get; init; }

    /// <summary>IKE SAs the embedded responder still held after the exit deletes (should be 0).</summary>
    public int? ResponderIkeSasLeft { get; init; }

    public required double HandshakesPerSecond { get; init; }

    public required LatencySummary Latency { get; init; }

    /// <summary>
    /// CPU seconds of the generator threads (engine, sending, receiving; on Linux each thread's schedstat), or of the
    /// whole process minus the responder thread where threads cannot be measured.
    /// </summary>
    public required double GeneratorCpuSeconds { get; init; }

    /// <summary>CPU seconds of the embedded responder's daemon loop thread, or of <c>--responder-pid</c>.</summary>
    public double? ResponderCpuSeconds { get; init; }

    /// <summary>
    /// Where <see cref="ResponderCpuSeconds"/> comes from (<see cref="CpuMeter.ResponderSource"/>): embedded-threads,
    /// cgroup-v2, cgroup-v1 or pid-ticks; null without a responder figure.
    /// </summary>
    public string? ResponderCpuSource { get; init; }

    /// <summary>With a cgroup's figure and <c>--responder-pid</c>: the pid's utime + stime (10 ms ticks) over the same phase, to compare.</summary>
    public double? ResponderTickCpuSeconds { get; init; }

    /// <summary>CPU seconds of the whole process during the run.</summary>
    public required double ProcessCpuSeconds { get; init; }

    /// <summary>Process CPU outside the generator and responder threads: JIT, GC, the sampler, socket completions off Linux.</summary>
    public double OtherCpuSeconds => Math.Max(0, ProcessCpuSeconds - GeneratorCpuSeconds - (ResponderIsInProcess ? ResponderCpuSeconds ?? 0 : 0));

    /// <summary>True for the embedded responder (its CPU is part of the process's).</summary>
    public bool ResponderIsInProcess { get; init; }

    /// <summary>Generator CPU per completed handshake, in milliseconds.</summary>
    public double? GeneratorCpuPerHandshakeMs => Completed == 0 ? null : GeneratorCpuSeconds * 1000 / Completed;

    /// <summary>
    /// With an external responder: the whole generator process per completed handshake (generator threads plus JIT, GC
    /// and the sampler, all of which serve the generator there), in milliseconds; null with the embedded responder,
    /// whose process the generator shares.
    /// </summary>
    public double? GeneratorProcessCpuPerHandshakeMs => Completed == 0 || ResponderIsInProcess ? null : ProcessCpuSeconds * 1000 / Completed;

    /// <summary>Responder CPU per completed handshake, in milliseconds.</summary>
    public double? ResponderCpuPerHandshakeMs => Completed == 0 || ResponderCpuSeconds is null ? null : ResponderCpuSeconds.Value * 1000 / Completed;

    /// <summary>True when the run stopped early because a full window of handshakes failed and none completed.</summary>
    public bool AbortedNothingCompleted { get; init; }

    public required IReadOnlyList<LoadSample> Series { get; init; }
}

using System.Diagnostics;
using System.Net;

namespace Ike.Fast.LoadTest;

/// <summary>
/// Runs one load test: starts the embedded responder unless a target is given, spreads the load over generator
/// threads (<see cref="GeneratorShard"/>), samples counters, latency and CPU, stops by itself when the count or the
/// duration is reached and every handshake finished or timed out, then deletes every SA it established.
/// </summary>
public static class LoadTestRunner
{
    private const int SampleMs = 250;
    private const int SamplesPerSeriesPoint = 4;

    /// <summary>
    /// Between samples, how often the sampler looks whether every shard is idle: the measured phase (the rate's
    /// denominator, the CPU readings' end) ends within this of the last handshake, not at the next 250 ms sample,
    /// which capped 1,000 handshakes done in 0.15 s at 1,000 / 0.25 s = 4,000/s and charged idle time to them.
    /// </summary>
    private const int EndPollMs = 5;

    /// <summary>The smallest warm-up that repeats until the JIT has settled (the CLI's default --warmup).</summary>
    private const int SettlingWarmup = 32;

    /// <summary>Most warm-up rounds (each at least one sample period plus the deletes).</summary>
    private const int MaxWarmupRounds = 8;

    /// <summary>A warm-up round with less CPU than this outside the generator and responder threads: the JIT is done.</summary>
    private const double SettledOtherSeconds = 0.02;

    /// <summary>Pause after each warm-up round: longer than the runtime's 100 ms call-counting delay.</summary>
    private const int JitQuietMs = 150;

    /// <summary>Runs to the end (or until <paramref name="cancel"/> fires: then no more handshakes start, the rest finish).</summary>
    public static LoadTestResult Run(LoadTestOptions options, ILoadTestProgress? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using LoadTestPki? pki = options.Auth == Policy.AuthMethod.PubKey ? LoadTestPki.Create(options) : null;
        using EmbeddedResponder? responder = options.Target is null ? new EmbeddedResponder(options, pki) : null;
        IPEndPoint target = options.Target ?? responder!.EndPoint;
        string targetText = responder is null ? target.ToString() : $"embedded IkeFast responder on {target}";
        IPAddress firstSource = options.SourceAddress
            ?? (IPAddress.IsLoopback(target.Address) && target.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                ? IPAddress.Parse("127.0.0.2")
                : target.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any);
        if (options.Warmup > 0)
        {
            // JIT tiering and first-use costs would otherwise land on the first handshakes (and their latency would
            // cross the retransmission timer): a few unmeasured, unimpaired handshakes first, deleted afterwards.
            var warm = options with
            {
                Count = options.Warmup,
                DurationSeconds = null,
                Rate = null,
                RampUpSeconds = 0,
                Concurrency = Math.Min(options.Concurrency, 8),
                Churn = false,
                Peers = null,
                Drop = 0,
                Duplicate = 0,
                DelayMs = 0,
                Threads = 1,
            };
            // Rounds until the JIT has settled. Tiered compilation recompiles a method only after about 30 calls at
            // each tier and a quiet period, so a single short round left a few thousand hot methods (engine, host,
            // generator) to be recompiled on the runtime's background thread during the measured run: about 0.3-0.4 s
            // of CPU in 5,000 handshakes ("other"; against an external responder, the generator process's), and slower
            // code meanwhile. A round whose process CPU outside the generator and responder threads stays under
            // SettledOtherSeconds ends the warm-up. Only for a warm-up of at least SettlingWarmup handshakes (the
            // default): tests ask for a handful and one round.
            int rounds = options.Warmup >= SettlingWarmup ? MaxWarmupRounds : 1;
            for (int round = 0; round < rounds && !cancel.IsCancellationRequested; round++)
            {
                TimeSpan process0 = ThreadCpu.OfProcess();
                LoadTestResult w = RunPhase(warm, target, responder, targetText, firstSource, null, pki, cancel);
                Thread.Sleep(JitQuietMs); // the runtime promotes methods after a quiet period: let it compile now
                double other = (ThreadCpu.OfProcess() - process0).TotalSeconds - w.GeneratorCpuSeconds
                    - (responder is not null ? w.ResponderCpuSeconds ?? 0 : 0);
                if (w.Completed == 0 || (round > 0 && other < SettledOtherSeconds))
                {
                    break; // settled, or nothing completes (the measured run then says why)
                }
            }
        }

        return RunPhase(options, target, responder, targetText, firstSource, progress, pki, cancel);
    }

    private static LoadTestResult RunPhase(LoadTestOptions options, IPEndPoint target, EmbeddedResponder? responder, string targetText,
        IPAddress firstSource, ILoadTestProgress? progress, LoadTestPki? pki, CancellationToken cancel)
    {
        long responderRetransmissions0 = responder?.Counters[Protocol.DiagnosticCode.Retransmission] ?? 0;
        int peers = options.Peers
            ?? (options.Churn ? Math.Min(options.Concurrency, 20000) : (int)Math.Min(options.Count ?? 4096, 20000));

        if (pki is not null)
        {
            // Issue every peer's certificate now (a CA signature each), so that it is not charged to the generator's
            // measured CPU nor to the first handshakes' latency.
            for (int i = 0; i < peers; i++)
            {
                _ = pki.PeerCertificate(i);
            }
        }

        var counters = new LoadCounters();
        var latency = new LatencyHistogram();
        var shards = new List<GeneratorShard>();
        int threads = options.Threads;
        int peerBase = 0;
        for (int i = 0; i < threads; i++)
        {
            int shardPeers = Share(peers, threads, i);
            long? count = options.Count is { } c ? Share(c, threads, i) : null;
            if (count == 0 || shardPeers == 0)
            {
                continue;
            }

            shards.Add(new GeneratorShard(i, options, target, firstSource, peerBase, shardPeers, count,
                options.Rate / threads, Math.Max(1, (int)Share(options.Concurrency, threads, i)), counters, latency, pki));
            peerBase += shardPeers;
        }

        var cpu = new CpuMeter(shards, responder, options.ResponderPid, options.ResponderCgroup);
        var clock = Stopwatch.StartNew();
        foreach (GeneratorShard s in shards)
        {
            s.Start();
        }

        var series = new List<LoadSample>();
        long lastCompleted = 0;
        double lastSeriesAt = 0;
        int tick = 0;
        bool stopping = false;
        bool aborted = false;
        double activeSeconds = 0;
        var recentCompletions = new Queue<(double T, long Completed)>();
        while (true)
        {
            var sampleWait = Stopwatch.StartNew();
            while (sampleWait.ElapsedMilliseconds < SampleMs && !shards.TrueForAll(s => s.Idle))
            {
                Thread.Sleep(EndPollMs);
            }

            tick++;
            double t = clock.Elapsed.TotalSeconds;
            // A target that completes nothing (down, wrong key, wrong proposal) would otherwise keep a --count run
            // going for count/concurrency timeouts: once a full window of handshakes failed with none complete, stop.
            bool hopeless = counters.Completed == 0 && counters.Failed >= Math.Min(options.Concurrency, 64);
            if (!stopping && ((options.DurationSeconds is { } d && t >= d) || cancel.IsCancellationRequested || hopeless))
            {
                aborted = hopeless;
                stopping = true;
                foreach (GeneratorShard s in shards)
                {
                    s.StopStarting();
                }
            }

            bool done = shards.TrueForAll(s => s.Idle);
            (double genCpu, double? respCpu, _) = cpu.Read();
            long completed = counters.Completed;
            recentCompletions.Enqueue((t, completed));
            while (recentCompletions.Count > 1 && t - recentCompletions.Peek().T > 1.0)
            {
                recentCompletions.Dequeue();
            }

            var (t0, c0) = recentCompletions.Peek();
            double liveRate = t > t0 ? (completed - c0) / (t - t0) : 0;
            if (tick % SamplesPerSeriesPoint == 0 || done)
            {
                double interval = t - lastSeriesAt;
                var point = new LoadSample(Math.Round(t, 3), counters.Started, completed, counters.Failed, counters.InFlight,
                    interval > 0 ? (completed - lastCompleted) / interval : 0, latency.TakeInterval(), counters.Retransmits, genCpu, respCpu);
                series.Add(point);
                lastCompleted = completed;
                lastSeriesAt = t;
            }

            progress?.Report(
                new LoadSample(t, counters.Started, completed, counters.Failed, counters.InFlight, liveRate, default, counters.Retransmits, genCpu, respCpu),
                latency.Total(), counters.FailuresByReason());
            if (done)
            {
                activeSeconds = t;
                break;
            }
        }

        (double generatorCpu, double? responderCpuSeconds, double processCpu) = cpu.Read();
        double? responderTickCpuSeconds = cpu.ReadResponderTicks();

        // On exit: delete what was established (Informational Delete), then let the responder read them.
        for (int i = 0; i < shards.Count; i++)
        {
            Func<int, bool>? behind = null;
            if (responder is not null)
            {
                int others = 0;
                for (int j = i + 1; j < shards.Count; j++)
                {
                    others += shards[j].EstablishedCount;
                }

                // A few hundred deletes in the responder's socket buffer at most.
                behind = remaining => responder.Registry.IkeCount > remaining + others + 200;
            }

            shards[i].DeleteEstablished(TimeSpan.FromSeconds(30), behind);
        }

        int? left = null;
        if (responder is not null)
        {
            var wait = Stopwatch.StartNew();
            while (responder.Registry.IkeCount > 0 && wait.Elapsed < TimeSpan.FromSeconds(3))
            {
                Thread.Sleep(20);
            }

            left = responder.Registry.IkeCount;
        }

        foreach (GeneratorShard s in shards)
        {
            s.Dispose();
        }

        if (responder?.Failure is { } failure)
        {
            throw new InvalidOperationException("The embedded responder failed.", failure);
        }

        return new LoadTestResult
        {
            Options = options,
            Target = targetText,
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
            ActiveSeconds = activeSeconds,
            Started = counters.Started,
            Completed = counters.Completed,
            Failed = counters.Failed,
            FailuresByReason = counters.FailuresByReason(),
            ChildSas = counters.ChildSas,
            ChildSasWithPfs = counters.ChildSasWithPfs,
            ModeConfigReplies = counters.ConfigurationsReceived,
            ChildSasUdpEncapsulated = counters.ChildSasUdpEncapsulated,
            Retransmits = counters.Retransmits,
            ResponderRetransmissionAnswers = responder?.Counters[Protocol.DiagnosticCode.Retransmission] - responderRetransmissions0,
            DatagramsSent = counters.DatagramsSent,
            DatagramsReceived = counters.DatagramsReceived,
            Dropped = counters.Dropped,
            Duplicated = counters.Duplicated,
            Deleted = counters.Deleted,
            ResponderIkeSasLeft = left,
            HandshakesPerSecond = activeSeconds > 0 ? counters.Completed / activeSeconds : 0,
            Latency = latency.Total(),
            GeneratorCpuSeconds = generatorCpu,
            ResponderCpuSeconds = responderCpuSeconds,
            ResponderCpuSource = responderCpuSeconds is null ? null : cpu.ResponderSource,
            ResponderTickCpuSeconds = responderTickCpuSeconds,
            ProcessCpuSeconds = processCpu,
            ResponderIsInProcess = responder is not null,
            AbortedNothingCompleted = aborted,
            Series = series,
        };
    }

    private static long Share(long total, int parts, int index) => (total / parts) + (index < total % parts ? 1 : 0);

    private static int Share(int total, int parts, int index) => (int)Share((long)total, parts, index);
}

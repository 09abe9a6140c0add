using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Sharding;
using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Metrics;

/// <summary>
/// The daemon's instruments on a <see cref="Meter"/> named <see cref="MeterName"/> (readable with
/// <c>dotnet-counters monitor -n ikefast --counters IkeFast</c>, exported for Prometheus by <see cref="MetricsService"/>).
/// Nearly everything is observed, not pushed: the engine's <see cref="EndpointCounters"/> and the host's
/// <see cref="SaRegistry"/> are read at collection time, so the packet path pays nothing. Every measurement carries a
/// <c>shard</c> tag: <see cref="AllShards"/> when the instruments sum every shard of a <see cref="ShardedDaemon"/>
/// (<see cref="OverShards"/>, what the daemon registers; per-shard load is in <see cref="ShardMetrics"/>), or the one
/// shard's name when built over a single engine's counters.
/// </summary>
public sealed class IkeFastMetrics : IDisposable
{
    public const string MeterName = "IkeFast";

    /// <summary>Diagnostic codes that end a negotiation, reported as <c>ikefast.handshakes.failed{reason}</c>.</summary>
    internal static readonly DiagnosticCode[] FailureReasons =
    [
        DiagnosticCode.NoMatchingConnection, DiagnosticCode.NoProposalChosen, DiagnosticCode.AuthenticationFailed,
        DiagnosticCode.InvalidHash, DiagnosticCode.InvalidIdInformation, DiagnosticCode.InvalidKeyInformation,
        DiagnosticCode.NoSecret, DiagnosticCode.Timeout, DiagnosticCode.AggressiveModeRefused, DiagnosticCode.DecryptionFailed,
        DiagnosticCode.HalfOpenLimit, DiagnosticCode.Malformed,
    ];

    /// <summary>The <c>shard</c> tag of measurements summed over every shard.</summary>
    public const string AllShards = "all";

    private readonly Meter _meter;
    private readonly Func<IEnumerable<EndpointCounters>> _counters;
    private readonly SaRegistry? _registry;
    private readonly KeyValuePair<string, object?> _shard;
    private readonly Counter<long> _started;
    private Func<long>? _halfOpen;
    private Func<long>? _dhQueueDepth;
    private Func<ModExpBatchCounters?>? _dhBatches;

    /// <param name="counters">The engine's counters (null while the daemon is not started).</param>
    /// <param name="registry">Established SAs (status registry).</param>
    /// <param name="shard">The shard tag.</param>
    /// <param name="meterFactory">The host's factory (DI), or null for a standalone meter.</param>
    public IkeFastMetrics(Func<EndpointCounters?> counters, SaRegistry? registry, string shard = "0", IMeterFactory? meterFactory = null)
        : this(() => counters() is { } c ? [c] : [], registry, shard, meterFactory)
    {
    }

    /// <param name="shards">Every shard's engine counters (empty while the daemon is not started); measurements are their sums.</param>
    /// <param name="registry">Established SAs (status registry, shared by the shards).</param>
    /// <param name="shard">The shard tag.</param>
    /// <param name="meterFactory">The host's factory (DI), or null for a standalone meter.</param>
    public IkeFastMetrics(Func<IEnumerable<EndpointCounters>> shards, SaRegistry? registry, string shard, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        _counters = shards;
        _registry = registry;
        _shard = new KeyValuePair<string, object?>("shard", shard);
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);

        _meter.CreateObservableCounter("ikefast.datagrams.received", () => Counter(c => c.Received), "{datagram}",
            "IKE datagrams handed to the engine");
        _meter.CreateObservableCounter("ikefast.datagrams.sent", () => Counter(c => c.Sent), "{datagram}", "IKE datagrams sent");
        _meter.CreateObservableCounter("ikefast.datagrams.dropped", () => Counter(c => c.Dropped), "{datagram}",
            "IKE datagrams dropped without an answer");
        _meter.CreateObservableCounter("ikefast.handshakes.completed", Completed, "{handshake}",
            "Phase 1 (Main/Aggressive Mode) and Phase 2 (Quick Mode) exchanges completed");
        _meter.CreateObservableCounter("ikefast.handshakes.failed", Failed, "{handshake}", "Failed negotiations by reason");
        _meter.CreateObservableCounter("ikefast.retransmits", () => Counter(c => c[DiagnosticCode.Retransmission]), "{message}",
            "Retransmitted messages");
        _meter.CreateObservableGauge("ikefast.sas.active", Active, "{sa}", "Established Phase 1 (ISAKMP) and Phase 2 (IPsec) SAs");
        _meter.CreateObservableGauge("ikefast.half_open", () => Hook(_halfOpen), "{sa}", "Responder Phase 1 SAs not yet established");
        _meter.CreateObservableGauge("ikefast.dh.queue_depth", () => Hook(_dhQueueDepth), "{operation}",
            "Diffie-Hellman computations waiting");
        _meter.CreateObservableCounter("ikefast.dh.batches", () => Batch(b => b.Batches), "{batch}",
            "Diffie-Hellman batches run (shared secrets and key-pool refills, up to 8 lanes each)");
        _meter.CreateObservableCounter("ikefast.dh.batch_lanes", () => Batch(b => b.Lanes), "{operation}",
            "Diffie-Hellman operations run in those batches");
        _meter.CreateObservableGauge("ikefast.dh.batch_fill", BatchFill, "{lane}",
            "Average lanes filled per Diffie-Hellman batch (8 = full)");
        _started = _meter.CreateCounter<long>("ikefast.handshakes.started", "{handshake}", "Negotiations started, by phase");
    }

    /// <summary>
    /// Instruments summed over every shard of the daemon <paramref name="sharded"/> returns (null before it starts):
    /// engine counters, DH queue depth and batch counters of each shard's engine; tag <c>shard="all"</c>.
    /// </summary>
    public static IkeFastMetrics OverShards(Func<ShardedDaemon?> sharded, SaRegistry? registry, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(sharded);
        var metrics = new IkeFastMetrics(() => Shards(sharded()).Select(d => d.Counters), registry, AllShards, meterFactory);
        metrics.SetDhQueueDepthSource(() => Shards(sharded()).Sum(d => d.DhQueueDepth));
        metrics.SetDhBatchSource(() => SumBatches(Shards(sharded())));
        return metrics;
    }

    private static IReadOnlyList<Daemon.IkeDaemon> Shards(ShardedDaemon? sharded) => sharded?.Shards ?? [];

    /// <summary>Batch counters added over the shards whose engine batches (null when none does).</summary>
    internal static ModExpBatchCounters? SumBatches(IEnumerable<Daemon.IkeDaemon> shards)
    {
        ModExpBatchCounters? sum = null;
        foreach (var shard in shards)
        {
            if (shard.DhBatchCounters is { } c)
            {
                sum = sum is { } s
                    ? new ModExpBatchCounters(s.Batches + c.Batches, s.Lanes + c.Lanes, s.PartialBatches + c.PartialBatches,
                        c.MaxOldestWait > s.MaxOldestWait ? c.MaxOldestWait : s.MaxOldestWait)
                    : c;
            }
        }

        return sum;
    }

    /// <summary>Where the half-open count comes from (the engine does not publish it yet).</summary>
    public void SetHalfOpenSource(Func<long> source) => _halfOpen = source;

    /// <summary>Where the DH queue depth comes from (an asynchronous DH engine registers itself here).</summary>
    public void SetDhQueueDepthSource(Func<long> source) => _dhQueueDepth = source;

    /// <summary>Where the DH batcher's counters come from (null while the engine is synchronous).</summary>
    public void SetDhBatchSource(Func<ModExpBatchCounters?> source) => _dhBatches = source;

    /// <summary>Counts a negotiation start (hook for the daemon loop; <paramref name="phase"/> 1 or 2).</summary>
    public void HandshakeStarted(int phase) =>
        _started.Add(1, _shard, new KeyValuePair<string, object?>("phase", phase));

    /// <summary>The meter (tests listen to this instance only).</summary>
    internal Meter Meter => _meter;

    public void Dispose() => _meter.Dispose();

    private Measurement<long> Counter(Func<EndpointCounters, long> read) => new(Sum(read), _shard);

    private long Sum(Func<EndpointCounters, long> read)
    {
        long sum = 0;
        foreach (var c in _counters())
        {
            sum += read(c);
        }

        return sum;
    }

    private IEnumerable<Measurement<long>> Completed()
    {
        yield return new Measurement<long>(Sum(c => c.Phase1Established), _shard, new KeyValuePair<string, object?>("phase", 1));
        yield return new Measurement<long>(Sum(c => c.ChildSasEstablished), _shard, new KeyValuePair<string, object?>("phase", 2));
    }

    private IEnumerable<Measurement<long>> Failed()
    {
        foreach (var reason in FailureReasons)
        {
            yield return new Measurement<long>(Sum(c => c[reason]), _shard, new KeyValuePair<string, object?>("reason", Name(reason)));
        }
    }

    private IEnumerable<Measurement<long>> Active()
    {
        yield return new Measurement<long>(_registry?.IkeCount ?? 0, _shard, new KeyValuePair<string, object?>("phase", 1));
        yield return new Measurement<long>(_registry?.ChildCount ?? 0, _shard, new KeyValuePair<string, object?>("phase", 2));
    }

    private IEnumerable<Measurement<long>> Batch(Func<ModExpBatchCounters, long> read)
    {
        if (_dhBatches?.Invoke() is { } counters)
        {
            yield return new Measurement<long>(read(counters), _shard);
        }
    }

    private IEnumerable<Measurement<double>> BatchFill()
    {
        if (_dhBatches?.Invoke() is { Batches: > 0 } counters)
        {
            yield return new Measurement<double>((double)counters.Lanes / counters.Batches, _shard);
        }
    }

    private IEnumerable<Measurement<long>> Hook(Func<long>? source)
    {
        if (source is not null)
        {
            yield return new Measurement<long>(source(), _shard);
        }
    }

    private static string Name(DiagnosticCode code) => code switch
    {
        DiagnosticCode.NoMatchingConnection => "no_matching_connection",
        DiagnosticCode.NoProposalChosen => "no_proposal_chosen",
        DiagnosticCode.AuthenticationFailed => "authentication_failed",
        DiagnosticCode.InvalidHash => "invalid_hash",
        DiagnosticCode.InvalidIdInformation => "invalid_id_information",
        DiagnosticCode.InvalidKeyInformation => "invalid_key_information",
        DiagnosticCode.NoSecret => "no_secret",
        DiagnosticCode.Timeout => "timeout",
        DiagnosticCode.AggressiveModeRefused => "aggressive_mode_refused",
        DiagnosticCode.DecryptionFailed => "decryption_failed",
        DiagnosticCode.HalfOpenLimit => "half_open_limit",
        DiagnosticCode.Malformed => "malformed",
        _ => throw new UnreachableException(),
    };
}

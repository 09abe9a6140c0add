using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Host.Control;
using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Metrics;

/// <summary>
/// The daemon's instruments on a <see cref="Meter"/> named <see cref="MeterName"/> (readable with
/// <c>dotnet-counters monitor -n ikefast --counters IkeFast</c>, exported for Prometheus by <see cref="MetricsService"/>).
/// Nearly everything is observed, not pushed: the engine's <see cref="EndpointCounters"/> and the host's
/// <see cref="SaRegistry"/> are read at collection time, so the packet path pays nothing. Every measurement carries a
/// <c>shard</c> tag (one daemon loop = shard "0" until the host is sharded) so per-shard load can be compared.
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

    private readonly Meter _meter;
    private readonly Func<EndpointCounters?> _counters;
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
    {
        _counters = counters;
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

    private Measurement<long> Counter(Func<EndpointCounters, long> read) =>
        new(_counters() is { } c ? read(c) : 0, _shard);

    private IEnumerable<Measurement<long>> Completed()
    {
        var c = _counters();
        yield return new Measurement<long>(c?.Phase1Established ?? 0, _shard, new KeyValuePair<string, object?>("phase", 1));
        yield return new Measurement<long>(c?.ChildSasEstablished ?? 0, _shard, new KeyValuePair<string, object?>("phase", 2));
    }

    private IEnumerable<Measurement<long>> Failed()
    {
        var c = _counters();
        foreach (var reason in FailureReasons)
        {
            yield return new Measurement<long>(c?[reason] ?? 0, _shard, new KeyValuePair<string, object?>("reason", Name(reason)));
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

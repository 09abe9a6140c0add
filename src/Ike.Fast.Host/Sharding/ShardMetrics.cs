using System.Diagnostics.Metrics;
using Ike.Fast.Host.Admission;
using Ike.Fast.Host.Metrics;
using Ike.Fast.Host.Transport;

namespace Ike.Fast.Host.Sharding;

/// <summary>
/// Per-shard load and admission instruments on the <see cref="IkeFastMetrics.MeterName"/> meter (the Prometheus
/// listener and dotnet-counters pick up every meter of that name), observed at collection time only.
/// </summary>
internal sealed class ShardMetrics : IDisposable
{
    private readonly Meter _meter = new(IkeFastMetrics.MeterName);

    public ShardMetrics(ShardedDaemon daemon)
    {
        _meter.CreateObservableCounter("ikefast.shard.datagrams.received", () => PerShard(daemon, d => d.Counters.Received), "{datagram}",
            "IKE datagrams handed to each shard's engine (per-shard load)");
        _meter.CreateObservableCounter("ikefast.shard.handshakes.completed", () => PerShard(daemon, d => d.Counters.Phase1Established), "{handshake}",
            "Phase 1 exchanges completed per shard");
        _meter.CreateObservableCounter("ikefast.shard.forwarded", () => Transports(daemon, t => t.Forwarded), "{datagram}",
            "Datagrams a shard received for another and forwarded to its inbox");
        _meter.CreateObservableCounter("ikefast.shard.passed_on", () => Transports(daemon, t => t.PassedOn), "{datagram}",
            "Datagrams of an SA another shard owns (a peer whose address changed), passed on by their cookies");
        _meter.CreateObservableCounter("ikefast.shard.unowned_dropped", () => Transports(daemon, t => t.UnownedDropped), "{datagram}",
            "Passed-on datagrams the receiving shard did not own either, dropped");
        _meter.CreateObservableCounter("ikefast.shard.handed_over", () => PerShard(daemon, d => d.CrossShard?.HandedOver ?? 0), "{sa}",
            "ISAKMP SAs whose IPsec pairs went to the same peer's new ISAKMP SA on another shard (a moved peer reauthenticated)");
        _meter.CreateObservableCounter("ikefast.shard.adopted", () => PerShard(daemon, d => d.CrossShard?.Adopted ?? 0), "{sa}",
            "IPsec SA pairs adopted from another shard");
        _meter.CreateObservableCounter("ikefast.shard.initial_contact_dropped", () => PerShard(daemon, d => d.CrossShard?.InitialContactDropped ?? 0),
            "{sa}", "ISAKMP SAs deleted for an INITIAL-CONTACT the peer sent on another shard");
        _meter.CreateObservableCounter("ikefast.shard.batch.receive_calls", () => Transports(daemon, t => t.ReceiveCalls), "{call}",
            "recvmmsg calls (datagrams received / calls = batch fill)");
        _meter.CreateObservableCounter("ikefast.shard.batch.send_calls", () => Transports(daemon, t => t.SendCalls), "{call}",
            "sendmmsg calls (datagrams sent / calls = batch fill)");
        if (daemon.Admission is { } admission)
        {
            _meter.CreateObservableCounter("ikefast.admission.admitted", () => admission.Admitted, "{datagram}", "New Phase 1s admitted");
            _meter.CreateObservableCounter("ikefast.admission.refused", () => Refused(admission), "{datagram}", "New Phase 1s refused, by reason");
            _meter.CreateObservableGauge("ikefast.admission.half_open", () => (long)admission.HalfOpen, "{sa}",
                "Admitted Phase 1s not yet established");
        }
    }

    private static IEnumerable<Measurement<long>> PerShard(ShardedDaemon daemon, Func<Daemon.IkeDaemon, long> read)
    {
        for (var i = 0; i < daemon.Shards.Count; i++)
        {
            yield return new Measurement<long>(read(daemon.Shards[i]), new KeyValuePair<string, object?>("shard", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private static IEnumerable<Measurement<long>> Transports(ShardedDaemon daemon, Func<BatchedUdpTransport, long> read)
    {
        for (var i = 0; i < daemon.Transports.Count; i++)
        {
            if (daemon.Transports[i] is BatchedUdpTransport transport)
            {
                yield return new Measurement<long>(read(transport), new KeyValuePair<string, object?>("shard", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }

    private static IEnumerable<Measurement<long>> Refused(AdmissionControl admission)
    {
        foreach (var reason in Enum.GetValues<RefusalReason>())
        {
            yield return new Measurement<long>(admission.Refused(reason), new KeyValuePair<string, object?>("reason", reason.ToString().ToLowerInvariant()));
        }
    }

    public void Dispose() => _meter.Dispose();
}

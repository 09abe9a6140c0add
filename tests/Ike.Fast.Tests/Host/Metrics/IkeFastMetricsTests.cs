using System.Net;
using System.Net.Sockets;
using Ike.Fast.Host.Metrics;
using Ike.Fast.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Metrics;

public sealed class IkeFastMetricsTests
{
    [Fact]
    public async Task InstrumentsFollowAnInProcessHandshake()
    {
        await using var pair = new LoopbackPair();
        var metrics = pair.A.Services.GetRequiredService<IkeFastMetrics>();
        using var log = new MeasurementLog(metrics);
        var before = log.Collect();
        Assert.Equal(0, Value(before, "ikefast.handshakes.completed", "phase", 1));

        await pair.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 1 && pair.BInstaller.Installed.Count == 1));
        Assert.True(await LoopbackPair.WaitUntil(() => Value(log.Collect(), "ikefast.sas.active", "phase", 2) == 1));

        var after = log.Collect();
        Assert.Equal(1, Value(after, "ikefast.handshakes.completed", "phase", 1));
        Assert.Equal(1, Value(after, "ikefast.handshakes.completed", "phase", 2));
        Assert.Equal(1, Value(after, "ikefast.sas.active", "phase", 1));
        // Main Mode (3 sent by the initiator) + Quick Mode (2): at least 5 out, 3 in.
        Assert.True(Value(after, "ikefast.datagrams.sent") >= 5);
        Assert.True(Value(after, "ikefast.datagrams.received") >= 3);
        Assert.Equal(0, Value(after, "ikefast.handshakes.failed", "reason", "authentication_failed"));
        Assert.All(after, m => Assert.Equal(IkeFastMetrics.AllShards, m.Tags["shard"]));
    }

    [Fact]
    public void FailuresRetransmitsAndHooksAreReported()
    {
        var counters = new EndpointCounters { Received = 4, Sent = 9, Dropped = 1 };
        counters.Count(DiagnosticCode.Retransmission);
        counters.Count(DiagnosticCode.Retransmission);
        counters.Count(DiagnosticCode.AuthenticationFailed);
        using var metrics = new IkeFastMetrics(() => counters, null, shard: "3");
        using var log = new MeasurementLog(metrics);
        Assert.DoesNotContain(log.Collect(), m => m.Name == "ikefast.dh.queue_depth");

        metrics.SetDhQueueDepthSource(() => 7);
        metrics.SetHalfOpenSource(() => 2);
        metrics.HandshakeStarted(1);
        var seen = log.Collect();
        Assert.Equal(2, Value(seen, "ikefast.retransmits"));
        Assert.Equal(1, Value(seen, "ikefast.handshakes.failed", "reason", "authentication_failed"));
        Assert.Equal(0, Value(seen, "ikefast.handshakes.failed", "reason", "timeout"));
        Assert.Equal(1, Value(seen, "ikefast.datagrams.dropped"));
        Assert.Equal(7, Value(seen, "ikefast.dh.queue_depth"));
        Assert.Equal(2, Value(seen, "ikefast.half_open"));
        Assert.All(seen, m => Assert.Equal("3", m.Tags["shard"]));
    }

    [Fact]
    public async Task PrometheusEndpointServesTheMetricNames()
    {
        var counters = new EndpointCounters { Received = 42 };
        using var metrics = new IkeFastMetrics(() => counters, null);
        var port = FreeTcpPort();
        using var service = new MetricsService(new IPEndPoint(IPAddress.Loopback, port), metrics, NullLogger<MetricsService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            Assert.Equal(new Uri($"http://127.0.0.1:{port}/metrics"), service.ScrapeUri);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var text = await http.GetStringAsync(service.ScrapeUri);
            Assert.Contains("ikefast_datagrams_received", text, StringComparison.Ordinal);
            Assert.Contains("ikefast_handshakes_failed", text, StringComparison.Ordinal);
            Assert.Contains("ikefast_sas_active", text, StringComparison.Ordinal);
            Assert.Contains("reason=\"no_proposal_chosen\"", text, StringComparison.Ordinal);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static long Value(List<(string Name, long Value, Dictionary<string, object?> Tags)> seen, string name,
        string? tag = null, object? tagValue = null) =>
        seen.Where(m => m.Name == name && (tag is null || Equals(m.Tags[tag], tagValue))).Sum(m => m.Value);

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

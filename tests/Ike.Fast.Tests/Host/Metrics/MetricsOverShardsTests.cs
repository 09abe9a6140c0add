using System.Net;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Metrics;
using Ike.Fast.LoadTest;
using Ike.Fast.Tests.Config;
using Ike.Fast.Tests.Host.Sharding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Tests.Host.Metrics;

/// <summary>
/// The daemon's <see cref="IkeFastMetrics"/> (as the host registers it) sums every shard, not shard 0 alone: with two
/// shards taking their share of the load tester's handshakes, each instrument equals the sum of the shards' counters.
/// </summary>
public sealed class MetricsOverShardsTests
{
    [Fact]
    public async Task InstrumentsSumEveryShard()
    {
        using var dir = new TempConfigDirectory();
        var options = new LoadTestOptions { Count = 60, Concurrency = 12, Warmup = 0, TimeoutSeconds = 20 };
        var listen = HostTestConfig.UniqueLoopbackEndPoint();
        using var configuration = ConfigurationLoader.Load(dir.Write("responder.json",
            ShardedDaemonTests.ResponderJson(options, listen, TestSocketPath.Create(), """, "shards": 2, "steering": "dispatcher" """)));
        using var host = IkeFastHost.Build(configuration, new DaemonOptions(), LogLevel.Warning, logging => logging.ClearProviders());
        var metrics = host.Services.GetRequiredService<IkeFastMetrics>();
        using var log = new MeasurementLog(metrics);
        await host.StartAsync();
        try
        {
            var sharded = host.Services.GetRequiredService<IkeDaemonService>().Sharded!;
            Assert.Equal(2, sharded.Shards.Count);
            var result = LoadTestRunner.Run(options with { Target = listen });
            Assert.Equal(60, result.Completed);
            Assert.All(sharded.Shards, shard => Assert.True(shard.Counters.Phase1Established > 0));

            // The loops may still be counting the last datagrams: read until two collections agree with the shards.
            List<(string Name, long Value, Dictionary<string, object?> Tags)> seen = [];
            Assert.True(await LoopbackPair.WaitUntil(() =>
            {
                seen = log.Collect();
                return Value(seen, "ikefast.datagrams.received") == sharded.Shards.Sum(s => s.Counters.Received) &&
                       Value(seen, "ikefast.datagrams.sent") == sharded.Shards.Sum(s => s.Counters.Sent);
            }));
            var phase1 = sharded.Shards.Sum(s => s.Counters.Phase1Established);
            Assert.True(phase1 >= 60);
            Assert.True(phase1 > sharded.Shards[0].Counters.Phase1Established, "shard 1 established some too");
            Assert.Equal(phase1, Value(seen, "ikefast.handshakes.completed", "phase", 1));
            Assert.Equal(sharded.Shards.Sum(s => s.Counters.ChildSasEstablished), Value(seen, "ikefast.handshakes.completed", "phase", 2));
            Assert.Equal(sharded.Shards.Sum(s => s.Counters[Ike.Fast.Protocol.DiagnosticCode.Retransmission]), Value(seen, "ikefast.retransmits"));
            Assert.All(seen.Where(m => m.Name.StartsWith("ikefast.", StringComparison.Ordinal) && !m.Name.StartsWith("ikefast.shard.", StringComparison.Ordinal)
                                       && m.Tags.ContainsKey("shard")),
                m => Assert.Equal(IkeFastMetrics.AllShards, m.Tags["shard"]));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static long Value(List<(string Name, long Value, Dictionary<string, object?> Tags)> seen, string name,
        string? tag = null, object? tagValue = null) =>
        seen.Where(m => m.Name == name && (tag is null || Equals(m.Tags[tag], tagValue))).Sum(m => m.Value);
}

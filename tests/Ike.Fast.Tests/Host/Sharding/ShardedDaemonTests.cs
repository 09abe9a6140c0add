using System.Net;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Sharding;
using Ike.Fast.LoadTest;
using Ike.Fast.Tests.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Tests.Host.Sharding;

/// <summary>
/// The whole host with several shards answering the load tester's synthetic initiators over loopback: every handshake
/// completes, each shard takes its share (cookies spread over the shards), and the control target sums the shards.
/// </summary>
public sealed class ShardedDaemonTests
{
    internal static string ResponderJson(LoadTestOptions options, IPEndPoint listen, string socket, string daemonExtra)
    {
        // The embedded responder's connection is on 127.0.0.1; a test listening on an address of its own moves it there.
        var json = EmbeddedResponder.ConfigurationJson(options)
            .Replace("\"127.0.0.1\"", $"\"{listen.Address}\"", StringComparison.Ordinal);
        var brace = json.IndexOf('{', StringComparison.Ordinal);
        return json[..(brace + 1)] +
               $$""" "daemon": { "listen": [ "{{listen}}" ], "control_socket": "{{socket}}", "installer": "memory" {{daemonExtra}} }, """ +
               json[(brace + 1)..];
    }

    [Theory]
    [InlineData("reuseport", 2)]
    [InlineData("dispatcher", 2)]
    [InlineData("reuseport", 1)]
    [InlineData("dispatcher", 1)]
    public async Task LoadTestHandshakesCompleteOnEveryShard(string steering, int shards)
    {
        using var dir = new TempConfigDirectory();
        var options = new LoadTestOptions { Count = 120, Concurrency = 12, Warmup = 0, TimeoutSeconds = 20 };
        // An address of its own: with SO_REUSEPORT a daemon of another test on the same address and port would join the
        // group and take part of the datagrams (the kernel lets sockets of one user share it).
        var listen = HostTestConfig.UniqueLoopbackEndPoint();
        using var configuration = ConfigurationLoader.Load(dir.Write("responder.json",
            ResponderJson(options, listen, TestSocketPath.Create(), $$""", "shards": {{shards}}, "steering": "{{steering}}" """)));
        Assert.Equal(shards, configuration.Daemon.Sharding.Shards);
        using var host = IkeFastHost.Build(configuration, new DaemonOptions(), LogLevel.Warning, logging => logging.ClearProviders());
        await host.StartAsync();
        try
        {
            var sharded = host.Services.GetRequiredService<IkeDaemonService>().Sharded!;
            Assert.Equal(shards, sharded.Shards.Count);
            var result = LoadTestRunner.Run(options with { Target = listen });
            Assert.Equal(120, result.Completed);
            Assert.Equal(0, result.Failed);
            Assert.All(sharded.Shards, shard => Assert.True(shard.Counters.Phase1Established > 0));
            Assert.Equal(sharded.Shards.Sum(s => s.Counters.Phase1Established), sharded.Counters.Phase1Established);
            Assert.True(sharded.Counters.Phase1Established >= 120);
            Assert.True(sharded.Admission!.Admitted >= 120);
            Assert.Equal(0, sharded.Admission.HalfOpen);
            if (steering == "dispatcher")
            {
                Assert.True(sharded.DispatcherReceived > 0);
            }

            // The control socket's stats sum the shards.
            var stats = await LoopbackPair.Ask(configuration.Daemon.ControlSocket, """{"command":"stats"}""");
            Assert.Equal(sharded.Counters.Phase1Established, stats.GetProperty("stats").GetProperty("phase1_established").GetInt64());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task APortHeldByAnotherSocketFailsTheStartEvenWithReusePort()
    {
        using var dir = new TempConfigDirectory();
        using var holder = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram,
            System.Net.Sockets.ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var listen = (IPEndPoint)holder.LocalEndPoint!;
        using var configuration = ConfigurationLoader.Load(dir.Write("responder.json",
            ResponderJson(new LoadTestOptions(), listen, TestSocketPath.Create(), """, "shards": 2 """)));
        using var host = IkeFastHost.Build(configuration, new DaemonOptions(), LogLevel.Warning, logging => logging.ClearProviders());
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => host.StartAsync());
    }

    [Fact]
    public void DefaultsAreOneShardPerCoreWithReusePortSteering()
    {
        var settings = ShardingSettings.Default;
        Assert.Equal(0, settings.Shards);
        Assert.Equal(Environment.ProcessorCount, settings.EffectiveShards);
        Assert.Equal(1, (settings with { Shards = 1 }).EffectiveShards);
        Assert.Equal(SteeringMode.ReusePort, settings.Steering);
        Assert.True(settings.BatchedIo);
    }

    [Theory]
    [InlineData("\"auto\"", 0)]
    [InlineData("\"AUTO\"", 0)]
    [InlineData("0", 0)]
    [InlineData("3", 3)]
    public void TheShardsKeyTakesAutoOrACount(string value, int shards)
    {
        using var dir = new TempConfigDirectory();
        using var configuration = ConfigurationLoader.Load(dir.Write("r.json",
            ResponderJson(new LoadTestOptions(), new IPEndPoint(IPAddress.Loopback, 500), "/tmp/x.sock", $$""", "shards": {{value}} """)));
        Assert.Equal(shards, configuration.Daemon.Sharding.Shards);
        Assert.Equal(shards == 0 ? Environment.ProcessorCount : shards, configuration.Daemon.Sharding.EffectiveShards);
    }

    [Fact]
    public void AnythingElseIsAConfigurationError()
    {
        using var dir = new TempConfigDirectory();
        var path = dir.Write("r.json", ResponderJson(new LoadTestOptions(), new IPEndPoint(IPAddress.Loopback, 500), "/tmp/x.sock",
            """, "shards": "many" """));
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));
        Assert.Contains("shards", error.Message, StringComparison.Ordinal);
    }
}

using System.Net;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Sharding;
using Ike.Fast.Tests.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Sharding;

/// <summary>
/// One in-process daemon with <c>daemon.shards</c> loops on a loopback address (no root), PSK connections to other
/// such peers, a memory installer the test reads, and its SA registry and shards at hand.
/// </summary>
internal sealed class ShardedPeer : IAsyncDisposable
{
    private readonly IkeFastConfiguration _configuration;

    private ShardedPeer(IkeFastConfiguration configuration, string socket)
    {
        _configuration = configuration;
        Socket = socket;
        Host = IkeFastHost.Build(configuration, new DaemonOptions { SteeringSeed = TestSeed }, LogLevel.Debug, logging => logging.ClearProviders(),
            services => services.AddSingleton(Installer));
    }

    /// <summary>One connection: its peer, the selectors, whether it starts at once, extra connection keys (JSON).</summary>
    public sealed record Connection(string Name, string Remote, int RemotePort, string LocalTs, string RemoteTs, bool Start, string Extra = "");

    public IHost Host { get; }

    public string Socket { get; }

    public MemorySaInstaller Installer { get; } = new(NullLogger<MemorySaInstaller>.Instance);

    public ShardedDaemon Sharded => Host.Services.GetRequiredService<IkeDaemonService>().Sharded!;

    public SaRegistry Registry => Host.Services.GetRequiredService<SaRegistry>();

    public IReadOnlyList<IkeSaStatus> IkeSas => Registry.Snapshot().Ike;

    public IReadOnlyList<ChildSaStatus> ChildSas => Registry.Snapshot().Child;

    /// <summary>
    /// The steering seed of every peer here (a daemon draws a random one per start; fixed here so a test can choose its
    /// peers' shards).
    /// </summary>
    public const ulong TestSeed = 0x5EED_0F7E_575E_ED01;

    /// <summary>The shard of <paramref name="address"/> under <see cref="TestSeed"/>.</summary>
    public static int ShardOf(IPAddress address, int shards) => ShardSteering.ShardOfAddress(address, shards, TestSeed);

    /// <summary>The first 127.Net.<paramref name="block"/>.x (after <paramref name="skip"/> matches) on the given shard.</summary>
    public static IPAddress OnShard(byte block, int shard, int shards, int skip = 0)
    {
        for (var x = 1; x < 255; x++)
        {
            var address = new IPAddress([127, Net, block, (byte)x]);
            if (ShardOf(address, shards) == shard && skip-- == 0)
            {
                return address;
            }
        }

        throw new InvalidOperationException("no such address");
    }

    /// <summary>
    /// The second octet of every fixed test address here (127.Net.block.x), drawn once per test process: the NAT tests
    /// bind fixed 4500 ports, and two test processes on one machine (parallel worktrees, a rerun beside a run) must not
    /// collide. 1-127: <see cref="HostTestConfig.UniqueLoopback"/> draws from 128-254 and other fixed tests use 127.0.
    /// </summary>
    public static readonly byte Net = (byte)(1 + System.Security.Cryptography.RandomNumberGenerator.GetInt32(127));

    /// <summary>
    /// The 127.Net.x block of one theory case: the cases of a class run one after the other on fixed addresses and ports
    /// (4500), and a daemon's sockets may still be closing when the next case binds, so each shard count gets its own block
    /// (blocks 81-103 for two shards, 111-133 otherwise; no other test uses them; NatRebindingDaemonTests uses block 66).
    /// </summary>
    public static byte Block(byte block, int shards) => (byte)(shards > 2 ? block + 30 : block);

    public static IPEndPoint FreeEndPoint(IPAddress address) => new(address, HostTestConfig.FreeUdpPort(address));

    /// <summary>Builds and starts a peer listening on <paramref name="listen"/> with <paramref name="shards"/> loops.</summary>
    public static async Task<ShardedPeer> StartAsync(TempConfigDirectory dir, string name, IPEndPoint[] listen, int shards, string steering,
        params Connection[] connections)
    {
        var local = listen[0].Address;
        var blocks = connections.Select(c => $$"""
            "{{c.Name}}": {
              "local_addrs": "{{local}}",
              "remote_addrs": "{{c.Remote}}",
              {{(c.RemotePort == 0 ? "" : $"\"remote_port\": {c.RemotePort},")}}
              "proposals": "aes128-sha256-modp2048",
              "local": { "auth": "psk" }, "remote": { "auth": "psk" },
              "children": { "net": { "local_ts": "{{c.LocalTs}}", "remote_ts": "{{c.RemoteTs}}", "esp_proposals": "aes128-sha256",
                                     "start_action": "{{(c.Start ? "start" : "none")}}" } }
              {{c.Extra}}
            }
            """);
        var socket = TestSocketPath.Create();
        var json = $$"""
            {
              "daemon": { "listen": [ {{string.Join(", ", listen.Select(l => $"\"{l}\""))}} ], "control_socket": "{{socket}}",
                          "shards": {{shards}}, "steering": "{{steering}}" },
              "connections": { {{string.Join(",\n", blocks)}} },
              "secrets": { "ike-steering": { "secret": "ikefast-steering-test-psk" } }
            }
            """;
        var peer = new ShardedPeer(ConfigurationLoader.Load(dir.Write(name + ".json", json)), socket);
        await peer.Host.StartAsync();
        Assert.Equal(shards, peer.Sharded.Shards.Count);
        return peer;
    }

    /// <summary>The shard that established each Phase 1 so far (Phase1Established per shard).</summary>
    public long[] Phase1PerShard => [.. Sharded.Shards.Select(s => s.Counters.Phase1Established)];

    private bool _disposed;

    /// <summary>Stops the daemon (once: a test may stop a peer early, its topology disposes it again).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Host.StopAsync();
        Host.Dispose();
        Installer.Dispose();
        _configuration.Dispose();
    }
}

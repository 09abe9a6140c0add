using System.Net;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host;

/// <summary>
/// One DH engine for every shard (<see cref="SharedDhEngine"/>, <see cref="ConfiguredDhEngine.CreateShared"/>): the
/// last lease released disposes it, one lease reports its counters, requests pass through to it.
/// </summary>
public class SharedDhEngineTests
{
    [Fact]
    public void The_last_release_disposes_the_engine_once()
    {
        var engine = new CountingEngine();
        SharedDhEngine[] leases = SharedDhEngine.Lease(engine, 3);
        Assert.Equal(3, leases.Length);
        Assert.All(leases, l => Assert.Same(engine, l.Engine));
        leases[0].Dispose();
        leases[0].Dispose(); // a second release of the same lease does not count
        leases[2].Dispose();
        Assert.Equal(0, engine.Disposals);
        leases[1].Dispose();
        Assert.Equal(1, engine.Disposals);
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedDhEngine.Lease(engine, 0));
    }

    [Fact]
    public void Requests_pass_through_and_one_lease_reports_the_counters()
    {
        var engine = new CountingEngine();
        SharedDhEngine[] leases = SharedDhEngine.Lease(engine, 2);
        Assert.True(leases[0].ReportsCounters);
        Assert.False(leases[1].ReportsCounters);
        Assert.Null(leases[0].BatchCounters); // not a batched engine
        var request = DhRequest.GenerateKeyPair(DhGroupId.Curve25519, new byte[32]);
        Assert.True(leases[1].Submit(request, new DhCompletionQueue(), 7, out DhResult result));
        Assert.Equal(DhStatus.Success, result.Status);
        Assert.Equal(1, engine.Executions);
        Assert.False(leases[1].CanDefer);
    }

    [Fact]
    public void CreateShared_gives_one_batched_engine_to_every_shard()
    {
        using var dir = new TempConfigDirectory();
        IkeFastConfiguration config = Config(dir);
        Assert.Null(ConfiguredDhEngine.CreateShared(config, 1)); // one shard: its own engine as before
        SharedDhEngine[] leases = ConfiguredDhEngine.CreateShared(config, 2)!;
        Assert.Equal(2, leases.Length);
        BatchedDhEngine engine = Assert.IsType<BatchedDhEngine>(leases[0].Engine);
        Assert.Same(engine, leases[1].Engine);
        // As much room as one engine per shard had: shared secrets and key-pair pools sized per shard.
        Assert.Equal(2 * (ModExpBatcher.DefaultQueueCapacity + ConfiguredDhEngine.PoolCapacity), engine.QueueCapacity);
        Assert.NotNull(leases[0].BatchCounters);
        Assert.Null(leases[1].BatchCounters); // summed over the shards, every batch counts once
        foreach (SharedDhEngine lease in leases)
        {
            lease.Dispose();
        }
    }

    private static IkeFastConfiguration Config(TempConfigDirectory dir)
    {
        var local = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        var remote = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        return HostTestConfig.Side(dir, "shared-dh", local, remote, initiate: false, "10.1.0.0/16", "10.2.0.0/16",
            Path.Combine(Path.GetTempPath(), $"ikefast-shared-dh-{Environment.ProcessId}.sock"));
    }

    private sealed class CountingEngine : IDhEngine, IDisposable
    {
        public int Disposals { get; private set; }

        public int Executions { get; private set; }

        public DhResult Execute(in DhRequest request)
        {
            Executions++;
            return new DhResult(DhStatus.Success);
        }

        public void Dispose() => Disposals++;
    }
}

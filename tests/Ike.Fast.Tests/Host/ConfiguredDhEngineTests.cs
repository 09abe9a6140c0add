using System.Net;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host;

/// <summary>The daemon's DH engine choice (IKEFAST_DH_ENGINE / IKEFAST_DH_DEADLINE_US) and its completion pump.</summary>
public class ConfiguredDhEngineTests
{
    [Fact]
    public void Default_IsBatched_WithPoolsForTheConfiguredModpGroup()
    {
        using var dir = new TempConfigDirectory();
        IkeFastConfiguration config = Config(dir);
        IDhEngine engine = ConfiguredDhEngine.Create(config, null, null);
        using var batched = Assert.IsType<BatchedDhEngine>(engine);
        Assert.True(engine.CanDefer);
        Assert.Equal(ConfiguredDhEngine.DefaultDeadline, batched.FlushDeadline);
        Assert.Equal(TimeSpan.FromMilliseconds(2), batched.FlushDeadline);
        Assert.Equal(ModExpBatcher.DefaultQueueCapacity + ConfiguredDhEngine.PoolCapacity, batched.QueueCapacity);
        var spin = System.Diagnostics.Stopwatch.StartNew();
        while (batched.PooledAvailable(DhGroupId.Modp2048) == 0 && spin.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(1); // the worker fills the pool ahead of demand
        }

        Assert.True(batched.PooledAvailable(DhGroupId.Modp2048) > 0);
        Assert.Equal(0, batched.PooledAvailable(DhGroupId.Modp3072)); // not configured: not pooled
    }

    [Fact]
    public void Scalar_Deadline_AndMistakes()
    {
        using var dir = new TempConfigDirectory();
        IkeFastConfiguration config = Config(dir);
        Assert.IsType<ScalarDhEngine>(ConfiguredDhEngine.Create(config, "scalar", null));
        using (var batched = Assert.IsType<BatchedDhEngine>(ConfiguredDhEngine.Create(config, "batched", "500")))
        {
            Assert.Equal(TimeSpan.FromMicroseconds(500), batched.FlushDeadline);
        }

        Assert.Throws<InvalidOperationException>(() => ConfiguredDhEngine.Create(config, "turbo", null));
        Assert.Throws<InvalidOperationException>(() => ConfiguredDhEngine.Create(config, null, "soon"));
    }

    private static IkeFastConfiguration Config(TempConfigDirectory dir)
    {
        var local = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        var remote = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        return HostTestConfig.Side(dir, "dh", local, remote, initiate: false, "10.1.0.0/16", "10.2.0.0/16",
            Path.Combine(Path.GetTempPath(), $"ikefast-dh-{Environment.ProcessId}.sock"));
    }
}

using System.Net;
using System.Text.Json;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Tests.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Tests.Host;

public class IkeFastHostTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task HostStartsServesStatusAndStopsCleanly()
    {
        using var dir = new TempConfigDirectory();
        var socketPath = TestSocketPath.Create();
        var local = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        using var configuration = HostTestConfig.Side(dir, "a", local, new IPEndPoint(IPAddress.Loopback, 9), initiate: false,
            "198.51.100.0/24", "203.0.113.0/24", socketPath);
        using var host = IkeFastHost.Build(configuration, new DaemonOptions(), LogLevel.Debug, logging => logging.ClearProviders());
        await host.StartAsync();
        try
        {
            var line = await ControlClient.QueryAsync(socketPath, """{"command":"status"}""", Timeout);
            using var json = JsonDocument.Parse(line);
            Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal(local.ToString(), json.RootElement.GetProperty("listen")[0].GetString());
            Assert.Equal(0, json.RootElement.GetProperty("ike_sas").GetArrayLength());
            Assert.Equal(0, json.RootElement.GetProperty("child_sas").GetArrayLength());

            // The loop is alive: a datagram sent to the daemon reaches the engine (junk: counted, dropped, no reply).
            var service = host.Services.GetRequiredService<IkeDaemonService>();
            using var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            await udp.SendAsync(new byte[40], local);
            var deadline = DateTime.UtcNow + Timeout;
            while (service.Sharded!.Counters.Received == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.Equal(1, service.Sharded.Counters.Received); // whichever shard the seed gives its address
        }
        finally
        {
            await host.StopAsync();
        }

        // Graceful stop removes the control socket.
        Assert.False(File.Exists(socketPath));
    }

    [Fact]
    public async Task ControlCommandsReachTheLoop()
    {
        using var dir = new TempConfigDirectory();
        var socketPath = TestSocketPath.Create();
        var local = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        using var configuration = HostTestConfig.Side(dir, "a", local, new IPEndPoint(IPAddress.Loopback, 9), initiate: false,
            "198.51.100.0/24", "203.0.113.0/24", socketPath);
        using var host = IkeFastHost.Build(configuration, new DaemonOptions(), LogLevel.Debug, logging => logging.ClearProviders());
        await host.StartAsync();
        try
        {
            async Task<ControlResponse> Ask(string request) => JsonSerializer.Deserialize(
                await ControlClient.QueryAsync(socketPath, request, Timeout), ControlJsonContext.Default.ControlResponse)!;

            Assert.Equal("unknown connection 'nope'", (await Ask("""{"command":"initiate","connection":"nope"}""")).Error);
            Assert.Equal("connection 'loop' has no child 'x'", (await Ask("""{"command":"initiate","connection":"loop","child":"x"}""")).Error);
            Assert.StartsWith("initiate needs", (await Ask("""{"command":"initiate"}""")).Error, StringComparison.Ordinal);
            Assert.Equal("no IKE SA of connection 'loop'", (await Ask("""{"command":"terminate","connection":"loop"}""")).Error);
            Assert.Equal("no IPsec SA with inbound SPI c0ffee01", (await Ask("""{"command":"terminate","spi_in":"c0ffee01"}""")).Error);
            Assert.StartsWith("invalid spi_in", (await Ask("""{"command":"terminate","spi_in":"zz"}""")).Error, StringComparison.Ordinal);
            Assert.StartsWith("terminate needs", (await Ask("""{"command":"terminate"}""")).Error, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task PortInUseFailsTheStart()
    {
        using var dir = new TempConfigDirectory();
        using var blocker = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var taken = (IPEndPoint)blocker.Client.LocalEndPoint!;
        using var configuration = HostTestConfig.Side(dir, "a", taken, new IPEndPoint(IPAddress.Loopback, 9), false,
            "dynamic", "dynamic", TestSocketPath.Create());
        using var host = IkeFastHost.Build(configuration, new DaemonOptions(), LogLevel.Warning, logging => logging.ClearProviders());
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => host.StartAsync());
    }
}

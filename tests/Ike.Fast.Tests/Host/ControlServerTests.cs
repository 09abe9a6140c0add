using System.Text.Json;
using Ike.Fast.Host.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host;

public class ControlServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StatusListsSasAsLineDelimitedJson()
    {
        var path = TestSocketPath.Create();
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(2_000_000));
        var registry = new SaRegistry(time);
        registry.AddIke(SaRegistryTests.Ike("0123456789abcdef", 2_000_000));
        registry.AddChild(SaRegistryTests.Child("c0ffee01", 2_000_000));
        time.Advance(TimeSpan.FromSeconds(5));
        await using (var server = new ControlServer(path, registry, () => ["127.0.0.1:500"], NullLogger.Instance))
        {
            server.Start();
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
                    File.GetUnixFileMode(path));
            }

            var line = await ControlClient.QueryAsync(path, """{"command":"status"}""", Timeout);
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.True(root.GetProperty("ok").GetBoolean());
            Assert.Equal("127.0.0.1:500", root.GetProperty("listen")[0].GetString());
            var ike = root.GetProperty("ike_sas")[0];
            Assert.Equal("rw", ike.GetProperty("connection").GetString());
            Assert.Equal("0123456789abcdef", ike.GetProperty("initiator_cookie").GetString());
            Assert.Equal("127.0.0.2:500", ike.GetProperty("remote").GetString());
            Assert.Equal(5, ike.GetProperty("age_seconds").GetInt64());
            var child = root.GetProperty("child_sas")[0];
            Assert.Equal("c0ffee01", child.GetProperty("spi_in").GetString());
            Assert.Equal("c0000002", child.GetProperty("spi_out").GetString());
            Assert.Equal("esp", child.GetProperty("protocol").GetString());
            Assert.Equal("198.51.100.0/24", child.GetProperty("local_ts").GetString());
            Assert.Equal(5, child.GetProperty("age_seconds").GetInt64());

            // The typed model reads it back too (what `ikefast status` does).
            var typed = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse)!;
            Assert.Equal("c0ffee01", Assert.Single(typed.ChildSas!).SpiIn);
        }

        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData("""{"command":"reboot"}""", "unknown command 'reboot' (supported: status)")]
    [InlineData("""{}""", "missing \"command\"")]
    [InlineData("""not json""", "invalid request")]
    public async Task BadRequestsGetAnErrorAnswer(string request, string error)
    {
        var path = TestSocketPath.Create();
        await using var server = new ControlServer(path, new SaRegistry(TimeProvider.System), () => [], NullLogger.Instance);
        server.Start();
        var line = await ControlClient.QueryAsync(path, request, Timeout);
        var response = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse)!;
        Assert.False(response.Ok);
        Assert.StartsWith(error, response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverlongRequestIsCutOff()
    {
        var path = TestSocketPath.Create();
        await using var server = new ControlServer(path, new SaRegistry(TimeProvider.System), () => [], NullLogger.Instance);
        server.Start();
        var line = await ControlClient.QueryAsync(path, new string('x', ControlServer.MaxRequestBytes + 10), Timeout);
        Assert.Contains("request line too long", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaleSocketFileIsReplacedButALiveDaemonIsNot()
    {
        var path = TestSocketPath.Create();
        await File.WriteAllTextAsync(path, "stale");
        await using var first = new ControlServer(path, new SaRegistry(TimeProvider.System), () => [], NullLogger.Instance);
        first.Start();
        Assert.Contains("\"ok\":true", await ControlClient.QueryAsync(path, """{"command":"status"}""", Timeout), StringComparison.Ordinal);

        await using var second = new ControlServer(path, new SaRegistry(TimeProvider.System), () => [], NullLogger.Instance);
        var e = Assert.Throws<InvalidOperationException>(second.Start);
        Assert.Contains("Another ikefast daemon", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralRequestsOnOneConnection()
    {
        var path = TestSocketPath.Create();
        await using var server = new ControlServer(path, new SaRegistry(TimeProvider.System), () => [], NullLogger.Instance);
        server.Start();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        await using var stream = new System.Net.Sockets.NetworkStream(socket);
        await stream.WriteAsync("{\"command\":\"status\"}\n{\"command\":\"nope\"}\n"u8.ToArray());
        using var reader = new StreamReader(stream);
        Assert.Contains("\"ok\":true", await reader.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Contains("\"ok\":false", await reader.ReadLineAsync(), StringComparison.Ordinal);
    }
}

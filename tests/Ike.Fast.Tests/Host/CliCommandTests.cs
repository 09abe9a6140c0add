using System.CommandLine;
using System.Net;
using System.Text.Json;
using Ike.Fast.Cli;
using Ike.Fast.Host.Control;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host;

/// <summary><c>ikefast serve</c> and <c>ikefast status</c> through the real command-line parser, in process.</summary>
public class CliCommandTests
{
    private static async Task<(int Exit, string Output, string Error)> Run(CancellationToken cancel, params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in Commands.All())
        {
            root.Subcommands.Add(command);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancel);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task ServeWithInvalidConfigurationExitsTwoAndNamesTheKey()
    {
        using var dir = new TempConfigDirectory();
        var file = dir.Write("ikefast.json", ConfigText.Psk().Replace("aes128-sha256-modp2048", "aes129-sha256-modp2048", StringComparison.Ordinal));
        var (exit, _, error) = await Run(CancellationToken.None, "serve", "--config", file);
        Assert.Equal(ServeCommand.ExitInvalidConfiguration, exit);
        Assert.StartsWith("ikefast.json: connections:rw:proposals:0: keyword 'aes129'", error, StringComparison.Ordinal);

        (exit, _, error) = await Run(CancellationToken.None, "serve", "--config", Path.Combine(dir.Path, "absent.json"));
        Assert.Equal(ServeCommand.ExitInvalidConfiguration, exit);
        Assert.StartsWith("absent.json: file not found", error, StringComparison.Ordinal);

        (exit, _, error) = await Run(CancellationToken.None, "serve", "--config", file, "--set", "no-equals-sign");
        Assert.Equal(ServeCommand.ExitInvalidConfiguration, exit);
        Assert.Contains("expected KEY=VALUE", error, StringComparison.Ordinal);

        (exit, _, error) = await Run(CancellationToken.None, "serve", "--config", file, "--listen", "localhost");
        Assert.Equal(ServeCommand.ExitInvalidConfiguration, exit);
        Assert.Contains("command line: daemon:listen:0: invalid listen address 'localhost'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusWithoutDaemonExitsOne()
    {
        var (exit, _, error) = await Run(CancellationToken.None, "status", "--control-socket", TestSocketPath.Create());
        Assert.Equal(1, exit);
        Assert.Contains("cannot reach the daemon", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeThenStatusThenStop()
    {
        using var dir = new TempConfigDirectory();
        var file = dir.Write("ikefast.json", ConfigText.Psk(child: ", \"rekey_time\": \"20m\"").Replace(
            "\"start_action\": \"start\"", "\"start_action\": \"none\"", StringComparison.Ordinal));
        var socket = TestSocketPath.Create();
        var listen = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        using var stop = new CancellationTokenSource();
        var serve = Run(stop.Token, "serve", "--config", file, "--listen", listen.ToString(), "--control-socket", socket,
            "--set", "connections:rw:rekey_time=1h");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!File.Exists(socket) && DateTime.UtcNow < deadline && !serve.IsCompleted)
        {
            await Task.Delay(20);
        }

        var (exit, output, error) = await Run(CancellationToken.None, "status", "--json", "--control-socket", socket);
        Assert.True(exit == 0, error);
        var status = JsonSerializer.Deserialize(output.Trim(), ControlJsonContext.Default.ControlResponse)!;
        Assert.True(status.Ok);
        Assert.Equal([listen.ToString()], status.Listen);

        (exit, output, _) = await Run(CancellationToken.None, "status", "--control-socket", socket);
        Assert.Equal(0, exit);
        Assert.Contains($"listening on {listen}", output, StringComparison.Ordinal);
        Assert.Contains("IKE SAs (0):", output, StringComparison.Ordinal);
        Assert.Contains("IPsec SAs (0):", output, StringComparison.Ordinal);

        await stop.CancelAsync();
        var (serveExit, _, serveError) = await serve;
        Assert.True(serveExit == 0, serveError);
        Assert.False(File.Exists(socket));
    }
}

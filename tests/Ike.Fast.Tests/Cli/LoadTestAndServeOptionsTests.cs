using System.CommandLine;
using Ike.Fast.Cli;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Cli;

/// <summary>The bench branch's command-line options through the real parser: usage errors exit 2 before anything runs.</summary>
public sealed class LoadTestAndServeOptionsTests
{
    private static async Task<(int Exit, string Error)> Run(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in Commands.All())
        {
            root.Subcommands.Add(command);
        }

        var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = new StringWriter(), Error = error, ProcessTerminationTimeout = null });
        return (exit, error.ToString());
    }

    [Fact]
    public async Task ServeRefusesAnUnknownLogLevel()
    {
        using var dir = new TempConfigDirectory();
        string config = dir.Write("c.json", """
            {
              "daemon": { "listen": [ "127.0.0.1:9" ] },
              "connections": { "c": { "remote_addrs": "192.0.2.1", "local": { "auth": "psk" }, "remote": { "auth": "psk" },
                "children": { "n": { "local_ts": "10.1.0.0/16", "remote_ts": "10.2.0.0/16" } } } },
              "secrets": { "ike-c": { "secret": "0123456789abcdef" } }
            }
            """);
        var (exit, error) = await Run("serve", "--config", config, "--log-level", "loud");
        Assert.Equal(2, exit);
        Assert.Contains("--log-level: unknown level 'loud'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--auth", "bogus")]
    [InlineData("--cert", "/nonexistent.crt")]
    [InlineData("--pki", "/tmp")]
    [InlineData("--dpd", "0")]
    public async Task LoadTestUsageErrorsExitTwo(string option, string value)
    {
        // The loadtest command reports usage errors on the process's stderr (harmless in a test run).
        var (exit, _) = await Run("loadtest", option, value, "--count", "1");
        Assert.Equal(2, exit);
    }
}

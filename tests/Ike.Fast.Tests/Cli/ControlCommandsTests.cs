using System.CommandLine;
using System.Text.Json;
using Ike.Fast.Cli;
using Ike.Fast.Host.Control;
using Ike.Fast.Tests.Host;
using Ike.Fast.Tests.Host.Control;

namespace Ike.Fast.Tests.Cli;

/// <summary>
/// <c>ikefast list-sas / initiate / terminate / reload / stats</c> through the real parser against in-process daemons.
/// </summary>
public class ControlCommandsTests
{
    private static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in Commands.All())
        {
            root.Subcommands.Add(command);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
        return (exit, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("list-sas")]
    [InlineData("initiate", "loop")]
    [InlineData("terminate", "loop")]
    [InlineData("reload")]
    [InlineData("stats")]
    public async Task WithoutDaemonExitsOne(params string[] args)
    {
        var (exit, _, error) = await Run([.. args, "--control-socket", TestSocketPath.Create()]);
        Assert.Equal(1, exit);
        Assert.Contains("cannot reach the daemon", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("list-sas --phase 3", "expected 1 or 2")]
    [InlineData("list-sas --peer nowhere", "expected an IP address")]
    [InlineData("initiate", "expected NAME or NAME/CHILD")]
    [InlineData("initiate loop/", "expected NAME or NAME/CHILD")]
    [InlineData("terminate", "expected either NAME or --spi HEX")]
    [InlineData("terminate loop --spi 01", "expected either NAME or --spi HEX")]
    [InlineData("terminate --spi xyz", "expected up to 8 hex digits")]
    public async Task UsageErrorsExitTwo(string args, string message)
    {
        var (exit, _, error) = await Run([.. args.Split(' '), "--control-socket", TestSocketPath.Create()]);
        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListFilterStatsTerminateInitiateAndReload()
    {
        await using var pair = new ControlPair();
        await pair.StartEstablishedAsync();
        var socket = pair.ASocket;

        // list-sas and its filters.
        var (exit, output, error) = await Run("list-sas", "--json", "--control-socket", socket);
        Assert.True(exit == 0, error);
        var all = JsonSerializer.Deserialize(output.Trim(), ControlJsonContext.Default.ControlResponse)!;
        var ike = Assert.Single(all.IkeSas!);
        var child = Assert.Single(all.ChildSas!);
        Assert.Equal("loop", ike.Connection);

        (_, output, _) = await Run("list-sas", "--json", "--phase", "1", "--control-socket", socket);
        var phase1 = JsonSerializer.Deserialize(output.Trim(), ControlJsonContext.Default.ControlResponse)!;
        Assert.Single(phase1.IkeSas!);
        Assert.Empty(phase1.ChildSas!);
        (_, output, _) = await Run("list-sas", "--json", "--phase", "2", "--peer", "127.0.0.2", "--control-socket", socket);
        var phase2 = JsonSerializer.Deserialize(output.Trim(), ControlJsonContext.Default.ControlResponse)!;
        Assert.Empty(phase2.IkeSas!);
        Assert.Equal(child.SpiIn, Assert.Single(phase2.ChildSas!).SpiIn);
        (_, output, _) = await Run("list-sas", "--json", "--peer", "127.0.0.9", "--control-socket", socket);
        var none = JsonSerializer.Deserialize(output.Trim(), ControlJsonContext.Default.ControlResponse)!;
        Assert.Empty(none.IkeSas!);
        Assert.Empty(none.ChildSas!);
        (_, output, _) = await Run("list-sas", "--json", "--connection", "other", "--control-socket", socket);
        Assert.Empty(JsonSerializer.Deserialize(output.Trim(), ControlJsonContext.Default.ControlResponse)!.IkeSas!);
        (exit, output, _) = await Run("list-sas", "--connection", "loop", "--control-socket", socket);
        Assert.Equal(0, exit);
        Assert.Contains("IKE SAs (1):", output, StringComparison.Ordinal);
        Assert.Contains($"SPIs {child.SpiIn}_i", output, StringComparison.Ordinal);

        // stats --json carries the counters and diagnostics.
        (exit, output, error) = await Run("stats", "--json", "--control-socket", socket);
        Assert.True(exit == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            var stats = json.RootElement.GetProperty("stats");
            Assert.Equal(1, stats.GetProperty("phase1_established").GetInt64());
            Assert.Equal(1, stats.GetProperty("child_sas_established").GetInt64());
            Assert.True(stats.GetProperty("received").GetInt64() >= 4);
            Assert.True(stats.GetProperty("sent").GetInt64() >= 4);
            Assert.Equal(1, stats.GetProperty("ike_sas_up").GetInt32());
            Assert.Equal(1, stats.GetProperty("child_sas_up").GetInt32());
            Assert.Equal(1, stats.GetProperty("connections").GetInt32());
            Assert.Equal(JsonValueKind.Object, stats.GetProperty("diagnostics").ValueKind);
            Assert.True(stats.TryGetProperty("dropped", out _));
            Assert.True(stats.TryGetProperty("uptime_seconds", out _));
        }

        (exit, output, _) = await Run("stats", "--control-socket", socket);
        Assert.Equal(0, exit);
        Assert.Contains("handshakes: 1 Phase 1, 1 Quick Mode", output, StringComparison.Ordinal);

        // terminate --spi: the IPsec SA pair goes, the ISAKMP SA stays; initiate loop/net brings a new pair up.
        (exit, _, error) = await Run("terminate", "--spi", child.SpiIn, "--control-socket", socket);
        Assert.True(exit == 0, error);
        Assert.True(await LoopbackPair.WaitUntil(() => ControlPair.Count(socket, "child_sas") == 0));
        (exit, _, error) = await Run("terminate", "--spi", child.SpiIn, "--control-socket", socket);
        Assert.Equal(1, exit);
        Assert.Contains("no IPsec SA with inbound SPI", error, StringComparison.Ordinal);

        (exit, _, error) = await Run("initiate", "loop/net", "--control-socket", socket);
        Assert.True(exit == 0, error);
        Assert.True(await LoopbackPair.WaitUntil(() => ControlPair.Count(socket, "child_sas") == 1));
        (exit, _, error) = await Run("initiate", "nope", "--control-socket", socket);
        Assert.Equal(1, exit);
        Assert.Contains("unknown connection 'nope'", error, StringComparison.Ordinal);

        // terminate NAME: the ISAKMP SA and its IPsec SAs go.
        (exit, _, error) = await Run("terminate", "loop", "--control-socket", socket);
        Assert.True(exit == 0, error);
        Assert.True(await LoopbackPair.WaitUntil(() => ControlPair.Count(socket, "ike_sas") == 0));

        // reload: ok, then an invalid file exits 1 with the error.
        (exit, output, error) = await Run("reload", "--control-socket", socket);
        Assert.True(exit == 0, error);
        Assert.Contains("reloaded:", output, StringComparison.Ordinal);
        await File.WriteAllTextAsync(pair.AFile, "{ not json");
        (exit, _, error) = await Run("reload", "--control-socket", socket);
        Assert.Equal(1, exit);
        Assert.Contains("invalid configuration, nothing changed", error, StringComparison.Ordinal);
    }
}

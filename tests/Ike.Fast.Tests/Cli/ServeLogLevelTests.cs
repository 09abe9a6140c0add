using System.Net;
using Ike.Fast.Cli;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Tests.Config;
using Ike.Fast.Tests.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Cli;

/// <summary>
/// <c>ikefast serve --log-level</c> / <c>$IKEFAST_LOG_LEVEL</c> / <c>daemon.log_level</c>, what each level shows, and
/// <c>daemon.dh_exponent</c> (both from the bench branch, for the race: quiet daemons, like-for-like exponents).
/// </summary>
public sealed class ServeLogLevelTests
{
    [Theory]
    [InlineData("warning", false, "debug", "error", LogLevel.Warning)] // the option wins over everything
    [InlineData(null, true, "error", "error", LogLevel.Debug)] // --debug next
    [InlineData(null, false, "Error", "debug", LogLevel.Error)] // then the environment
    [InlineData(null, false, null, "none", LogLevel.None)] // then daemon.log_level
    [InlineData(null, false, "", null, LogLevel.Information)] // default
    [InlineData("warn", false, null, null, LogLevel.Warning)]
    [InlineData("info", false, null, null, LogLevel.Information)]
    [InlineData("TRACE", false, null, null, LogLevel.Trace)]
    public void Precedence(string? option, bool debug, string? environment, string? configured, LogLevel expected)
    {
        LogLevel? config = configured is null ? null : DaemonSettings.TryParseLogLevel(configured, out var c) ? c : throw new ArgumentException(configured);
        Assert.True(ServeCommand.TryResolveLogLevel(option, debug, environment, config, out var level, out var error), error);
        Assert.Equal(expected, level);
    }

    [Fact]
    public void UnknownLevelsAreErrors()
    {
        Assert.False(ServeCommand.TryResolveLogLevel("loud", false, null, null, out _, out var error));
        Assert.Contains("--log-level", error, StringComparison.Ordinal);
        Assert.False(ServeCommand.TryResolveLogLevel(null, false, "loud", null, out _, out error));
        Assert.Contains("IKEFAST_LOG_LEVEL", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationKeysAreReadAndChecked()
    {
        using var dir = new TempConfigDirectory();
        using (var defaults = dir.Load(Config("")))
        {
            Assert.Null(defaults.Daemon.LogLevel);
            Assert.Equal(PrivateExponentLength.Short, defaults.Daemon.DhExponent);
        }

        using (var set = dir.Load(Config(""" "log_level": "warning", "dh_exponent": "full", """)))
        {
            Assert.Equal(LogLevel.Warning, set.Daemon.LogLevel);
            Assert.Equal(PrivateExponentLength.Full, set.Daemon.DhExponent);
        }

        var e = Assert.Throws<ConfigurationException>(() => dir.Load(Config(""" "log_level": "loud", "dh_exponent": "long", """)));
        Assert.Contains(e.Errors, x => x.ToString().Contains("daemon:log_level", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.ToString().Contains("daemon:dh_exponent", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("short", 256 / 8)] // MODP-2048: 2 x 112-bit strength, never below 256 bits (RFC 3526 section 8)
    [InlineData("full", 256)] // 2047 bits: the prime's length minus one, what charon's openssl plugin draws
    public void DhExponentReachesTheDaemonsEngine(string policy, int exponentBytes)
    {
        using var dir = new TempConfigDirectory();
        using var configuration = dir.Load(Config($$""" "dh_exponent": "{{policy}}", """));
        IDhEngine engine = ConfiguredDhEngine.Create(configuration);
        var publicValue = new byte[256];
        var result = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, publicValue));
        Assert.Equal(DhStatus.Success, result.Status);
        using var key = result.PrivateKey!;
        Assert.Equal(exponentBytes, key.Exponent!.Length);
    }

    [Fact]
    public async Task InformationShowsStepsAndSaEvents_NotDatagrams()
    {
        using var dir = new TempConfigDirectory();
        var a = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        var bAddress = IPAddress.Parse("127.0.0.2");
        var b = new IPEndPoint(bAddress, HostTestConfig.FreeUdpPort(bAddress));
        using var aConfig = HostTestConfig.Side(dir, "a", a, b, initiate: true, "198.51.100.0/24", "203.0.113.0/24", TestSocketPath.Create());
        using var bConfig = HostTestConfig.Side(dir, "b", b, a, initiate: false, "203.0.113.0/24", "198.51.100.0/24", TestSocketPath.Create());
        var captured = new CapturingLoggerProvider();
        using var bInstaller = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        using var aInstaller = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        using var bHost = IkeFastHost.Build(bConfig, new DaemonOptions(), LogLevel.Information,
            logging => logging.ClearProviders().AddProvider(captured), services => services.AddSingleton(bInstaller));
        using var aHost = IkeFastHost.Build(aConfig, new DaemonOptions(), LogLevel.Information,
            logging => logging.ClearProviders(), services => services.AddSingleton(aInstaller));
        await bHost.StartAsync();
        await aHost.StartAsync();
        try
        {
            Assert.True(await LoopbackPair.WaitUntil(() => bInstaller.Installed.Count > 0 && aInstaller.Installed.Count > 0));
            Assert.True(await LoopbackPair.WaitUntil(() => captured.Lines.Any(l => l.Text.Contains("established", StringComparison.Ordinal))));
        }
        finally
        {
            await aHost.StopAsync();
            await bHost.StopAsync();
        }

        var lines = captured.Lines;
        Assert.DoesNotContain(lines, l => l.Level < LogLevel.Information);
        Assert.DoesNotContain(lines, l => l.Text.StartsWith("recv ", StringComparison.Ordinal) || l.Text.StartsWith("send ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Text.StartsWith("IKE SA loop established", StringComparison.Ordinal));
    }

    private static string Config(string daemonExtra) => $$"""
        {
          "daemon": { {{daemonExtra}} "listen": [ "127.0.0.1:4500" ] },
          "connections": {
            "c": {
              "remote_addrs": "192.0.2.1",
              "proposals": "aes128-sha256-modp2048",
              "local": { "auth": "psk" }, "remote": { "auth": "psk" },
              "children": { "net": { "local_ts": "10.1.0.0/16", "remote_ts": "10.2.0.0/16", "esp_proposals": "aes128-sha256" } }
            }
          },
          "secrets": { "ike-c": { "secret": "0123456789abcdef" } }
        }
        """;
}

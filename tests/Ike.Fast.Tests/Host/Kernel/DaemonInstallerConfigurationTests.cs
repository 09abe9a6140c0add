using System.Net;
using Ike.Fast.Host.Kernel;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host.Kernel;

/// <summary><c>daemon { installer, metrics }</c>.</summary>
public sealed class DaemonInstallerConfigurationTests
{
    [Fact]
    public void InstallerAndMetricsKeysAreRead()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk(top: """
            , "daemon": { "installer": "memory", "metrics": "127.0.0.1:9464" }
            """));
        Assert.Equal(SaInstallerKind.Memory, config.Daemon.Installer);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9464"), config.Daemon.Metrics);
    }

    [Fact]
    public void DefaultsAreAutoAndNoMetricsListener()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk());
        Assert.Equal(SaInstallerKind.Auto, config.Daemon.Installer);
        Assert.Null(config.Daemon.Metrics);
    }

    [Theory]
    [InlineData("\"installer\": \"pfkey\"", "daemon:installer: unknown installer 'pfkey' (expected memory, xfrm or auto)")]
    [InlineData("\"metrics\": \"localhost\"", "daemon:metrics: invalid metrics address 'localhost'")]
    public void BadValuesAreReported(string entry, string expected)
    {
        using var dir = new TempConfigDirectory();
        var errors = dir.Errors(ConfigText.Psk(top: ", \"daemon\": { " + entry + " }"));
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }
}

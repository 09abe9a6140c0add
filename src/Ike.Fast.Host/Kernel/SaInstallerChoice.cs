using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Installation;
using Ike.Native.Xfrm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Kernel;

/// <summary>Picks the daemon's <see cref="ISaInstaller"/> from <c>daemon.installer</c>.</summary>
public static class SaInstallerChoice
{
    public static bool TryParse(string text, out SaInstallerKind kind)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "memory":
                kind = SaInstallerKind.Memory;
                return true;
            case "xfrm":
            case "kernel":
                kind = SaInstallerKind.Xfrm;
                return true;
            case "auto":
                kind = SaInstallerKind.Auto;
                return true;
            default:
                kind = SaInstallerKind.Auto;
                return false;
        }
    }

    /// <summary>Environment variable: <c>kernel</c> = inbound SPIs from XFRM_MSG_ALLOCSPI instead of the daemon's own.</summary>
    public const string SpiEnvironmentVariable = "IKEFAST_XFRM_SPI";

    /// <summary><see cref="XfrmSpiAllocation.Kernel"/> for <c>kernel</c>, else the default (<see cref="XfrmSpiAllocation.Daemon"/>).</summary>
    public static XfrmSpiAllocation SpiAllocation(string? value) =>
        string.Equals(value?.Trim(), "kernel", StringComparison.OrdinalIgnoreCase) ? XfrmSpiAllocation.Kernel : XfrmSpiAllocation.Daemon;

    /// <summary>The journal named after the control socket (/run/ikefast/ikefast.xfrm-owned as root), so two daemons with
    /// their own control sockets never share one.</summary>
    public static string JournalPath(DaemonSettings daemon)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        return Path.ChangeExtension(daemon.ControlSocket, ".xfrm-owned");
    }

    /// <summary>
    /// The installer for <paramref name="configuration"/>. A <see cref="MemorySaInstaller"/> registered by the caller
    /// on top of the default one (tests, via <c>IkeFastHost.Build(services: ...)</c>) always wins, so an in-process
    /// test never touches the machine's kernel state, whatever <c>auto</c> would pick.
    /// </summary>
    public static ISaInstaller Create(IServiceProvider provider, IkeFastConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(configuration);
        var memory = provider.GetServices<MemorySaInstaller>().ToList();
        var kind = configuration.Daemon.Installer;
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Ike.Fast.Host.Kernel");
        if (kind == SaInstallerKind.Memory || (kind == SaInstallerKind.Auto && (memory.Count > 1 || !IsRoot())))
        {
            return memory[^1];
        }

        var options = new XfrmInstallerOptions
        {
            JournalPath = JournalPath(configuration.Daemon),
            SpiAllocation = SpiAllocation(Environment.GetEnvironmentVariable(SpiEnvironmentVariable)),
            RemovalDelay = XfrmSaInstaller.DefaultRemovalDelay,
        };
        var status = XfrmSaInstaller.TryOpen(options, provider.GetRequiredService<ILoggerFactory>().CreateLogger<XfrmSaInstaller>(),
            (connection, child) => configuration.Connections.FirstOrDefault(c => c.Name == connection)?.FindChild(child),
            out var xfrm);
        if (status == XfrmStatus.Success)
        {
            logger.LogInformation("SA installer: xfrm (kernel); ownership journal {Journal}", options.JournalPath);
            return xfrm!;
        }

        if (kind == SaInstallerKind.Xfrm)
        {
            throw new InvalidOperationException($"daemon.installer=xfrm but XFRM cannot be opened: {status}");
        }

        logger.LogInformation("SA installer: memory (XFRM not usable here: {Status})", status);
        return memory[^1];
    }

    private static bool IsRoot() => OperatingSystem.IsLinux() && Environment.UserName == "root";
}

using System.Net;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// The <c>daemon { }</c> section (charon.conf's job in strongSwan): where to listen for IKE and where the local control
/// socket lives. <c>ikefast serve --listen</c> and <c>--control-socket</c> override it.
/// </summary>
/// <param name="Installer"><c>daemon.installer</c>: memory, xfrm or auto (see Kernel/README.md).</param>
/// <param name="ControlGroup"><c>daemon.control_group</c>: the control socket's group (name or gid; Control/).</param>
/// <param name="Metrics"><c>daemon.metrics</c>: the Prometheus listener's address, or null for none (Metrics/).</param>
/// <param name="XauthUsers"><c>daemon.xauth_users</c>: the XAUTH server's users file (<c>user:salt:hash</c>, PBKDF2),
/// full path, or null for none.</param>
public sealed record DaemonSettings(IReadOnlyList<IPEndPoint> Listen, string ControlSocket,
    Kernel.SaInstallerKind Installer = Kernel.SaInstallerKind.Auto, IPEndPoint? Metrics = null, string? ControlGroup = null,
    string? XauthUsers = null)
{
    /// <summary><c>daemon.shards</c>, <c>daemon.steering</c>, <c>daemon.batch_size</c>, <c>daemon.batched_io</c> (Sharding/).</summary>
    public ShardingSettings Sharding { get; init; } = ShardingSettings.Default;

    /// <summary><c>daemon.admission</c> (Admission/).</summary>
    public AdmissionSettings Admission { get; init; } = AdmissionSettings.Default;

    /// <summary>UDP 500 on every IPv4 and IPv6 address (RFC 2408 section 2.5.2: ISAKMP's well-known port).</summary>
    public static IReadOnlyList<IPEndPoint> DefaultListen { get; } =
        [new IPEndPoint(IPAddress.Any, 500), new IPEndPoint(IPAddress.IPv6Any, 500)];

    /// <summary>
    /// /run/ikefast/ikefast.sock as root; otherwise $XDG_RUNTIME_DIR/ikefast.sock, or the temp folder, so a non-root
    /// test or user never needs /run.
    /// </summary>
    public static string DefaultControlSocket()
    {
        if (OperatingSystem.IsLinux() && Environment.UserName == "root")
        {
            return "/run/ikefast/ikefast.sock";
        }

        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime)
            ? Path.Combine(Path.GetTempPath(), "ikefast.sock")
            : Path.Combine(runtime, "ikefast.sock");
    }
}

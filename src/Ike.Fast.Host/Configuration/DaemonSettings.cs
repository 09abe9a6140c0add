using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Microsoft.Extensions.Logging;

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
/// <param name="FragmentSize"><c>daemon.fragment_size</c>: Phase 1 messages larger than this go out as IKE fragments
/// to a peer that supports them (0: the engine's default, 1280).</param>
public sealed record DaemonSettings(IReadOnlyList<IPEndPoint> Listen, string ControlSocket,
    Kernel.SaInstallerKind Installer = Kernel.SaInstallerKind.Auto, IPEndPoint? Metrics = null, string? ControlGroup = null,
    string? XauthUsers = null, int FragmentSize = 0)
{
    /// <summary>
    /// <c>daemon.log_level</c>: the console logging threshold (null = not set: Information). One line per exchange step
    /// and SA event at Information, per-datagram lines and dumps at Debug; <c>ikefast serve --log-level</c> and the
    /// environment variable <see cref="LogLevelEnvironmentVariable"/> override it.
    /// </summary>
    public LogLevel? LogLevel { get; init; }

    /// <summary>
    /// <c>daemon.dh_exponent</c>: MODP private exponent length, <c>short</c> (default: at least twice the group's
    /// strength, RFC 3526 section 8) or <c>full</c> (the prime's length minus one, what charon's openssl plugin draws).
    /// ECP and Curve25519 scalars have one size and ignore it.
    /// </summary>
    public PrivateExponentLength DhExponent { get; init; } = PrivateExponentLength.Short;

    /// <summary>Overrides <c>daemon.log_level</c> (and is overridden by <c>--log-level</c>).</summary>
    public const string LogLevelEnvironmentVariable = "IKEFAST_LOG_LEVEL";

    /// <summary>trace, debug, info/information, warn/warning, error, critical, none (case-insensitive).</summary>
    public static bool TryParseLogLevel(string text, out LogLevel level)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "trace": level = Microsoft.Extensions.Logging.LogLevel.Trace; return true;
            case "debug": level = Microsoft.Extensions.Logging.LogLevel.Debug; return true;
            case "info" or "information": level = Microsoft.Extensions.Logging.LogLevel.Information; return true;
            case "warn" or "warning": level = Microsoft.Extensions.Logging.LogLevel.Warning; return true;
            case "error": level = Microsoft.Extensions.Logging.LogLevel.Error; return true;
            case "critical": level = Microsoft.Extensions.Logging.LogLevel.Critical; return true;
            case "none" or "off": level = Microsoft.Extensions.Logging.LogLevel.None; return true;
            default: level = Microsoft.Extensions.Logging.LogLevel.Information; return false;
        }
    }

    /// <summary>short or full (case-insensitive).</summary>
    public static bool TryParseDhExponent(string text, out PrivateExponentLength length)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "short": length = PrivateExponentLength.Short; return true;
            case "full": length = PrivateExponentLength.Full; return true;
            default: length = PrivateExponentLength.Short; return false;
        }
    }
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

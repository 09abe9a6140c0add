namespace Ike.Fast.Host.Configuration;

/// <summary>
/// The key names of the configuration file, one to one with swanctl.conf (same names, same nesting) so that a
/// strongSwan user translates a connection by changing braces into JSON objects.
/// </summary>
internal static class ConfigurationKeys
{
    public const string Connections = "connections";
    public const string Secrets = "secrets";
    public const string SecretsFile = "secrets_file";
    public const string Daemon = "daemon";
    public const string Pools = "pools";

    public const string Listen = "listen";
    public const string ControlSocket = "control_socket";
    public const string ControlGroup = "control_group"; // Control/ (control branch)
    public const string Installer = "installer"; // Kernel/ (kernel branch)
    public const string Metrics = "metrics"; // Metrics/ (kernel branch)
    public const string XauthUsers = "xauth_users";
    public const string LogLevel = "log_level"; // bench branch: ikefast serve's logging threshold
    public const string DhExponent = "dh_exponent"; // bench branch: MODP private exponent length (short|full)

    /// <summary><c>daemon.fragment_size</c>: largest Phase 1 datagram before IKE fragmentation (charon.fragment_size).</summary>
    public const string FragmentSize = "fragment_size";
    public const string Shards = "shards"; // Sharding/ (host branch)
    public const string Steering = "steering";
    public const string BatchSize = "batch_size";
    public const string BatchedIo = "batched_io";
    public const string Admission = "admission";

    public const string Version = "version";
    public const string LocalAddrs = "local_addrs";
    public const string RemoteAddrs = "remote_addrs";
    public const string RemotePort = "remote_port";
    public const string Aggressive = "aggressive";
    public const string Encap = "encap";
    public const string DpdDelay = "dpd_delay";
    public const string DpdTimeout = "dpd_timeout";
    public const string DpdAction = "dpd_action";
    public const string Mode = "mode";
    public const string Proposals = "proposals";
    public const string Local = "local";
    public const string Remote = "remote";
    public const string RekeyTime = "rekey_time";
    public const string ReauthTime = "reauth_time";
    public const string OverTime = "over_time";
    public const string Children = "children";
    public const string Xauth = "xauth";
    public const string XauthId = "xauth_id";
    public const string Vips = "vips";
    public const string Pull = "pull";

    public const string Addrs = "addrs";
    public const string Dns = "dns";
    public const string SplitInclude = "split_include";
    public const string Banner = "banner";

    public const string Auth = "auth";
    public const string Id = "id";
    public const string Certs = "certs";
    public const string CaCerts = "cacerts";

    public const string LocalTs = "local_ts";
    public const string RemoteTs = "remote_ts";
    public const string EspProposals = "esp_proposals";
    public const string AhProposals = "ah_proposals";
    public const string LifeTime = "life_time";

    /// <summary>children.&lt;name&gt;.life_bytes: IPsec SA volume lifetime (offered in kilobytes, RFC 2407 §4.5).</summary>
    public const string LifeBytes = "life_bytes";
    public const string StartAction = "start_action";

    public const string Ids = "ids";
    public const string Secret = "secret";
    public const string File = "file";

    public static readonly string[] TopLevel = [Connections, Secrets, SecretsFile, Daemon, Pools];
    public static readonly string[] DaemonKeys = [Listen, ControlSocket, Installer, Metrics, ControlGroup, XauthUsers,
        LogLevel, DhExponent, FragmentSize, Shards, Steering, BatchSize, BatchedIo, Admission];
    public static readonly string[] AdmissionKeys =
        ["enabled", "rate", "burst", "max_half_open", "half_open_per_prefix", "ipv4_prefix", "ipv6_prefix", "half_open_timeout",
         "drop_new_when_behind"];
    public static readonly string[] ConnectionKeys =
        [Version, LocalAddrs, RemoteAddrs, RemotePort, Aggressive, Mode, Proposals, Local, Remote,
         RekeyTime, ReauthTime, OverTime, Children, Encap, DpdDelay, DpdTimeout, DpdAction,
         Xauth, XauthId, Pools, Vips, Pull];
    public static readonly string[] AuthKeys = [Auth, Id, Certs, CaCerts];
    public static readonly string[] ChildKeys =
        [LocalTs, RemoteTs, EspProposals, AhProposals, Mode, RekeyTime, LifeTime, LifeBytes, StartAction];
    public static readonly string[] IkeSecretKeys = [Id, Ids, Secret];
    public static readonly string[] PrivateKeySecretKeys = [File, Secret];
    public static readonly string[] XauthSecretKeys = [Id, Secret];
    public static readonly string[] PoolKeys = [Addrs, Dns, SplitInclude, Banner];
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ike.Fast.Policy;
using Ike.Fast.Wire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// Walks a layered configuration and turns it into the engine's Policy model (<see cref="PeerConfig"/>,
/// <see cref="ChildConfig"/>, <see cref="InMemorySecretStore"/>), collecting every error with the source that
/// supplied the offending value and its key path. Unknown keys are errors: a misspelt <c>rekey_tme</c> silently
/// ignored is an outage later. Proposal strings are checked by the engine's own <see cref="ProposalParser"/>, so a
/// keyword the engine cannot negotiate fails at load, not at negotiation.
/// </summary>
internal sealed partial class ConfigurationReader(IConfigurationRoot root, string baseDirectory, string environmentPrefix)
{
    private static readonly TimeSpan DefaultIkeRekey = TimeSpan.FromHours(4);
    private static readonly TimeSpan DefaultChildRekey = TimeSpan.FromHours(1);
    private const int IsakmpPort = 500;

    private readonly List<ConfigurationError> _errors = [];
    private readonly List<byte[]> _secretBytes = [];
    private readonly List<X509Certificate2> _certificates = [];
    private readonly List<RSA> _privateKeys = [];
    private readonly InMemorySecretStore _store = new();
    private readonly Dictionary<string, string> _xauthPasswords = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModeConfigSettings> _pools = new(StringComparer.Ordinal);
    private Protocol.Transaction.IXauthBackend? _xauthBackend;
    private int _secretCount;

    public IkeFastConfiguration Read()
    {
        CheckKeys(root, ConfigurationKeys.TopLevel);
        ReadSecrets(root.GetSection(ConfigurationKeys.Secrets));
        var daemon = ReadDaemon(root.GetSection(ConfigurationKeys.Daemon));
        ReadPools(root.GetSection(ConfigurationKeys.Pools));
        var connections = new List<PeerConfig>();
        var connectionsSection = root.GetSection(ConfigurationKeys.Connections);
        if (!connectionsSection.GetChildren().Any())
        {
            Error(ConfigurationKeys.Connections, "no connection defined");
        }

        foreach (var section in connectionsSection.GetChildren())
        {
            var connection = ReadConnection(section);
            if (connection is not null)
            {
                connections.Add(connection);
            }
        }

        // Private keys live on in the certificates that were given them (CopyWithPrivateKey); the RSA objects read
        // from the files are not needed any more.
        foreach (var key in _privateKeys)
        {
            key.Dispose();
        }

        var configuration = new IkeFastConfiguration(connections, _store, _secretCount, daemon, _secretBytes, _certificates,
            _xauthBackend);
        if (_errors.Count > 0)
        {
            configuration.Dispose();
            throw new ConfigurationException(_errors);
        }

        return configuration;
    }

    private DaemonSettings ReadDaemon(IConfigurationSection section)
    {
        CheckKeys(section, ConfigurationKeys.DaemonKeys);
        var listen = new List<IPEndPoint>();
        foreach (var (path, text) in ReadList(section.GetSection(ConfigurationKeys.Listen)))
        {
            if (IPEndPoint.TryParse(text, out var endPoint) && (text.Contains("]:", StringComparison.Ordinal)
                                                                || (text.Count(c => c == ':') == 1)))
            {
                listen.Add(endPoint);
            }
            else
            {
                Error(path, $"invalid listen address '{text}' (expected ADDR:PORT, e.g. 0.0.0.0:500 or [::]:500)");
            }
        }

        var control = section[ConfigurationKeys.ControlSocket];

        // daemon.installer and daemon.metrics (kernel branch: Kernel/, Metrics/).
        var installer = Kernel.SaInstallerKind.Auto;
        var installerSection = section.GetSection(ConfigurationKeys.Installer);
        if (installerSection.Value is { Length: > 0 } installerText && !Kernel.SaInstallerChoice.TryParse(installerText, out installer))
        {
            Error(installerSection.Path, $"unknown installer '{installerText}' (expected memory, xfrm or auto)");
        }

        IPEndPoint? metrics = null;
        var metricsSection = section.GetSection(ConfigurationKeys.Metrics);
        if (metricsSection.Value is { Length: > 0 } metricsText && !IPEndPoint.TryParse(metricsText, out metrics))
        {
            Error(metricsSection.Path, $"invalid metrics address '{metricsText}' (expected ADDR:PORT, e.g. 127.0.0.1:9464)");
        }

        string? xauthUsers = null;
        var usersSection = section.GetSection(ConfigurationKeys.XauthUsers);
        if (!string.IsNullOrWhiteSpace(usersSection.Value))
        {
            xauthUsers = ResolvePath(usersSection.Value);
            _xauthBackend = LoadXauthUsers(usersSection.Path, xauthUsers);
        }

        // daemon.log_level and daemon.dh_exponent (bench branch).
        Microsoft.Extensions.Logging.LogLevel? logLevel = null;
        var logLevelSection = section.GetSection(ConfigurationKeys.LogLevel);
        if (logLevelSection.Value is { Length: > 0 } levelText)
        {
            if (DaemonSettings.TryParseLogLevel(levelText, out var parsedLevel))
            {
                logLevel = parsedLevel;
            }
            else
            {
                Error(logLevelSection.Path, $"unknown log level '{levelText}' (expected trace, debug, information, warning, error, critical or none)");
            }
        }

        var dhExponent = Crypto.DiffieHellman.PrivateExponentLength.Short;
        var dhExponentSection = section.GetSection(ConfigurationKeys.DhExponent);
        if (dhExponentSection.Value is { Length: > 0 } exponentText && !DaemonSettings.TryParseDhExponent(exponentText, out dhExponent))
        {
            Error(dhExponentSection.Path, $"unknown dh_exponent '{exponentText}' (expected short or full)");
        }

        return new DaemonSettings(
            listen.Count > 0 ? listen : DaemonSettings.DefaultListen,
            string.IsNullOrWhiteSpace(control) ? DaemonSettings.DefaultControlSocket() : ResolvePath(control),
            installer, metrics,
            string.IsNullOrWhiteSpace(section[ConfigurationKeys.ControlGroup]) ? null : section[ConfigurationKeys.ControlGroup],
            xauthUsers,
            ReadInt(section.GetSection(ConfigurationKeys.FragmentSize), 0, 0, 65535))
        {
            LogLevel = logLevel,
            DhExponent = dhExponent,
            Sharding = ReadSharding(section),
            Admission = ReadAdmission(section.GetSection(ConfigurationKeys.Admission)),
        };
    }

    /// <summary>The XAUTH server's users file: <c>user:salt:hash</c> lines (PBKDF2-SHA256), never plain passwords.</summary>
    private Protocol.Transaction.Pbkdf2XauthBackend? LoadXauthUsers(string path, string file)
    {
        if (!File.Exists(file))
        {
            Error(path, $"XAUTH users file not found ({file})");
            return null;
        }

        try
        {
            return Protocol.Transaction.Pbkdf2XauthBackend.Load(file);
        }
        catch (FormatException e)
        {
            Error(path, $"invalid XAUTH users file {file}: {e.Message} (lines are user:salt:hash in hex, PBKDF2-SHA256; Pbkdf2XauthBackend.CreateLine makes one)");
            return null;
        }
        catch (IOException e)
        {
            Error(path, $"cannot read XAUTH users file {file}: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// swanctl.conf <c>pools { NAME { addrs, dns, split_include, banner } }</c>: what a Mode-Config server hands out.
    /// split_include and banner are the Cisco Unity attributes charon sends for IKEv1 (UNITY_SPLIT_INCLUDE,
    /// UNITY_BANNER); one address pool per family.
    /// </summary>
    private void ReadPools(IConfigurationSection section)
    {
        foreach (var pool in section.GetChildren())
        {
            CheckKeys(pool, ConfigurationKeys.PoolKeys);
            Protocol.Transaction.AddressPool? ipv4 = null;
            Protocol.Transaction.AddressPool? ipv6 = null;
            var addrsSection = pool.GetSection(ConfigurationKeys.Addrs);
            var addrs = ReadList(addrsSection);
            if (addrs.Count == 0)
            {
                Error(addrsSection.Path, "missing: the addresses to lease (a subnet like 10.3.0.0/24)");
            }

            foreach (var (path, text) in addrs)
            {
                if (!IPNetwork.TryParse(text, out var network))
                {
                    Error(path, $"invalid pool '{text}' (expected a subnet like 10.3.0.0/24 or fd00::/120; ranges are not supported)");
                    continue;
                }

                var family = network.BaseAddress.AddressFamily;
                if ((family == AddressFamily.InterNetwork ? ipv4 : ipv6) is not null)
                {
                    Error(path, "more than one pool of the same address family is not supported");
                    continue;
                }

                var addressPool = new Protocol.Transaction.AddressPool(text);
                if (family == AddressFamily.InterNetwork)
                {
                    ipv4 = addressPool;
                }
                else
                {
                    ipv6 = addressPool;
                }
            }

            var dns = new List<IPAddress>();
            foreach (var (path, text) in ReadList(pool.GetSection(ConfigurationKeys.Dns)))
            {
                if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
                {
                    dns.Add(address);
                }
                else
                {
                    Error(path, $"invalid DNS server '{text}' (expected an IP address)");
                }
            }

            var split = new List<TrafficSelector>();
            foreach (var (path, text) in ReadList(pool.GetSection(ConfigurationKeys.SplitInclude)))
            {
                // UNITY_SPLIT_INCLUDE carries IPv4 address/mask pairs only.
                if (IPNetwork.TryParse(text, out var network) && network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
                {
                    split.Add(TrafficSelector.Parse(text));
                }
                else
                {
                    Error(path, $"invalid split_include '{text}' (expected an IPv4 subnet like 10.1.0.0/16)");
                }
            }

            _pools[pool.Key] = new ModeConfigSettings
            {
                Role = ModeConfigRole.Server,
                Ipv4Pool = ipv4,
                Ipv6Pool = ipv6,
                Dns = dns,
                SplitInclude = split,
                Banner = pool[ConfigurationKeys.Banner],
            };
        }
    }

    private void ReadSecrets(IConfigurationSection section)
    {
        foreach (var entry in section.GetChildren())
        {
            var name = entry.Key;
            if (name.StartsWith("ike", StringComparison.OrdinalIgnoreCase))
            {
                CheckKeys(entry, ConfigurationKeys.IkeSecretKeys);
                var ids = new List<IkeIdentity>();
                var single = entry.GetSection(ConfigurationKeys.Id);
                var idValues = single.Value is not null
                    ? [(single.Path, single.Value)]
                    : ReadList(entry.GetSection(ConfigurationKeys.Ids));
                foreach (var (path, text) in idValues)
                {
                    if (text == "%any")
                    {
                        continue;
                    }

                    if (TryParseIdentity(path, text) is { } id)
                    {
                        ids.Add(id);
                    }
                }

                var secret = ReadSecretBytes(entry.GetSection(ConfigurationKeys.Secret), required: true);
                if (secret is not null)
                {
                    _secretBytes.Add(secret);
                    _store.AddPreSharedKey(secret, ids);
                    _secretCount++;
                }
            }
            else if (name.StartsWith("private", StringComparison.OrdinalIgnoreCase)
                     || name.StartsWith("rsa", StringComparison.OrdinalIgnoreCase))
            {
                CheckKeys(entry, ConfigurationKeys.PrivateKeySecretKeys);
                var fileSection = entry.GetSection(ConfigurationKeys.File);
                var passphrase = ReadSecretBytes(entry.GetSection(ConfigurationKeys.Secret), required: false) ?? [];
                if (string.IsNullOrWhiteSpace(fileSection.Value))
                {
                    Error(fileSection.Path, "missing: the private key file (PEM, PKCS#1 or PKCS#8)");
                    continue;
                }

                var key = LoadPrivateKey(fileSection.Path, ResolvePath(fileSection.Value), passphrase);
                CryptographicOperations.ZeroMemory(passphrase);
                if (key is not null)
                {
                    _privateKeys.Add(key);
                    _secretCount++;
                }
            }
            else if (name.StartsWith("xauth", StringComparison.OrdinalIgnoreCase)
                     || name.StartsWith("eap", StringComparison.OrdinalIgnoreCase))
            {
                // swanctl.conf secrets.xauth-NAME / eap-NAME: the XAUTH client's password for user id.
                CheckKeys(entry, ConfigurationKeys.XauthSecretKeys);
                var idSection = entry.GetSection(ConfigurationKeys.Id);
                var secretSection = entry.GetSection(ConfigurationKeys.Secret);
                if (string.IsNullOrEmpty(idSection.Value))
                {
                    Error(idSection.Path, "missing: the XAUTH user name");
                }
                else if (string.IsNullOrEmpty(secretSection.Value))
                {
                    Error(secretSection.Path, "missing: the secret");
                }
                else
                {
                    _xauthPasswords[idSection.Value] = secretSection.Value;
                    _secretCount++;
                }
            }
            else
            {
                Error(entry.Path, $"unknown secret type '{name}' (expected ike-NAME, private-NAME, rsa-NAME, xauth-NAME or eap-NAME)");
            }
        }
    }

    /// <summary>strongSwan's secret notation: <c>0x</c> hex, <c>0s</c> base64, anything else the UTF-8 text.</summary>
    private byte[]? ReadSecretBytes(IConfigurationSection section, bool required)
    {
        var text = section.Value;
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                Error(section.Path, "missing: the secret");
            }

            return null;
        }

        try
        {
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                return Convert.FromHexString(text.AsSpan(2));
            }

            if (text.StartsWith("0s", StringComparison.Ordinal))
            {
                return Convert.FromBase64String(text[2..]);
            }
        }
        catch (FormatException)
        {
            // Never echo the value: it is a secret.
            Error(section.Path, text.StartsWith("0s", StringComparison.Ordinal)
                ? "invalid base64 after '0s'"
                : "invalid hex after '0x'");
            return null;
        }

        return Encoding.UTF8.GetBytes(text);
    }

    private RSA? LoadPrivateKey(string path, string file, byte[] passphrase)
    {
        if (!File.Exists(file))
        {
            Error(path, $"private key file not found ({file})");
            return null;
        }

        var rsa = RSA.Create();
        try
        {
            var pem = File.ReadAllText(file);
            if (pem.Contains("ENCRYPTED", StringComparison.Ordinal))
            {
                rsa.ImportFromEncryptedPem(pem, passphrase);
            }
            else
            {
                rsa.ImportFromPem(pem);
            }

            return rsa;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            Error(path, $"cannot read RSA private key {file}: {e.Message}");
            return null;
        }
    }

    private PeerConfig? ReadConnection(IConfigurationSection section)
    {
        var errorsBefore = _errors.Count;
        CheckKeys(section, ConfigurationKeys.ConnectionKeys);

        var versionSection = section.GetSection(ConfigurationKeys.Version);
        var version = ReadInt(versionSection, 1, 0, int.MaxValue);
        if (version is not 1 and not 0)
        {
            // swanctl's version=0 means "any"; IkeFast speaks IKEv1 only, so 0 is taken as 1.
            Error(versionSection.Path, $"version {version} is not supported (IkeFast speaks IKEv1: version=1)");
        }

        var localAddress = ReadAddress(section.GetSection(ConfigurationKeys.LocalAddrs));
        var remoteAddress = ReadAddress(section.GetSection(ConfigurationKeys.RemoteAddrs));
        var remotePort = ReadInt(section.GetSection(ConfigurationKeys.RemotePort), IsakmpPort, 1, ushort.MaxValue);

        var aggressiveSection = section.GetSection(ConfigurationKeys.Aggressive);
        var modeSection = section.GetSection(ConfigurationKeys.Mode);
        var aggressive = ReadBool(aggressiveSection, false);
        if (modeSection.Value is not null)
        {
            // "mode" is IkeFast's spelling of the same choice (swanctl only has aggressive=yes|no); both must agree.
            bool? fromMode = modeSection.Value.ToLowerInvariant() switch
            {
                "main" => false,
                "aggressive" => true,
                _ => null,
            };
            if (fromMode is null)
            {
                Error(modeSection.Path, $"invalid mode '{modeSection.Value}' (expected main or aggressive)");
            }
            else if (aggressiveSection.Value is not null && fromMode != aggressive)
            {
                Error(modeSection.Path, $"mode={modeSection.Value} contradicts aggressive={aggressiveSection.Value}");
            }
            else
            {
                aggressive = fromMode.Value;
            }
        }

        var proposals = ReadIkeProposals(section.GetSection(ConfigurationKeys.Proposals));

        var local = ReadAuth(section.GetSection(ConfigurationKeys.Local), isLocal: true);
        var remote = ReadAuth(section.GetSection(ConfigurationKeys.Remote), isLocal: false);
        if (local is not null && remote is not null)
        {
            CheckAuthentication(section, local, remote, localAddress, remoteAddress);
        }

        var rekey = ReadDuration(section.GetSection(ConfigurationKeys.RekeyTime), DefaultIkeRekey);
        var reauth = ReadDuration(section.GetSection(ConfigurationKeys.ReauthTime), TimeSpan.Zero);
        // IKEv1 cannot rekey an ISAKMP SA in place: both times mean "negotiate a new one", the shorter wins. strongSwan's
        // over_time (default 10% of it) is the margin before the old SA hard-expires; the sum is the Life Duration
        // offered (4h + 24min = 15840 s by default, as charon).
        var renew = reauth > TimeSpan.Zero && (rekey == TimeSpan.Zero || reauth < rekey) ? reauth : rekey;
        var over = ReadDuration(section.GetSection(ConfigurationKeys.OverTime), renew / 10);

        var children = new List<ChildConfig>();
        foreach (var childSection in section.GetSection(ConfigurationKeys.Children).GetChildren())
        {
            if (ReadChild(childSection) is { } child)
            {
                children.Add(child);
            }
        }

        var start = children.Any(c => c.StartAction == StartAction.Start);
        if (start && remoteAddress is null)
        {
            Error(section.GetSection(ConfigurationKeys.RemoteAddrs).Path,
                "start_action=start needs the peer address to initiate to (remote_addrs is empty or %any)");
        }

        var (xauth, xauthUser, xauthPassword) = ReadXauth(section);
        var modeConfig = ReadModeConfig(section);

        if (_errors.Count > errorsBefore || local is null || remote is null)
        {
            return null;
        }

        return new PeerConfig
        {
            Name = section.Key,
            Version = 1,
            LocalAddress = localAddress,
            RemoteAddress = remoteAddress,
            RemotePort = remotePort,
            Mode = aggressive ? ExchangeMode.Aggressive : ExchangeMode.Main,
            ForceEncapsulation = ReadBool(section.GetSection(ConfigurationKeys.Encap), false),
            DpdDelay = ReadDuration(section.GetSection(ConfigurationKeys.DpdDelay), TimeSpan.Zero),
            DpdTimeout = ReadDuration(section.GetSection(ConfigurationKeys.DpdTimeout), TimeSpan.FromSeconds(150)),
            DpdAction = ReadDpdAction(section.GetSection(ConfigurationKeys.DpdAction)),
            Xauth = xauth,
            XauthUserName = xauthUser,
            XauthPassword = xauthPassword,
            ModeConfig = modeConfig,
            LocalAuth = local,
            RemoteAuth = remote,
            IkeProposals = proposals.Count > 0 ? proposals : PeerConfig.DefaultIkeProposals,
            // Asking for aggressive mode in the file is the explicit opt-in the engine wants before it answers
            // Aggressive Mode with a PSK (the responder's hash can be attacked offline: RFC 2409 section 5.4).
            AggressiveModePskResponder = aggressive && local.Method == AuthMethod.Psk,
            StartAction = start ? StartAction.Start : StartAction.None,
            IkeLifetime = renew + over,
            Children = children,
        };
    }

    /// <summary>
    /// <c>xauth = server|client|none</c> (swanctl.conf expresses it as a second <c>auth = xauth</c> round): the server
    /// checks users against <c>daemon.xauth_users</c>; the client sends <c>xauth_id</c> and its
    /// <c>secrets.xauth-*</c> password.
    /// </summary>
    private (XauthRole Role, string? User, string? Password) ReadXauth(IConfigurationSection section)
    {
        var xauthSection = section.GetSection(ConfigurationKeys.Xauth);
        var idSection = section.GetSection(ConfigurationKeys.XauthId);
        switch ((xauthSection.Value ?? "none").ToLowerInvariant())
        {
            case "none" or "no":
                if (idSection.Value is not null)
                {
                    Error(idSection.Path, "xauth_id without xauth=client");
                }

                return (XauthRole.None, null, null);
            case "server":
                if (_xauthBackend is null && !_errors.Any(e => e.Path.EndsWith(ConfigurationKeys.XauthUsers, StringComparison.OrdinalIgnoreCase)))
                {
                    Error(xauthSection.Path, "xauth=server needs daemon.xauth_users (the users file to check passwords against)");
                }

                return (XauthRole.Server, null, null);
            case "client":
                if (string.IsNullOrEmpty(idSection.Value))
                {
                    Error(idSection.Path, "xauth=client needs xauth_id (the user name)");
                    return (XauthRole.Client, null, null);
                }

                if (!_xauthPasswords.TryGetValue(idSection.Value, out var password))
                {
                    Error(idSection.Path, $"no secrets:xauth-* entry with id '{idSection.Value}'");
                }

                return (XauthRole.Client, idSection.Value, password);
            default:
                Error(xauthSection.Path, $"invalid xauth '{xauthSection.Value}' (expected server, client or none)");
                return (XauthRole.None, null, null);
        }
    }

    /// <summary>
    /// Mode-Config: <c>pools = NAME</c> makes us the server handing out that pool; <c>vips = 0.0.0.0</c> (or ::) the
    /// client asking for a virtual address. <c>pull = no</c> is push mode (server SET, as swanctl.conf's pull).
    /// </summary>
    private ModeConfigSettings? ReadModeConfig(IConfigurationSection section)
    {
        var poolsSection = section.GetSection(ConfigurationKeys.Pools);
        var vipsSection = section.GetSection(ConfigurationKeys.Vips);
        var push = !ReadBool(section.GetSection(ConfigurationKeys.Pull), true);
        var pools = ReadList(poolsSection);
        var vips = ReadList(vipsSection);
        if (pools.Count > 0 && vips.Count > 0)
        {
            Error(vipsSection.Path, "vips (Mode-Config client) and pools (Mode-Config server) together");
            return null;
        }

        if (pools.Count > 1)
        {
            Error(poolsSection.Path, "more than one pool per connection is not supported yet");
            return null;
        }

        if (pools.Count == 1)
        {
            var (path, name) = pools[0];
            if (!_pools.TryGetValue(name, out var pool))
            {
                Error(path, $"unknown pool '{name}' (not defined under pools)");
                return null;
            }

            return new ModeConfigSettings
            {
                Role = ModeConfigRole.Server,
                Push = push,
                Ipv4Pool = pool.Ipv4Pool,
                Ipv6Pool = pool.Ipv6Pool,
                Dns = pool.Dns,
                SplitInclude = pool.SplitInclude,
                Banner = pool.Banner,
            };
        }

        foreach (var (path, text) in vips)
        {
            if (!IPAddress.TryParse(text, out var address) || (!address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any)))
            {
                Error(path, $"invalid vips '{text}' (expected 0.0.0.0 or ::: the address is assigned by the server)");
            }
        }

        return vips.Count > 0 ? new ModeConfigSettings { Role = ModeConfigRole.Client, Push = push } : null;
    }

    private AuthConfig? ReadAuth(IConfigurationSection section, bool isLocal)
    {
        CheckKeys(section, ConfigurationKeys.AuthKeys);
        var authSection = section.GetSection(ConfigurationKeys.Auth);
        AuthMethod? auth = authSection.Value?.ToLowerInvariant() switch
        {
            "psk" => AuthMethod.Psk,
            "pubkey" or "rsa" => AuthMethod.PubKey,
            _ => null,
        };
        if (auth is null)
        {
            Error(authSection.Path, authSection.Value is null
                ? "missing: the authentication method (psk or pubkey)"
                : $"invalid auth '{authSection.Value}' (IKEv1 supports psk and pubkey)");
        }

        var certsSection = section.GetSection(ConfigurationKeys.Certs);
        var caSection = section.GetSection(ConfigurationKeys.CaCerts);
        var certs = ReadCertificates(certsSection);
        var caCerts = ReadCertificates(caSection);

        var idSection = section.GetSection(ConfigurationKeys.Id);
        IkeIdentity? id = null;
        if (idSection.Value is not null && idSection.Value != "%any")
        {
            id = TryParseIdentity(idSection.Path, idSection.Value);
        }
        else if (idSection.Value == "%any" && isLocal)
        {
            Error(idSection.Path, "the local identity cannot be %any");
        }

        X509Certificate2? certificate = certs.Count > 0 ? certs[0] : null;
        if (auth == AuthMethod.PubKey)
        {
            if (isLocal && certificate is null && ReadList(certsSection).Count == 0)
            {
                Error(certsSection.Path, "auth=pubkey needs the local certificate (certs)");
            }

            if (isLocal && certificate is not null)
            {
                // strongSwan's default: with a certificate, the local identity is its subject DN.
                id ??= new IkeIdentity(IdentificationType.DerAsn1Dn, certificate.SubjectName.RawData);
                certificate = WithPrivateKey(certsSection, certificate);
            }

            if (!isLocal && ReadList(certsSection).Count == 0 && ReadList(caSection).Count == 0)
            {
                Error(caSection.Path, "auth=pubkey needs a trust anchor for the peer (cacerts, or the peer's own certs)");
            }
        }

        return auth is null
            ? null
            : new AuthConfig { Method = auth.Value, Identity = id, Certificate = certificate, CaCertificates = caCerts };
    }

    /// <summary>Pairs the local certificate with the configured private key whose public key it carries.</summary>
    private X509Certificate2? WithPrivateKey(IConfigurationSection certsSection, X509Certificate2 certificate)
    {
        using var publicKey = certificate.GetRSAPublicKey();
        if (publicKey is null)
        {
            Error(certsSection.Path, "the local certificate has no RSA public key (IKEv1 signatures here are RSA)");
            return null;
        }

        var modulus = publicKey.ExportParameters(false).Modulus;
        foreach (var key in _privateKeys)
        {
            if (key.ExportParameters(false).Modulus.AsSpan().SequenceEqual(modulus))
            {
                var paired = certificate.CopyWithPrivateKey(key);
                _certificates.Add(paired);
                return paired;
            }
        }

        Error(certsSection.Path, "no secrets:private-NAME key matches the local certificate's public key");
        return null;
    }

    private void CheckAuthentication(IConfigurationSection section, AuthConfig local, AuthConfig remote,
        IPAddress? localAddress, IPAddress? remoteAddress)
    {
        var localAuthPath = section.GetSection(ConfigurationKeys.Local).GetSection(ConfigurationKeys.Auth).Path;
        if (local.Method != remote.Method)
        {
            // RFC 2409 section 5: one Authentication Method attribute for the ISAKMP SA, used by both peers.
            Error(section.GetSection(ConfigurationKeys.Remote).GetSection(ConfigurationKeys.Auth).Path,
                $"remote auth={Name(remote.Method)} differs from local auth={Name(local.Method)}: IKEv1 authenticates both sides with one method");
            return;
        }

        if (local.Method == AuthMethod.Psk)
        {
            var localId = local.Identity ?? (localAddress is null ? null : IkeIdentity.FromAddress(localAddress));
            var remoteId = remote.Identity ?? (remoteAddress is null ? null : IkeIdentity.FromAddress(remoteAddress));
            if (!_store.TryGetPreSharedKey(localId, remoteId, remoteAddress, out _))
            {
                Error(localAuthPath, $"auth=psk but no secrets:ike-* entry matches remote id '{remoteId?.ToString() ?? "%any"}'");
            }
        }
    }

    private ChildConfig? ReadChild(IConfigurationSection section)
    {
        var errorsBefore = _errors.Count;
        CheckKeys(section, ConfigurationKeys.ChildKeys);
        var localTs = ReadSelectors(section.GetSection(ConfigurationKeys.LocalTs));
        var remoteTs = ReadSelectors(section.GetSection(ConfigurationKeys.RemoteTs));
        var espSection = section.GetSection(ConfigurationKeys.EspProposals);
        var ahSection = section.GetSection(ConfigurationKeys.AhProposals);
        var proposals = new List<ChildProposal>();
        foreach (var (path, text) in ReadList(espSection))
        {
            Parse(path, text, ProposalParser.ParseEsp, proposals);
        }

        foreach (var (path, text) in ReadList(ahSection))
        {
            Parse(path, text, ProposalParser.ParseAh, proposals);
        }

        if (espSection.Value is not null || espSection.GetChildren().Any())
        {
            if (ahSection.Value is not null || ahSection.GetChildren().Any())
            {
                // The engine negotiates one protocol per Quick Mode SA; an AH+ESP bundle is not offered.
                Error(ahSection.Path, "esp_proposals and ah_proposals together (an AH+ESP bundle) are not supported");
            }
        }

        var modeSection = section.GetSection(ConfigurationKeys.Mode);
        IpsecMode? mode = (modeSection.Value ?? "tunnel").ToLowerInvariant() switch
        {
            "tunnel" => IpsecMode.Tunnel,
            "transport" => IpsecMode.Transport,
            _ => null,
        };
        if (mode is null)
        {
            Error(modeSection.Path, $"invalid mode '{modeSection.Value}' (expected tunnel or transport)");
        }

        var rekeySection = section.GetSection(ConfigurationKeys.RekeyTime);
        var lifeSection = section.GetSection(ConfigurationKeys.LifeTime);
        var rekey = ReadDuration(rekeySection, DefaultChildRekey);
        // strongSwan: life_time defaults to rekey_time + 10%.
        var life = ReadDuration(lifeSection, rekey + (rekey / 10));
        if (rekey != TimeSpan.Zero && life <= rekey && lifeSection.Value is not null)
        {
            Error(lifeSection.Path, $"life_time ({lifeSection.Value}) must be longer than rekey_time ({rekeySection.Value ?? "1h"})");
        }

        long lifeKilobytes = ReadKilobytes(section.GetSection(ConfigurationKeys.LifeBytes));
        var startSection = section.GetSection(ConfigurationKeys.StartAction);
        StartAction? start = (startSection.Value ?? "none").ToLowerInvariant() switch
        {
            "none" => StartAction.None,
            "start" => StartAction.Start,
            _ => null,
        };
        if (start is null)
        {
            Error(startSection.Path, startSection.Value?.Equals("trap", StringComparison.OrdinalIgnoreCase) == true
                ? "start_action=trap is not supported yet (needs kernel acquires): use start or none"
                : $"invalid start_action '{startSection.Value}' (expected none or start)");
        }

        if (_errors.Count > errorsBefore)
        {
            return null;
        }

        return new ChildConfig
        {
            Name = section.Key,
            LocalTs = localTs.Count > 0 ? localTs : [TrafficSelector.Dynamic],
            RemoteTs = remoteTs.Count > 0 ? remoteTs : [TrafficSelector.Dynamic],
            Proposals = proposals.Count > 0 ? proposals : ChildConfig.DefaultEspProposals,
            Mode = mode!.Value,
            RekeyTime = rekey,
            LifeTime = life,
            LifeKilobytes = lifeKilobytes,
            StartAction = start!.Value,
        };
    }

    private List<IkeProposal> ReadIkeProposals(IConfigurationSection section)
    {
        var proposals = new List<IkeProposal>();
        foreach (var (path, text) in ReadList(section))
        {
            Parse(path, text, ProposalParser.ParseIke, proposals);
        }

        return proposals;
    }

    private void Parse<T>(string path, string text, Func<string, IReadOnlyList<T>> parse, List<T> into)
    {
        if (text == "default")
        {
            // swanctl's "default" keyword: the engine's default set (left to the empty-list fallback).
            return;
        }

        try
        {
            into.AddRange(parse(text));
        }
        catch (ProposalFormatException e)
        {
            Error(path, $"keyword '{e.Keyword}' {Reason(e)}");
        }
        catch (FormatException e)
        {
            Error(path, $"invalid proposal '{text}': {e.Message}");
        }
    }

    /// <summary>The engine's message without its "Proposal '...': keyword '...'" prefix, which the path already gives.</summary>
    private static string Reason(ProposalFormatException e)
    {
        var marker = $"keyword '{e.Keyword}' ";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        return (at < 0 ? e.Message : e.Message[(at + marker.Length)..]).TrimEnd('.') + $" (in '{e.Proposal}')";
    }

    private IkeIdentity? TryParseIdentity(string path, string text)
    {
        try
        {
            // DNs are encoded here, in the order written (strongSwan's, the certificate's); everything else is the
            // engine's syntax.
            return DistinguishedNameText.IsDistinguishedName(text, out var dn)
                ? new IkeIdentity(IdentificationType.DerAsn1Dn, DistinguishedNameText.ToDer(dn))
                : IkeIdentity.Parse(text);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or CryptographicException)
        {
            Error(path, $"invalid identity '{text}': {e.Message}");
            return null;
        }
    }

    private List<TrafficSelector> ReadSelectors(IConfigurationSection section)
    {
        var selectors = new List<TrafficSelector>();
        foreach (var (path, text) in ReadList(section))
        {
            try
            {
                selectors.Add(TrafficSelector.Parse(text));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                Error(path, $"invalid traffic selector '{text}' (expected a subnet like 10.0.0.0/24, an address or dynamic, optionally [proto/port])");
            }
        }

        return selectors;
    }

    /// <summary>
    /// <c>local_addrs</c>/<c>remote_addrs</c>: swanctl allows lists, ranges and names; the engine binds a connection to
    /// one address (or any), so more is refused rather than silently narrowed.
    /// </summary>
    private IPAddress? ReadAddress(IConfigurationSection section)
    {
        IPAddress? result = null;
        var items = ReadList(section);
        foreach (var (path, text) in items)
        {
            if (text is "%any" or "%any4" or "%any6")
            {
                continue;
            }

            if (!IPAddress.TryParse(text, out var address) || text.Contains('/', StringComparison.Ordinal))
            {
                Error(path, IPNetwork.TryParse(text, out _)
                    ? $"subnet '{text}' is not supported yet (one address or %any)"
                    : $"invalid address '{text}' (expected an IP address or %any; host names are not resolved)");
            }
            else if (result is not null)
            {
                Error(path, "more than one address is not supported yet (one address or %any)");
            }
            else
            {
                result = address;
            }
        }

        return result;
    }

    private List<X509Certificate2> ReadCertificates(IConfigurationSection section)
    {
        var certificates = new List<X509Certificate2>();
        foreach (var (path, text) in ReadList(section))
        {
            var file = ResolvePath(text);
            if (!File.Exists(file))
            {
                Error(path, $"certificate file not found ({file})");
                continue;
            }

            try
            {
                var certificate = X509CertificateLoader.LoadCertificateFromFile(file);
                _certificates.Add(certificate);
                certificates.Add(certificate);
            }
            catch (CryptographicException e)
            {
                Error(path, $"cannot read X.509 certificate {file} (expected PEM or DER): {e.Message}");
            }
        }

        return certificates;
    }

    /// <summary>A list is a JSON array or, as in swanctl, one comma-separated string.</summary>
    private static List<(string Path, string Text)> ReadList(IConfigurationSection section)
    {
        var items = new List<(string, string)>();
        if (section.Value is not null)
        {
            foreach (var part in section.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                items.Add((section.Path, part));
            }

            return items;
        }

        foreach (var child in section.GetChildren()
                     .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue))
        {
            items.Add((child.Path, (child.Value ?? "").Trim()));
        }

        return items;
    }

    private int ReadInt(IConfigurationSection section, int fallback, int min, int max)
    {
        if (section.Value is null)
        {
            return fallback;
        }

        if (int.TryParse(section.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(section.Path, $"invalid number '{section.Value}' (expected {min}-{max})");
        return fallback;
    }

    /// <summary>
    /// A volume in bytes (swanctl.conf life_bytes: a count, optionally with a K, M or G suffix of 1024s) as the kilobytes
    /// the Quick Mode SA payload offers (RFC 2407 §4.5 SA Life Type 2, rounded up); 0 = no volume limit. The kernel then
    /// gets hard and soft byte limits (Kernel/XfrmChildSa), and the soft expiry rekeys the pair.
    /// </summary>
    private long ReadKilobytes(IConfigurationSection section)
    {
        if (section.Value is not { Length: > 0 } text)
        {
            return 0;
        }

        text = text.Trim();
        long unit = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            _ => 1,
        };
        string digits = unit == 1 ? text : text[..^1].TrimEnd();
        if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long count)
            && count <= long.MaxValue / unit && count * unit / 1024 < uint.MaxValue)
        {
            long bytes = count * unit;
            return (bytes + 1023) / 1024;
        }

        Error(section.Path, $"invalid volume '{section.Value}' (expected bytes, e.g. 500000000, 512M or 4G)");
        return 0;
    }

    /// <summary>swanctl.conf dpd_action (IkeFast reads it per connection): clear (default), hold, restart, none.</summary>
    private DpdAction ReadDpdAction(IConfigurationSection section)
    {
        switch ((section.Value ?? "clear").ToLowerInvariant())
        {
            case "clear": return DpdAction.Clear;
            case "hold" or "trap": return DpdAction.Hold;
            case "restart" or "start": return DpdAction.Restart;
            case "none": return DpdAction.None;
            default:
                Error(section.Path, $"invalid dpd_action '{section.Value}' (expected clear, hold, restart or none)");
                return DpdAction.Clear;
        }
    }

    private bool ReadBool(IConfigurationSection section, bool fallback)
    {
        switch (section.Value?.ToLowerInvariant())
        {
            case null:
                return fallback;
            case "yes" or "true" or "1":
                return true;
            case "no" or "false" or "0":
                return false;
            default:
                Error(section.Path, $"invalid boolean '{section.Value}' (expected yes/no or true/false)");
                return fallback;
        }
    }

    private TimeSpan ReadDuration(IConfigurationSection section, TimeSpan fallback)
    {
        if (section.Value is null)
        {
            return fallback;
        }

        if (DurationParser.TryParse(section.Value, out var duration))
        {
            return duration;
        }

        Error(section.Path, $"invalid duration '{section.Value}' (expected seconds or a number with s, m, h or d: 3600, 60m, 4h, 1d)");
        return fallback;
    }

    private void CheckKeys(IConfiguration section, string[] known)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                Error(child.Path, $"unknown key '{child.Key}' (expected one of: {string.Join(", ", known)})");
            }
        }
    }

    private string ResolvePath(string path) => Path.GetFullPath(Path.Combine(baseDirectory, path));

    private static string Name(AuthMethod method) => method == AuthMethod.Psk ? "psk" : "pubkey";

    private void Error(string path, string message) => _errors.Add(new ConfigurationError(SourceOf(path), path, message));

    /// <summary>
    /// The layer that supplied <paramref name="path"/> (the last one that has it, as the configuration resolves
    /// values); for a missing key, the layer that defines its nearest ancestor.
    /// </summary>
    private string SourceOf(string path)
    {
        for (var probe = path; probe.Length > 0; probe = Parent(probe))
        {
            for (var i = root.Providers.Count() - 1; i >= 0; i--)
            {
                var provider = root.Providers.ElementAt(i);
                if (provider.TryGet(probe, out _) || provider.GetChildKeys([], probe).Any())
                {
                    return Describe(provider, probe);
                }
            }
        }

        return root.Providers.FirstOrDefault() is { } first ? Describe(first, "") : "configuration";
    }

    private static string Parent(string path)
    {
        var colon = path.LastIndexOf(':');
        return colon < 0 ? "" : path[..colon];
    }

    private string Describe(IConfigurationProvider provider, string path) => provider switch
    {
        JsonConfigurationProvider json => json.Source.Path ?? "configuration file",
        EnvironmentVariablesConfigurationProvider =>
            $"environment variable {environmentPrefix}{path.Replace(":", "__", StringComparison.Ordinal)}",
        OverrideConfigurationProvider => "command line",
        _ => provider.ToString() ?? "configuration",
    };
}

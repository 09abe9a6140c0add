using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// Walks a layered configuration and turns it into <see cref="IkeFastConfiguration"/>, collecting every error with
/// the source that supplied the offending value and its key path. Unknown keys are errors: a misspelt
/// <c>rekey_tme</c> silently ignored is a production outage later.
/// </summary>
internal sealed class ConfigurationReader(IConfigurationRoot root, string baseDirectory, IProposalValidator validator)
{
    private static readonly TimeSpan DefaultIkeRekey = TimeSpan.FromHours(4);
    private static readonly TimeSpan DefaultChildRekey = TimeSpan.FromHours(1);
    private const int IsakmpPort = 500;

    private readonly List<ConfigurationError> _errors = [];

    public IkeFastConfiguration Read()
    {
        CheckKeys(root, "", ConfigurationKeys.TopLevel);
        var secrets = ReadSecrets(root.GetSection(ConfigurationKeys.Secrets));
        var daemon = ReadDaemon(root.GetSection(ConfigurationKeys.Daemon));
        var connections = new List<ConnectionDefinition>();
        var connectionsSection = root.GetSection(ConfigurationKeys.Connections);
        if (!connectionsSection.GetChildren().Any())
        {
            Error(ConfigurationKeys.Connections, "no connection defined");
        }

        foreach (var section in connectionsSection.GetChildren())
        {
            var connection = ReadConnection(section, secrets);
            if (connection is not null)
            {
                connections.Add(connection);
            }
        }

        var configuration = new IkeFastConfiguration(connections, secrets, daemon);
        if (_errors.Count > 0)
        {
            configuration.Dispose();
            throw new ConfigurationException(_errors);
        }

        return configuration;
    }

    private DaemonSettings ReadDaemon(IConfigurationSection section)
    {
        CheckKeys(section, section.Path, ConfigurationKeys.DaemonKeys);
        var listen = new List<IPEndPoint>();
        foreach (var (path, text) in ReadList(section.GetSection(ConfigurationKeys.Listen)))
        {
            if (IPEndPoint.TryParse(text, out var endPoint) && text.Contains(':', StringComparison.Ordinal))
            {
                listen.Add(endPoint);
            }
            else
            {
                Error(path, $"invalid listen address '{text}' (expected ADDR:PORT, e.g. 0.0.0.0:500 or [::]:500)");
            }
        }

        var control = section[ConfigurationKeys.ControlSocket];
        return new DaemonSettings(
            listen.Count > 0 ? listen : DaemonSettings.DefaultListen,
            string.IsNullOrWhiteSpace(control) ? DaemonSettings.DefaultControlSocket() : ResolvePath(control));
    }

    private List<SecretDefinition> ReadSecrets(IConfigurationSection section)
    {
        var secrets = new List<SecretDefinition>();
        foreach (var entry in section.GetChildren())
        {
            var name = entry.Key;
            if (name.StartsWith("ike", StringComparison.OrdinalIgnoreCase))
            {
                CheckKeys(entry, entry.Path, ConfigurationKeys.IkeSecretKeys);
                var ids = new List<IdentityDefinition>();
                var single = entry.GetSection(ConfigurationKeys.Id);
                var idValues = single.Value is not null
                    ? [(single.Path, single.Value)]
                    : ReadList(entry.GetSection(ConfigurationKeys.Ids));
                foreach (var (path, text) in idValues)
                {
                    if (IdentityDefinition.TryParse(text, out var id, out var error))
                    {
                        ids.Add(id);
                    }
                    else
                    {
                        Error(path, error);
                    }
                }

                var secret = ReadSecretBytes(entry.GetSection(ConfigurationKeys.Secret), required: true);
                if (secret is not null)
                {
                    secrets.Add(new SecretDefinition(name, SecretKind.Ike, ids, secret, null));
                }
            }
            else if (name.StartsWith("private", StringComparison.OrdinalIgnoreCase)
                     || name.StartsWith("rsa", StringComparison.OrdinalIgnoreCase))
            {
                CheckKeys(entry, entry.Path, ConfigurationKeys.PrivateKeySecretKeys);
                var fileSection = entry.GetSection(ConfigurationKeys.File);
                var passphrase = ReadSecretBytes(entry.GetSection(ConfigurationKeys.Secret), required: false) ?? [];
                if (string.IsNullOrWhiteSpace(fileSection.Value))
                {
                    Error(fileSection.Path, "missing: the private key file (PEM, PKCS#1 or PKCS#8)");
                    continue;
                }

                var file = ResolvePath(fileSection.Value);
                if (CheckPrivateKey(fileSection.Path, file, passphrase))
                {
                    secrets.Add(new SecretDefinition(name, SecretKind.PrivateKey, [], passphrase, file));
                }
            }
            else
            {
                Error(entry.Path, $"unknown secret type '{name}' (expected ike-NAME, private-NAME or rsa-NAME)");
            }
        }

        return secrets;
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

    private bool CheckPrivateKey(string path, string file, byte[] passphrase)
    {
        if (!File.Exists(file))
        {
            Error(path, $"private key file not found ({file})");
            return false;
        }

        try
        {
            using var rsa = RSA.Create();
            var pem = File.ReadAllText(file);
            if (pem.Contains("ENCRYPTED", StringComparison.Ordinal))
            {
                rsa.ImportFromEncryptedPem(pem, passphrase);
            }
            else
            {
                rsa.ImportFromPem(pem);
            }

            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            Error(path, $"cannot read RSA private key {file}: {e.Message}");
            return false;
        }
    }

    private ConnectionDefinition? ReadConnection(IConfigurationSection section, List<SecretDefinition> secrets)
    {
        var errorsBefore = _errors.Count;
        var name = section.Key;
        CheckKeys(section, section.Path, ConfigurationKeys.ConnectionKeys);

        var version = ReadInt(section.GetSection(ConfigurationKeys.Version), 1, 0, int.MaxValue);
        if (version is not 1 and not 0)
        {
            // swanctl's version=0 means "any"; IkeFast speaks IKEv1 only, so 0 is taken as 1.
            Error(section.GetSection(ConfigurationKeys.Version).Path, $"version {version} is not supported (IkeFast speaks IKEv1: version=1)");
        }

        var localAddrs = ReadAddresses(section.GetSection(ConfigurationKeys.LocalAddrs));
        var remoteAddrs = ReadAddresses(section.GetSection(ConfigurationKeys.RemoteAddrs));
        var localPort = ReadInt(section.GetSection(ConfigurationKeys.LocalPort), IsakmpPort, 1, ushort.MaxValue);
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

        var proposals = ReadProposals(section.GetSection(ConfigurationKeys.Proposals), ProposalKind.Ike);

        var local = ReadAuth(section.GetSection(ConfigurationKeys.Local), isLocal: true, localAddrs);
        var remote = ReadAuth(section.GetSection(ConfigurationKeys.Remote), isLocal: false, remoteAddrs);
        if (local is not null && remote is not null)
        {
            CheckAuthentication(section, local, remote, secrets);
        }

        var rekey = ReadDuration(section.GetSection(ConfigurationKeys.RekeyTime), DefaultIkeRekey);
        var reauth = ReadDuration(section.GetSection(ConfigurationKeys.ReauthTime), TimeSpan.Zero);
        // strongSwan: over_time defaults to 10% of the longer of rekey_time and reauth_time.
        var longest = rekey > reauth ? rekey : reauth;
        var over = ReadDuration(section.GetSection(ConfigurationKeys.OverTime), longest / 10);

        var children = new List<ChildDefinition>();
        foreach (var childSection in section.GetSection(ConfigurationKeys.Children).GetChildren())
        {
            var child = ReadChild(childSection);
            if (child is not null)
            {
                children.Add(child);
            }
        }

        var connection = _errors.Count > errorsBefore || local is null || remote is null
            ? null
            : new ConnectionDefinition(name, 1, localAddrs, remoteAddrs, localPort, remotePort, aggressive, proposals,
                local, remote, rekey, reauth, over, children);
        if (connection is not null && connection.InitiatorTarget is null
            && children.Any(c => c.StartAction == StartAction.Start))
        {
            Error(section.GetSection(ConfigurationKeys.RemoteAddrs).Path,
                "start_action=start needs one peer address to initiate to (remote_addrs is empty, %any or a subnet)");
            return null;
        }

        return connection;
    }

    private AuthDefinition? ReadAuth(IConfigurationSection section, bool isLocal, List<IPNetwork> addresses)
    {
        CheckKeys(section, section.Path, ConfigurationKeys.AuthKeys);
        var authSection = section.GetSection(ConfigurationKeys.Auth);
        AuthMethod? auth = authSection.Value?.ToLowerInvariant() switch
        {
            "psk" => AuthMethod.Psk,
            "pubkey" or "rsa" => AuthMethod.Pubkey,
            _ => null,
        };
        if (auth is null)
        {
            Error(authSection.Path, authSection.Value is null
                ? "missing: the authentication method (psk or pubkey)"
                : $"invalid auth '{authSection.Value}' (IKEv1 supports psk and pubkey)");
        }

        var certs = ReadFiles(section.GetSection(ConfigurationKeys.Certs));
        var caCerts = ReadFiles(section.GetSection(ConfigurationKeys.CaCerts));

        var idSection = section.GetSection(ConfigurationKeys.Id);
        IdentityDefinition id;
        if (idSection.Value is not null)
        {
            if (!IdentityDefinition.TryParse(idSection.Value, out id, out var error))
            {
                Error(idSection.Path, error);
            }
        }
        else if (isLocal && auth == AuthMethod.Pubkey && certs.Count > 0 && TryLoadCertificate(certs[0]) is { } cert)
        {
            // strongSwan's default: with a certificate, the local identity is its subject DN.
            using (cert)
            {
                id = new IdentityDefinition(IdentityType.DerAsn1Dn, cert.SubjectName.Name);
            }
        }
        else if (addresses.Count == 1 && IsHost(addresses[0]))
        {
            id = IdentityDefinition.FromAddress(addresses[0].BaseAddress);
        }
        else
        {
            id = IdentityDefinition.Any;
        }

        if (isLocal && id.Type == IdentityType.Any && idSection.Value is not null)
        {
            Error(idSection.Path, "the local identity cannot be %any");
        }

        if (auth == AuthMethod.Pubkey)
        {
            if (isLocal && certs.Count == 0)
            {
                Error(section.GetSection(ConfigurationKeys.Certs).Path, "auth=pubkey needs the local certificate (certs)");
            }

            if (!isLocal && certs.Count == 0 && caCerts.Count == 0)
            {
                Error(section.GetSection(ConfigurationKeys.CaCerts).Path,
                    "auth=pubkey needs a trust anchor for the peer (cacerts, or the peer's own certs)");
            }
        }

        return auth is null ? null : new AuthDefinition(auth.Value, id, certs, caCerts);
    }

    private void CheckAuthentication(IConfigurationSection section, AuthDefinition local, AuthDefinition remote, List<SecretDefinition> secrets)
    {
        var path = section.GetSection(ConfigurationKeys.Remote).GetSection(ConfigurationKeys.Auth).Path;
        if (local.Auth != remote.Auth)
        {
            // RFC 2409 section 5: one Authentication Method attribute for the ISAKMP SA, used by both peers.
            Error(path, $"remote auth={Name(remote.Auth)} differs from local auth={Name(local.Auth)}: IKEv1 authenticates both sides with one method");
            return;
        }

        if (local.Auth == AuthMethod.Psk
            && !secrets.Any(s => s.Kind == SecretKind.Ike && s.Matches(remote.Id)))
        {
            Error(section.GetSection(ConfigurationKeys.Local).GetSection(ConfigurationKeys.Auth).Path,
                $"auth=psk but no secrets:ike-* entry matches remote id '{remote.Id}'");
        }

        if (local.Auth == AuthMethod.Pubkey && !secrets.Any(s => s.Kind == SecretKind.PrivateKey))
        {
            Error(section.GetSection(ConfigurationKeys.Local).GetSection(ConfigurationKeys.Auth).Path,
                "auth=pubkey but no private key is configured (secrets:private-NAME { file })");
        }
    }

    private ChildDefinition? ReadChild(IConfigurationSection section)
    {
        var errorsBefore = _errors.Count;
        CheckKeys(section, section.Path, ConfigurationKeys.ChildKeys);
        var localTs = ReadSelectors(section.GetSection(ConfigurationKeys.LocalTs));
        var remoteTs = ReadSelectors(section.GetSection(ConfigurationKeys.RemoteTs));
        var esp = ReadProposals(section.GetSection(ConfigurationKeys.EspProposals), ProposalKind.Esp);
        var ah = ReadProposals(section.GetSection(ConfigurationKeys.AhProposals), ProposalKind.Ah);

        var modeSection = section.GetSection(ConfigurationKeys.Mode);
        ChildMode? mode = (modeSection.Value ?? "tunnel").ToLowerInvariant() switch
        {
            "tunnel" => ChildMode.Tunnel,
            "transport" => ChildMode.Transport,
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

        return _errors.Count > errorsBefore
            ? null
            : new ChildDefinition(section.Key,
                localTs.Count > 0 ? localTs : [new TrafficSelectorDefinition(null, 0, 0)],
                remoteTs.Count > 0 ? remoteTs : [new TrafficSelectorDefinition(null, 0, 0)],
                esp, ah, mode!.Value, rekey, life, start!.Value);
    }

    private List<string> ReadProposals(IConfigurationSection section, ProposalKind kind)
    {
        var proposals = new List<string>();
        foreach (var (path, text) in ReadList(section))
        {
            if (text == "default")
            {
                // swanctl's "default" keyword: the engine's default set (an empty list).
                continue;
            }

            var error = validator.Validate(text, kind);
            if (error is null)
            {
                proposals.Add(text);
            }
            else
            {
                Error(path, error);
            }
        }

        return proposals;
    }

    private List<TrafficSelectorDefinition> ReadSelectors(IConfigurationSection section)
    {
        var selectors = new List<TrafficSelectorDefinition>();
        foreach (var (path, text) in ReadList(section))
        {
            if (TrafficSelectorDefinition.TryParse(text, out var selector, out var error))
            {
                selectors.Add(selector);
            }
            else
            {
                Error(path, error);
            }
        }

        return selectors;
    }

    private List<IPNetwork> ReadAddresses(IConfigurationSection section)
    {
        var addresses = new List<IPNetwork>();
        foreach (var (path, text) in ReadList(section))
        {
            if (text is "%any" or "%any4" or "%any6")
            {
                continue;
            }

            if (IPAddress.TryParse(text, out var address))
            {
                addresses.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32));
            }
            else if (IPNetwork.TryParse(text, out var network))
            {
                addresses.Add(network);
            }
            else
            {
                Error(path, $"invalid address '{text}' (expected an IP address, a subnet or %any; host names are not resolved)");
            }
        }

        return addresses;
    }

    private List<string> ReadFiles(IConfigurationSection section)
    {
        var files = new List<string>();
        foreach (var (path, text) in ReadList(section))
        {
            var file = ResolvePath(text);
            if (!File.Exists(file))
            {
                Error(path, $"certificate file not found ({file})");
            }
            else if (TryLoadCertificate(file) is { } cert)
            {
                cert.Dispose();
                files.Add(file);
            }
            else
            {
                Error(path, $"cannot read X.509 certificate {file} (expected PEM or DER)");
            }
        }

        return files;
    }

    private static X509Certificate2? TryLoadCertificate(string file)
    {
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(file);
        }
        catch (CryptographicException)
        {
            return null;
        }
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

    private void CheckKeys(IConfiguration section, string path, string[] known)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                Error(child.Path, $"unknown key '{child.Key}' (expected one of: {string.Join(", ", known)})");
            }
        }

        _ = path;
    }

    private string ResolvePath(string path) => Path.GetFullPath(Path.Combine(baseDirectory, path));

    private static bool IsHost(IPNetwork network) =>
        network.PrefixLength == (network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);

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

    private static string Describe(IConfigurationProvider provider, string path) => provider switch
    {
        JsonConfigurationProvider json => json.Source.Path ?? "configuration file",
        EnvironmentVariablesConfigurationProvider =>
            $"environment variable {ConfigurationLoader.EnvironmentPrefix}{path.Replace(":", "__", StringComparison.Ordinal)}",
        OverrideConfigurationProvider => "command line",
        _ => provider.ToString() ?? "configuration",
    };
}

using System.Net;
using System.Text;
using Ike.Fast.Host.Configuration;
using System.Security.Cryptography.X509Certificates;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Config;

public class ConfigurationLoaderTests
{
    [Fact]
    public void PskConnectionMapsToThePolicyModel()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk());

        var rw = Assert.Single(config.Connections);
        Assert.Equal("rw", rw.Name);
        Assert.Equal(1, rw.Version);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), rw.LocalAddress);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), rw.RemoteAddress);
        Assert.Equal(500, rw.RemotePort);
        Assert.Equal(ExchangeMode.Main, rw.Mode);
        Assert.False(rw.AggressiveModePskResponder);
        Assert.Equal(AuthMethod.Psk, rw.LocalAuth.Method);
        Assert.Equal(IkeIdentity.FromAddress(IPAddress.Parse("192.0.2.1")), rw.LocalAuth.Identity);
        Assert.Equal(IkeIdentity.FromAddress(IPAddress.Parse("192.0.2.2")), rw.RemoteAuth.Identity);
        Assert.Equal(ProposalParser.ParseIke("aes128-sha256-modp2048"), rw.IkeProposals);
        Assert.Equal(StartAction.Start, rw.StartAction);
        // charon's default: rekey_time 4h + over_time 10% = 15840 s offered as Life Duration.
        Assert.Equal(TimeSpan.FromSeconds(15840), rw.IkeLifetime);

        var net = Assert.Single(rw.Children);
        Assert.Equal("net", net.Name);
        Assert.Equal([TrafficSelector.Parse("198.51.100.0/24")], net.LocalTs);
        Assert.Equal([TrafficSelector.Parse("203.0.113.0/24")], net.RemoteTs);
        Assert.Equal(ProposalParser.ParseEsp("aes128-sha256"), net.Proposals);
        Assert.Equal(IpsecMode.Tunnel, net.Mode);
        Assert.Equal(TimeSpan.FromHours(1), net.RekeyTime);
        Assert.Equal(TimeSpan.FromMinutes(66), net.LifeTime);
        Assert.Equal(StartAction.Start, net.StartAction);
        Assert.Equal([("rw", "net")], config.StartChildren().Select(s => (s.Connection.Name, s.Child.Name)));

        Assert.True(config.Secrets.TryGetPreSharedKey(rw.LocalAuth.Identity, rw.RemoteAuth.Identity, rw.RemoteAddress, out var key));
        Assert.Equal("ikefast-interop-psk-0123456789", Encoding.UTF8.GetString(key.Span));
        Assert.Equal(1, config.SecretCount);
    }

    [Fact]
    public void DefaultsFollowStrongSwan()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load("""
            {
              "connections": {
                "min": {
                  "local": { "auth": "psk" },
                  "remote": { "auth": "psk" },
                  "children": { "c": { } }
                }
              },
              "secrets": { "ike-any": { "secret": "k" } }
            }
            """);
        var min = Assert.Single(config.Connections);
        Assert.Null(min.LocalAddress);
        Assert.Null(min.RemoteAddress);
        Assert.Null(min.LocalAuth.Identity);
        Assert.Null(min.RemoteAuth.Identity);
        Assert.Same(PeerConfig.DefaultIkeProposals, min.IkeProposals);
        Assert.Equal(StartAction.None, min.StartAction);
        var c = Assert.Single(min.Children);
        Assert.Equal([TrafficSelector.Dynamic], c.LocalTs);
        Assert.Equal([TrafficSelector.Dynamic], c.RemoteTs);
        Assert.Same(ChildConfig.DefaultEspProposals, c.Proposals);
        Assert.Equal(StartAction.None, c.StartAction);
        Assert.Equal(DaemonSettings.DefaultListen, config.Daemon.Listen);
        Assert.Equal(DaemonSettings.DefaultControlSocket(), config.Daemon.ControlSocket);
        Assert.Empty(config.StartChildren());
    }

    [Fact]
    public void ListsMayBeCommaSeparatedStringsAsInSwanctl()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk().Replace(
            "\"proposals\": [ \"aes128-sha256-modp2048\" ]",
            "\"proposals\": \"aes128-sha256-modp2048, aes256-sha1-modp2048\"", StringComparison.Ordinal));
        var rw = Assert.Single(config.Connections);
        Assert.Equal([.. ProposalParser.ParseIke("aes128-sha256-modp2048"), .. ProposalParser.ParseIke("aes256-sha1-modp2048")],
            rw.IkeProposals);
    }

    [Fact]
    public void AggressiveModeOptsInToThePskResponder()
    {
        using var dir = new TempConfigDirectory();
        using (var config = dir.Load(ConfigText.Psk(connection: ", \"aggressive\": \"yes\"")))
        {
            Assert.Equal(ExchangeMode.Aggressive, config.Connections[0].Mode);
            Assert.True(config.Connections[0].AggressiveModePskResponder);
        }

        using (var config = dir.Load(ConfigText.Psk(connection: ", \"mode\": \"aggressive\"")))
        {
            Assert.Equal(ExchangeMode.Aggressive, config.Connections[0].Mode);
        }
    }

    [Fact]
    public void LifetimesAndChildOptionsAreRead()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk(
            connection: ", \"rekey_time\": \"2h\", \"reauth_time\": \"1h\", \"over_time\": \"300\", \"remote_port\": 4500",
            child: ", \"mode\": \"transport\", \"rekey_time\": \"20m\", \"life_time\": \"1800s\""));
        var rw = config.Connections[0];
        // IKEv1 renews by re-authenticating: the shorter of rekey_time/reauth_time, plus over_time.
        Assert.Equal(TimeSpan.FromSeconds(3600 + 300), rw.IkeLifetime);
        Assert.Equal(4500, rw.RemotePort);
        var net = rw.Children[0];
        Assert.Equal(IpsecMode.Transport, net.Mode);
        Assert.Equal(TimeSpan.FromMinutes(20), net.RekeyTime);
        Assert.Equal(TimeSpan.FromMinutes(30), net.LifeTime);
        Assert.Equal(0, net.LifeKilobytes); // no life_bytes: no volume limit offered
    }

    [Theory]
    [InlineData("\"1024\"", 1)]
    [InlineData("\"1025\"", 2)] // rounded up: the SA must not outlive the configured volume by less than a kilobyte
    [InlineData("\"500000000\"", 488282)]
    [InlineData("\"512M\"", 524288)]
    [InlineData("\"4G\"", 4194304)]
    [InlineData("\"64k\"", 64)]
    public void ChildLifeBytesBecomesTheOfferedKilobytes(string value, long kilobytes)
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk(child: ", \"life_bytes\": " + value));
        Assert.Equal(kilobytes, config.Connections[0].Children[0].LifeKilobytes);
    }

    [Fact]
    public void SecretNotationsHexAndBase64AndIdentities()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk().Replace(
            "\"ike-rw\": { \"id\": \"192.0.2.2\", \"secret\": \"ikefast-interop-psk-0123456789\" }",
            """
            "ike-hex": { "id": "@peer.example", "secret": "0x00ff10" },
            "ike-b64": { "ids": [ "192.0.2.2", "user@example.org" ], "secret": "0sAQID" }
            """, StringComparison.Ordinal));
        Assert.Equal(2, config.SecretCount);
        Assert.True(config.Secrets.TryGetPreSharedKey(null, IkeIdentity.Parse("@peer.example"), null, out var hex));
        Assert.Equal(new byte[] { 0x00, 0xff, 0x10 }, hex.ToArray());
        Assert.True(config.Secrets.TryGetPreSharedKey(null, IkeIdentity.Parse("user@example.org"), null, out var b64));
        Assert.Equal(new byte[] { 1, 2, 3 }, b64.ToArray());
    }

    [Fact]
    public void DisposeZeroesSecretBytes()
    {
        using var dir = new TempConfigDirectory();
        var config = dir.Load(ConfigText.Psk());
        Assert.True(config.Secrets.TryGetPreSharedKey(null, IkeIdentity.Parse("192.0.2.2"), null, out var key));
        config.Dispose();
        Assert.All(key.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void DaemonSectionListenAndControlSocket()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk(top: """
            , "daemon": { "listen": [ "127.0.0.1:15500", "[::1]:15500" ], "control_socket": "run/ike.sock" }
            """));
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:15500"), IPEndPoint.Parse("[::1]:15500")], config.Daemon.Listen);
        // Relative to the configuration file's folder.
        Assert.Equal(Path.Combine(dir.Path, "run", "ike.sock"), config.Daemon.ControlSocket);
    }

    [Fact]
    public void EnvironmentVariablesOverrideTheFile()
    {
        // A prefix of its own (the production one is IKEFAST__), so no test running in parallel sees this process-wide variable.
        using var dir = new TempConfigDirectory();
        const string Prefix = "IKEFAST_TEST_OVERRIDE__";
        const string Variable = Prefix + "connections__rw__rekey_time";
        Environment.SetEnvironmentVariable(Variable, "1h");
        try
        {
            using var config = dir.Load(ConfigText.Psk(), environmentPrefix: Prefix);
            var connection = Assert.Single(config.Connections);
            Assert.Equal(TimeSpan.FromMinutes(66), connection.IkeLifetime);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [Fact]
    public void CommandLineOverridesWinOverTheFile()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk(), new Dictionary<string, string?>
        {
            ["connections:rw:proposals:0"] = "aes256-sha256-modp3072",
            ["connections:rw:children:net:start_action"] = "none",
            ["daemon:listen:0"] = "127.0.0.1:0",
        });
        var rw = config.Connections[0];
        Assert.Equal(ProposalParser.ParseIke("aes256-sha256-modp3072"), rw.IkeProposals);
        Assert.Equal(StartAction.None, rw.StartAction);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:0")], config.Daemon.Listen);
    }

    [Fact]
    public void SecretsFileIsKeptApart()
    {
        using var dir = new TempConfigDirectory();
        var withoutSecrets = ConfigText.Psk().Replace(
            "\"ike-rw\": { \"id\": \"192.0.2.2\", \"secret\": \"ikefast-interop-psk-0123456789\" }", "", StringComparison.Ordinal);
        dir.Write("secrets/ike.json", """
            // only the secrets
            { "secrets": { "ike-rw": { "id": "192.0.2.2", "secret": "from-the-secrets-file" } } }
            """);
        using (var config = dir.Load(withoutSecrets.Replace("\"secrets\": {", "\"secrets_file\": \"secrets/ike.json\", \"secrets\": {", StringComparison.Ordinal)))
        {
            Assert.True(config.Secrets.TryGetPreSharedKey(null, IkeIdentity.Parse("192.0.2.2"), null, out var key));
            Assert.Equal("from-the-secrets-file", Encoding.UTF8.GetString(key.Span));
        }

        // The command line's --secrets wins over (and works without) secrets_file.
        var other = dir.Write("other.json", """{ "secrets": { "ike-rw": { "secret": "from-the-command-line" } } }""");
        using (var config = ConfigurationLoader.Load(dir.Write("ikefast.json", withoutSecrets), secretsPath: other))
        {
            Assert.True(config.Secrets.TryGetPreSharedKey(null, IkeIdentity.Parse("192.0.2.2"), null, out var key));
            Assert.Equal("from-the-command-line", Encoding.UTF8.GetString(key.Span));
        }
    }

    [Fact]
    public void PubkeyConnectionLoadsCertificatesAndPairsThePrivateKey()
    {
        using var dir = new TempConfigDirectory();
        TestPki.Write(dir.Path);
        using var config = dir.Load(TestPki.Config());
        var site = Assert.Single(config.Connections);
        Assert.Equal(AuthMethod.PubKey, site.LocalAuth.Method);
        Assert.NotNull(site.LocalAuth.Certificate);
        Assert.True(site.LocalAuth.Certificate!.HasPrivateKey);
        // The default local identity is the certificate's subject DN (ID_DER_ASN1_DN), as in strongSwan.
        Assert.Equal(new IkeIdentity(IdentificationType.DerAsn1Dn, site.LocalAuth.Certificate.SubjectName.RawData), site.LocalAuth.Identity);
        // The configured DN is encoded in the order written (strongSwan's): C first, like the certificate's subject.
        var b = new X500DistinguishedName(site.RemoteAuth.Identity!.Data.ToArray());
        Assert.Equal("CN=b.ikefast.test, O=IkeFast Interop, C=XX", b.Name);
        using var bCertificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dir.Path, "pki", "b.crt"));
        Assert.Equal(bCertificate.SubjectName.RawData, site.RemoteAuth.Identity.Data.ToArray());
        var ca = Assert.Single(site.RemoteAuth.CaCertificates);
        Assert.Contains("IkeFast Test CA", ca.Subject, StringComparison.Ordinal);
    }
}

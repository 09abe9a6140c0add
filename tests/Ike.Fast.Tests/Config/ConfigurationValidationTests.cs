using Ike.Fast.Host.Configuration;

namespace Ike.Fast.Tests.Config;

/// <summary>Every load-time error: each names the file, the key path and the problem.</summary>
public class ConfigurationValidationTests
{
    private const string File = "ikefast.json: ";

    /// <summary>Edits the valid PSK configuration (replace <paramref name="find"/>) and expects one error line.</summary>
    [Theory]
    // Structure and unknown keys.
    [InlineData("\"version\": 1,", "\"version\": 1, \"rekey_tme\": \"1h\",", "connections:rw:rekey_tme: unknown key 'rekey_tme'")]
    [InlineData("\"start_action\": \"start\"", "\"start_action\": \"start\", \"esp\": \"x\"", "connections:rw:children:net:esp: unknown key 'esp'")]
    [InlineData("\"auth\": \"psk\", \"id\": \"192.0.2.1\"", "\"auth\": \"psk\", \"id\": \"192.0.2.1\", \"cert\": \"a\"", "connections:rw:local:cert: unknown key 'cert'")]
    [InlineData("\"connections\": {", "\"conections\": {}, \"connections\": {", "conections: unknown key 'conections'")]
    [InlineData("\"version\": 1,", "\"version\": 2,", "connections:rw:version: version 2 is not supported")]
    [InlineData("\"version\": 1,", "\"version\": \"one\",", "connections:rw:version: invalid number 'one'")]
    // Addresses and ports.
    [InlineData("[ \"192.0.2.1\" ]", "[ \"192.0.2.300\" ]", "connections:rw:local_addrs:0: invalid address '192.0.2.300'")]
    [InlineData("[ \"192.0.2.1\" ]", "[ \"vpn.example.org\" ]", "connections:rw:local_addrs:0: invalid address 'vpn.example.org' (expected an IP address or %any; host names are not resolved)")]
    [InlineData("[ \"192.0.2.2\" ]", "[ \"192.0.2.0/24\" ]", "connections:rw:remote_addrs:0: subnet '192.0.2.0/24' is not supported yet")]
    [InlineData("[ \"192.0.2.2\" ]", "[ \"192.0.2.2\", \"192.0.2.3\" ]", "connections:rw:remote_addrs:1: more than one address is not supported yet")]
    [InlineData("[ \"192.0.2.2\" ]", "[ \"%any\" ]", "connections:rw:remote_addrs: start_action=start needs the peer address")]
    [InlineData("\"version\": 1,", "\"version\": 1, \"remote_port\": 70000,", "connections:rw:remote_port: invalid number '70000' (expected 1-65535)")]
    // Phase 1 mode.
    [InlineData("\"version\": 1,", "\"version\": 1, \"aggressive\": \"maybe\",", "connections:rw:aggressive: invalid boolean 'maybe'")]
    [InlineData("\"version\": 1,", "\"version\": 1, \"mode\": \"quick\",", "connections:rw:mode: invalid mode 'quick' (expected main or aggressive)")]
    [InlineData("\"version\": 1,", "\"version\": 1, \"mode\": \"main\", \"aggressive\": true,", "connections:rw:mode: mode=main contradicts aggressive=True")]
    // Proposals (checked by the engine's parser).
    [InlineData("\"aes128-sha256-modp2048\"", "\"aes129-sha256-modp2048\"", "connections:rw:proposals:0: keyword 'aes129' is not a known algorithm keyword (in 'aes129-sha256-modp2048')")]
    [InlineData("\"aes128-sha256-modp2048\"", "\"des-sha1-modp2048\"", "connections:rw:proposals:0: keyword 'des' names single DES")]
    [InlineData("[ \"aes128-sha256\" ]", "[ \"aes128-sha256\", \"aes128-sha257\" ]", "connections:rw:children:net:esp_proposals:1: keyword 'sha257' is not a known algorithm keyword")]
    [InlineData("\"esp_proposals\": [ \"aes128-sha256\" ],", "\"esp_proposals\": [ \"aes128-sha256\" ], \"ah_proposals\": [ \"sha256\" ],", "connections:rw:children:net:ah_proposals: esp_proposals and ah_proposals together")]
    // Authentication.
    [InlineData("\"local\": { \"auth\": \"psk\",", "\"local\": {", "connections:rw:local:auth: missing: the authentication method (psk or pubkey)")]
    [InlineData("\"local\": { \"auth\": \"psk\",", "\"local\": { \"auth\": \"xauth\",", "connections:rw:local:auth: invalid auth 'xauth' (IKEv1 supports psk and pubkey)")]
    [InlineData("\"remote\": { \"auth\": \"psk\",", "\"remote\": { \"auth\": \"pubkey\", \"cacerts\": [], ", "connections:rw:remote:cacerts: auth=pubkey needs a trust anchor")]
    [InlineData("\"id\": \"192.0.2.1\"", "\"id\": \"%any\"", "connections:rw:local:id: the local identity cannot be %any")]
    [InlineData("\"id\": \"192.0.2.1\"", "\"id\": \"keyid:zz\"", "connections:rw:local:id: invalid identity 'keyid:zz'")]
    [InlineData("\"remote\": { \"auth\": \"psk\", \"id\": \"192.0.2.2\"", "\"remote\": { \"auth\": \"psk\", \"id\": \"@other.example\"", "connections:rw:local:auth: auth=psk but no secrets:ike-* entry matches remote id")]
    // Times.
    [InlineData("\"version\": 1,", "\"version\": 1, \"rekey_time\": \"4x\",", "connections:rw:rekey_time: invalid duration '4x'")]
    [InlineData("\"start_action\": \"start\"", "\"start_action\": \"start\", \"rekey_time\": \"1h\", \"life_time\": \"30m\"", "connections:rw:children:net:life_time: life_time (30m) must be longer than rekey_time (1h)")]
    // Children.
    [InlineData("\"start_action\": \"start\"", "\"start_action\": \"start\", \"life_bytes\": \"12X\"", "connections:rw:children:net:life_bytes: invalid volume '12X'")]
    [InlineData("\"start_action\": \"start\"", "\"start_action\": \"start\", \"life_bytes\": \"-5\"", "connections:rw:children:net:life_bytes: invalid volume '-5'")]
    [InlineData("[ \"198.51.100.0/24\" ]", "[ \"198.51.100.0/33\" ]", "connections:rw:children:net:local_ts:0: invalid traffic selector '198.51.100.0/33'")]
    [InlineData("[ \"203.0.113.0/24\" ]", "[ \"203.0.113.0/24[tcp/http]\" ]", "connections:rw:children:net:remote_ts:0: invalid traffic selector")]
    [InlineData("\"start_action\": \"start\"", "\"start_action\": \"start\", \"mode\": \"beet\"", "connections:rw:children:net:mode: invalid mode 'beet' (expected tunnel or transport)")]
    [InlineData("\"start_action\": \"start\"", "\"start_action\": \"trap\"", "connections:rw:children:net:start_action: start_action=trap is not supported yet")]
    [InlineData("\"start_action\": \"start\"", "\"start_action\": \"later\"", "connections:rw:children:net:start_action: invalid start_action 'later' (expected none or start)")]
    // Secrets.
    [InlineData("\"ike-rw\":", "\"token-rw\": { \"secret\": \"x\" }, \"ike-rw\":", "secrets:token-rw: unknown secret type 'token-rw'")]
    [InlineData("\"ike-rw\":", "\"xauth-rw\": { \"secret\": \"x\" }, \"ike-rw\":", "secrets:xauth-rw:id: missing: the XAUTH user name")]
    [InlineData("\"secret\": \"ikefast-interop-psk-0123456789\"", "\"secret\": \"0xzz\"", "secrets:ike-rw:secret: invalid hex after '0x'")]
    [InlineData("\"secret\": \"ikefast-interop-psk-0123456789\"", "\"secret\": \"0s!!!\"", "secrets:ike-rw:secret: invalid base64 after '0s'")]
    [InlineData(", \"secret\": \"ikefast-interop-psk-0123456789\"", "", "secrets:ike-rw:secret: missing: the secret")]
    [InlineData("\"ike-rw\":", "\"private-x\": { \"secret\": \"\" }, \"ike-rw\":", "secrets:private-x:file: missing: the private key file")]
    [InlineData("\"ike-rw\":", "\"private-x\": { \"file\": \"nope.key\" }, \"ike-rw\":", "secrets:private-x:file: private key file not found")]
    [InlineData("\"ike-rw\":", "\"ike-x\": { \"id\": \"keyid:q\", \"secret\": \"s\" }, \"ike-rw\":", "secrets:ike-x:id: invalid identity 'keyid:q'")]
    // Daemon settings.
    [InlineData("\"secrets\": {", "\"daemon\": { \"listen\": [ \"127.0.0.1\" ] }, \"secrets\": {", "daemon:listen:0: invalid listen address '127.0.0.1' (expected ADDR:PORT")]
    [InlineData("\"secrets\": {", "\"daemon\": { \"listen\": [ \"127.0.0.1:99999\" ] }, \"secrets\": {", "daemon:listen:0: invalid listen address '127.0.0.1:99999'")]
    [InlineData("\"secrets\": {", "\"daemon\": { \"socket\": \"x\" }, \"secrets\": {", "daemon:socket: unknown key 'socket'")]
    public void FileErrorNamesFileKeyPathAndProblem(string find, string replace, string expected)
    {
        using var dir = new TempConfigDirectory();
        var text = ConfigText.Psk();
        Assert.Contains(find, text, StringComparison.Ordinal);
        var errors = dir.Errors(text.Replace(find, replace, StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith(File + expected, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryErrorIsReportedNotJustTheFirst()
    {
        using var dir = new TempConfigDirectory();
        var errors = dir.Errors(ConfigText.Psk()
            .Replace("\"aes128-sha256-modp2048\"", "\"aes129-sha256-modp2048\"", StringComparison.Ordinal)
            .Replace("\"start_action\": \"start\"", "\"start_action\": \"later\"", StringComparison.Ordinal));
        Assert.Equal(2, errors.Count);
        var exception = Assert.Throws<ConfigurationException>(() => dir.Load(ConfigText.Psk().Replace("\"version\": 1,", "\"version\": 3,", StringComparison.Ordinal)));
        Assert.Equal("ikefast.json: connections:rw:version: version 3 is not supported (IkeFast speaks IKEv1: version=1)", exception.Message);
    }

    [Fact]
    public void MissingFile()
    {
        using var dir = new TempConfigDirectory();
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Path.Combine(dir.Path, "absent.json")));
        Assert.StartsWith("absent.json: file not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSecretsFile()
    {
        using var dir = new TempConfigDirectory();
        var e = Assert.Throws<ConfigurationException>(() => dir.Load(ConfigText.Psk(top: ", \"secrets_file\": \"absent.secrets.json\"")));
        Assert.StartsWith("absent.secrets.json: file not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidJsonNamesLine()
    {
        using var dir = new TempConfigDirectory();
        var e = Assert.Throws<ConfigurationException>(() => dir.Load("{\n  \"connections\": {\n    \"rw\": { \"version\" 1 }\n  }\n}\n"));
        Assert.StartsWith("ikefast.json: invalid JSON at line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidJsonInSecretsFileNamesThatFile()
    {
        using var dir = new TempConfigDirectory();
        dir.Write("broken.secrets.json", "{ \"secrets\": { \"ike-rw\": { \"secret\": } } }");
        var e = Assert.Throws<ConfigurationException>(() => dir.Load(ConfigText.Psk(top: ", \"secrets_file\": \"broken.secrets.json\"")));
        Assert.StartsWith("broken.secrets.json: invalid JSON at line 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKey()
    {
        using var dir = new TempConfigDirectory();
        var e = Assert.Throws<ConfigurationException>(() => dir.Load(ConfigText.Psk(connection: ", \"version\": 1")));
        Assert.StartsWith("ikefast.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("version", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NoConnections()
    {
        using var dir = new TempConfigDirectory();
        Assert.Equal(["ikefast.json: connections: no connection defined"], dir.Errors("""{ "secrets": { } }"""));
    }

    [Fact]
    public void ErrorFromEnvironmentNamesTheVariable()
    {
        using var dir = new TempConfigDirectory();
        const string Prefix = "IKEFAST_TEST_ERROR__";
        const string Variable = Prefix + "connections__rw__children__net__rekey_time";
        Environment.SetEnvironmentVariable(Variable, "soon");
        try
        {
            var errors = dir.Errors(ConfigText.Psk(), environmentPrefix: Prefix);
            Assert.Equal(
                ["environment variable IKEFAST_TEST_ERROR__connections__rw__children__net__rekey_time: connections:rw:children:net:rekey_time: " +
                 "invalid duration 'soon' (expected seconds or a number with s, m, h or d: 3600, 60m, 4h, 1d)"],
                errors);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [Fact]
    public void ErrorFromCommandLineSaysSo()
    {
        using var dir = new TempConfigDirectory();
        var errors = dir.Errors(ConfigText.Psk(), new Dictionary<string, string?> { ["connections:rw:proposals:0"] = "aes128-md4" });
        var error = Assert.Single(errors);
        Assert.StartsWith("command line: connections:rw:proposals:0: keyword 'md4'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorInSecretsFileNamesThatFile()
    {
        using var dir = new TempConfigDirectory();
        dir.Write("ike.secrets.json", """{ "secrets": { "ike-rw": { "id": "192.0.2.2", "secret": "0x0" } } }""");
        var errors = dir.Errors(ConfigText.Psk()
            .Replace("\"ike-rw\": { \"id\": \"192.0.2.2\", \"secret\": \"ikefast-interop-psk-0123456789\" }", "", StringComparison.Ordinal)
            .Replace("\"secrets\": {", "\"secrets_file\": \"ike.secrets.json\", \"secrets\": {", StringComparison.Ordinal));
        Assert.Contains("ike.secrets.json: secrets:ike-rw:secret: invalid hex after '0x'", errors);
        // The secret's value is never echoed.
        Assert.DoesNotContain(errors, e => e.Contains("0x0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("pki/absent.key", "", "", "secrets:private-a:file: private key file not found")]
    [InlineData("pki/ca.crt", "", "", "secrets:private-a:file: cannot read RSA private key")]
    [InlineData("pki/other.key", "", "", "connections:site:local:certs: no secrets:private-NAME key matches the local certificate's public key")]
    [InlineData("pki/a.pk8", ", \"id\": \"%any\"", "", "connections:site:local:id: the local identity cannot be %any")]
    [InlineData("pki/a.key", "", ", \"certs\": [ \"pki/garbage.crt\" ]", "connections:site:remote:certs:0: cannot read X.509 certificate")]
    [InlineData("pki/a.key", "", ", \"certs\": [ \"pki/absent.crt\" ]", "connections:site:remote:certs:0: certificate file not found")]
    public void PubkeyErrors(string keyFile, string local, string remote, string expected)
    {
        using var dir = new TempConfigDirectory();
        TestPki.Write(dir.Path);
        var errors = dir.Errors(TestPki.Config(keyFile, local, remote));
        Assert.Contains(errors, e => e.StartsWith(File + expected, StringComparison.Ordinal));
    }

    [Fact]
    public void PubkeyNeedsLocalCertificateAndSameMethodBothSides()
    {
        using var dir = new TempConfigDirectory();
        TestPki.Write(dir.Path);
        var errors = dir.Errors(TestPki.Config().Replace("\"certs\": [ \"pki/a.crt\" ]", "\"id\": \"@a\"", StringComparison.Ordinal));
        Assert.Contains("ikefast.json: connections:site:local:certs: auth=pubkey needs the local certificate (certs)", errors);

        errors = dir.Errors(TestPki.Config().Replace("pki/a.crt", "pki/ec.crt", StringComparison.Ordinal));
        Assert.Contains("ikefast.json: connections:site:local:certs: the local certificate has no RSA public key (IKEv1 signatures here are RSA)", errors);

        errors = dir.Errors(TestPki.Config().Replace("\"remote\": { \"auth\": \"pubkey\"", "\"remote\": { \"auth\": \"psk\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith(
            "ikefast.json: connections:site:remote:auth: remote auth=psk differs from local auth=pubkey", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("3600", 3600)]
    [InlineData("90s", 90)]
    [InlineData("60m", 3600)]
    [InlineData("4h", 14400)]
    [InlineData("1d", 86400)]
    public void DurationParserAcceptsSwanctlForms(string text, int seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("-5")]
    [InlineData("1.5h")]
    [InlineData("99999999999")]
    [InlineData("4w")]
    public void DurationParserRejects(string text) => Assert.False(DurationParser.TryParse(text, out _));
}

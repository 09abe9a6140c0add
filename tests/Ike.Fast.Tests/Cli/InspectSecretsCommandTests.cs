using System.Text.Json;
using Ike.Fast.Cli;
using Ike.Fast.Tests.Captures;

namespace Ike.Fast.Tests.Cli;

/// <summary><c>ikefast inspect --secrets</c> end to end: options, output, exit codes.</summary>
public class InspectSecretsCommandTests
{
    private const string Pfs = "mm-psk-pfs-aes128-sha256-modp2048__sw-sw";
    private const string Rsa = "mm-rsa-aes128-sha256-modp2048__sw-ls";

    private static (int ExitCode, string Stdout, string Stderr) Run(string input, bool json, string? secrets, bool showKeys = false, string? wireshark = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = InspectCommand.Run(input, json, new StringReader(string.Empty), stdout, stderr, lenient: false, secrets, showKeys, wireshark);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData(Pfs)]
    [InlineData(Rsa)]
    public void JsonLinesParseAndCarryTheDecryptedPayloads(string id)
    {
        (int code, string stdout, string stderr) = Run(CaptureFile.PcapPath(id), json: true, CaptureFile.VectorPath(id));

        Assert.Equal(0, code);
        Assert.Contains("0 failed hash check(s)", stderr, StringComparison.Ordinal);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int encrypted = 0;
        foreach (string line in lines)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            Assert.False(root.TryGetProperty("keymat", out _)); // keys only with --show-keys
            if (root.GetProperty("encrypted").GetBoolean())
            {
                encrypted++;
                JsonElement decrypted = root.GetProperty("decrypted");
                Assert.True(decrypted.GetProperty("hashVerified").GetBoolean());
                Assert.NotEqual(0, decrypted.GetProperty("payloads").GetArrayLength());
            }
        }

        Assert.True(encrypted > 0);
    }

    [Fact]
    public void ShowKeysAddsKeymatLines()
    {
        (int code, string stdout, _) = Run(CaptureFile.PcapPath(Pfs), json: true, CaptureFile.VectorPath(Pfs), showKeys: true);

        Assert.Equal(0, code);
        List<JsonElement> keymats = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.TryGetProperty("keymat", out _))
            .Select(r => r.GetProperty("keymat"))
            .ToList();
        Assert.Equal(2, keymats.Count);
        Assert.Equal(["initiatorToResponder", "responderToInitiator"], keymats.Select(k => k.GetProperty("direction").GetString()));
        Assert.All(keymats, k => Assert.Equal(3, k.GetProperty("protocolId").GetInt32()));
    }

    [Fact]
    public void TreeShowsDecryptedPayloadsAndKeymat()
    {
        (int code, string stdout, string stderr) = Run(CaptureFile.PcapPath(Pfs), json: false, CaptureFile.VectorPath(Pfs), showKeys: true);

        Assert.Equal(0, code);
        Assert.Contains("decrypted:", stdout, StringComparison.Ordinal);
        Assert.Contains("hashVerified: yes", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("hashVerified: no", stdout, StringComparison.Ordinal);
        Assert.Contains("KEYMAT Quick Mode", stdout, StringComparison.Ordinal);
        Assert.Contains("7 message(s) decrypted, 0 failed hash check(s), keys for 1 Phase 1(s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void WritesTheWiresharkTable()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ikefast-ws-{Guid.NewGuid():N}.txt");
        try
        {
            (int code, _, _) = Run(CaptureFile.PcapPath(Rsa), json: true, CaptureFile.VectorPath(Rsa), wireshark: path);

            Assert.Equal(0, code);
            JsonElement vector = JsonDocument.Parse(File.ReadAllText(CaptureFile.VectorPath(Rsa))).RootElement;
            string[] lines = File.ReadAllLines(path);
            Assert.Equal($"\"{vector.GetProperty("cky_i").GetString()}\",\"{vector.GetProperty("enc_key").GetString()}\"", lines[^1]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WrongPskExitsWithOneAndReportsFailedHashes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ikefast-secrets-{Guid.NewGuid():N}.json");
        try
        {
            JsonElement vector = JsonDocument.Parse(File.ReadAllText(CaptureFile.VectorPath(Pfs))).RootElement;
            File.WriteAllText(path, $$"""{"cky_i":"{{vector.GetProperty("cky_i").GetString()}}","psk":"wrong","shared_secret":"{{vector.GetProperty("shared_secret").GetString()}}"}""");

            (int code, string stdout, string stderr) = Run(CaptureFile.PcapPath(Pfs), json: true, path);

            Assert.Equal(1, code); // inner chains of garbage are malformed
            Assert.Contains("7 failed hash check(s)", stderr, StringComparison.Ordinal);
            Assert.All(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => JsonDocument.Parse(l).Dispose());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void UnusableSecretsFileExitsWithTwo()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ikefast-secrets-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, "{\"cky_i\":\"00\"}");
            (int code, string stdout, string stderr) = Run(CaptureFile.PcapPath(Pfs), json: true, path);
            Assert.Equal(2, code);
            Assert.Empty(stdout);
            Assert.Contains(path, stderr, StringComparison.Ordinal);

            (code, _, stderr) = Run(CaptureFile.PcapPath(Pfs), json: true, path + ".missing");
            Assert.Equal(2, code);
            Assert.Contains("cannot read", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void KeyOptionsNeedSecrets()
    {
        (int code, _, string stderr) = Run(CaptureFile.PcapPath(Pfs), json: true, secrets: null, showKeys: true);

        Assert.Equal(2, code);
        Assert.Contains("--secrets", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsParseThroughSystemCommandLine()
    {
        System.CommandLine.Command command = InspectCommand.Create();
        System.CommandLine.ParseResult result = command.Parse(["x.pcap", "--secrets", "s.json", "--show-keys", "--wireshark-keys", "w.txt", "--json"]);

        Assert.Empty(result.Errors);
    }
}

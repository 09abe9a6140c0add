using System.Text.Json;
using System.Text.Json.Nodes;
using Ike.Fast.Diagnostics.Decryption;

namespace Ike.Fast.Tests.Diagnostics.Decryption;

public class WiresharkKeyTableTests
{
    [Fact]
    public void OneQuotedLinePerPhase1WithTheInitiatorCookieAndKa()
    {
        string[] ids = ["mm-psk-3des-sha1-modp1024__sw-sw", "mm-psk-aes256-sha1-modp1536__sw-sw"];
        var array = new JsonArray(ids.Select(id => (JsonNode)JsonNode.Parse(File.ReadAllText(Captures.CaptureFile.VectorPath(id)))!).ToArray());
        DecryptionFixture run = DecryptionFixture.Run(array.ToJsonString(), deriveKeymat: false, ids);
        using var output = new StringWriter();

        WiresharkKeyTable.Write(output, run.Decryptor.Phase1s);

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("#", lines[0], StringComparison.Ordinal);
        string[] expected = ids.Select(id =>
        {
            JsonElement vector = DecryptionFixture.LoadVector(id);
            return $"\"{vector.GetProperty("cky_i").GetString()}\",\"{vector.GetProperty("enc_key").GetString()}\"";
        }).ToArray();
        Assert.Equal(expected, lines[1..]);
    }
}

using System.Text.Json;
using Ike.Fast.Diagnostics;
using Ike.Fast.Tests.Captures;

namespace Ike.Fast.Tests.Diagnostics;

public class MessageFormatterTests
{
    private const string CaptureId = "mm-psk-aes128-sha256-modp2048__sw-sw";

    private static byte[] FirstMessage() => CaptureFile.Read(CaptureId)[0].Isakmp;

    [Fact]
    public void JsonCarriesHeaderAndSaTree()
    {
        using JsonDocument doc = JsonDocument.Parse(MessageFormatter.ToJson(FirstMessage(), new DatagramContext(Frame: 1, Source: "192.0.2.1:500", Destination: "192.0.2.2:500")));
        JsonElement root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("frame").GetInt32());
        Assert.Equal("192.0.2.1:500", root.GetProperty("src").GetString());
        JsonElement header = root.GetProperty("header");
        Assert.Equal("2309d7b16a6fa384", header.GetProperty("icookie").GetString());
        Assert.Equal("0000000000000000", header.GetProperty("rcookie").GetString());
        Assert.Equal("1.0", header.GetProperty("version").GetString());
        Assert.Equal(2, header.GetProperty("exchangeType").GetInt32());
        Assert.Equal(180, header.GetProperty("length").GetInt32());
        Assert.False(root.GetProperty("encrypted").GetBoolean());
        JsonElement sa = root.GetProperty("payloads")[0];
        Assert.Equal(1, sa.GetProperty("type").GetInt32());
        Assert.Equal(1, sa.GetProperty("doi").GetInt32());
        JsonElement transform = sa.GetProperty("proposals")[0].GetProperty("transforms")[0];
        Assert.Equal(1, transform.GetProperty("transformId").GetInt32());
        JsonElement attribute = transform.GetProperty("attributes")[0];
        Assert.Equal(1, attribute.GetProperty("type").GetInt32());
        Assert.Equal(7, attribute.GetProperty("value").GetInt32());
        Assert.Equal("09002689dfd6b712", root.GetProperty("payloads")[1].GetProperty("data").GetString());
        Assert.False(root.TryGetProperty("error", out _));
    }

    [Fact]
    public void TreeNamesPayloadsAndAlgorithms()
    {
        string tree = MessageFormatter.ToTree(FirstMessage(), new DatagramContext(Frame: 1));
        Assert.Contains("Identity Protection (Main Mode) (2)", tree, StringComparison.Ordinal);
        Assert.Contains("Security Association (1), 56 bytes", tree, StringComparison.Ordinal);
        Assert.Contains("Encryption Algorithm (1): AES-CBC (7)", tree, StringComparison.Ordinal);
        Assert.Contains("09002689dfd6b712 (XAUTH)", tree, StringComparison.Ordinal);
        Assert.DoesNotContain("malformed", tree, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedMessageReportsReasonAndOffset()
    {
        byte[] message = FirstMessage();

        // The SA payload's length (offset 28 + 2) now claims more than the message holds.
        message[30] = 0xFF;
        using JsonDocument doc = JsonDocument.Parse(MessageFormatter.ToJson(message));
        JsonElement error = doc.RootElement.GetProperty("error");
        Assert.Equal("PayloadLengthExceedsMessage", error.GetProperty("reason").GetString());
        Assert.Equal(30, error.GetProperty("offset").GetInt32());
        Assert.Contains("!! malformed: PayloadLengthExceedsMessage at offset 30", MessageFormatter.ToTree(message), StringComparison.Ordinal);

        using JsonDocument truncated = JsonDocument.Parse(MessageFormatter.ToJson(message.AsSpan(0, 10)));
        Assert.Equal("HeaderTruncated", truncated.RootElement.GetProperty("error").GetProperty("reason").GetString());
        Assert.False(truncated.RootElement.TryGetProperty("header", out _));
    }

    [Fact]
    public void DecryptedChainUsesTheSamePayloadFormatting()
    {
        // A decrypted Main Mode message 5 body: ID, HASH, N (INITIAL-CONTACT) and padding, from the vectors.
        using JsonDocument vector = JsonDocument.Parse(File.ReadAllBytes(CaptureFile.VectorPath(CaptureId)));
        JsonElement m5 = vector.RootElement.GetProperty("messages")[4];
        byte[] plaintext = Convert.FromHexString(m5.GetProperty("plaintext_hex").GetString()!);
        byte[] message = Convert.FromHexString(m5.GetProperty("hex").GetString()!);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Assert.True(MessageFormatter.WriteJson(writer, message, plaintext, hashVerified: true, new DatagramContext(Frame: 5)));
        }

        string tree;
        using (var text = new StringWriter())
        {
            Assert.True(MessageFormatter.WriteTree(text, message, plaintext, hashVerified: true));
            tree = text.ToString();
        }

        Assert.Contains("decrypted:", tree, StringComparison.Ordinal);
        Assert.Contains("notifyType: INITIAL-CONTACT (24578)", tree, StringComparison.Ordinal);
        Assert.Contains("data: c0000201 (192.0.2.1)", tree, StringComparison.Ordinal);

        using JsonDocument doc = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.True(doc.RootElement.GetProperty("encrypted").GetBoolean());
        Assert.Equal(80, doc.RootElement.GetProperty("ciphertextLength").GetInt32());
        JsonElement decrypted = doc.RootElement.GetProperty("decrypted");
        JsonElement payloads = decrypted.GetProperty("payloads");
        Assert.Equal(3, payloads.GetArrayLength());
        Assert.Equal(5, payloads[0].GetProperty("type").GetInt32());
        Assert.Equal(1, payloads[0].GetProperty("idType").GetInt32());
        Assert.Equal("c0000201", payloads[0].GetProperty("data").GetString());
        Assert.Equal(24578, payloads[2].GetProperty("notifyType").GetInt32());
        Assert.Equal(16, payloads[2].GetProperty("spiSize").GetInt32());
        Assert.Equal("00000000", decrypted.GetProperty("padding").GetString());
        Assert.True(decrypted.GetProperty("hashVerified").GetBoolean());
    }

    [Fact]
    public void RandomMutationsOfEveryCaptureNeverThrowAndStayValidJson()
    {
        var random = new Random(42);
        List<byte[]> seeds = Dissection.CaptureIds().SelectMany(CaptureFile.Read).Where(d => d.Kind == IkeDatagramKind.Isakmp).Select(d => d.Isakmp).Take(60).ToList();
        for (int i = 0; i < 1500; i++)
        {
            byte[] m = (byte[])seeds[random.Next(seeds.Count)].Clone();
            for (int f = random.Next(1, 4); f > 0; f--)
            {
                m[random.Next(m.Length)] = (byte)random.Next(256);
            }

            using JsonDocument doc = JsonDocument.Parse(MessageFormatter.ToJson(m));
            Assert.True(doc.RootElement.TryGetProperty("header", out _));
            _ = MessageFormatter.ToTree(m);
        }
    }
}

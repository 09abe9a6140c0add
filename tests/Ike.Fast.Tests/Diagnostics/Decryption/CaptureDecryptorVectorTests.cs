using System.Text.Json;
using Ike.Fast.Diagnostics.Decryption;

namespace Ike.Fast.Tests.Diagnostics.Decryption;

/// <summary>
/// The proof: every capture with a key vector is decrypted from the vector used as a secrets file, and what was
/// derived from the capture (Ka, IVs, plaintexts, last Phase 1 block, KEYMAT) equals the vector's recorded values.
/// </summary>
public class CaptureDecryptorVectorTests
{
    public static TheoryData<string> Vectors() => DecryptionFixture.VectorIds();

    [Theory]
    [MemberData(nameof(Vectors))]
    public void EveryEncryptedMessageDecryptsAndVerifies(string id)
    {
        JsonElement vector = DecryptionFixture.LoadVector(id);
        DecryptionFixture run = DecryptionFixture.Run(File.ReadAllText(Captures.CaptureFile.VectorPath(id)), deriveKeymat: true, id);

        // Each encrypted message of the vector (and the reassembled one) was decrypted with the vector's IV to
        // the vector's plaintext, and carried a hash that verified.
        List<JsonElement> expected = vector.GetProperty("messages").EnumerateArray()
            .Concat(vector.TryGetProperty("reassembled_fragments", out JsonElement r) && r.ValueKind == JsonValueKind.Array ? r.EnumerateArray() : [])
            .Where(m => m.GetProperty("encrypted").GetBoolean())
            .OrderBy(m => m.GetProperty("frame").GetInt32())
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, run.History.Count);
        foreach ((JsonElement message, DecryptionRecord record) in expected.Zip(run.History))
        {
            Assert.Equal(message.GetProperty("frame").GetInt32(), record.Frame);
            Assert.Equal(message.GetProperty("iv").GetString(), Convert.ToHexStringLower(record.Iv));
            Assert.Equal(message.GetProperty("plaintext_hex").GetString(), Convert.ToHexStringLower(record.Plaintext));
            Assert.True(record.HashVerified, $"frame {record.Frame}: hash not verified");
        }

        // The JSON lines: every encrypted message has "decrypted" with the vector's payload types and a verified hash.
        List<JsonElement> encryptedLines = run.Lines.Where(l => l.TryGetProperty("encrypted", out JsonElement e) && e.GetBoolean()).ToList();
        Assert.Equal(expected.Count, encryptedLines.Count);
        foreach ((JsonElement message, JsonElement line) in expected.Zip(encryptedLines))
        {
            JsonElement decrypted = line.GetProperty("decrypted");
            Assert.False(decrypted.TryGetProperty("error", out _));
            int[] types = decrypted.GetProperty("payloads").EnumerateArray().Select(p => p.GetProperty("type").GetInt32()).ToArray();
            int[] want = message.GetProperty("payloads").EnumerateArray().Select(p => DecryptionFixture.PayloadType(p.GetString()!)).ToArray();
            Assert.Equal(want, types);
            Assert.True(decrypted.GetProperty("hashVerified").GetBoolean());
            Assert.Equal(message.GetProperty("padding_hex").GetString(), decrypted.GetProperty("padding").GetString());
        }

        Assert.Equal(0, run.Inspector.Malformed);
        Assert.Equal(0, run.Decryptor.HashFailures);
        Assert.Equal(id.StartsWith("am-", StringComparison.Ordinal) ? 1 : 0, run.Decryptor.ClearHashesVerified);

        // Derived Phase 1 values.
        DerivedPhase1 phase1 = Assert.Single(run.Decryptor.Phase1s);
        Assert.Equal(vector.GetProperty("enc_key").GetString(), Convert.ToHexStringLower(phase1.EncryptionKey));
        Assert.Equal(vector.GetProperty("initial_iv").GetString(), Convert.ToHexStringLower(phase1.InitialIv));
        Assert.Equal(vector.GetProperty("last_phase1_cbc_block").GetString(), Convert.ToHexStringLower(phase1.LastPhase1Block!));
        Assert.Equal(vector.GetProperty("cky_i").GetString(), phase1.InitiatorCookie.ToString("x16"));

        // KEYMAT per Quick Mode and direction.
        foreach (JsonElement quickMode in vector.GetProperty("phase2").EnumerateArray())
        {
            uint messageId = Convert.ToUInt32(quickMode.GetProperty("message_id").GetString(), 16);
            foreach ((string direction, bool initiatorToResponder) in new[] { ("initiator_to_responder", true), ("responder_to_initiator", false) })
            {
                JsonElement sa = quickMode.GetProperty("sa").GetProperty(direction);
                KeymatRecord keymat = Assert.Single(run.Decryptor.Keymats, k => k.MessageId == messageId && k.InitiatorToResponder == initiatorToResponder);
                Assert.Null(keymat.Problem);
                Assert.Equal(sa.GetProperty("spi").GetString(), Convert.ToHexStringLower(keymat.Spi));
                Assert.Equal(sa.GetProperty("encryption_key_logged").GetString(), Convert.ToHexStringLower(keymat.EncryptionKey));
                Assert.Equal(sa.GetProperty("integrity_key_logged").GetString(), Convert.ToHexStringLower(keymat.IntegrityKey));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void HexDatagramsWithoutAddressesDecryptByExchangeOrder(string id)
    {
        // Raw hex input has no addresses: initiator and responder are told apart by the order of the exchange.
        JsonElement vector = DecryptionFixture.LoadVector(id);
        Assert.True(SecretsFile.TryParse(File.ReadAllText(Captures.CaptureFile.VectorPath(id)), out IReadOnlyList<Phase1Secrets> secrets, out _));
        using var decryptor = new CaptureDecryptor(secrets);
        using var output = new StringWriter();
        var inspector = new Ike.Fast.Diagnostics.CaptureInspector(output, json: true) { Decryptor = decryptor };
        int line = 0;
        foreach (JsonElement message in vector.GetProperty("messages").EnumerateArray())
        {
            inspector.InspectHex(message.GetProperty("hex").GetString()!, ++line);
        }

        int encrypted = vector.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("encrypted").GetBoolean())
            + (vector.TryGetProperty("reassembled_fragments", out JsonElement r) && r.ValueKind == JsonValueKind.Array ? r.GetArrayLength() : 0);
        Assert.Equal(encrypted, decryptor.Decrypted);
        Assert.Equal(0, decryptor.HashFailures);
        Assert.Equal(0, inspector.Malformed);
    }
}

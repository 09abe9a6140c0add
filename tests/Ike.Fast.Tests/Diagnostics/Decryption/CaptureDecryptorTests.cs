using System.Text.Json;
using System.Text.Json.Nodes;
using Ike.Fast.Diagnostics.Decryption;

namespace Ike.Fast.Tests.Diagnostics.Decryption;

/// <summary>Secrets variants: wrong key, minimal file, several Phase 1s, missing secrets.</summary>
public class CaptureDecryptorTests
{
    private const string Psk = "mm-psk-aes128-sha256-modp2048__sw-sw";
    private const string Pfs = "mm-psk-pfs-aes128-sha256-modp2048__sw-sw";
    private const string Aggressive = "am-psk-aes128-sha256-modp2048__sw-ls";
    private const string Rsa = "mm-rsa-aes128-sha256-modp2048__sw-sw";

    private static JsonObject Minimal(string id)
    {
        JsonElement vector = DecryptionFixture.LoadVector(id);
        var entry = new JsonObject
        {
            ["cky_i"] = vector.GetProperty("cky_i").GetString(),
            ["cky_r"] = vector.GetProperty("cky_r").GetString(),
            ["shared_secret"] = vector.GetProperty("shared_secret").GetString(),
        };
        if (vector.GetProperty("psk").ValueKind == JsonValueKind.String)
        {
            entry["psk"] = vector.GetProperty("psk").GetString();
        }
        else
        {
            entry["skeyid"] = vector.GetProperty("skeyid").GetString();
        }

        return entry;
    }

    private static int EncryptedLines(DecryptionFixture run) =>
        run.Lines.Count(l => l.TryGetProperty("encrypted", out JsonElement e) && e.GetBoolean());

    [Theory]
    [InlineData(Psk)]
    [InlineData(Aggressive)]
    [InlineData(Rsa)]
    public void MinimalSecretsDecryptEverything(string id)
    {
        DecryptionFixture run = DecryptionFixture.Run(Minimal(id).ToJsonString(), deriveKeymat: false, id);

        Assert.Equal(EncryptedLines(run), run.Decryptor.Decrypted);
        Assert.All(run.History, r => Assert.True(r.HashVerified));
        Assert.Equal(0, run.Inspector.Malformed);
    }

    [Fact]
    public void PskHexIsAcceptedInsteadOfText()
    {
        JsonObject entry = Minimal(Psk);
        entry["psk_hex"] = Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(entry["psk"]!.GetValue<string>()));
        entry.Remove("psk");

        DecryptionFixture run = DecryptionFixture.Run(entry.ToJsonString(), deriveKeymat: false, Psk);

        Assert.Equal(7, run.Decryptor.Decrypted);
        Assert.Equal(0, run.Decryptor.HashFailures);
    }

    [Fact]
    public void WrongPskFailsTheHashesAndReportsGarbageAsMalformed()
    {
        JsonObject entry = Minimal(Psk);
        entry["psk"] = "not-the-right-key";

        DecryptionFixture run = DecryptionFixture.Run(entry.ToJsonString(), deriveKeymat: true, Psk);

        // Everything is "decrypted" (the keys exist) but to garbage: no hash verifies and the inner chains break.
        Assert.Equal(EncryptedLines(run), run.Decryptor.Decrypted);
        Assert.All(run.History, r => Assert.False(r.HashVerified));
        Assert.Equal(run.Decryptor.Decrypted, run.Decryptor.HashFailures);
        Assert.True(run.Inspector.Malformed > 0);
        JsonElement mm5 = run.Lines.First(l => l.GetProperty("encrypted").GetBoolean());
        Assert.False(mm5.GetProperty("decrypted").GetProperty("hashVerified").GetBoolean());
    }

    [Fact]
    public void WrongPskFailsTheClearAggressiveModeHashR()
    {
        JsonObject entry = Minimal(Aggressive);
        entry["psk"] = "not-the-right-key";

        DecryptionFixture run = DecryptionFixture.Run(entry.ToJsonString(), deriveKeymat: false, Aggressive);

        Assert.Equal(0, run.Decryptor.ClearHashesVerified);
        Assert.Equal(run.Decryptor.Decrypted + 1, run.Decryptor.HashFailures);
    }

    [Fact]
    public void WrongSharedSecretFailsTheHashes()
    {
        JsonObject entry = Minimal(Rsa);
        string secret = entry["shared_secret"]!.GetValue<string>();
        entry["shared_secret"] = (secret[0] == '0' ? "1" : "0") + secret[1..];

        DecryptionFixture run = DecryptionFixture.Run(entry.ToJsonString(), deriveKeymat: false, Rsa);

        Assert.NotEmpty(run.History);
        Assert.All(run.History, r => Assert.False(r.HashVerified));
    }

    [Fact]
    public void SeveralPhase1sInOneFile()
    {
        // One secrets array for three captures read one after the other by the same inspector, plus an entry
        // for an SA that is not in them; the entries are in a different order than the captures.
        var array = new JsonArray(
            Minimal(Rsa),
            new JsonObject { ["cky_i"] = "0102030405060708", ["psk"] = "unused", ["shared_secret"] = "00" },
            Minimal(Psk),
            Minimal(Aggressive));

        DecryptionFixture run = DecryptionFixture.Run(array.ToJsonString(), deriveKeymat: false, Psk, Aggressive, Rsa);

        Assert.Equal(3, run.Decryptor.Phase1s.Count);
        Assert.Equal(EncryptedLines(run), run.Decryptor.Decrypted);
        Assert.Equal(0, run.Decryptor.HashFailures);
        string[] cookies = run.Decryptor.Phase1s.Select(p => p.InitiatorCookie.ToString("x16")).ToArray();
        Assert.Equal(new[] { Psk, Aggressive, Rsa }.Select(id => DecryptionFixture.LoadVector(id).GetProperty("cky_i").GetString()), cookies);
    }

    [Fact]
    public void MessagesWithoutSecretsStayEncrypted()
    {
        var other = new JsonObject { ["cky_i"] = "0102030405060708", ["psk"] = "x", ["shared_secret"] = "00" };

        DecryptionFixture run = DecryptionFixture.Run(other.ToJsonString(), deriveKeymat: false, Psk);

        Assert.Equal(0, run.Decryptor.Decrypted);
        Assert.Empty(run.Decryptor.Phase1s);
        Assert.All(run.Lines, l => Assert.False(l.TryGetProperty("decrypted", out _)));
        Assert.Equal(0, run.Inspector.Malformed);
    }

    [Fact]
    public void ResponderCookieIsOptional()
    {
        JsonObject entry = Minimal(Psk);
        entry.Remove("cky_r");

        DecryptionFixture run = DecryptionFixture.Run(entry.ToJsonString(), deriveKeymat: false, Psk);

        Assert.Equal(7, run.Decryptor.Decrypted);
        Assert.Equal(0, run.Decryptor.HashFailures);
    }

    [Fact]
    public void PfsKeymatNeedsTheQuickModeSecret()
    {
        DecryptionFixture run = DecryptionFixture.Run(Minimal(Pfs).ToJsonString(), deriveKeymat: true, Pfs);

        // The messages decrypt and verify (HASHes do not involve g(qm)^xy), the KEYMAT says what is missing.
        Assert.Equal(0, run.Decryptor.HashFailures);
        Assert.Equal(2, run.Decryptor.Keymats.Count);
        Assert.All(run.Decryptor.Keymats, k => Assert.Contains("g_qm_xy_logged", k.Problem, StringComparison.Ordinal));
    }

    [Fact]
    public void KeymatIsNotDerivedUnlessAsked()
    {
        DecryptionFixture run = DecryptionFixture.Run(File.ReadAllText(Captures.CaptureFile.VectorPath(Pfs)), deriveKeymat: false, Pfs);

        Assert.Empty(run.Decryptor.Keymats);
        Assert.DoesNotContain(run.Lines, l => l.TryGetProperty("keymat", out _));
    }

    [Fact]
    public void KeymatLinesFollowTheSecondQuickModeMessage()
    {
        DecryptionFixture run = DecryptionFixture.Run(File.ReadAllText(Captures.CaptureFile.VectorPath(Pfs)), deriveKeymat: true, Pfs);

        int first = run.Lines.FindIndex(l => l.TryGetProperty("keymat", out _));
        Assert.True(first > 0);
        JsonElement previous = run.Lines[first - 1];
        Assert.Equal(32, previous.GetProperty("header").GetProperty("exchangeType").GetInt32());
        JsonElement keymat = run.Lines[first].GetProperty("keymat");
        Assert.Equal("initiatorToResponder", keymat.GetProperty("direction").GetString());
        JsonElement sa = DecryptionFixture.LoadVector(Pfs).GetProperty("phase2")[0].GetProperty("sa").GetProperty("initiator_to_responder");
        Assert.Equal(sa.GetProperty("encryption_key_logged").GetString(), keymat.GetProperty("encryptionKey").GetString());
        Assert.Equal(sa.GetProperty("integrity_key_logged").GetString(), keymat.GetProperty("integrityKey").GetString());
    }

    [Fact]
    public void DamagedCiphertextDoesNotThrow()
    {
        // Flip bytes of every encrypted message (and cut one short of a block): decryption never throws.
        JsonElement vector = DecryptionFixture.LoadVector(Psk);
        Assert.True(SecretsFile.TryParse(File.ReadAllText(Captures.CaptureFile.VectorPath(Psk)), out IReadOnlyList<Phase1Secrets> secrets, out _));
        using var decryptor = new CaptureDecryptor(secrets);
        int line = 0;
        foreach (JsonElement message in vector.GetProperty("messages").EnumerateArray())
        {
            byte[] bytes = Convert.FromHexString(message.GetProperty("hex").GetString()!);
            if (message.GetProperty("encrypted").GetBoolean())
            {
                bytes[^1] ^= 0xFF;
                bytes[40] ^= 0x55;
            }

            decryptor.Process(bytes, null, ++line, out _, out _);
            decryptor.Process(bytes.AsSpan(0, bytes.Length - 3), null, ++line, out _, out _);
            decryptor.Process(bytes.AsSpan(0, Math.Min(bytes.Length, 30)), null, ++line, out _, out _);
        }

        Assert.True(decryptor.HashFailures > 0);
    }
}

using Ike.Fast.Diagnostics.Decryption;

namespace Ike.Fast.Tests.Diagnostics.Decryption;

public class SecretsFileTests
{
    [Fact]
    public void EveryVectorFileIsASecretsFile()
    {
        foreach (string id in ((IEnumerable<object[]>)DecryptionFixture.VectorIds()).Select(row => (string)row[0]))
        {
            Assert.True(SecretsFile.TryParse(File.ReadAllText(Captures.CaptureFile.VectorPath(id)), out IReadOnlyList<Phase1Secrets> secrets, out string? error), $"{id}: {error}");
            Phase1Secrets one = Assert.Single(secrets);
            Assert.Equal(8, one.InitiatorCookie.Length);
            Assert.NotEmpty(one.SharedSecret);
            Assert.True(one.PreSharedKey is not null || one.Skeyid is not null);
        }
    }

    [Fact]
    public void ReadsTheQuickModeSecrets()
    {
        const string json = """
            [{"cky_i":"0001020304050607","cky_r":"08090a0b0c0d0e0f","psk":"k","shared_secret":"aabb","dh_group":14,
              "phase2":[{"message_id":"c6283f97","g_qm_xy_logged":"0102"},{"message_id":"00000001"}]}]
            """;

        Assert.True(SecretsFile.TryParse(json, out IReadOnlyList<Phase1Secrets> secrets, out _));

        Phase1Secrets one = Assert.Single(secrets);
        Assert.Equal(14, one.DhGroup);
        Assert.Equal("k"u8.ToArray(), one.PreSharedKey);
        Assert.Equal(new byte[] { 1, 2 }, one.QuickModeSharedSecrets[0xc6283f97]);
        Assert.Single(one.QuickModeSharedSecrets);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("42", "expected an object")]
    [InlineData("""{"cky_r":"0001020304050607","psk":"k","shared_secret":"aa"}""", "missing cky_i")]
    [InlineData("""{"cky_i":"0001020304050607","psk":"k"}""", "missing shared_secret")]
    [InlineData("""{"cky_i":"00010203","psk":"k","shared_secret":"aa"}""", "8 bytes")]
    [InlineData("""{"cky_i":"0001020304050607","psk":"k","shared_secret":"xyz"}""", "shared_secret is not a hex string")]
    [InlineData("""{"cky_i":"0001020304050607","shared_secret":"aa"}""", "needs psk")]
    [InlineData("""[{"cky_i":"0001020304050607","psk":"k","shared_secret":"aa"},{"cky_i":"01"}]""", "entry 1")]
    [InlineData("""{"cky_i":"0001020304050607","psk":"k","shared_secret":"aa","phase2":[{"message_id":"zz"}]}""", "message_id")]
    public void BadFilesAreReportedNotThrown(string json, string expected)
    {
        Assert.False(SecretsFile.TryParse(json, out IReadOnlyList<Phase1Secrets> secrets, out string? error));
        Assert.Empty(secrets);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using Ike.Fast.Diagnostics;
using Ike.Fast.Fuzz;

namespace Ike.Fast.Tests.Diagnostics;

/// <summary>
/// Byte-exact inputs that must keep working. Crashing inputs found by fuzzing campaigns land here; the AFL++
/// campaign so far (see tests/Ike.Fast.Fuzz/README.md) found none, so the cases are hand-made hostile messages
/// aimed at the length and count fields the walker trusts least. Each must run through the fuzz target without
/// an exception and produce valid JSON with the expected wire error.
/// </summary>
public class FuzzRegressionTests
{
    // 28-byte header prefix: icookie 0102030405060708, rcookie 0, then next payload, version 0x10, exchange, flags,
    // message ID, length.
    private const string Cookies = "0102030405060708" + "0000000000000000";

    [Theory]
    // Empty input and a lone byte: no header at all.
    [InlineData("", "HeaderTruncated")]
    [InlineData("ff", "HeaderTruncated")]
    // Header length 0xffffffff: larger than any datagram.
    [InlineData(Cookies + "00100200" + "00000000" + "ffffffff", "HeaderLengthExceedsDatagram")]
    // SA payload whose length is 0 (below the generic header size).
    [InlineData(Cookies + "01100200" + "00000000" + "00000028" + "00000000" + "00000001" + "00000001", "PayloadLengthTooSmall")]
    // SA with a proposal claiming 255 transforms but carrying none.
    [InlineData(Cookies + "01100200" + "00000000" + "00000030" + "00000014" + "00000001" + "00000001" + "00000008" + "010100ff", "TransformSyntax")]
    // Transform whose only attribute is a TLV claiming 0xffff bytes.
    [InlineData(Cookies + "01100200" + "00000000" + "0000003c" + "00000020" + "00000001" + "00000001" + "00000014" + "01010001" + "0000000c" + "01010000" + "000cffff", "AttributeTruncated")]
    // Delete payload declaring 0xffff SPIs of 16 bytes.
    [InlineData(Cookies + "0c100500" + "00000000" + "00000028" + "0000000c" + "00000001" + "0110ffff", "InvalidSpi")]
    // Next payload chain pointing at an unassigned type (99).
    [InlineData(Cookies + "63100200" + "00000000" + "00000020" + "00000004", "InvalidPayloadType")]
    public void HostileMessagesAreReportedNotThrown(string hex, string expectedError)
    {
        byte[] message = Convert.FromHexString(hex);
        IsakmpMessageTarget.Run(message);
        using JsonDocument doc = JsonDocument.Parse(MessageFormatter.ToJson(message));
        Assert.True(doc.RootElement.TryGetProperty("error", out JsonElement error));
        Assert.Equal(expectedError, error.GetProperty("reason").GetString());

        Assert.True(error.GetProperty("offset").GetInt32() >= 0);
    }
}

using System.Text.Json;
using Ike.Fast.Cli;
using Ike.Fast.Diagnostics;
using Ike.Fast.Tests.Captures;

namespace Ike.Fast.Tests.Cli;

public class InspectCommandTests
{
    private static (int ExitCode, string Stdout, string Stderr) Run(string input, bool json, string stdin = "", bool lenient = false)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = InspectCommand.Run(input, json, new StringReader(stdin), stdout, stderr, lenient);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static TheoryData<string> Captures() => CaptureDatagramTests.Captures();

    [Theory]
    [MemberData(nameof(Captures))]
    public void JsonLinesMatchTheDissection(string id)
    {
        (int code, string stdout, _) = Run(CaptureFile.PcapPath(id), json: true);
        string[] all = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Messages rebuilt from IKE fragments come as extra lines marked "reassembledFrom"; Wireshark nests them
        // in the last fragment, so they are checked against that nested message.
        string[] lines = all.Where(l => !l.Contains("\"reassembledFrom\"", StringComparison.Ordinal)).ToArray();
        string[] reassembled = all.Except(lines).ToArray();
        string dissectionPath = CaptureFile.DissectionPath(id);
        List<DissectedFrame> frames = File.Exists(dissectionPath)
            ? Dissection.Load(dissectionPath).Where(f => f.Isakmp is not null).ToList()
            : [];
        Assert.Equal(frames.Count, lines.Length);
        Assert.Equal(0, code);
        List<DissectedMessage> nested = frames.SelectMany(f => f.Isakmp!.Payloads).Select(p => p.Reassembled).OfType<DissectedMessage>().ToList();
        Assert.Equal(nested.Count, reassembled.Length);
        foreach ((string line, DissectedMessage expected) in reassembled.Zip(nested))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement header = doc.RootElement.GetProperty("header");
            Assert.Equal(expected.Length, header.GetProperty("length").GetInt32());
            Assert.Equal(expected.InitiatorCookie, header.GetProperty("icookie").GetString());
            Assert.Equal(expected.NextPayload, header.GetProperty("nextPayload").GetInt32());
            Assert.Equal(expected.EncryptedLength, doc.RootElement.GetProperty("ciphertextLength").GetInt32());
        }

        foreach ((string line, DissectedFrame frame) in lines.Zip(frames))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            DissectedMessage expected = frame.Isakmp!;
            Assert.Equal(frame.Number, root.GetProperty("frame").GetInt32());
            Assert.Equal(frame.Source, root.GetProperty("src").GetString());
            Assert.Equal(frame.Destination, root.GetProperty("dst").GetString());
            JsonElement header = root.GetProperty("header");
            Assert.Equal(expected.InitiatorCookie, header.GetProperty("icookie").GetString());
            Assert.Equal(expected.ResponderCookie, header.GetProperty("rcookie").GetString());
            Assert.Equal(expected.NextPayload, header.GetProperty("nextPayload").GetInt32());
            Assert.Equal(expected.Version, header.GetProperty("version").GetString());
            Assert.Equal(expected.ExchangeType, header.GetProperty("exchangeType").GetInt32());
            Assert.Equal(expected.Flags, header.GetProperty("flags").GetInt32());
            Assert.Equal(expected.MessageId, header.GetProperty("messageId").GetUInt32());
            Assert.Equal(expected.Length, header.GetProperty("length").GetInt32());
            Assert.Equal(expected.IsEncrypted, root.GetProperty("encrypted").GetBoolean());
            JsonElement payloads = root.GetProperty("payloads");
            Assert.Equal(expected.Payloads.Count, payloads.GetArrayLength());
            foreach ((JsonElement p, DissectedPayload e) in payloads.EnumerateArray().Zip(expected.Payloads))
            {
                Assert.Equal(e.Type, p.GetProperty("type").GetInt32());
                Assert.Equal(e.Length, p.GetProperty("length").GetInt32());
                if (e.Field("Nonce DATA") is string nonce)
                {
                    Assert.Equal(nonce, p.GetProperty("data").GetString());
                }

                if (e.Field("HASH of the address and port") is string natD)
                {
                    Assert.Equal(natD, p.GetProperty("hash").GetString());
                }

                if (e.Type == 1)
                {
                    Assert.Equal(e.Payloads.Count, p.GetProperty("proposals").GetArrayLength());
                }
            }
        }
    }

    [Fact]
    public void TreeOutputForTheReadmeCapture()
    {
        (int code, string stdout, string stderr) = Run(CaptureFile.PcapPath("mm-psk-aes128-sha256-modp2048__sw-sw"), json: false);
        Assert.Equal(0, code);
        Assert.StartsWith("Frame 1  2026-11-26 20:43:13.633978  192.0.2.1:500 -> 192.0.2.2:500", stdout, StringComparison.Ordinal);
        Assert.Contains("ISAKMP Quick Mode (32), 188 bytes, encrypted, message ID 5fb3cefd", stdout, StringComparison.Ordinal);
        Assert.Contains("11 ISAKMP message(s), 0 malformed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NatTraversalCaptureShowsMarkerAndEsp()
    {
        (_, string stdout, _) = Run(CaptureFile.PcapPath("mm-psk-natt-aes128-sha256-modp2048__sw-sw__libipsec"), json: false);
        Assert.Contains("(non-ESP marker)", stdout, StringComparison.Ordinal);
        Assert.Contains("ESP in UDP (RFC 3948): SPI", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void HexArgument()
    {
        byte[] message = CaptureFile.Read("mm-psk-aes128-sha256-modp2048__sw-sw")[2].Isakmp;
        (int code, string stdout, _) = Run(Convert.ToHexStringLower(message), json: true);
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("frame").GetInt32());
        Assert.Equal(4, doc.RootElement.GetProperty("payloads")[0].GetProperty("type").GetInt32());
        Assert.Equal(256 * 2, doc.RootElement.GetProperty("payloads")[0].GetProperty("data").GetString()!.Length);
    }

    [Fact]
    public void StdinMalformedLinesAreReportedAndTheRunContinues()
    {
        List<CapturedDatagram> datagrams = CaptureFile.Read("mm-psk-aes128-sha256-modp2048__sw-sw");
        byte[] broken = (byte[])datagrams[0].Isakmp.Clone();
        broken[30] = 0xFF; // SA payload length past the end
        string stdin = string.Join('\n',
            Convert.ToHexStringLower(datagrams[0].Isakmp),
            Convert.ToHexStringLower(broken),
            "# a comment",
            "00000000" + Convert.ToHexStringLower(datagrams[4].Isakmp), // with a non-ESP marker
            Convert.ToHexStringLower(datagrams[1].Isakmp));

        (int code, string stdout, _) = Run("-", json: true, stdin);
        Assert.Equal(1, code);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        using JsonDocument bad = JsonDocument.Parse(lines[1]);
        Assert.Equal("PayloadLengthExceedsMessage", bad.RootElement.GetProperty("error").GetProperty("reason").GetString());
        Assert.Equal(30, bad.RootElement.GetProperty("error").GetProperty("offset").GetInt32());
        using JsonDocument marked = JsonDocument.Parse(lines[2]);
        Assert.True(marked.RootElement.GetProperty("nonEspMarker").GetBoolean());
        Assert.True(marked.RootElement.GetProperty("encrypted").GetBoolean());
        using JsonDocument last = JsonDocument.Parse(lines[3]);
        Assert.Equal(5, last.RootElement.GetProperty("frame").GetInt32());
        Assert.False(last.RootElement.TryGetProperty("error", out _));

        (code, string tree, _) = Run("-", json: false, stdin + "\nzz-not-hex\n");
        Assert.Equal(1, code);
        Assert.Contains("!! malformed: PayloadLengthExceedsMessage at offset 30", tree, StringComparison.Ordinal);
        Assert.Contains("Line 6: not a hex string", tree, StringComparison.Ordinal);
    }

    [Fact]
    public void LenientShowsTrailingBytesAndUnknownPayloads()
    {
        // Header (length 36) + a payload of unassigned type 99 with a 4-byte body, then 4 zero bytes past the length.
        const string Hex = "0102030405060708" + "0000000000000000" + "63100200" + "00000000" + "00000024" + "00000008deadbeef" + "00000000";

        (int strictCode, string strict, _) = Run(Hex, json: true);
        Assert.Equal(1, strictCode);
        using (JsonDocument doc = JsonDocument.Parse(strict))
        {
            Assert.Equal("DatagramLongerThanHeaderLength", doc.RootElement.GetProperty("error").GetProperty("reason").GetString());
        }

        (int code, string stdout, _) = Run(Hex, json: true, lenient: true);
        Assert.Equal(0, code);
        using JsonDocument lenient = JsonDocument.Parse(stdout);
        Assert.Equal("00000000", lenient.RootElement.GetProperty("trailingBytes").GetString());
        JsonElement payload = lenient.RootElement.GetProperty("payloads")[0];
        Assert.Equal(99, payload.GetProperty("type").GetInt32());
        Assert.Equal("deadbeef", payload.GetProperty("data").GetString());
        Assert.False(lenient.RootElement.TryGetProperty("error", out _));
    }

    [Fact]
    public void MissingFileIsAnError()
    {
        (int code, _, string stderr) = Run("/nonexistent/capture.pcap", json: false);
        Assert.Equal(2, code);
        Assert.Contains("no such file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedCaptureShowsWhatCouldBeRead()
    {
        byte[] file = File.ReadAllBytes(CaptureFile.PcapPath("mm-psk-aes128-sha256-modp2048__sw-sw"));
        using var stdout = new StringWriter();
        var inspector = new CaptureInspector(stdout, json: false);
        inspector.InspectCapture(file.AsSpan(0, file.Length - 10));
        Assert.Equal(10, inspector.Messages);
        Assert.Equal(1, inspector.Unreadable);
        Assert.Contains("capture file damaged: TruncatedRecordData", stdout.ToString(), StringComparison.Ordinal);
    }
}

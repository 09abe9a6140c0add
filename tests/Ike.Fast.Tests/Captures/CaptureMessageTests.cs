using System.Text.Json;
using Ike.Fast.Tests.Wire;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Captures;

/// <summary>
/// Every ISAKMP message of every real capture through the wire codec: parsed with the readers and compared field
/// by field with Wireshark's dissection (ID.txt; payloads of unencrypted messages, header of encrypted ones),
/// decrypted bodies (plaintext recorded in ../vectors/ID.json) compared with ID.decrypted.txt, and every message
/// re-encoded byte-identically with the writer.
/// </summary>
public class CaptureMessageTests
{
    public static TheoryData<string> Captures() => CaptureDatagramTests.Captures();

    [Theory]
    [MemberData(nameof(Captures))]
    public void MessagesMatchDissectionAndReencodeIdentically(string id)
    {
        List<CapturedDatagram> datagrams = CaptureFile.Read(id).Where(d => d.Kind == Ike.Fast.Diagnostics.IkeDatagramKind.Isakmp).ToList();
        string dissectionPath = CaptureFile.DissectionPath(id);
        if (!File.Exists(dissectionPath))
        {
            Assert.Empty(datagrams); // setup failed before initiation (ID.result)
            return;
        }

        List<DissectedFrame> frames = Dissection.Load(dissectionPath).Where(f => f.Isakmp is not null).ToList();
        Assert.Equal(frames.Count, datagrams.Count);

        int comparedPayloads = 0;
        byte[] reencoded = new byte[65536];
        foreach ((DissectedFrame frame, CapturedDatagram datagram) in frames.Zip(datagrams))
        {
            string where = $"{id} frame {datagram.FrameNumber}";
            Assert.Equal(frame.Number, datagram.FrameNumber);
            DissectedMessage expected = frame.Isakmp!;
            Assert.True(IsakmpMessageReader.TryCreate(datagram.Isakmp, out IsakmpMessageReader reader, out WireFault fault), $"{where}: {fault}");
            DissectionComparer.AssertHeader(expected, reader.Header, where);
            if (reader.IsEncrypted)
            {
                Assert.True(expected.EncryptedLength == reader.Body.Length, $"{where}: encrypted length");
            }
            else
            {
                comparedPayloads += DissectionComparer.AssertChain(ref reader, expected.Payloads, where);
            }

            Assert.True(WireReencoder.TryReencodeMessage(datagram.Isakmp, reencoded, out int written, out fault), $"{where}: re-encode {fault}");
            Assert.True(datagram.Isakmp.AsSpan().SequenceEqual(reencoded.AsSpan(0, written)), $"{where}: re-encoded bytes differ");
        }

        Assert.True(comparedPayloads > 0, id);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void DecryptedBodiesMatchDecryptedDissection(string id)
    {
        string decryptedPath = CaptureFile.DecryptedDissectionPath(id);
        string vectorPath = CaptureFile.VectorPath(id);
        if (!File.Exists(decryptedPath) || !File.Exists(vectorPath))
        {
            return;
        }

        Dictionary<int, DissectedFrame> frames = Dissection.Load(decryptedPath).ToDictionary(f => f.Number);
        using JsonDocument vector = JsonDocument.Parse(File.ReadAllBytes(vectorPath));
        int compared = 0;
        foreach (JsonElement message in Messages(vector.RootElement))
        {
            string? plaintextHex = message.GetProperty("plaintext_hex").GetString();
            if (plaintextHex is null)
            {
                continue;
            }

            int frameNumber = message.GetProperty("frame").GetInt32();
            byte[] original = Convert.FromHexString(message.GetProperty("hex").GetString()!);
            byte[] plaintext = Convert.FromHexString(plaintextHex);
            DissectedMessage? expected = frames[frameNumber].Isakmp;
            if (message.TryGetProperty("reassembled_from_frames", out _))
            {
                // The reassembled message hangs off the last fragment payload in the dissection.
                expected = expected?.Payloads.Select(p => p.Reassembled).LastOrDefault(r => r is not null);
            }

            Assert.NotNull(expected);
            string where = $"{id} frame {frameNumber} (decrypted)";
            Assert.True(IsakmpHeader.TryReadUnchecked(original, out IsakmpHeader header), where);
            DissectionComparer.AssertHeader(expected, header, where);
            PayloadChainReader chain = PayloadChainReader.ForDecryptedBody(plaintext, header.NextPayload);
            compared += DissectionComparer.AssertChain(ref chain, expected.DecryptedPayloads, where);
        }

        Assert.True(compared > 0, id);
    }

    private static IEnumerable<JsonElement> Messages(JsonElement root)
    {
        foreach (JsonElement m in root.GetProperty("messages").EnumerateArray())
        {
            yield return m;
        }

        if (root.TryGetProperty("reassembled_fragments", out JsonElement reassembled) && reassembled.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement m in reassembled.EnumerateArray())
            {
                yield return m;
            }
        }
    }
}

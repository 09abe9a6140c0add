using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

public class FragmentReassemblerTests
{
    [Fact]
    public void CharonsFragmentedMm5_ReassemblesToTheRecordedMessage()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "vectors", "mm-rsa-aes128-sha256-modp2048__sw-sw.json")));
        JsonElement v = doc.RootElement;
        var reassembler = new FragmentReassembler();
        byte[]? whole = null;
        foreach (JsonElement m in v.GetProperty("messages").EnumerateArray())
        {
            if (m.GetProperty("fragment").ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            byte[] bytes = Convert.FromHexString(m.GetProperty("hex").GetString()!);
            var chain = new PayloadChainReader(bytes.AsSpan(IsakmpHeader.Size), PayloadType.Fragment, IsakmpHeader.Size);
            Assert.True(chain.TryReadNext(out RawPayload p));
            Assert.True(FragmentPayload.TryRead(p.Body, p.BodyOffset, out FragmentPayload f, out _));
            Assert.Null(whole);
            reassembler.TryAdd(f.FragmentId, f.FragmentNumber, f.IsLast, f.Data, out whole);
        }

        Assert.Equal(v.GetProperty("reassembled_fragments")[0].GetProperty("hex").GetString(), Convert.ToHexStringLower(whole!));
    }

    [Fact]
    public void OutOfOrderDuplicateAndOversizedFragments()
    {
        var r = new FragmentReassembler();
        Assert.False(r.TryAdd(1, 2, true, [3, 4], out _));
        Assert.False(r.TryAdd(1, 2, true, [3, 4], out _)); // duplicate
        Assert.True(r.TryAdd(1, 1, false, [1, 2], out byte[]? whole));
        Assert.Equal([1, 2, 3, 4], whole);
        Assert.False(r.TryAdd(2, 0, true, [1], out _)); // fragment numbers start at 1
        Assert.False(r.TryAdd(3, 1, false, new byte[FragmentReassembler.MaxBytes], out _));
        Assert.False(r.TryAdd(3, 2, true, [1], out _)); // would exceed the byte bound
    }

    [Fact]
    public void FragmentedMm5_IsReassembledByTheResponder()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.Filter = (fromA, index, bytes) =>
        {
            if (index != 4)
            {
                return bytes;
            }

            // Deliver MM5 as two IKE fragments (payload 132), the second one first.
            int half = bytes.Length / 2;
            byte[] Fragment(byte number, bool last, ReadOnlySpan<byte> data)
            {
                byte[] buffer = new byte[data.Length + 64];
                var w = new IsakmpWriter(buffer);
                w.WriteHeader(new IsakmpHeader(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8)),
                    PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
                w.WriteFragment(7, number, last ? FragmentFlags.Last : FragmentFlags.None, data);
                Assert.True(w.TryFinish(out int length));
                return buffer[..length];
            }

            c.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), Fragment(2, true, bytes.AsSpan(half)));
            return Fragment(1, false, bytes.AsSpan(0, half));
        };
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void AnIncompleteSetOlderThanTheBoundIsDropped_TheNextSetReassembles()
    {
        var r = new FragmentReassembler();
        Assert.False(r.TryAdd(0, 30_000, 7, 1, false, [1, 2], out _));
        // The last fragment comes too late: the stale first one is gone, so the message is incomplete.
        Assert.False(r.TryAdd(30_001, 30_000, 7, 2, true, [3, 4], out _));
        // The sender's retransmission of the whole set (same fragment ID) then completes it.
        Assert.True(r.TryAdd(30_002, 30_000, 7, 1, false, [1, 2], out byte[]? whole));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, whole);
    }

    [Fact]
    public void WithinTheBoundTheSetCompletes()
    {
        var r = new FragmentReassembler();
        Assert.False(r.TryAdd(0, 30_000, 9, 2, true, [3], out _));
        Assert.True(r.TryAdd(30_000, 30_000, 9, 1, false, [1], out byte[]? whole));
        Assert.Equal(new byte[] { 1, 3 }, whole);
    }
}

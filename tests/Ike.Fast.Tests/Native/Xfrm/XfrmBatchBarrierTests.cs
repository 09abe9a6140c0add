using System.Buffers.Binary;
using System.Net.Sockets;
using Ike.Native.Xfrm;

namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>
/// What a batch puts on the wire (native IkeFastNative_XfrmNumberBatch, the first step of every transaction): sequence
/// numbers, NLM_F_ACK cleared under a barrier, and the barrier itself (an NLMSG_NOOP with NLM_F_REQUEST | NLM_F_ACK, the
/// next sequence number). No kernel involved: the bytes are checked as built.
/// </summary>
public sealed class XfrmBatchBarrierTests
{
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmsgNoop = 0x1;
    private const ushort XfrmMsgNewSa = 0x10;
    private const ushort XfrmMsgDelSa = 0x11;
    private const ushort XfrmMsgNewPolicy = 0x13;
    private const ushort XfrmMsgDelPolicy = 0x14;
    private const ushort XfrmMsgGetPolicy = 0x15;

    [Fact]
    public void UnderABarrierEveryAckedMessageLosesItsAckAndTheNoopFollowsWithTheNextSequence()
    {
        using var batch = Batch();
        var (messages, barrier, completion) = XfrmSocket.NumberForTest(batch, firstSequence: 1000, barrier: true);

        var headers = Headers(messages);
        Assert.Equal([XfrmMsgNewSa, XfrmMsgNewPolicy, XfrmMsgGetPolicy, XfrmMsgDelPolicy, XfrmMsgDelSa],
            headers.Select(h => h.Type).ToArray());
        Assert.Equal([1000u, 1001u, 1002u, 1003u, 1004u], headers.Select(h => h.Sequence).ToArray());
        Assert.All(headers, h => Assert.Equal(0u, h.Pid));
        // Changes go silent; the GET (never acked: its answer is the policy) is untouched.
        Assert.All(headers, h => Assert.Equal(NlmFRequest, h.Flags));
        Assert.Equal([3, 3, 2, 3, 3], completion);

        Assert.Equal(16, barrier.Length);
        Assert.Equal(16u, BinaryPrimitives.ReadUInt32LittleEndian(barrier));
        Assert.Equal(NlmsgNoop, BinaryPrimitives.ReadUInt16LittleEndian(barrier.AsSpan(4)));
        Assert.Equal((ushort)(NlmFRequest | NlmFAck), BinaryPrimitives.ReadUInt16LittleEndian(barrier.AsSpan(6)));
        Assert.Equal(1005u, BinaryPrimitives.ReadUInt32LittleEndian(barrier.AsSpan(8)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(barrier.AsSpan(12)));
    }

    [Fact]
    public void WithoutABarrierEveryMessageKeepsItsOwnAck()
    {
        using var batch = Batch();
        var (messages, barrier, completion) = XfrmSocket.NumberForTest(batch, firstSequence: uint.MaxValue - 1, barrier: false);

        var headers = Headers(messages);
        Assert.Empty(barrier);
        // The sequence wraps like the kernel's u32.
        Assert.Equal([uint.MaxValue - 1, uint.MaxValue, 0u, 1u, 2u], headers.Select(h => h.Sequence).ToArray());
        Assert.Equal([NlmFRequest | NlmFAck, NlmFRequest | NlmFAck, NlmFRequest, NlmFRequest | NlmFAck, NlmFRequest | NlmFAck],
            headers.Select(h => (int)h.Flags).ToArray());
        Assert.Equal([1, 1, 2, 1, 1], completion);
    }

    [Fact]
    public void OnlyTheFlagsAndNumbersChange()
    {
        using var batch = Batch();
        var built = batch.Buffer.AsSpan(0, batch.Length).ToArray();
        var (messages, _, _) = XfrmSocket.NumberForTest(batch, firstSequence: 7, barrier: true);

        Assert.Equal(built.Length, messages.Length);
        int offset = 0;
        foreach (var h in Headers(built))
        {
            // Length and type, and everything after the header, are as built (the iproute2-identical bytes).
            Assert.Equal(built.AsSpan(offset, 6).ToArray(), messages.AsSpan(offset, 6).ToArray());
            Assert.Equal(built.AsSpan(offset + 16, (int)h.Length - 16).ToArray(), messages.AsSpan(offset + 16, (int)h.Length - 16).ToArray());
            offset += (int)((h.Length + 3) & ~3u);
        }
    }

    /// <summary>
    /// The tests' stand-in for an ESP-capable kernel (<see cref="XfrmBatch.SaMessagesAsNoop"/>): the SA messages become
    /// NLMSG_NOOP, keeping their length and flags and their numbering; policy messages and the rest of every message
    /// are as built.
    /// </summary>
    [Fact]
    public void SaMessagesAsNoopTurnOnlyTheSaMessagesIntoNoops()
    {
        using var plain = Batch();
        using var noop = Batch(saMessagesAsNoop: true);
        var built = plain.Buffer.AsSpan(0, plain.Length).ToArray();
        var rewritten = noop.Buffer.AsSpan(0, noop.Length).ToArray();
        Assert.Equal([NlmsgNoop, XfrmMsgNewPolicy, XfrmMsgGetPolicy, XfrmMsgDelPolicy, NlmsgNoop],
            Headers(rewritten).Select(h => h.Type).ToArray());
        Assert.Equal(built.Length, rewritten.Length);
        int offset = 0;
        foreach (var h in Headers(built))
        {
            Assert.Equal(built.AsSpan(offset, 4).ToArray(), rewritten.AsSpan(offset, 4).ToArray());
            Assert.Equal(built.AsSpan(offset + 6, (int)h.Length - 6).ToArray(), rewritten.AsSpan(offset + 6, (int)h.Length - 6).ToArray());
            offset += (int)((h.Length + 3) & ~3u);
        }

        var (messages, _, completion) = XfrmSocket.NumberForTest(noop, firstSequence: 40, barrier: true);
        var headers = Headers(messages);
        Assert.Equal([40u, 41u, 42u, 43u, 44u], headers.Select(h => h.Sequence).ToArray());
        Assert.All(headers, h => Assert.Equal(NlmFRequest, h.Flags));
        Assert.Equal(5, completion.Length);
    }

    private static XfrmBatch Batch(bool saMessagesAsNoop = false)
    {
        var batch = new XfrmBatch(8192) { SaMessagesAsNoop = saMessagesAsNoop };
        var selector = XfrmSelector.ForSubnets(AddressFamily.InterNetwork, XfrmAddress.Parse("10.1.0.0"), 16,
            XfrmAddress.Parse("192.0.2.9"), 32);
        XfrmTemplate[] templates =
        [
            new()
            {
                Family = AddressFamily.InterNetwork,
                Source = XfrmAddress.Parse("192.0.2.1"),
                Destination = XfrmAddress.Parse("192.0.2.9"),
                Protocol = XfrmProtocol.Esp,
                Mode = XfrmMode.Tunnel,
                ReqId = 5,
            },
        ];
        Assert.Equal(XfrmStatus.Success, batch.AddSa(new XfrmSaParameters
        {
            Family = AddressFamily.InterNetwork,
            Source = XfrmAddress.Parse("192.0.2.9"),
            Destination = XfrmAddress.Parse("192.0.2.1"),
            Spi = 0x1234,
            Protocol = XfrmProtocol.Esp,
            Mode = XfrmMode.Tunnel,
            Encryption = XfrmEncryptionAlgorithm.AesCbc,
            EncryptionKey = new byte[16],
            Integrity = XfrmIntegrityAlgorithm.HmacSha256_128,
            IntegrityKey = new byte[32],
        }));
        Assert.Equal(XfrmStatus.Success, batch.AddPolicy(new XfrmPolicyParameters
        {
            Selector = selector,
            Direction = XfrmPolicyDirection.Out,
            Templates = templates,
        }));
        Assert.Equal(XfrmStatus.Success, batch.GetPolicy(selector, XfrmPolicyDirection.Out));
        Assert.Equal(XfrmStatus.Success, batch.DeletePolicy(0x8000_0009u, XfrmPolicyDirection.Out));
        Assert.Equal(XfrmStatus.Success, batch.DeleteSa(XfrmAddress.Parse("192.0.2.9"), XfrmAddress.Parse("192.0.2.1"),
            AddressFamily.InterNetwork, XfrmProtocol.Esp, 0x1234));
        return batch;
    }

    private static List<(uint Length, ushort Type, ushort Flags, uint Sequence, uint Pid)> Headers(byte[] messages)
    {
        var headers = new List<(uint, ushort, ushort, uint, uint)>();
        for (int offset = 0; offset < messages.Length;)
        {
            var m = messages.AsSpan(offset);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(m);
            headers.Add((length, BinaryPrimitives.ReadUInt16LittleEndian(m[4..]), BinaryPrimitives.ReadUInt16LittleEndian(m[6..]),
                BinaryPrimitives.ReadUInt32LittleEndian(m[8..]), BinaryPrimitives.ReadUInt32LittleEndian(m[12..])));
            offset += (int)((length + 3) & ~3u);
        }

        return headers;
    }
}

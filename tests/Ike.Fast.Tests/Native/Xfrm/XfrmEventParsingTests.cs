using System.Buffers.Binary;
using System.Net.Sockets;
using Ike.Native.Xfrm;

namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>
/// Event parsing on synthetic kernel messages laid out as include/uapi/linux/xfrm.h defines them (x86-64/arm64
/// layout): XFRM_MSG_EXPIRE = struct xfrm_user_expire, XFRM_MSG_ACQUIRE = struct xfrm_user_acquire + XFRMA_TMPL.
/// </summary>
public sealed class XfrmEventParsingTests
{
    private const int NlmsgHeader = 16;
    private const ushort XfrmMsgAcquire = 0x17;
    private const ushort XfrmMsgExpire = 0x18;
    private const ushort XfrmMsgNewSa = 0x10;
    private const ushort XfrmaTmpl = 5;

    // struct xfrm_usersa_info offsets.
    private const int SaSelector = 0;
    private const int SaDaddr = 56;
    private const int SaSpi = 72;
    private const int SaProto = 76;
    private const int SaSaddr = 80;
    private const int SaReqId = 208;
    private const int SaFamily = 212;
    private const int SaMode = 214;
    private const int UserSaInfoSize = 224;
    private const int ExpireHard = UserSaInfoSize; // struct xfrm_user_expire { state; u8 hard; }
    private const int UserExpireSize = 232;

    // struct xfrm_selector offsets.
    private const int SelDaddr = 0;
    private const int SelSaddr = 16;
    private const int SelDport = 32;
    private const int SelDportMask = 34;
    private const int SelFamily = 40;
    private const int SelPrefixD = 42;
    private const int SelPrefixS = 43;
    private const int SelProto = 44;

    // struct xfrm_user_acquire offsets.
    private const int AcqDaddr = 0;
    private const int AcqProto = 20;
    private const int AcqSaddr = 24;
    private const int AcqSelector = 40;
    private const int AcqPolicy = 96;
    private const int PolicyIndex = 156;
    private const int PolicyDir = 160;
    private const int AcqSeq = 276;
    private const int UserAcquireSize = 280;

    // struct xfrm_user_tmpl offsets.
    private const int TmplFamily = 24;
    private const int TmplReqId = 44;
    private const int TmplMode = 48;
    private const int UserTmplSize = 64;

    [Fact]
    public void SoftAndHardExpireAreParsed()
    {
        foreach (bool hard in new[] { false, true })
        {
            byte[] message = Expire(hard, spi: 0xc0ffee01, reqId: 7);
            Assert.Equal(0, XfrmSocket.ParseEvent(message, out XfrmEvent e, out int consumed));
            Assert.Equal(message.Length, consumed);
            Assert.Equal(hard ? XfrmEventKind.HardExpire : XfrmEventKind.SoftExpire, e.Kind);
            Assert.Equal(0xc0ffee01u, e.Spi);
            Assert.Equal(7u, e.ReqId);
            Assert.Equal(AddressFamily.InterNetwork, e.Family);
            Assert.Equal(XfrmProtocol.Esp, e.Protocol);
            Assert.Equal(XfrmMode.Tunnel, e.Mode);
            Assert.Equal(XfrmAddress.Parse("198.51.100.2"), e.Destination);
            Assert.Equal(XfrmAddress.Parse("192.0.2.1"), e.Source);
            Assert.Equal(XfrmAddress.Parse("10.2.0.0"), e.Selector.Destination);
            Assert.Equal(16, e.Selector.DestinationPrefixLength);
        }
    }

    [Fact]
    public void AcquireIsParsedWithItsTemplate()
    {
        byte[] message = Acquire();
        Assert.Equal(0, XfrmSocket.ParseEvent(message, out XfrmEvent e, out int consumed));
        Assert.Equal(message.Length, consumed);
        Assert.Equal(XfrmEventKind.Acquire, e.Kind);
        Assert.Equal(0x1234u, e.AcquireSequence);
        Assert.Equal(0x89u, e.PolicyIndex);
        Assert.Equal(XfrmPolicyDirection.Out, e.PolicyDirection);
        Assert.Equal(XfrmProtocol.Esp, e.Protocol);
        Assert.Equal(XfrmAddress.Parse("198.51.100.2"), e.Destination);
        Assert.Equal(XfrmAddress.Parse("192.0.2.1"), e.Source);
        Assert.Equal(5u, e.ReqId);
        Assert.Equal(XfrmMode.Tunnel, e.Mode);
        Assert.Equal(AddressFamily.InterNetwork, e.Family);
        Assert.Equal(XfrmAddress.Parse("10.2.0.9"), e.Selector.Destination);
        Assert.Equal(XfrmAddress.Parse("10.1.0.9"), e.Selector.Source);
        Assert.Equal(500, e.Selector.DestinationPort);
        Assert.Equal(17, e.Selector.Protocol);
        Assert.Equal(32, e.Selector.SourcePrefixLength);
    }

    [Fact]
    public void ConcatenatedMessagesAreConsumedOneByOne()
    {
        byte[] first = Expire(hard: true, spi: 1, reqId: 1);
        byte[] second = Acquire();
        byte[] buffer = [.. first, .. second];
        Assert.Equal(0, XfrmSocket.ParseEvent(buffer, out XfrmEvent e1, out int consumed));
        Assert.Equal(XfrmEventKind.HardExpire, e1.Kind);
        Assert.Equal(0, XfrmSocket.ParseEvent(buffer.AsSpan(consumed), out XfrmEvent e2, out int consumed2));
        Assert.Equal(XfrmEventKind.Acquire, e2.Kind);
        Assert.Equal(buffer.Length, consumed + consumed2);
    }

    [Fact]
    public void OtherMessagesAreReportedAsOtherAndTruncatedOnesRefused()
    {
        byte[] newSa = new byte[NlmsgHeader + UserSaInfoSize];
        WriteHeader(newSa, XfrmMsgNewSa);
        Assert.Equal(0, XfrmSocket.ParseEvent(newSa, out XfrmEvent other, out _));
        Assert.Equal(4, (int)other.Kind); // IKEFAST_XFRM_EVENT_OTHER: skipped by ReceiveEvent

        byte[] expire = Expire(hard: false, spi: 1, reqId: 1);
        Assert.Equal(-XfrmErrno.EINVAL, XfrmSocket.ParseEvent(expire.AsSpan(0, expire.Length - 1), out _, out _));
        Assert.Equal(-XfrmErrno.EINVAL, XfrmSocket.ParseEvent(expire.AsSpan(0, 10), out _, out _));
        // A header that claims less than the fixed part.
        byte[] shortExpire = expire[..(NlmsgHeader + 100)];
        BinaryPrimitives.WriteUInt32LittleEndian(shortExpire, (uint)shortExpire.Length);
        Assert.Equal(-XfrmErrno.EINVAL, XfrmSocket.ParseEvent(shortExpire, out _, out _));
    }

    [Fact]
    public void ParsingDoesNotAllocate()
    {
        byte[] message = Acquire();
        XfrmSocket.ParseEvent(message, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 100; i++)
        {
            sum += XfrmSocket.ParseEvent(message, out XfrmEvent e, out _) + (int)e.ReqId;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(500, sum);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ErrnoMapping()
    {
        Assert.Equal(XfrmStatus.Success, XfrmErrno.ToStatus(0));
        Assert.Equal(XfrmStatus.ProtocolNotSupported, XfrmErrno.ToStatus(-93));
        Assert.Equal(XfrmStatus.PermissionDenied, XfrmErrno.ToStatus(-1));
        Assert.Equal(XfrmStatus.AlreadyExists, XfrmErrno.ToStatus(-17));
        Assert.Equal(XfrmStatus.NotFound, XfrmErrno.ToStatus(-3));
        Assert.Equal(XfrmStatus.NotFound, XfrmErrno.ToStatus(-2));
        Assert.Equal(XfrmStatus.AlgorithmNotSupported, XfrmErrno.ToStatus(-38));
        Assert.Equal(XfrmStatus.EventsLost, XfrmErrno.ToStatus(-105));
        Assert.Equal(XfrmStatus.BufferTooSmall, XfrmErrno.ToStatus(-28));
        Assert.Equal(XfrmStatus.BufferTooSmall, XfrmErrno.ToStatus(-90));
        Assert.Equal(XfrmStatus.Other, XfrmErrno.ToStatus(-1000));
    }

    [Fact]
    public void BuildersReportTooSmallBuffers()
    {
        Span<byte> small = stackalloc byte[64];
        var sa = new XfrmSaParameters
        {
            Family = AddressFamily.InterNetwork,
            Protocol = XfrmProtocol.Esp,
            Encryption = XfrmEncryptionAlgorithm.Null,
            Integrity = XfrmIntegrityAlgorithm.HmacSha1_96,
            IntegrityKey = new byte[20],
        };
        Assert.Equal(-XfrmErrno.ENOSPC, XfrmMessageBuilder.BuildSa(sa, false, small));
        Span<byte> justHeader = stackalloc byte[NlmsgHeader + UserSaInfoSize + 8];
        Assert.Equal(-XfrmErrno.ENOSPC, XfrmMessageBuilder.BuildSa(sa, false, justHeader));
        Span<byte> enough = stackalloc byte[1024];
        Assert.True(XfrmMessageBuilder.BuildSa(sa, false, enough) > 0);
        using var batch = new XfrmBatch(256);
        Assert.Equal(XfrmStatus.BufferTooSmall, batch.AddSa(sa));
        Assert.Equal(0, batch.Count);
    }

    private static byte[] Expire(bool hard, uint spi, uint reqId)
    {
        byte[] m = new byte[NlmsgHeader + UserExpireSize];
        WriteHeader(m, XfrmMsgExpire);
        Span<byte> p = m.AsSpan(NlmsgHeader);
        WriteSelector(p[SaSelector..], "10.1.0.0", "10.2.0.0", 16, 16, 0, 0);
        XfrmAddress.Parse("198.51.100.2").CopyTo(p[SaDaddr..]);
        BinaryPrimitives.WriteUInt32BigEndian(p[SaSpi..], spi);
        p[SaProto] = 50;
        XfrmAddress.Parse("192.0.2.1").CopyTo(p[SaSaddr..]);
        BinaryPrimitives.WriteUInt32LittleEndian(p[SaReqId..], reqId);
        BinaryPrimitives.WriteUInt16LittleEndian(p[SaFamily..], 2);
        p[SaMode] = 1;
        p[ExpireHard] = hard ? (byte)1 : (byte)0;
        return m;
    }

    private static byte[] Acquire()
    {
        byte[] m = new byte[NlmsgHeader + UserAcquireSize + 4 + UserTmplSize];
        WriteHeader(m, XfrmMsgAcquire);
        Span<byte> p = m.AsSpan(NlmsgHeader);
        XfrmAddress.Parse("198.51.100.2").CopyTo(p[AcqDaddr..]);
        p[AcqProto] = 50;
        XfrmAddress.Parse("192.0.2.1").CopyTo(p[AcqSaddr..]);
        WriteSelector(p[AcqSelector..], "10.1.0.9", "10.2.0.9", 32, 32, 17, 500);
        WriteSelector(p[AcqPolicy..], "10.1.0.0", "10.2.0.0", 16, 16, 0, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(p[(AcqPolicy + PolicyIndex)..], 0x89);
        p[AcqPolicy + PolicyDir] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(p[AcqSeq..], 0x1234);
        Span<byte> attr = p[UserAcquireSize..];
        BinaryPrimitives.WriteUInt16LittleEndian(attr, 4 + UserTmplSize);
        BinaryPrimitives.WriteUInt16LittleEndian(attr[2..], XfrmaTmpl);
        Span<byte> tmpl = attr[4..];
        XfrmAddress.Parse("198.51.100.2").CopyTo(tmpl);
        tmpl[20] = 50;
        BinaryPrimitives.WriteUInt16LittleEndian(tmpl[TmplFamily..], 2);
        BinaryPrimitives.WriteUInt32LittleEndian(tmpl[TmplReqId..], 5);
        tmpl[TmplMode] = 1;
        return m;
    }

    private static void WriteHeader(Span<byte> m, ushort type)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(m, (uint)m.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(m[4..], type);
    }

    private static void WriteSelector(Span<byte> sel, string src, string dst, byte srcLength, byte dstLength, byte proto, ushort dport)
    {
        XfrmAddress.Parse(dst).CopyTo(sel[SelDaddr..]);
        XfrmAddress.Parse(src).CopyTo(sel[SelSaddr..]);
        BinaryPrimitives.WriteUInt16BigEndian(sel[SelDport..], dport);
        BinaryPrimitives.WriteUInt16BigEndian(sel[SelDportMask..], dport == 0 ? (ushort)0 : ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(sel[SelFamily..], 2);
        sel[SelPrefixD] = dstLength;
        sel[SelPrefixS] = srcLength;
        sel[SelProto] = proto;
    }
}

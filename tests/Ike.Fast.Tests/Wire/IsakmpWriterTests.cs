using System.Buffers.Binary;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

public class IsakmpWriterTests
{
    [Fact]
    public void BackPatchesHeaderNextPayloadChainAndLengths()
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        Assert.Equal((byte)PayloadType.KeyExchange, mm3[IsakmpHeader.NextPayloadOffset]);
        Assert.Equal((uint)mm3.Length, BinaryPrimitives.ReadUInt32BigEndian(mm3.AsSpan(IsakmpHeader.LengthOffset)));
        Assert.Equal((byte)PayloadType.Nonce, mm3[28]);
        Assert.Equal(260, BinaryPrimitives.ReadUInt16BigEndian(mm3.AsSpan(30)));
        Assert.True(IsakmpMessageValidator.TryValidate(mm3, out var fault), fault.ToString());
    }

    [Fact]
    public void EngineStyleMessagesValidate()
    {
        Assert.True(IsakmpMessageValidator.TryValidate(WireTestMessages.MainMode1(), out var fault), fault.ToString());
        Assert.True(IsakmpMessageValidator.TryValidate(WireTestMessages.QuickMode1(), out fault), fault.ToString());
        Assert.True(IsakmpMessageValidator.TryValidate(WireTestMessages.QuickMode1(withKe: false), out fault), fault.ToString());
    }

    [Fact]
    public void OutOfSpaceAtEveryLengthIsAResultNeverAnException()
    {
        byte[] full = WireTestMessages.QuickMode1();
        for (int size = 0; size < full.Length; size++)
        {
            var buffer = new byte[size];
            var w = new IsakmpWriter(buffer);
            w.WriteHeader(new IsakmpHeader(WireTestMessages.CookieI, WireTestMessages.CookieR, PayloadType.None, ExchangeType.QuickMode, IsakmpFlags.None, 0x9bec4b2f));
            WireTestMessages.WriteQuickModeChain(ref w, withKe: true);
            Assert.False(w.TryFinish(out int length));
            Assert.Equal(0, length);
            Assert.Equal(WireError.OutOfSpace, w.Error);
            Assert.Equal(NotifyMessageType.None, w.Error.ToNotifyType());
            Assert.True(w.BytesWritten <= size);
        }
    }

    [Fact]
    public void FailuresAreSticky()
    {
        var w = IsakmpWriter.ForPayloadChain(new byte[8]);
        Assert.False(w.WriteNonce(new byte[8]));
        Assert.Equal(WireError.OutOfSpace, w.Error);
        Assert.False(w.WriteByte(1));
        Assert.False(w.BeginPayload(PayloadType.Hash));
        Assert.False(w.TryFinish(out _));
    }

    [Fact]
    public void MisuseIsInvalidWriterState()
    {
        var w = IsakmpWriter.ForPayloadChain(new byte[64]);
        Assert.False(w.EndPayload());
        Assert.Equal(WireError.InvalidWriterState, w.Error);

        w = IsakmpWriter.ForPayloadChain(new byte[64]);
        Assert.False(w.BeginProposal(1, ProtocolId.Isakmp, default));
        Assert.Equal(WireError.InvalidWriterState, w.Error);

        w = IsakmpWriter.ForPayloadChain(new byte[64]);
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        Assert.False(w.BeginTransform(1, 1));
        Assert.Equal(WireError.InvalidWriterState, w.Error);

        w = IsakmpWriter.ForPayloadChain(new byte[64]);
        w.BeginPayload(PayloadType.Hash);
        Assert.False(w.BeginPayload(PayloadType.Hash));

        w = IsakmpWriter.ForPayloadChain(new byte[64]);
        w.BeginPayload(PayloadType.Hash);
        Assert.False(w.TryFinish(out _));
        Assert.Equal(WireError.InvalidWriterState, w.Error);

        w = new IsakmpWriter(new byte[64]);
        w.WriteHeader(WireTestMessages.Header());
        Assert.False(w.WriteHeader(WireTestMessages.Header()));
    }

    [Fact]
    public void PayloadLongerThan64KiBIsRefused()
    {
        var w = IsakmpWriter.ForPayloadChain(new byte[70_000]);
        Assert.False(w.WriteVendorId(new byte[65_532]));
        Assert.Equal(WireError.PayloadTooLong, w.Error);
        var ok = IsakmpWriter.ForPayloadChain(new byte[70_000]);
        Assert.True(ok.WriteVendorId(new byte[65_531]));
    }

    [Theory]
    [InlineData(16, false, 12)] // body 36 → 48
    [InlineData(8, false, 4)]
    [InlineData(4, false, 0)]
    [InlineData(4, true, 4)]   // aligned, but a pad-length byte always adds padding
    [InlineData(16, true, 12)]
    public void PaddingAlignsTheBody(int blockSize, bool padLengthByte, int expectedPadding)
    {
        var buffer = new byte[128];
        var w = new IsakmpWriter(buffer);
        w.WriteHeader(WireTestMessages.Header(flags: IsakmpFlags.Encryption, exchange: ExchangeType.QuickMode, messageId: 5));
        w.WriteHash(new byte[32]);
        Assert.True(w.WritePadding(blockSize, padLengthByte));
        Assert.True(w.TryFinish(out int length));
        Assert.Equal(IsakmpHeader.Size + 36 + expectedPadding, length);
        Assert.Equal((uint)length, BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(IsakmpHeader.LengthOffset)));
        if (padLengthByte)
        {
            Assert.Equal(expectedPadding - 1, buffer[length - 1]);
        }

        var chain = PayloadChainReader.ForDecryptedBody(buffer.AsSpan(IsakmpHeader.Size, length - IsakmpHeader.Size), PayloadType.Hash);
        while (chain.TryReadNext(out _))
        {
        }

        Assert.True(chain.IsComplete);
        Assert.Equal(expectedPadding, chain.PaddingLength);
    }

    [Fact]
    public void PaddingInsideAnOpenPayloadIsRefused()
    {
        var w = IsakmpWriter.ForPayloadChain(new byte[64]);
        w.BeginPayload(PayloadType.Hash);
        Assert.False(w.WritePadding(16));
        Assert.Equal(WireError.InvalidWriterState, w.Error);
    }

    [Fact]
    public void EmptyMessageKeepsTheHeaderNextPayload()
    {
        var buffer = new byte[28];
        var w = new IsakmpWriter(buffer);
        w.WriteHeader(new IsakmpHeader(1, 2, PayloadType.Hash, ExchangeType.Informational, IsakmpFlags.Encryption, 7));
        Assert.True(w.TryFinish(out int length));
        Assert.Equal(28, length);
        Assert.Equal((byte)PayloadType.Hash, buffer[IsakmpHeader.NextPayloadOffset]);
        Assert.True(w.Written.SequenceEqual(buffer));
    }
}

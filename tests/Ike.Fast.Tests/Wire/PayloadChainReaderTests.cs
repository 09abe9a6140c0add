using System.Buffers.Binary;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

public class PayloadChainReaderTests
{
    private const int FirstPayload = IsakmpHeader.Size;

    [Fact]
    public void WalksEveryPayloadWithOffsets()
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        Assert.True(IsakmpMessageReader.TryCreate(mm3, out var reader, out _));
        var seen = new List<(PayloadType, int, int)>();
        while (reader.TryReadNext(out RawPayload p))
        {
            seen.Add((p.Type, p.Offset, p.Body.Length));
            Assert.Equal(p.Offset + 4, p.BodyOffset);
            Assert.True(mm3.AsSpan(p.BodyOffset, p.Body.Length).SequenceEqual(p.Body));
        }

        Assert.True(reader.IsComplete);
        Assert.Equal(
            [
                (PayloadType.KeyExchange, 28, 256), (PayloadType.Nonce, 288, 32), (PayloadType.NatDiscovery, 324, 32),
                (PayloadType.NatDiscovery, 360, 32), (PayloadType.VendorId, 396, 16), (PayloadType.VendorId, 416, 16),
            ],
            seen);
    }

    [Theory]
    [InlineData(99)]
    [InlineData((int)PayloadType.Proposal)]
    [InlineData((int)PayloadType.Transform)]
    [InlineData(15)]
    public void UnknownOrMisplacedTypeIsInvalidPayloadType(int type)
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        mm3[FirstPayload] = (byte)type; // next payload of KE → names the nonce's type
        Assert.True(IsakmpMessageReader.TryCreate(mm3, out var reader, out _));
        Assert.True(reader.TryReadNext(out _));
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(new WireFault(WireError.InvalidPayloadType, FirstPayload), reader.Fault);
        Assert.Equal(NotifyMessageType.InvalidPayloadType, reader.Fault.NotifyType);
        Assert.False(reader.TryReadNext(out _));
    }

    [Fact]
    public void UnknownTypesCanBeWalkedByDissectors()
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        mm3[FirstPayload] = 99;
        Assert.True(IsakmpMessageReader.TryCreate(mm3, IsakmpReadOptions.AllowUnknownPayloadTypes, out var reader, out _));
        int count = 0;
        while (reader.TryReadNext(out RawPayload p))
        {
            Assert.Equal(count == 1 ? (PayloadType)99 : p.Type, p.Type);
            count++;
        }

        Assert.True(reader.IsComplete);
        Assert.Equal(6, count);
        Assert.False(IsakmpMessageValidator.TryValidate(mm3, out WireFault fault));
        Assert.Equal(WireError.InvalidPayloadType, fault.Error);
    }

    [Fact]
    public void InvalidFirstTypePointsAtTheHeader()
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        mm3[IsakmpHeader.NextPayloadOffset] = 200;
        Assert.True(IsakmpMessageReader.TryCreate(mm3, out var reader, out _));
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(new WireFault(WireError.InvalidPayloadType, IsakmpHeader.NextPayloadOffset), reader.Fault);
    }

    [Fact]
    public void ReservedByteMustBeZero()
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        mm3[FirstPayload + 1] = 1;
        AssertChainFault(mm3, WireError.ReservedNotZero, FirstPayload + 1, NotifyMessageType.PayloadMalformed);
    }

    [Fact]
    public void PayloadLengthBelowHeaderIsMalformed()
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        BinaryPrimitives.WriteUInt16BigEndian(mm3.AsSpan(FirstPayload + 2), 3);
        AssertChainFault(mm3, WireError.PayloadLengthTooSmall, FirstPayload + 2, NotifyMessageType.PayloadMalformed);
    }

    [Fact]
    public void PayloadLengthBeyondMessageIsUnequalLengths()
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        BinaryPrimitives.WriteUInt16BigEndian(mm3.AsSpan(FirstPayload + 2), (ushort)(mm3.Length));
        AssertChainFault(mm3, WireError.PayloadLengthExceedsMessage, FirstPayload + 2, NotifyMessageType.UnequalPayloadLengths);
    }

    [Fact]
    public void BytesAfterTheLastPayloadAreRejectedInStrictMode()
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        byte[] longer = [.. mm3, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(longer.AsSpan(IsakmpHeader.LengthOffset), (uint)longer.Length);
        AssertChainFault(longer, WireError.TrailingBytes, mm3.Length, NotifyMessageType.UnequalPayloadLengths);
    }

    [Fact]
    public void PartialGenericHeaderIsTruncated()
    {
        byte[] mm3 = WireTestMessages.MainMode3();
        byte[] longer = [.. mm3, 0, 0];
        longer[mm3.Length - 20] = (byte)PayloadType.VendorId; // last VID now announces another payload
        BinaryPrimitives.WriteUInt32BigEndian(longer.AsSpan(IsakmpHeader.LengthOffset), (uint)longer.Length);
        AssertChainFault(longer, WireError.PayloadHeaderTruncated, mm3.Length, NotifyMessageType.UnequalPayloadLengths);
    }

    [Fact]
    public void EncryptedBodyIsExposedNotWalked()
    {
        VectorMessage m = VectorFile.Load("mm-psk-aes128-sha256-modp2048__sw-sw").Messages.First(m => m.Encrypted);
        byte[] bytes = m.Bytes;
        Assert.True(IsakmpMessageReader.TryCreate(bytes, out var reader, out _));
        Assert.True(reader.IsEncrypted);
        Assert.True(reader.Body.SequenceEqual(bytes.AsSpan(IsakmpHeader.Size)));
        Assert.Equal(bytes.Length, reader.Message.Length);
        Assert.False(reader.TryReadNext(out _));
        Assert.False(reader.IsComplete);
        Assert.Equal(WireError.BodyEncrypted, reader.Fault.Error);
        Assert.Equal(NotifyMessageType.None, reader.Fault.NotifyType);
    }

    [Fact]
    public void DecryptedBodyReportsPaddingOfAnyShape()
    {
        // HASH(4+4) + 8 bytes of padding whose last byte is a pad length (RFC 2409 §5.3) or not.
        byte[] plain = [0, 0, 0, 8, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 7];
        var chain = PayloadChainReader.ForDecryptedBody(plain, PayloadType.Hash);
        Assert.True(chain.TryReadNext(out RawPayload p));
        Assert.Equal(PayloadType.Hash, p.Type);
        Assert.Equal(IsakmpHeader.Size, p.Offset);
        Assert.False(chain.TryReadNext(out _));
        Assert.True(chain.IsComplete);
        Assert.Equal(8, chain.PaddingLength);
        Assert.Equal(8, chain.ChainLength);
        Assert.Equal(7, chain.Padding[^1]);

        var strict = new PayloadChainReader(plain, PayloadType.Hash);
        Assert.True(strict.TryReadNext(out _));
        Assert.False(strict.TryReadNext(out _));
        Assert.Equal(new WireFault(WireError.TrailingBytes, 8), strict.Fault);
        Assert.Equal(0, strict.PaddingLength);
    }

    [Fact]
    public void DecryptedBodyStillBoundsEveryPayload()
    {
        byte[] plain = [0, 0, 0, 40, 1, 2, 3, 4];
        var chain = PayloadChainReader.ForDecryptedBody(plain, PayloadType.Hash);
        Assert.False(chain.TryReadNext(out _));
        Assert.Equal(new WireFault(WireError.PayloadLengthExceedsMessage, IsakmpHeader.Size + 2), chain.Fault);
        Assert.Equal(0, chain.PaddingLength);
    }

    [Fact]
    public void EmptyChainEndsImmediately()
    {
        var chain = new PayloadChainReader([], PayloadType.None);
        Assert.False(chain.TryReadNext(out _));
        Assert.True(chain.IsComplete);
    }

    private static void AssertChainFault(byte[] message, WireError error, int offset, NotifyMessageType notify)
    {
        Assert.True(IsakmpMessageReader.TryCreate(message, out var reader, out var fault), fault.ToString());
        while (reader.TryReadNext(out _))
        {
        }

        Assert.Equal(new WireFault(error, offset), reader.Fault);
        Assert.Equal(notify, reader.Fault.NotifyType);
        Assert.False(IsakmpMessageValidator.TryValidate(message, out fault));
        Assert.Equal(error, fault.Error);
    }
}

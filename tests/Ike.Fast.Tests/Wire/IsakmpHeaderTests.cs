using System.Buffers.Binary;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

public class IsakmpHeaderTests
{
    [Fact]
    public void ReadsEveryFieldOfARealMainMode1()
    {
        byte[] mm1 = VectorFile.Load("mm-psk-aes128-sha256-modp2048__sw-sw").Messages[0].Bytes;
        Assert.True(IsakmpHeader.TryRead(mm1, out IsakmpHeader h, out WireFault fault));
        Assert.False(fault.IsError);
        Assert.Equal(BinaryPrimitives.ReadUInt64BigEndian(mm1), h.InitiatorCookie);
        Assert.Equal(0UL, h.ResponderCookie);
        Assert.Equal(PayloadType.SecurityAssociation, h.NextPayload);
        Assert.Equal(1, h.MajorVersion);
        Assert.Equal(0, h.MinorVersion);
        Assert.Equal(ExchangeType.IdentityProtection, h.ExchangeType);
        Assert.Equal(IsakmpFlags.None, h.Flags);
        Assert.Equal(0u, h.MessageId);
        Assert.Equal((uint)mm1.Length, h.Length);
        Assert.False(h.IsEncrypted);
    }

    [Fact]
    public void WriteThenReadRoundTrips()
    {
        var h = new IsakmpHeader(1, 2, PayloadType.Hash, ExchangeType.QuickMode, IsakmpFlags.Encryption | IsakmpFlags.Commit, 0xdeadbeef, 60);
        var bytes = new byte[60];
        Assert.True(h.TryWrite(bytes));
        Assert.True(IsakmpHeader.TryRead(bytes, out var r, out _));
        Assert.Equal(h.InitiatorCookie, r.InitiatorCookie);
        Assert.Equal(h.ResponderCookie, r.ResponderCookie);
        Assert.Equal(h.NextPayload, r.NextPayload);
        Assert.Equal(h.ExchangeType, r.ExchangeType);
        Assert.Equal(h.Flags, r.Flags);
        Assert.Equal(h.MessageId, r.MessageId);
        Assert.Equal(60u, r.Length);
        Assert.True(r.IsEncrypted);
        Assert.False(h.TryWrite(new byte[27]));
    }

    [Theory]
    [InlineData(IsakmpHeader.VersionOffset, 0x20, WireError.InvalidMajorVersion, NotifyMessageType.InvalidMajorVersion)]
    [InlineData(IsakmpHeader.VersionOffset, 0x00, WireError.InvalidMajorVersion, NotifyMessageType.InvalidMajorVersion)]
    [InlineData(IsakmpHeader.VersionOffset, 0x11, WireError.InvalidMinorVersion, NotifyMessageType.InvalidMinorVersion)]
    [InlineData(IsakmpHeader.ExchangeTypeOffset, 0x00, WireError.InvalidExchangeType, NotifyMessageType.InvalidExchangeType)]
    [InlineData(IsakmpHeader.FlagsOffset, 0x08, WireError.InvalidFlags, NotifyMessageType.InvalidFlags)]
    [InlineData(IsakmpHeader.FlagsOffset, 0x80, WireError.InvalidFlags, NotifyMessageType.InvalidFlags)]
    public void HeaderFieldErrorsMapToTheirNotify(int offset, byte value, WireError error, NotifyMessageType notify)
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        mm1[offset] = value;
        Assert.False(IsakmpMessageReader.TryCreate(mm1, out _, out WireFault fault));
        Assert.Equal(error, fault.Error);
        Assert.Equal(offset, fault.Offset);
        Assert.Equal(notify, fault.NotifyType);
    }

    [Fact]
    public void ZeroInitiatorCookieIsInvalidCookie()
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        mm1.AsSpan(0, 8).Clear();
        Assert.False(IsakmpHeader.TryRead(mm1, out _, out WireFault fault));
        Assert.Equal(WireError.InvalidCookie, fault.Error);
        Assert.Equal(NotifyMessageType.InvalidCookie, fault.NotifyType);
    }

    [Fact]
    public void LengthMustMatchTheDatagram()
    {
        byte[] mm1 = WireTestMessages.MainMode1();

        Assert.False(IsakmpHeader.TryRead(mm1.AsSpan(0, mm1.Length - 1), out _, out WireFault fault));
        Assert.Equal(WireError.HeaderLengthExceedsDatagram, fault.Error);
        Assert.Equal(NotifyMessageType.UnequalPayloadLengths, fault.NotifyType);

        byte[] longer = [.. mm1, 0];
        Assert.False(IsakmpHeader.TryRead(longer, out _, out fault));
        Assert.Equal(WireError.DatagramLongerThanHeaderLength, fault.Error);
        Assert.Equal(mm1.Length, fault.Offset);

        BinaryPrimitives.WriteUInt32BigEndian(mm1.AsSpan(IsakmpHeader.LengthOffset), 27);
        Assert.False(IsakmpHeader.TryRead(mm1, out _, out fault));
        Assert.Equal(WireError.HeaderLengthTooSmall, fault.Error);
        Assert.Equal(NotifyMessageType.PayloadMalformed, fault.NotifyType);
    }

    [Fact]
    public void TrailingBytesCanBeAllowedAndAreExposed()
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        byte[] longer = [.. mm1, 0, 0, 0, 0];
        Assert.False(IsakmpMessageReader.TryCreate(longer, out _, out _));
        Assert.True(IsakmpMessageReader.TryCreate(longer, IsakmpReadOptions.AllowTrailingBytes, out var reader, out WireFault fault));
        Assert.False(fault.IsError);
        Assert.Equal(mm1.Length, reader.Message.Length);
        Assert.Equal(4, reader.TrailingBytes.Length);
        Assert.Equal(mm1.Length - IsakmpHeader.Size, reader.Body.Length);
        while (reader.TryReadNext(out _))
        {
        }

        Assert.True(reader.IsComplete);

        // Other header errors are not excused by the option.
        longer[IsakmpHeader.VersionOffset] = 0x20;
        Assert.False(IsakmpMessageReader.TryCreate(longer, IsakmpReadOptions.AllowTrailingBytes, out _, out fault));
        Assert.Equal(WireError.InvalidMajorVersion, fault.Error);
        Assert.False(IsakmpMessageReader.TryCreate(mm1.AsSpan(0, 40), IsakmpReadOptions.AllowTrailingBytes, out _, out fault));
        Assert.Equal(WireError.HeaderLengthExceedsDatagram, fault.Error);
    }

    [Fact]
    public void ShortDatagramIsHeaderTruncated()
    {
        Assert.False(IsakmpMessageReader.TryCreate(new byte[27], out _, out WireFault fault));
        Assert.Equal(WireError.HeaderTruncated, fault.Error);
        Assert.Equal(NotifyMessageType.PayloadMalformed, fault.NotifyType);
        Assert.False(IsakmpHeader.TryReadUnchecked([], out _));
    }

    [Fact]
    public void UncheckedReadAcceptsIkev2Headers()
    {
        byte[] mm1 = WireTestMessages.MainMode1();
        mm1[IsakmpHeader.VersionOffset] = 0x20;
        Assert.True(IsakmpHeader.TryReadUnchecked(mm1, out var h));
        Assert.Equal(2, h.MajorVersion);
    }
}

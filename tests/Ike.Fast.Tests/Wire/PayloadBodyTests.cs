using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

/// <summary>Per-payload read/write tests for every body parser other than SA and ID.</summary>
public class PayloadBodyTests
{
    [Theory]
    [InlineData(PayloadType.KeyExchange)]
    [InlineData(PayloadType.Nonce)]
    [InlineData(PayloadType.Hash)]
    [InlineData(PayloadType.Signature)]
    [InlineData(PayloadType.VendorId)]
    [InlineData(PayloadType.NatDiscovery)]
    [InlineData(PayloadType.NatDiscoveryDraft)]
    public void OpaquePayloadsRoundTrip(PayloadType type)
    {
        byte[] data = WireTestMessages.Filled(20, 0x3c);
        byte[] msg = WireTestMessages.WithPayload(type, data);
        RawPayload p = WireTestMessages.SinglePayload(msg);
        Assert.Equal(type, p.Type);
        Assert.Equal(PayloadType.None, p.NextPayload);
        Assert.Equal(24, p.Length);
        ReadOnlySpan<byte> read = type switch
        {
            PayloadType.KeyExchange => KeyExchangePayload.TryRead(p.Body, p.BodyOffset, out var ke, out _) ? ke.KeyExchangeData : default,
            PayloadType.Nonce => NoncePayload.TryRead(p.Body, p.BodyOffset, out var n, out _) ? n.NonceData : default,
            PayloadType.Hash => HashPayload.TryRead(p.Body, p.BodyOffset, out var h, out _) ? h.HashData : default,
            PayloadType.Signature => SignaturePayload.TryRead(p.Body, p.BodyOffset, out var s, out _) ? s.SignatureData : default,
            PayloadType.VendorId => VendorIdPayload.TryRead(p.Body, p.BodyOffset, out var v, out _) ? v.VendorId : default,
            _ => NatDiscoveryPayload.TryRead(p.Body, p.BodyOffset, out var d, out _) ? d.Hash : default,
        };
        Assert.True(read.SequenceEqual(data));
        Assert.True(IsakmpMessageValidator.TryValidate(msg, out _));
    }

    [Theory]
    [InlineData(PayloadType.KeyExchange)]
    [InlineData(PayloadType.Nonce)]
    [InlineData(PayloadType.Hash)]
    [InlineData(PayloadType.Signature)]
    [InlineData(PayloadType.VendorId)]
    [InlineData(PayloadType.NatDiscovery)]
    [InlineData(PayloadType.Certificate)]
    [InlineData(PayloadType.Notification)]
    [InlineData(PayloadType.Delete)]
    [InlineData(PayloadType.NatOriginalAddress)]
    [InlineData(PayloadType.Attribute)]
    [InlineData(PayloadType.Fragment)]
    [InlineData(PayloadType.Identification)]
    [InlineData(PayloadType.SecurityAssociation)]
    public void EmptyBodiesAreMalformed(PayloadType type)
    {
        byte[] msg = WireTestMessages.WithPayload(type, []);
        Assert.False(IsakmpMessageValidator.TryValidate(msg, out WireFault fault));
        Assert.Equal(WireError.BodyTooShort, fault.Error);
        Assert.Equal(IsakmpHeader.Size + 4, fault.Offset);
        Assert.Equal(NotifyMessageType.PayloadMalformed, fault.NotifyType);
    }

    [Fact]
    public void CertificateAndRequestRoundTrip()
    {
        var buffer = new byte[128];
        var w = IsakmpWriter.ForPayloadChain(buffer);
        w.WriteCertificate(CertificateEncoding.X509Signature, [0x30, 0x82, 0x01]);
        w.WriteCertificateRequest(CertificateEncoding.X509Signature, []);
        w.WriteCertificateRequest(CertificateEncoding.X509Signature, [0x30, 0x3c]);
        Assert.True(w.TryFinish(out int length));
        Assert.Equal("0700000804308201" + "07000005" + "04" + "0000000704303C", Convert.ToHexString(buffer, 0, length));

        var chain = new PayloadChainReader(buffer.AsSpan(0, length), w.FirstPayload);
        Assert.True(chain.TryReadNext(out RawPayload p));
        Assert.True(CertificatePayload.TryRead(p.Body, p.BodyOffset, out var cert, out _));
        Assert.Equal(CertificateEncoding.X509Signature, cert.Encoding);
        Assert.Equal("308201", Convert.ToHexString(cert.Data));
        Assert.True(chain.TryReadNext(out p));
        Assert.True(CertificateRequestPayload.TryRead(p.Body, p.BodyOffset, out var any, out _));
        Assert.True(any.CertificateAuthority.IsEmpty);
        Assert.True(chain.TryReadNext(out p));
        Assert.True(CertificateRequestPayload.TryRead(p.Body, p.BodyOffset, out var cr, out _));
        Assert.Equal("303C", Convert.ToHexString(cr.CertificateAuthority));
        Assert.False(chain.TryReadNext(out _));
        Assert.True(chain.IsComplete);
        Assert.False(CertificatePayload.TryRead([4], 0, out _, out var fault));
        Assert.Equal(WireError.BodyTooShort, fault.Error);
    }

    [Fact]
    public void DpdRUThereNotificationRoundTrips()
    {
        // RFC 3706 §5.1: PROTO_ISAKMP, SPI = CKY-I | CKY-R, data = 32-bit sequence number.
        byte[] spi = Convert.FromHexString("01020304050607081112131415161718");
        var buffer = new byte[64];
        var w = IsakmpWriter.ForPayloadChain(buffer);
        Assert.True(w.WriteNotification(1, ProtocolId.Isakmp, NotifyMessageType.DpdRUThere, spi, [0, 0, 0x30, 0x39]));
        Assert.True(w.TryFinish(out int length));
        Assert.Equal("0000002000000001" + "01108D28" + Convert.ToHexString(spi) + "00003039", Convert.ToHexString(buffer, 0, length));
        Assert.Equal(36136, (int)NotifyMessageType.DpdRUThere);
        Assert.Equal(36137, (int)NotifyMessageType.DpdRUThereAck);

        var chain = new PayloadChainReader(buffer.AsSpan(0, length), PayloadType.Notification);
        Assert.True(chain.TryReadNext(out RawPayload p));
        Assert.True(NotificationPayload.TryRead(p.Body, p.BodyOffset, out var n, out _));
        Assert.Equal(1u, n.Doi);
        Assert.Equal(ProtocolId.Isakmp, n.ProtocolId);
        Assert.Equal(NotifyMessageType.DpdRUThere, n.NotifyType);
        Assert.False(n.IsError);
        Assert.True(n.Spi.SequenceEqual(spi));
        Assert.Equal("00003039", Convert.ToHexString(n.Data));
    }

    [Fact]
    public void ErrorNotificationWithoutSpi()
    {
        byte[] body = Convert.FromHexString("00000001" + "0100" + "000E");
        Assert.True(NotificationPayload.TryRead(body, 0, out var n, out _));
        Assert.Equal(NotifyMessageType.NoProposalChosen, n.NotifyType);
        Assert.True(n.IsError);
        Assert.True(n.Spi.IsEmpty);
        Assert.True(n.Data.IsEmpty);
    }

    [Fact]
    public void NotificationSpiBeyondBodyIsInvalidSpi()
    {
        byte[] body = Convert.FromHexString("00000001" + "0304" + "6002" + "AABBCC");
        Assert.False(NotificationPayload.TryRead(body, 32, out _, out var fault));
        Assert.Equal(new WireFault(WireError.InvalidSpi, 32 + NotificationPayload.SpiSizeOffset), fault);
        Assert.Equal(NotifyMessageType.InvalidSpi, fault.NotifyType);
    }

    [Fact]
    public void DeleteRoundTripsWithSeveralSpis()
    {
        byte[] spis = Convert.FromHexString("C25196DEE8AF0716");
        var buffer = new byte[64];
        var w = IsakmpWriter.ForPayloadChain(buffer);
        Assert.True(w.WriteDelete(1, ProtocolId.IpsecEsp, 4, 2, spis));
        Assert.True(w.TryFinish(out int length));
        var chain = new PayloadChainReader(buffer.AsSpan(0, length), PayloadType.Delete);
        Assert.True(chain.TryReadNext(out RawPayload p));
        Assert.True(DeletePayload.TryRead(p.Body, p.BodyOffset, out var d, out _));
        Assert.Equal(ProtocolId.IpsecEsp, d.ProtocolId);
        Assert.Equal(4, d.SpiSize);
        Assert.Equal(2, d.SpiCount);
        Assert.Equal("C25196DE", Convert.ToHexString(d.GetSpi(0)));
        Assert.Equal("E8AF0716", Convert.ToHexString(d.GetSpi(1)));

        var bad = IsakmpWriter.ForPayloadChain(new byte[64]);
        Assert.False(bad.WriteDelete(1, ProtocolId.IpsecEsp, 4, 3, spis));
        Assert.Equal(WireError.InvalidWriterState, bad.Error);
    }

    [Theory]
    [InlineData("00000001" + "0304" + "0002" + "C25196DE")]
    [InlineData("00000001" + "0304" + "0001" + "C25196DEE8")]
    [InlineData("00000001" + "0110" + "0001" + "0102030405060708")]
    public void DeleteSpiCountDisagreeingWithLengthIsInvalidSpi(string hex)
    {
        Assert.False(DeletePayload.TryRead(Convert.FromHexString(hex), 0, out _, out var fault));
        Assert.Equal(WireError.InvalidSpi, fault.Error);
    }

    [Theory]
    [InlineData(IdentificationType.Ipv4Address, "C0000201", PayloadType.NatOriginalAddress)]
    [InlineData(IdentificationType.Ipv6Address, "20010DB8000000000000000000000001", PayloadType.NatOriginalAddressDraft)]
    public void NatOriginalAddressRoundTrips(IdentificationType type, string address, PayloadType payloadType)
    {
        var buffer = new byte[64];
        var w = IsakmpWriter.ForPayloadChain(buffer);
        Assert.True(w.WriteNatOriginalAddress(type, Convert.FromHexString(address), payloadType));
        Assert.True(w.TryFinish(out int length));
        Assert.Equal(payloadType, w.FirstPayload);
        var chain = new PayloadChainReader(buffer.AsSpan(0, length), payloadType);
        Assert.True(chain.TryReadNext(out RawPayload p));
        Assert.True(NatOriginalAddressPayload.TryRead(p.Body, p.BodyOffset, out var oa, out _));
        Assert.Equal(type, oa.IdType);
        Assert.Equal(address, Convert.ToHexString(oa.Address));
    }

    [Theory]
    [InlineData("01000000C00002", WireError.InvalidIdInformation)]
    [InlineData("02000000C0000201", WireError.InvalidIdInformation)]
    [InlineData("05000000C0000201", WireError.InvalidIdInformation)]
    [InlineData("01010000C0000201", WireError.ReservedNotZero)]
    [InlineData("01000001C0000201", WireError.ReservedNotZero)]
    [InlineData("010000", WireError.BodyTooShort)]
    public void BadNatOriginalAddress(string hex, WireError error)
    {
        Assert.False(NatOriginalAddressPayload.TryRead(Convert.FromHexString(hex), 0, out _, out var fault));
        Assert.Equal(error, fault.Error);
    }

    [Fact]
    public void ModeConfigAttributePayloadRoundTrips()
    {
        var buffer = new byte[64];
        var w = IsakmpWriter.ForPayloadChain(buffer);
        Assert.True(w.BeginAttributePayload(ConfigurationType.Reply, 0x1234));
        Assert.True(w.WriteVariableAttribute((ushort)ConfigurationAttributeType.InternalIp4Address, [10, 0, 0, 7]));
        Assert.True(w.WriteVariableAttribute((ushort)ConfigurationAttributeType.InternalIp4Dns, []));
        Assert.True(w.WriteBasicAttribute((ushort)ConfigurationAttributeType.XauthStatus, 1));
        Assert.True(w.EndPayload());
        Assert.True(w.TryFinish(out int length));
        Assert.Equal("00000018" + "02001234" + "000100040A000007" + "00030000" + "C08F0001", Convert.ToHexString(buffer, 0, length));

        var chain = new PayloadChainReader(buffer.AsSpan(0, length), PayloadType.Attribute, 28);
        Assert.True(chain.TryReadNext(out RawPayload p));
        Assert.True(AttributePayload.TryRead(p.Body, p.BodyOffset, out var attr, out _));
        Assert.Equal(ConfigurationType.Reply, attr.Type);
        Assert.Equal(0x1234, attr.Identifier);
        var reader = attr.Attributes;
        Assert.True(reader.TryReadNext(out var a));
        Assert.Equal((ushort)ConfigurationAttributeType.InternalIp4Address, a.Type);
        Assert.Equal(28 + 8, a.Offset);
        Assert.True(reader.TryReadNext(out a));
        Assert.True(a.VariableValue.IsEmpty);
        Assert.True(reader.TryReadNext(out a));
        Assert.Equal((ushort)ConfigurationAttributeType.XauthStatus, a.Type);
        Assert.True(a.IsBasic);
        Assert.False(reader.TryReadNext(out _));
        Assert.True(reader.IsComplete);

        Assert.False(AttributePayload.TryRead([2, 1, 0, 0], 0, out _, out var fault));
        Assert.Equal(WireError.ReservedNotZero, fault.Error);
    }

    [Fact]
    public void FragmentRoundTrips()
    {
        var buffer = new byte[64];
        var w = new IsakmpWriter(buffer);
        w.WriteHeader(WireTestMessages.Header());
        Assert.True(w.WriteFragment(1, 2, FragmentFlags.Last, [1, 2, 3]));
        Assert.True(w.TryFinish(out int length));
        Assert.Equal("84", Convert.ToHexString(buffer, IsakmpHeader.NextPayloadOffset, 1));
        RawPayload p = WireTestMessages.SinglePayload(buffer[..length]);
        Assert.True(FragmentPayload.TryRead(p.Body, p.BodyOffset, out var f, out _));
        Assert.Equal(1, f.FragmentId);
        Assert.Equal(2, f.FragmentNumber);
        Assert.True(f.IsLast);
        Assert.Equal("010203", Convert.ToHexString(f.Data));

        Assert.False(FragmentPayload.TryRead([0, 1, 0, 1], 0, out _, out var fault));
        Assert.Equal(WireError.BodyLengthInvalid, fault.Error);
    }
}

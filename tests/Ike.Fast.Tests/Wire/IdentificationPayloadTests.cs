using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

public class IdentificationPayloadTests
{
    public static TheoryData<IdentificationType, string, string, string> ValidIds => new()
    {
        { IdentificationType.Ipv4Address, "C0000201", "C0000201", "" },
        { IdentificationType.Fqdn, "612E696B6576312E74657374", "", "" },
        { IdentificationType.UserFqdn, "616C69636540696B6576312E74657374", "", "" },
        { IdentificationType.Ipv4AddressSubnet, "0A010000FFFFFF00", "0A010000", "FFFFFF00" },
        { IdentificationType.Ipv6Address, "20010DB8000000000000000000000001", "20010DB8000000000000000000000001", "" },
        { IdentificationType.Ipv6AddressSubnet, "20010DB8000000000000000000000000" + "FFFFFFFFFFFFFFFF0000000000000000", "20010DB8000000000000000000000000", "FFFFFFFFFFFFFFFF0000000000000000" },
        { IdentificationType.Ipv4AddressRange, "0A0000010A0000FE", "0A000001", "0A0000FE" },
        { IdentificationType.Ipv6AddressRange, "20010DB8000000000000000000000001" + "20010DB80000000000000000000000FF", "20010DB8000000000000000000000001", "20010DB80000000000000000000000FF" },
        { IdentificationType.DerAsn1Dn, "303C310B3009060355040613025858", "", "" },
        { IdentificationType.DerAsn1Gn, "820C612E696B6576312E74657374", "", "" },
        { IdentificationType.KeyId, "0102030405", "", "" },
    };

    [Theory]
    [MemberData(nameof(ValidIds))]
    public void EveryIdTypeWritesAndReadsBack(IdentificationType type, string dataHex, string addressHex, string secondHex)
    {
        byte[] data = Convert.FromHexString(dataHex);
        var buffer = new byte[128];
        var w = IsakmpWriter.ForPayloadChain(buffer);
        Assert.True(w.WriteIdentification(type, 17, 500, data));
        Assert.True(w.TryFinish(out int length));
        Assert.Equal(PayloadType.Identification, w.FirstPayload);
        Assert.Equal(4 + 4 + data.Length, length);

        var chain = new PayloadChainReader(buffer.AsSpan(0, length), PayloadType.Identification);
        Assert.True(chain.TryReadNext(out RawPayload p));
        Assert.True(IdentificationPayload.TryRead(p.Body, p.BodyOffset, out var id, out var fault), fault.ToString());
        Assert.Equal(type, id.IdType);
        Assert.Equal(17, id.ProtocolId);
        Assert.Equal(500, id.Port);
        Assert.Equal(dataHex, Convert.ToHexString(id.Data));
        Assert.Equal(addressHex, Convert.ToHexString(id.Address));
        Assert.Equal(secondHex, Convert.ToHexString(id.SecondAddress));
    }

    [Theory]
    [InlineData(IdentificationType.Ipv4Address, 3)]
    [InlineData(IdentificationType.Ipv4Address, 16)]
    [InlineData(IdentificationType.Ipv4AddressSubnet, 4)]
    [InlineData(IdentificationType.Ipv4AddressRange, 9)]
    [InlineData(IdentificationType.Ipv6Address, 4)]
    [InlineData(IdentificationType.Ipv6AddressSubnet, 16)]
    [InlineData(IdentificationType.Ipv6AddressRange, 31)]
    [InlineData(IdentificationType.Fqdn, 0)]
    [InlineData(IdentificationType.KeyId, 0)]
    [InlineData(IdentificationType.Reserved, 4)]
    public void WrongDataLengthIsInvalidIdInformation(IdentificationType type, int dataLength)
    {
        byte[] body = new byte[4 + dataLength];
        body[0] = (byte)type;
        Assert.False(IdentificationPayload.TryRead(body, 40, out _, out WireFault fault));
        Assert.Equal(new WireFault(WireError.InvalidIdInformation, 40), fault);
        Assert.Equal(NotifyMessageType.InvalidIdInformation, fault.NotifyType);
    }

    [Fact]
    public void UnknownTypesAreKeptRaw()
    {
        byte[] body = [12, 0, 0, 0, 1, 2];
        Assert.True(IdentificationPayload.TryRead(body, 0, out var id, out _));
        Assert.Equal((IdentificationType)12, id.IdType);
        Assert.Equal(2, id.Data.Length);
        Assert.True(id.Address.IsEmpty);
    }

    [Fact]
    public void ShortBodyIsMalformed()
    {
        Assert.False(IdentificationPayload.TryRead([1, 0, 0], 8, out _, out WireFault fault));
        Assert.Equal(new WireFault(WireError.BodyTooShort, 11), fault);
        Assert.Equal(NotifyMessageType.PayloadMalformed, fault.NotifyType);
    }

    [Fact]
    public void RealAggressiveModeFqdnIdentity()
    {
        byte[] am1 = VectorFile.Load("am-psk-aes128-sha256-modp2048__sw-sw").Messages[0].Bytes;
        Assert.True(IsakmpMessageReader.TryCreate(am1, out var reader, out _));
        while (reader.TryReadNext(out RawPayload p))
        {
            if (p.Type == PayloadType.Identification)
            {
                Assert.True(IdentificationPayload.TryRead(p.Body, p.BodyOffset, out var id, out _));
                Assert.Equal(IdentificationType.Fqdn, id.IdType);
                Assert.Equal("a.ikev1.test", System.Text.Encoding.ASCII.GetString(id.Data));
                return;
            }
        }

        Assert.Fail("no ID payload");
    }
}

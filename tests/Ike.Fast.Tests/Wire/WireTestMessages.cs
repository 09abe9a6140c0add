using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

/// <summary>Small messages built with the writer for the unit tests, plus real ones from the vectors.</summary>
internal static class WireTestMessages
{
    public const ulong CookieI = 0x0102030405060708;
    public const ulong CookieR = 0x1112131415161718;

    public static IsakmpHeader Header(ExchangeType exchange = ExchangeType.IdentityProtection, IsakmpFlags flags = IsakmpFlags.None, uint messageId = 0) =>
        new(CookieI, CookieR, PayloadType.None, exchange, flags, messageId);

    /// <summary>Main Mode message 1 as an engine would send it: SA (1 proposal, <paramref name="transforms"/> transforms) + VIDs.</summary>
    public static byte[] MainMode1(int transforms = 4)
    {
        var buffer = new byte[2048];
        var w = new IsakmpWriter(buffer);
        w.WriteHeader(new IsakmpHeader(CookieI, 0, PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
        WritePhase1Sa(ref w, transforms);
        w.WriteVendorId(Convert.FromHexString("882fe56d6fd20dbc2251613b2ebe5beb")); // XAUTH
        w.WriteVendorId(Convert.FromHexString("4a131c81070358455c5728f20e95452f")); // RFC 3947 NAT-T
        w.WriteVendorId(Convert.FromHexString("afcad71368a1f1c96b8696fc77570100")); // DPD
        w.WriteVendorId(Convert.FromHexString("4048b7d56ebce88525e7de7f00d6c2d3")); // FRAGMENTATION
        Assert.True(w.TryFinish(out int length));
        return buffer[..length];
    }

    public static void WritePhase1Sa(ref IsakmpWriter w, int transforms)
    {
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        w.BeginProposal(1, ProtocolId.Isakmp, default);
        for (int i = 0; i < transforms; i++)
        {
            w.BeginTransform((byte)(i + 1), (byte)IsakmpTransformId.KeyIke);
            w.WriteAttribute(IkeAttributeType.EncryptionAlgorithm, 7);
            w.WriteAttribute(IkeAttributeType.KeyLength, i % 2 == 0 ? 128u : 256u);
            w.WriteAttribute(IkeAttributeType.HashAlgorithm, 4);
            w.WriteAttribute(IkeAttributeType.AuthenticationMethod, 1);
            w.WriteAttribute(IkeAttributeType.GroupDescription, 14);
            w.WriteAttribute(IkeAttributeType.LifeType, 1);
            w.WriteAttribute(IkeAttributeType.LifeDuration, 86400); // > 0xFFFF: TLV
            w.EndTransform();
        }

        w.EndProposal();
        w.EndPayload();
    }

    /// <summary>Main Mode message 3: KE (256 bytes), nonce, NAT-D ×2, VIDs.</summary>
    public static byte[] MainMode3()
    {
        var buffer = new byte[2048];
        var w = new IsakmpWriter(buffer);
        w.WriteHeader(new IsakmpHeader(CookieI, CookieR, PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
        w.WriteKeyExchange(Filled(256, 0xA5));
        w.WriteNonce(Filled(32, 0x5A));
        w.WriteNatDiscovery(Filled(32, 0x11));
        w.WriteNatDiscovery(Filled(32, 0x22));
        w.WriteVendorId(Filled(16, 0x33));
        w.WriteVendorId(Filled(16, 0x44));
        Assert.True(w.TryFinish(out int length));
        return buffer[..length];
    }

    /// <summary>Quick Mode message 1, plain (as if the body were already decrypted): HASH, SA(ESP), NONCE, KE, IDci, IDcr.</summary>
    public static byte[] QuickMode1(bool withKe = true)
    {
        var buffer = new byte[2048];
        var w = new IsakmpWriter(buffer);
        w.WriteHeader(new IsakmpHeader(CookieI, CookieR, PayloadType.None, ExchangeType.QuickMode, IsakmpFlags.None, 0x9bec4b2f));
        WriteQuickModeChain(ref w, withKe);
        Assert.True(w.TryFinish(out int length));
        return buffer[..length];
    }

    public static void WriteQuickModeChain(ref IsakmpWriter w, bool withKe)
    {
        w.WriteHash(Filled(32, 0x77));
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        w.BeginProposal(1, ProtocolId.IpsecEsp, [0xc2, 0x51, 0x96, 0xde]);
        w.BeginTransform(1, (byte)EspTransformId.AesCbc);
        w.WriteAttribute(IpsecAttributeType.SaLifeType, 1);
        w.WriteAttribute(IpsecAttributeType.SaLifeDuration, 3600);
        w.WriteAttribute(IpsecAttributeType.EncapsulationMode, 1);
        w.WriteAttribute(IpsecAttributeType.AuthenticationAlgorithm, 5);
        w.WriteAttribute(IpsecAttributeType.KeyLength, 128);
        if (withKe)
        {
            w.WriteAttribute(IpsecAttributeType.GroupDescription, 14);
        }

        w.EndTransform();
        w.EndProposal();
        w.EndPayload();
        w.WriteNonce(Filled(32, 0x66));
        if (withKe)
        {
            w.WriteKeyExchange(Filled(256, 0x55));
        }

        w.WriteIdentification(IdentificationType.Ipv4AddressSubnet, 0, 0, [10, 1, 0, 0, 255, 255, 255, 0]);
        w.WriteIdentification(IdentificationType.Ipv4AddressSubnet, 0, 0, [10, 2, 0, 0, 255, 255, 255, 0]);
    }

    private static readonly byte[] Hash32 = Filled(32, 0x77);
    private static readonly byte[] Nonce32 = Filled(32, 0x66);
    private static readonly byte[] Ke256 = Filled(256, 0x55);
    private static readonly byte[] Spi = [0xc2, 0x51, 0x96, 0xde];
    private static readonly byte[] IdCi = [10, 1, 0, 0, 255, 255, 255, 0];
    private static readonly byte[] IdCr = [10, 2, 0, 0, 255, 255, 255, 0];

    /// <summary>The Quick Mode 1 chain from preallocated arrays (for the zero-allocation test).</summary>
    public static void WriteQuickModeChainNoAlloc(ref IsakmpWriter w)
    {
        w.WriteHash(Hash32);
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        w.BeginProposal(1, ProtocolId.IpsecEsp, Spi);
        w.BeginTransform(1, (byte)EspTransformId.AesCbc);
        w.WriteAttribute(IpsecAttributeType.SaLifeType, 1);
        w.WriteAttribute(IpsecAttributeType.SaLifeDuration, 86400);
        w.WriteAttribute(IpsecAttributeType.EncapsulationMode, 1);
        w.WriteAttribute(IpsecAttributeType.AuthenticationAlgorithm, 5);
        w.WriteAttribute(IpsecAttributeType.KeyLength, 128);
        w.WriteAttribute(IpsecAttributeType.GroupDescription, 14);
        w.EndTransform();
        w.EndProposal();
        w.EndPayload();
        w.WriteNonce(Nonce32);
        w.WriteKeyExchange(Ke256);
        w.WriteIdentification(IdentificationType.Ipv4AddressSubnet, 0, 0, IdCi);
        w.WriteIdentification(IdentificationType.Ipv4AddressSubnet, 0, 0, IdCr);
    }

    public static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }

    /// <summary>A message with a single payload of <paramref name="type"/> carrying <paramref name="body"/>.</summary>
    public static byte[] WithPayload(PayloadType type, ReadOnlySpan<byte> body, ExchangeType exchange = ExchangeType.Informational)
    {
        var buffer = new byte[IsakmpHeader.Size + GenericPayloadHeader.Size + body.Length];
        var w = new IsakmpWriter(buffer);
        w.WriteHeader(Header(exchange));
        w.WritePayload(type, body);
        Assert.True(w.TryFinish(out int length));
        return buffer[..length];
    }

    /// <summary>Reads the single payload of a message built by <see cref="WithPayload"/>.</summary>
    public static RawPayload SinglePayload(byte[] message)
    {
        Assert.True(IsakmpMessageReader.TryCreate(message, out var reader, out var fault), fault.ToString());
        Assert.True(reader.TryReadNext(out RawPayload payload), reader.Fault.ToString());
        return payload;
    }
}

using Ike.Fast.Wire;

namespace Ike.Fast.Benchmarks.Wire;

/// <summary>
/// The messages the wire benchmarks parse and write, and the two operations measured: a full parse (every payload,
/// every proposal/transform/attribute, every field read) and a write from scratch with <see cref="IsakmpWriter"/>.
/// </summary>
internal static class WireBenchmarkMessages
{
    private static readonly byte[] Ke256 = Filled(256, 0xA5);
    private static readonly byte[] Nonce32 = Filled(32, 0x5A);
    private static readonly byte[] Hash32 = Filled(32, 0x77);
    private static readonly byte[] NatD1 = Filled(32, 0x11);
    private static readonly byte[] NatD2 = Filled(32, 0x22);
    private static readonly byte[] VidXauth = Convert.FromHexString("09002689dfd6b712");
    private static readonly byte[] VidNatT = Convert.FromHexString("4a131c81070358455c5728f20e95452f");
    private static readonly byte[] VidDpd = Convert.FromHexString("afcad71368a1f1c96b8696fc77570100");
    private static readonly byte[] VidFrag = Convert.FromHexString("4048b7d56ebce88525e7de7f00d6c2d3");
    private static readonly byte[] EspSpi = [0xc2, 0x51, 0x96, 0xde];
    private static readonly byte[] IdCi = [10, 1, 0, 0, 255, 255, 255, 0];
    private static readonly byte[] IdCr = [10, 2, 0, 0, 255, 255, 255, 0];

    public const ulong CookieI = 0xd10fe07b5c33eb3b;
    public const ulong CookieR = 0x0cb446dcf59f6fdb;

    /// <summary>Main Mode 1: SA with one ISAKMP proposal of 4 transforms (4 offered IKE proposals in IKEv1 terms:
    /// AES-128/256 × SHA2-256/SHA1, PSK, MODP-2048, life in seconds) + 4 VIDs.</summary>
    public static bool WriteMainMode1(Span<byte> destination, out int length)
    {
        var w = new IsakmpWriter(destination);
        w.WriteHeader(new IsakmpHeader(CookieI, 0, PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        w.BeginProposal(1, ProtocolId.Isakmp, default);
        for (int i = 0; i < 4; i++)
        {
            w.BeginTransform((byte)(i + 1), (byte)IsakmpTransformId.KeyIke);
            w.WriteAttribute(IkeAttributeType.EncryptionAlgorithm, 7);
            w.WriteAttribute(IkeAttributeType.KeyLength, (i & 1) == 0 ? 128u : 256u);
            w.WriteAttribute(IkeAttributeType.HashAlgorithm, (i & 2) == 0 ? 4u : 2u);
            w.WriteAttribute(IkeAttributeType.AuthenticationMethod, 1);
            w.WriteAttribute(IkeAttributeType.GroupDescription, 14);
            w.WriteAttribute(IkeAttributeType.LifeType, 1);
            w.WriteAttribute(IkeAttributeType.LifeDuration, 15840);
            w.EndTransform();
        }

        w.EndProposal();
        w.EndPayload();
        w.WriteVendorId(VidXauth);
        w.WriteVendorId(VidNatT);
        w.WriteVendorId(VidDpd);
        w.WriteVendorId(VidFrag);
        return w.TryFinish(out length);
    }

    /// <summary>Main Mode 3: KE (256 bytes), nonce, NAT-D ×2, VIDs.</summary>
    public static bool WriteMainMode3(Span<byte> destination, out int length)
    {
        var w = new IsakmpWriter(destination);
        w.WriteHeader(new IsakmpHeader(CookieI, CookieR, PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
        w.WriteKeyExchange(Ke256);
        w.WriteNonce(Nonce32);
        w.WriteNatDiscovery(NatD1);
        w.WriteNatDiscovery(NatD2);
        w.WriteVendorId(VidNatT);
        w.WriteVendorId(VidDpd);
        return w.TryFinish(out length);
    }

    /// <summary>Quick Mode 1 in the clear (as if already decrypted): HASH, SA (ESP), NONCE, KE, IDci, IDcr.</summary>
    public static bool WriteQuickMode1(Span<byte> destination, out int length)
    {
        var w = new IsakmpWriter(destination);
        w.WriteHeader(new IsakmpHeader(CookieI, CookieR, PayloadType.None, ExchangeType.QuickMode, IsakmpFlags.None, 0x9bec4b2f));
        w.WriteHash(Hash32);
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        w.BeginProposal(1, ProtocolId.IpsecEsp, EspSpi);
        w.BeginTransform(1, (byte)EspTransformId.AesCbc);
        w.WriteAttribute(IpsecAttributeType.SaLifeType, 1);
        w.WriteAttribute(IpsecAttributeType.SaLifeDuration, 3600);
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
        return w.TryFinish(out length);
    }

    public static byte[] Build(WriteMessage write)
    {
        var buffer = new byte[4096];
        if (!write(buffer, out int length))
        {
            throw new InvalidOperationException("benchmark message does not fit");
        }

        return buffer[..length];
    }

    public delegate bool WriteMessage(Span<byte> destination, out int length);

    /// <summary>
    /// Full parse: header checks, every payload, every SA level down to each attribute, every field read into locals.
    /// Returns a non-negative checksum of the fields so that nothing can be optimised away; -1 on a fault.
    /// </summary>
    public static int FullParse(ReadOnlySpan<byte> message)
    {
        if (!IsakmpMessageReader.TryCreate(message, out IsakmpMessageReader reader, out _))
        {
            return -1;
        }

        IsakmpHeader h = reader.Header;
        int sum = (int)h.InitiatorCookie ^ (int)h.ResponderCookie ^ (int)h.MessageId ^ (int)h.ExchangeType ^ (int)h.Flags;
        while (reader.TryReadNext(out RawPayload p))
        {
            ReadOnlySpan<byte> body = p.Body;
            int at = p.BodyOffset;
            WireFault fault;
            switch (p.Type)
            {
                case PayloadType.SecurityAssociation:
                    if (!SecurityAssociationPayload.TryRead(body, at, out var sa, out fault))
                    {
                        return -1;
                    }

                    sum += (int)sa.Doi + (int)sa.Situation;
                    ProposalReader proposals = sa.Proposals;
                    while (proposals.TryReadNext(out ProposalPayload proposal))
                    {
                        sum += proposal.ProposalNumber + (int)proposal.ProtocolId + proposal.Spi.Length + proposal.TransformCount;
                        TransformReader transforms = proposal.Transforms;
                        while (transforms.TryReadNext(out TransformPayload transform))
                        {
                            sum += transform.TransformNumber + transform.TransformId;
                            DataAttributeReader attributes = transform.Attributes;
                            while (attributes.TryReadNext(out DataAttribute a))
                            {
                                a.TryGetInteger(out ulong value);
                                sum += a.Type + (int)value;
                            }

                            if (!attributes.IsComplete)
                            {
                                return -1;
                            }
                        }

                        if (!transforms.IsComplete)
                        {
                            return -1;
                        }
                    }

                    if (!proposals.IsComplete)
                    {
                        return -1;
                    }

                    break;
                case PayloadType.KeyExchange:
                    if (!KeyExchangePayload.TryRead(body, at, out var ke, out fault))
                    {
                        return -1;
                    }

                    sum += ke.KeyExchangeData.Length;
                    break;
                case PayloadType.Nonce:
                    if (!NoncePayload.TryRead(body, at, out var nonce, out fault))
                    {
                        return -1;
                    }

                    sum += nonce.NonceData.Length;
                    break;
                case PayloadType.Hash:
                    if (!HashPayload.TryRead(body, at, out var hash, out fault))
                    {
                        return -1;
                    }

                    sum += hash.HashData.Length;
                    break;
                case PayloadType.VendorId:
                    if (!VendorIdPayload.TryRead(body, at, out var vid, out fault))
                    {
                        return -1;
                    }

                    sum += vid.VendorId.Length;
                    break;
                case PayloadType.NatDiscovery:
                case PayloadType.NatDiscoveryDraft:
                    if (!NatDiscoveryPayload.TryRead(body, at, out var natd, out fault))
                    {
                        return -1;
                    }

                    sum += natd.Hash.Length;
                    break;
                case PayloadType.Identification:
                    if (!IdentificationPayload.TryRead(body, at, out var id, out fault))
                    {
                        return -1;
                    }

                    sum += (int)id.IdType + id.ProtocolId + id.Port + id.Address.Length + id.SecondAddress.Length;
                    break;
                default:
                    if (!IsakmpMessageValidator.TryValidatePayload(p, out fault))
                    {
                        return -1;
                    }

                    sum += p.Length;
                    break;
            }
        }

        return reader.IsComplete ? sum & int.MaxValue : -1;
    }

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }
}

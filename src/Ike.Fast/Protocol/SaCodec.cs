using System.Buffers.Binary;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Wire;
using CryptoEncryption = Ike.Fast.Crypto.IkeEncryptionAlgorithm;
using CryptoHash = Ike.Fast.Crypto.IkeHashAlgorithm;

namespace Ike.Fast.Protocol;

/// <summary>
/// Writes our SA payloads (RFC 2408 §3.4-3.6 with RFC 2409 Appendix A / RFC 2407 §4.5 attributes) and reads the
/// peer's offers into flat transform lists for selection. Attribute order follows charon's (so our Main Mode SAi_b
/// equals the recorded one for the same offer).
/// </summary>
internal static class SaCodec
{
    public const int MaxOffers = 32;

    /// <summary>Phase 1 SA: one ISAKMP proposal, one KEY_IKE transform per IkeProposal (optionally one group only).</summary>
    public static void WriteIkeSa(ref IsakmpWriter w, IReadOnlyList<IkeProposal> proposals, DhGroupId? onlyGroup,
        IkeAuthenticationMethod auth, long lifetimeSeconds)
    {
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        w.BeginProposal(1, ProtocolId.Isakmp, default);
        byte number = 1;
        for (int pi = 0; pi < proposals.Count; pi++)
        {
            IkeProposal p = proposals[pi];
            if (onlyGroup is { } g && p.Group != g)
            {
                continue;
            }

            w.BeginTransform(number++, (byte)IsakmpTransformId.KeyIke);
            w.WriteAttribute(IkeAttributeType.EncryptionAlgorithm, (ulong)p.Encryption);
            if (p.KeyLengthBits != 0)
            {
                w.WriteAttribute(IkeAttributeType.KeyLength, (ulong)p.KeyLengthBits);
            }

            w.WriteAttribute(IkeAttributeType.HashAlgorithm, (ulong)p.Hash);
            w.WriteAttribute(IkeAttributeType.GroupDescription, (ulong)p.Group);
            w.WriteAttribute(IkeAttributeType.AuthenticationMethod, (ulong)auth);
            w.WriteAttribute(IkeAttributeType.LifeType, (ulong)LifeType.Seconds);
            w.WriteAttribute(IkeAttributeType.LifeDuration, (ulong)lifetimeSeconds);
            w.EndTransform();
        }

        w.EndProposal();
        w.EndPayload();
    }

    /// <summary>The reply SA: the chosen transform echoed byte for byte (RFC 2409 §5: the responder returns one transform unchanged).</summary>
    public static void WriteIkeSaReply(ref IsakmpWriter w, ReadOnlySpan<byte> offerSaBody, in IkeTransformOffer chosen)
    {
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        w.BeginProposal(chosen.ProposalNumber, ProtocolId.Isakmp, default);
        w.BeginTransform(chosen.TransformNumber, (byte)IsakmpTransformId.KeyIke);
        var attrs = new DataAttributeReader(offerSaBody.Slice(chosen.AttributesStart, chosen.AttributesLength));
        while (attrs.TryReadNext(out DataAttribute a))
        {
            w.WriteAttribute(in a);
        }

        w.EndTransform();
        w.EndProposal();
        w.EndPayload();
    }

    /// <summary>Reads every ISAKMP/KEY_IKE transform of an SA body; false when it does not parse or is not IPsec DOI.</summary>
    public static bool TryReadIkeOffers(ReadOnlySpan<byte> saBody, Span<IkeTransformOffer> offers, out int count)
    {
        count = 0;
        if (!SecurityAssociationPayload.TryRead(saBody, 0, out SecurityAssociationPayload sa, out _) || sa.Doi != DomainOfInterpretation.IpsecDoi)
        {
            return false;
        }

        ProposalReader proposals = sa.Proposals;
        while (proposals.TryReadNext(out ProposalPayload prop))
        {
            TransformReader transforms = prop.Transforms;
            while (transforms.TryReadNext(out TransformPayload t))
            {
                if (count == offers.Length)
                {
                    return true;
                }

                ref IkeTransformOffer o = ref offers[count];
                o = default;
                o.ProposalNumber = prop.ProposalNumber;
                o.TransformNumber = t.TransformNumber;
                o.AttributesStart = t.Offset + TransformPayload.AttributesOffset;
                o.AttributesLength = t.AttributeBytes.Length;
                o.Unsupported = prop.ProtocolId != ProtocolId.Isakmp || t.TransformId != (byte)IsakmpTransformId.KeyIke;
                LifeType pendingType = 0;
                DataAttributeReader attrs = t.Attributes;
                while (attrs.TryReadNext(out DataAttribute a))
                {
                    if (!a.TryGetInteger(out ulong v) || v > int.MaxValue)
                    {
                        o.Unsupported = true;
                        continue;
                    }

                    switch ((IkeAttributeType)a.Type)
                    {
                        case IkeAttributeType.EncryptionAlgorithm: o.Encryption = (int)v; break;
                        case IkeAttributeType.KeyLength: o.KeyBits = (int)v; break;
                        case IkeAttributeType.HashAlgorithm: o.Hash = (int)v; break;
                        case IkeAttributeType.GroupDescription: o.Group = (int)v; break;
                        case IkeAttributeType.AuthenticationMethod: o.Auth = (int)v; break;
                        case IkeAttributeType.LifeType: pendingType = (LifeType)v; break;
                        case IkeAttributeType.LifeDuration: ApplyLifeDuration(pendingType, v, ref o.LifeSeconds, ref o.LifeKilobytes); break;
                        default:
                            // PRF, group type/prime (New Group Mode) etc.: not implemented → transform not acceptable.
                            o.Unsupported = true;
                            break;
                    }
                }

                if (!attrs.IsComplete)
                {
                    return false;
                }

                count++;
            }

            if (!transforms.IsComplete)
            {
                return false;
            }
        }

        return proposals.IsComplete && count > 0;
    }

    /// <summary>
    /// A Life Duration applies to the Life Type that precedes it (RFC 2409 Appendix A for ISAKMP, RFC 2407 §4.5 for
    /// IPsec: the same rule); a duration with no known type before it is ignored.
    /// </summary>
    private static void ApplyLifeDuration(LifeType pendingType, ulong value, ref long seconds, ref long kilobytes)
    {
        if (pendingType == LifeType.Seconds)
        {
            seconds = (long)value;
        }
        else if (pendingType == LifeType.Kilobytes)
        {
            kilobytes = (long)value;
        }
    }

    /// <summary>True when an offer is exactly the given local proposal.</summary>
    public static bool Matches(in IkeTransformOffer o, IkeProposal p, IkeAuthenticationMethod auth) =>
        !o.Unsupported && o.Encryption == (int)p.Encryption && o.Hash == (int)p.Hash && o.Group == (int)p.Group &&
        o.Auth == (int)auth && (p.Encryption == CryptoEncryption.TripleDesCbc ? o.KeyBits is 0 or 192 : o.KeyBits == p.KeyLengthBits);

    /// <summary>Local preference first: the first of our proposals that the peer offered (RFC 2408 §4.2: the responder picks).</summary>
    public static int Select(ReadOnlySpan<IkeTransformOffer> offers, IReadOnlyList<IkeProposal> local, IkeAuthenticationMethod auth,
        DhGroupId? requiredGroup, out IkeProposal? chosen)
    {
        for (int pi = 0; pi < local.Count; pi++)
        {
            IkeProposal p = local[pi];
            if (requiredGroup is { } g && p.Group != g)
            {
                continue;
            }

            for (int i = 0; i < offers.Length; i++)
            {
                if (Matches(offers[i], p, auth))
                {
                    chosen = p;
                    return i;
                }
            }
        }

        chosen = null;
        return -1;
    }

    /// <summary>Quick Mode SA: one proposal (ESP or AH, our SPI) with one transform per child proposal of that protocol.</summary>
    public static void WriteChildSa(ref IsakmpWriter w, IReadOnlyList<ChildProposal> proposals, uint spi, IpsecMode mode,
        long lifeSeconds, long lifeKilobytes, NatTraversal.NatTraversalVersion udpEncapsulation = NatTraversal.NatTraversalVersion.None)
    {
        IpsecProtocol protocol = proposals[0].Protocol;
        DhGroupId? pfs = proposals[0].PfsGroup;
        Span<byte> spiBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        w.BeginProposal(1, protocol == IpsecProtocol.Esp ? ProtocolId.IpsecEsp : ProtocolId.IpsecAh, spiBytes);
        byte number = 1;
        for (int pi = 0; pi < proposals.Count; pi++)
        {
            ChildProposal p = proposals[pi];
            if (p.Protocol != protocol || p.PfsGroup != pfs)
            {
                continue; // one protocol and one PFS group per Quick Mode (RFC 2409 §5.5: one KE payload)
            }

            w.BeginTransform(number++, protocol == IpsecProtocol.Esp ? (byte)p.EspTransform : (byte)AhTransformFor(p.Integrity!.Value));
            if (p.KeyLengthBits != 0 && p.Protocol == IpsecProtocol.Esp && p.EspTransform != EspTransformId.TripleDes)
            {
                w.WriteAttribute(IpsecAttributeType.KeyLength, (ulong)p.KeyLengthBits);
            }

            if (p.Integrity is { } auth)
            {
                w.WriteAttribute(IpsecAttributeType.AuthenticationAlgorithm, (ulong)auth);
            }

            if (p.PfsGroup is { } g)
            {
                w.WriteAttribute(IpsecAttributeType.GroupDescription, (ulong)g);
            }

            w.WriteAttribute(IpsecAttributeType.EncapsulationMode, (ulong)ModeFor(mode, udpEncapsulation));

            if (lifeSeconds > 0)
            {
                w.WriteAttribute(IpsecAttributeType.SaLifeType, (ulong)LifeType.Seconds);
                w.WriteAttribute(IpsecAttributeType.SaLifeDuration, (ulong)lifeSeconds);
            }

            if (lifeKilobytes > 0)
            {
                w.WriteAttribute(IpsecAttributeType.SaLifeType, (ulong)LifeType.Kilobytes);
                w.WriteAttribute(IpsecAttributeType.SaLifeDuration, (ulong)lifeKilobytes);
            }

            w.EndTransform();
        }

        w.EndProposal();
        w.EndPayload();
    }

    /// <summary>The Quick Mode reply SA: the chosen transform echoed with our SPI.</summary>
    public static void WriteChildSaReply(ref IsakmpWriter w, ReadOnlySpan<byte> offerSaBody, in ChildTransformOffer chosen, uint ourSpi)
    {
        Span<byte> spiBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, ourSpi);
        w.BeginSecurityAssociation(DomainOfInterpretation.IpsecDoi, IpsecSituation.IdentityOnly);
        w.BeginProposal(chosen.ProposalNumber, (ProtocolId)chosen.ProtocolId, spiBytes);
        w.BeginTransform(chosen.TransformNumber, chosen.TransformId);
        var attrs = new DataAttributeReader(offerSaBody.Slice(chosen.AttributesStart, chosen.AttributesLength));
        while (attrs.TryReadNext(out DataAttribute a))
        {
            w.WriteAttribute(in a);
        }

        w.EndTransform();
        w.EndProposal();
        w.EndPayload();
    }

    /// <summary>Reads the ESP/AH transforms of a Quick Mode SA body.</summary>
    public static bool TryReadChildOffers(ReadOnlySpan<byte> saBody, Span<ChildTransformOffer> offers, out int count)
    {
        count = 0;
        if (!SecurityAssociationPayload.TryRead(saBody, 0, out SecurityAssociationPayload sa, out _) || sa.Doi != DomainOfInterpretation.IpsecDoi)
        {
            return false;
        }

        ProposalReader proposals = sa.Proposals;
        while (proposals.TryReadNext(out ProposalPayload prop))
        {
            TransformReader transforms = prop.Transforms;
            while (transforms.TryReadNext(out TransformPayload t))
            {
                if (count == offers.Length)
                {
                    return true;
                }

                ref ChildTransformOffer o = ref offers[count];
                o = default;
                o.ProposalNumber = prop.ProposalNumber;
                o.TransformNumber = t.TransformNumber;
                o.ProtocolId = (byte)prop.ProtocolId;
                o.TransformId = t.TransformId;
                o.AttributesStart = t.Offset + TransformPayload.AttributesOffset;
                o.AttributesLength = t.AttributeBytes.Length;
                o.Unsupported = prop.ProtocolId is not (ProtocolId.IpsecEsp or ProtocolId.IpsecAh) || prop.Spi.Length != 4;
                if (prop.Spi.Length == 4)
                {
                    o.Spi = BinaryPrimitives.ReadUInt32BigEndian(prop.Spi);
                }

                LifeType pendingType = 0;
                DataAttributeReader attrs = t.Attributes;
                while (attrs.TryReadNext(out DataAttribute a))
                {
                    if (!a.TryGetInteger(out ulong v) || v > int.MaxValue)
                    {
                        o.Unsupported = true;
                        continue;
                    }

                    switch ((IpsecAttributeType)a.Type)
                    {
                        case IpsecAttributeType.KeyLength: o.KeyBits = (int)v; break;
                        case IpsecAttributeType.AuthenticationAlgorithm: o.Auth = (int)v; break;
                        case IpsecAttributeType.GroupDescription: o.Group = (int)v; break;
                        case IpsecAttributeType.EncapsulationMode: o.Encapsulation = (int)v; break;
                        case IpsecAttributeType.SaLifeType: pendingType = (LifeType)v; break;
                        case IpsecAttributeType.SaLifeDuration: ApplyLifeDuration(pendingType, v, ref o.LifeSeconds, ref o.LifeKilobytes); break;
                        default:
                            o.Unsupported = true;
                            break;
                    }
                }

                if (!attrs.IsComplete)
                {
                    return false;
                }

                count++;
            }

            if (!transforms.IsComplete)
            {
                return false;
            }
        }

        return proposals.IsComplete && count > 0;
    }

    /// <summary>True when an offered ESP/AH transform is exactly the local child proposal in the configured mode.</summary>
    public static bool Matches(in ChildTransformOffer o, ChildProposal p, IpsecMode mode,
        NatTraversal.NatTraversalVersion udpEncapsulation = NatTraversal.NatTraversalVersion.None)
    {
        if (o.Unsupported)
        {
            return false;
        }

        int wantMode = (int)ModeFor(mode, udpEncapsulation);
        if (o.Encapsulation != 0 && o.Encapsulation != wantMode)
        {
            return false;
        }

        if ((o.Group == 0 ? null : (DhGroupId?)o.Group) != p.PfsGroup)
        {
            return false;
        }

        if (p.Protocol == IpsecProtocol.Ah)
        {
            return o.ProtocolId == (byte)ProtocolId.IpsecAh && p.Integrity is { } ah && o.TransformId == (byte)AhTransformFor(ah) && (o.Auth == 0 || o.Auth == (int)ah);
        }

        if (o.ProtocolId != (byte)ProtocolId.IpsecEsp || o.TransformId != (byte)p.EspTransform)
        {
            return false;
        }

        int keyBits = p.EspTransform == EspTransformId.TripleDes ? 0 : p.KeyLengthBits;
        if (o.KeyBits != keyBits && !(keyBits == 0 && o.KeyBits == 192))
        {
            return false;
        }

        return p.Integrity is { } i ? o.Auth == (int)i : o.Auth == 0;
    }

    public static AhTransformId AhTransformFor(IpsecAuthenticationAlgorithm a) => a switch
    {
        IpsecAuthenticationAlgorithm.HmacMd5 => AhTransformId.Md5,
        IpsecAuthenticationAlgorithm.HmacSha1 => AhTransformId.Sha,
        IpsecAuthenticationAlgorithm.HmacSha2_256 => AhTransformId.Sha2_256,
        IpsecAuthenticationAlgorithm.HmacSha2_384 => AhTransformId.Sha2_384,
        _ => AhTransformId.Sha2_512,
    };

    /// <summary>The Phase 1 authentication method on the wire: XAUTHInitPreShared (65001) for PSK with XAUTH.</summary>
    public static IkeAuthenticationMethod WireAuth(PeerConfig c) =>
        c.Xauth != XauthRole.None && c.LocalAuth.Method == AuthMethod.Psk ? IkeAuthenticationMethod.XauthInitiatorPreSharedKey : WireAuth(c.LocalAuth.Method);

    public static IkeAuthenticationMethod WireAuth(AuthMethod m) =>
        m == AuthMethod.Psk ? IkeAuthenticationMethod.PreSharedKey : IkeAuthenticationMethod.RsaSignatures;

    public static CryptoHash ToCrypto(int hash) => (CryptoHash)hash;

    /// <summary>The Encapsulation Mode attribute: plain (RFC 2407 §4.5) or UDP-encapsulated (RFC 3947 §5.1, drafts).</summary>
    public static EncapsulationMode ModeFor(IpsecMode mode, NatTraversal.NatTraversalVersion udpEncapsulation) =>
        udpEncapsulation == NatTraversal.NatTraversalVersion.None
            ? (mode == IpsecMode.Tunnel ? EncapsulationMode.Tunnel : EncapsulationMode.Transport)
            : NatTraversal.NatDiscovery.EncapsulationFor(udpEncapsulation, mode == IpsecMode.Tunnel);
}

using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

/// <summary>
/// Test helper: parses a message (or a decrypted chain) with the readers and writes it back from the parsed fields
/// with <see cref="IsakmpWriter"/>. Allocation-free, so the zero-allocation test can use it too.
/// </summary>
internal static class WireReencoder
{
    public static bool TryReencodeMessage(ReadOnlySpan<byte> message, Span<byte> destination, out int written, out WireFault fault)
    {
        written = 0;
        if (!IsakmpMessageReader.TryCreate(message, out IsakmpMessageReader reader, out fault))
        {
            return false;
        }

        var writer = new IsakmpWriter(destination);
        writer.WriteHeader(reader.Header);
        if (reader.IsEncrypted)
        {
            writer.WriteBytes(reader.Body);
        }
        else
        {
            while (reader.TryReadNext(out RawPayload payload))
            {
                if (!TryReencodePayload(payload, ref writer, out fault))
                {
                    return false;
                }
            }

            fault = reader.Fault;
            if (fault.IsError)
            {
                return false;
            }
        }

        return writer.TryFinish(out written);
    }

    /// <summary>Re-encodes a decrypted body: the chain, then the padding copied as received.</summary>
    public static bool TryReencodeDecryptedBody(ReadOnlySpan<byte> plaintext, PayloadType first, Span<byte> destination,
        out int written, out int paddingLength, out PayloadType writtenFirst, out WireFault fault)
    {
        written = 0;
        paddingLength = 0;
        writtenFirst = PayloadType.None;
        PayloadChainReader chain = PayloadChainReader.ForDecryptedBody(plaintext, first);
        IsakmpWriter writer = IsakmpWriter.ForPayloadChain(destination);
        while (chain.TryReadNext(out RawPayload payload))
        {
            if (!TryReencodePayload(payload, ref writer, out fault))
            {
                return false;
            }
        }

        fault = chain.Fault;
        if (fault.IsError)
        {
            return false;
        }

        paddingLength = chain.PaddingLength;
        writer.WriteBytes(chain.Padding);
        writtenFirst = writer.FirstPayload;
        return writer.TryFinish(out written);
    }

    public static bool TryReencodePayload(scoped in RawPayload p, ref IsakmpWriter w, out WireFault fault)
    {
        ReadOnlySpan<byte> body = p.Body;
        int at = p.BodyOffset;
        bool ok;
        switch (p.Type)
        {
            case PayloadType.SecurityAssociation:
                return TryReencodeSecurityAssociation(body, at, ref w, out fault);
            case PayloadType.KeyExchange:
                ok = KeyExchangePayload.TryRead(body, at, out var ke, out fault) && w.WriteKeyExchange(ke.KeyExchangeData);
                break;
            case PayloadType.Identification:
                ok = IdentificationPayload.TryRead(body, at, out var id, out fault) && w.WriteIdentification(id.IdType, id.ProtocolId, id.Port, id.Data);
                break;
            case PayloadType.Certificate:
                ok = CertificatePayload.TryRead(body, at, out var cert, out fault) && w.WriteCertificate(cert.Encoding, cert.Data);
                break;
            case PayloadType.CertificateRequest:
                ok = CertificateRequestPayload.TryRead(body, at, out var cr, out fault) && w.WriteCertificateRequest(cr.CertificateType, cr.CertificateAuthority);
                break;
            case PayloadType.Hash:
                ok = HashPayload.TryRead(body, at, out var hash, out fault) && w.WriteHash(hash.HashData);
                break;
            case PayloadType.Signature:
                ok = SignaturePayload.TryRead(body, at, out var sig, out fault) && w.WriteSignature(sig.SignatureData);
                break;
            case PayloadType.Nonce:
                ok = NoncePayload.TryRead(body, at, out var nonce, out fault) && w.WriteNonce(nonce.NonceData);
                break;
            case PayloadType.Notification:
                ok = NotificationPayload.TryRead(body, at, out var n, out fault) && w.WriteNotification(n.Doi, n.ProtocolId, n.NotifyType, n.Spi, n.Data);
                break;
            case PayloadType.Delete:
                ok = DeletePayload.TryRead(body, at, out var d, out fault) && w.WriteDelete(d.Doi, d.ProtocolId, d.SpiSize, d.SpiCount, d.Spis);
                break;
            case PayloadType.VendorId:
                ok = VendorIdPayload.TryRead(body, at, out var vid, out fault) && w.WriteVendorId(vid.VendorId);
                break;
            case PayloadType.NatDiscovery:
            case PayloadType.NatDiscoveryDraft:
                ok = NatDiscoveryPayload.TryRead(body, at, out var natd, out fault) && w.WriteNatDiscovery(natd.Hash, p.Type);
                break;
            case PayloadType.NatOriginalAddress:
            case PayloadType.NatOriginalAddressDraft:
                ok = NatOriginalAddressPayload.TryRead(body, at, out var oa, out fault) && w.WriteNatOriginalAddress(oa.IdType, oa.Address, p.Type);
                break;
            case PayloadType.Attribute:
                if (!AttributePayload.TryRead(body, at, out var attr, out fault) || !w.BeginAttributePayload(attr.Type, attr.Identifier))
                {
                    return false;
                }

                if (!TryCopyAttributes(attr.Attributes, ref w, out fault))
                {
                    return false;
                }

                ok = w.EndPayload();
                break;
            case PayloadType.Fragment:
                ok = FragmentPayload.TryRead(body, at, out var frag, out fault) && w.WriteFragment(frag.FragmentId, frag.FragmentNumber, frag.Flags, frag.Data);
                break;
            default:
                fault = new WireFault(WireError.InvalidPayloadType, p.Offset);
                return false;
        }

        return ok;
    }

    private static bool TryReencodeSecurityAssociation(ReadOnlySpan<byte> body, int at, ref IsakmpWriter w, out WireFault fault)
    {
        if (!SecurityAssociationPayload.TryRead(body, at, out var sa, out fault) || !w.BeginSecurityAssociation(sa.Doi, sa.Situation))
        {
            return false;
        }

        ProposalReader proposals = sa.Proposals;
        while (proposals.TryReadNext(out ProposalPayload proposal))
        {
            if (!w.BeginProposal(proposal.ProposalNumber, proposal.ProtocolId, proposal.Spi))
            {
                return false;
            }

            TransformReader transforms = proposal.Transforms;
            while (transforms.TryReadNext(out TransformPayload transform))
            {
                if (!w.BeginTransform(transform.TransformNumber, transform.TransformId) ||
                    !TryCopyAttributes(transform.Attributes, ref w, out fault) ||
                    !w.EndTransform())
                {
                    return false;
                }
            }

            fault = transforms.Fault;
            if (fault.IsError || !w.EndProposal())
            {
                return false;
            }
        }

        fault = proposals.Fault;
        return !fault.IsError && w.EndPayload();
    }

    private static bool TryCopyAttributes(DataAttributeReader attributes, ref IsakmpWriter w, out WireFault fault)
    {
        while (attributes.TryReadNext(out DataAttribute a))
        {
            if (!w.WriteAttribute(a))
            {
                fault = default;
                return false;
            }
        }

        fault = attributes.Fault;
        return !fault.IsError;
    }
}

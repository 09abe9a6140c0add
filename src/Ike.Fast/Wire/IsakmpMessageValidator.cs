namespace Ike.Fast.Wire;

/// <summary>
/// Deep structural validation: walks every payload and parses every body, down to each proposal, transform and
/// data attribute, so that a message either passes entirely or yields the first <see cref="WireFault"/> with the
/// notify it deserves. Semantic checks (which payloads an exchange requires, acceptable algorithms) belong to the
/// protocol layer.
/// </summary>
public static class IsakmpMessageValidator
{
    /// <summary>Validates a whole message; an encrypted body is checked only up to the header.</summary>
    public static bool TryValidate(ReadOnlySpan<byte> message, out WireFault fault)
    {
        if (!IsakmpMessageReader.TryCreate(message, out IsakmpMessageReader reader, out fault))
        {
            return false;
        }

        if (reader.IsEncrypted)
        {
            return true;
        }

        while (reader.TryReadNext(out RawPayload payload))
        {
            if (!TryValidatePayload(payload, out fault))
            {
                return false;
            }
        }

        fault = reader.Fault;
        return !fault.IsError;
    }

    /// <summary>Validates a decrypted body (RFC 2409 §5.3) and returns the padding length after the chain.</summary>
    public static bool TryValidateDecryptedBody(ReadOnlySpan<byte> plaintext, PayloadType firstPayload, out int paddingLength, out WireFault fault)
    {
        PayloadChainReader chain = PayloadChainReader.ForDecryptedBody(plaintext, firstPayload);
        paddingLength = 0;
        while (chain.TryReadNext(out RawPayload payload))
        {
            if (!TryValidatePayload(payload, out fault))
            {
                return false;
            }
        }

        fault = chain.Fault;
        paddingLength = chain.PaddingLength;
        return !fault.IsError;
    }

    /// <summary>Parses one payload body completely.</summary>
    public static bool TryValidatePayload(scoped in RawPayload payload, out WireFault fault)
    {
        ReadOnlySpan<byte> body = payload.Body;
        int at = payload.BodyOffset;
        switch (payload.Type)
        {
            case PayloadType.SecurityAssociation:
                return TryValidateSecurityAssociation(body, at, out fault);
            case PayloadType.KeyExchange:
                return KeyExchangePayload.TryRead(body, at, out _, out fault);
            case PayloadType.Identification:
                return IdentificationPayload.TryRead(body, at, out _, out fault);
            case PayloadType.Certificate:
                return CertificatePayload.TryRead(body, at, out _, out fault);
            case PayloadType.CertificateRequest:
                return CertificateRequestPayload.TryRead(body, at, out _, out fault);
            case PayloadType.Hash:
                return HashPayload.TryRead(body, at, out _, out fault);
            case PayloadType.Signature:
                return SignaturePayload.TryRead(body, at, out _, out fault);
            case PayloadType.Nonce:
                return NoncePayload.TryRead(body, at, out _, out fault);
            case PayloadType.Notification:
                return NotificationPayload.TryRead(body, at, out _, out fault);
            case PayloadType.Delete:
                return DeletePayload.TryRead(body, at, out _, out fault);
            case PayloadType.VendorId:
                return VendorIdPayload.TryRead(body, at, out _, out fault);
            case PayloadType.NatDiscovery:
            case PayloadType.NatDiscoveryDraft:
                return NatDiscoveryPayload.TryRead(body, at, out _, out fault);
            case PayloadType.NatOriginalAddress:
            case PayloadType.NatOriginalAddressDraft:
                return NatOriginalAddressPayload.TryRead(body, at, out _, out fault);
            case PayloadType.Attribute:
                if (!AttributePayload.TryRead(body, at, out AttributePayload attributes, out fault))
                {
                    return false;
                }

                return TryValidateAttributes(attributes.Attributes, out fault);
            case PayloadType.Fragment:
                return FragmentPayload.TryRead(body, at, out _, out fault);
            default:
                fault = new WireFault(WireError.InvalidPayloadType, payload.Offset);
                return false;
        }
    }

    private static bool TryValidateSecurityAssociation(ReadOnlySpan<byte> body, int at, out WireFault fault)
    {
        if (!SecurityAssociationPayload.TryRead(body, at, out SecurityAssociationPayload sa, out fault))
        {
            return false;
        }

        ProposalReader proposals = sa.Proposals;
        while (proposals.TryReadNext(out ProposalPayload proposal))
        {
            TransformReader transforms = proposal.Transforms;
            while (transforms.TryReadNext(out TransformPayload transform))
            {
                if (!TryValidateAttributes(transform.Attributes, out fault))
                {
                    return false;
                }
            }

            fault = transforms.Fault;
            if (fault.IsError)
            {
                return false;
            }
        }

        fault = proposals.Fault;
        return !fault.IsError;
    }

    private static bool TryValidateAttributes(DataAttributeReader attributes, out WireFault fault)
    {
        while (attributes.TryReadNext(out _))
        {
        }

        fault = attributes.Fault;
        return !fault.IsError;
    }
}

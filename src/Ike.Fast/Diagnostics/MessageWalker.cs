using System.Globalization;
using System.Net;
using System.Text;
using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// Walks one ISAKMP message with the wire readers (<see cref="IsakmpMessageReader"/>, the payload body parsers
/// and the SA → proposal → transform → attribute readers) and reports every field to an <see cref="IMessageSink"/>.
/// The first <see cref="WireFault"/> ends the walk; it is reported after every open array/object was closed so
/// the output stays well-formed. Never throws on message input.
/// </summary>
internal static class MessageWalker
{
    /// <summary>Walks <paramref name="message"/> (exactly one ISAKMP message, non-ESP marker already stripped);
    /// false when a wire error was reported.</summary>
    public static bool Walk(ReadOnlySpan<byte> message, in DatagramContext context, IMessageSink sink,
        IsakmpReadOptions options = IsakmpReadOptions.None) =>
        Walk(message, context, sink, default, hasPlaintext: false, hashVerified: null, options);

    /// <summary>
    /// Walks <paramref name="message"/>; when <paramref name="hasPlaintext"/>, <paramref name="plaintext"/> is its
    /// decrypted body and is reported as "decrypted" (see <see cref="WalkDecrypted"/>) after the outer payloads.
    /// <paramref name="options"/> are the wire reader's leniencies (trailing bytes, unknown payload types).
    /// </summary>
    public static bool Walk(ReadOnlySpan<byte> message, in DatagramContext context, IMessageSink sink,
        ReadOnlySpan<byte> plaintext, bool hasPlaintext, bool? hashVerified, IsakmpReadOptions options = IsakmpReadOptions.None)
    {
        sink.BeginMessage(context);
        // Read the fields without judging them first, so even a header that fails the RFC 2408 section 5.1
        // checks is shown before the reason.
        if (!IsakmpHeader.TryReadUnchecked(message, out IsakmpHeader summary))
        {
            sink.Fault(nameof(WireError.HeaderTruncated), message.Length);
            sink.EndMessage();
            return false;
        }

        sink.Header(summary);
        if (!IsakmpMessageReader.TryCreate(message, options, out IsakmpMessageReader reader, out WireFault fault))
        {
            sink.Fault(fault.Error.ToString(), fault.Offset);
            sink.EndMessage();
            return false;
        }

        if (!reader.TrailingBytes.IsEmpty)
        {
            // Only with AllowTrailingBytes: bytes after the header's length, shown but never parsed.
            sink.Bytes("trailingBytes", reader.TrailingBytes);
        }

        if (reader.IsEncrypted)
        {
            // RFC 2408 section 3.1: with the E flag everything after the header is ciphertext; only the header
            // is readable without keys.
            sink.Number("ciphertextLength", reader.Body.Length);
            sink.BeginArray("payloads");
            sink.EndArray();
            bool clean = !hasPlaintext || WalkDecrypted(plaintext, reader.Header.NextPayload, hashVerified, sink, options);
            sink.EndMessage();
            return clean;
        }

        sink.BeginArray("payloads");
        fault = WalkChain(ref reader, sink);
        sink.EndArray();
        if (fault.IsError)
        {
            sink.Fault(fault.Error.ToString(), fault.Offset);
        }

        bool decryptedClean = !hasPlaintext || WalkDecrypted(plaintext, reader.Header.NextPayload, hashVerified, sink, options);
        sink.EndMessage();
        return !fault.IsError && decryptedClean;
    }

    /// <summary>
    /// Reports a decrypted body (RFC 2409 section 5.3) inside "decrypted":{"payloads":[...],"padding":"hex",
    /// "hashVerified":bool?}; <paramref name="firstPayload"/> is the header's next-payload field. Call between
    /// the message's other members (before <see cref="IMessageSink.EndMessage"/>). False when a wire error was reported.
    /// </summary>
    public static bool WalkDecrypted(ReadOnlySpan<byte> plaintext, PayloadType firstPayload, bool? hashVerified, IMessageSink sink,
        IsakmpReadOptions options = IsakmpReadOptions.None)
    {
        sink.BeginObject("decrypted", "decrypted:");
        sink.BeginArray("payloads");
        PayloadChainReader chain = PayloadChainReader.ForDecryptedBody(plaintext, firstPayload, IsakmpHeader.Size, options);
        WireFault fault = WalkChain(ref chain, sink);
        sink.EndArray();
        if (fault.IsError)
        {
            sink.Fault(fault.Error.ToString(), fault.Offset);
        }
        else
        {
            sink.Bytes("padding", chain.Padding);
        }

        if (hashVerified is bool verified)
        {
            sink.Boolean("hashVerified", verified);
        }

        sink.EndObject();
        return !fault.IsError;
    }

    private static WireFault WalkChain(ref IsakmpMessageReader reader, IMessageSink sink)
    {
        while (reader.TryReadNext(out RawPayload payload))
        {
            WireFault fault = WritePayload(payload, sink);
            if (fault.IsError)
            {
                return fault;
            }
        }

        return reader.Fault.Error == WireError.BodyEncrypted ? default : reader.Fault;
    }

    private static WireFault WalkChain(ref PayloadChainReader chain, IMessageSink sink)
    {
        while (chain.TryReadNext(out RawPayload payload))
        {
            WireFault fault = WritePayload(payload, sink);
            if (fault.IsError)
            {
                return fault;
            }
        }

        return chain.Fault;
    }

    private static WireFault WritePayload(RawPayload payload, IMessageSink sink)
    {
        sink.BeginPayload((int)payload.Type, payload.Length, payload.Offset);
        WireFault fault = WriteBody(payload, sink);
        sink.EndPayload();
        return fault;
    }

    private static WireFault WriteBody(RawPayload payload, IMessageSink sink)
    {
        WireFault fault;
        switch (payload.Type)
        {
            case PayloadType.SecurityAssociation:
                if (!SecurityAssociationPayload.TryRead(payload.Body, payload.BodyOffset, out SecurityAssociationPayload sa, out fault))
                {
                    return fault;
                }

                sink.Number("doi", (uint)sa.Doi, IkeNames.Doi((uint)sa.Doi));
                sink.Number("situation", (uint)sa.Situation, Situation((uint)sa.Situation));
                return WriteProposals(sa.Proposals, sink);

            case PayloadType.KeyExchange:
                if (!KeyExchangePayload.TryRead(payload.Body, payload.BodyOffset, out KeyExchangePayload ke, out fault))
                {
                    return fault;
                }

                sink.Bytes("data", ke.KeyExchangeData);
                return default;

            case PayloadType.Identification:
                if (!IdentificationPayload.TryRead(payload.Body, payload.BodyOffset, out IdentificationPayload id, out fault))
                {
                    return fault;
                }

                sink.Number("idType", (int)id.IdType, IkeNames.IdType((int)id.IdType));
                sink.Number("protocolId", id.ProtocolId, id.ProtocolId == 0 ? "any" : null);
                sink.Number("port", id.Port, id.Port == 0 ? "any" : null);
                sink.Bytes("data", id.Data, IdentificationText(id));
                return default;

            case PayloadType.Certificate:
                if (!CertificatePayload.TryRead(payload.Body, payload.BodyOffset, out CertificatePayload cert, out fault))
                {
                    return fault;
                }

                sink.Number("encoding", (int)cert.Encoding, IkeNames.CertificateEncoding((int)cert.Encoding));
                sink.Bytes("data", cert.Data);
                return default;

            case PayloadType.CertificateRequest:
                if (!CertificateRequestPayload.TryRead(payload.Body, payload.BodyOffset, out CertificateRequestPayload cr, out fault))
                {
                    return fault;
                }

                sink.Number("certificateType", (int)cr.CertificateType, IkeNames.CertificateEncoding((int)cr.CertificateType));
                sink.Bytes("authority", cr.CertificateAuthority);
                return default;

            case PayloadType.Hash:
                if (!HashPayload.TryRead(payload.Body, payload.BodyOffset, out HashPayload hash, out fault))
                {
                    return fault;
                }

                sink.Bytes("data", hash.HashData);
                return default;

            case PayloadType.Signature:
                if (!SignaturePayload.TryRead(payload.Body, payload.BodyOffset, out SignaturePayload signature, out fault))
                {
                    return fault;
                }

                sink.Bytes("data", signature.SignatureData);
                return default;

            case PayloadType.Nonce:
                if (!NoncePayload.TryRead(payload.Body, payload.BodyOffset, out NoncePayload nonce, out fault))
                {
                    return fault;
                }

                sink.Bytes("data", nonce.NonceData);
                return default;

            case PayloadType.Notification:
                if (!NotificationPayload.TryRead(payload.Body, payload.BodyOffset, out NotificationPayload notify, out fault))
                {
                    return fault;
                }

                sink.Number("doi", notify.Doi, IkeNames.Doi(notify.Doi));
                sink.Number("protocolId", (int)notify.ProtocolId, IkeNames.ProtocolId((int)notify.ProtocolId));
                sink.Number("spiSize", notify.Spi.Length);
                sink.Number("notifyType", (int)notify.NotifyType, IkeNames.NotifyType((int)notify.NotifyType));
                sink.Bytes("spi", notify.Spi);
                sink.Bytes("data", notify.Data);
                return default;

            case PayloadType.Delete:
                if (!DeletePayload.TryRead(payload.Body, payload.BodyOffset, out DeletePayload delete, out fault))
                {
                    return fault;
                }

                sink.Number("doi", delete.Doi, IkeNames.Doi(delete.Doi));
                sink.Number("protocolId", (int)delete.ProtocolId, IkeNames.ProtocolId((int)delete.ProtocolId));
                sink.Number("spiSize", delete.SpiSize);
                sink.BeginArray("spis");
                for (int i = 0; i < delete.SpiCount; i++)
                {
                    sink.BytesElement("spi", delete.GetSpi(i));
                }

                sink.EndArray();
                return default;

            case PayloadType.VendorId:
                if (!VendorIdPayload.TryRead(payload.Body, payload.BodyOffset, out VendorIdPayload vendor, out fault))
                {
                    return fault;
                }

                sink.Bytes("data", vendor.VendorId, IkeNames.VendorId(vendor.VendorId));
                return default;

            case PayloadType.Attribute:
                if (!AttributePayload.TryRead(payload.Body, payload.BodyOffset, out AttributePayload attributes, out fault))
                {
                    return fault;
                }

                sink.Number("attributeType", (int)attributes.Type, IkeNames.ConfigurationType((int)attributes.Type));
                sink.Number("identifier", attributes.Identifier);
                return WriteAttributes(attributes.Attributes, AttributeContext.Configuration, sink);

            case PayloadType.NatDiscovery or PayloadType.NatDiscoveryDraft:
                if (!NatDiscoveryPayload.TryRead(payload.Body, payload.BodyOffset, out NatDiscoveryPayload natD, out fault))
                {
                    return fault;
                }

                sink.Bytes("hash", natD.Hash);
                return default;

            case PayloadType.NatOriginalAddress or PayloadType.NatOriginalAddressDraft:
                if (!NatOriginalAddressPayload.TryRead(payload.Body, payload.BodyOffset, out NatOriginalAddressPayload natOa, out fault))
                {
                    return fault;
                }

                sink.Number("idType", (int)natOa.IdType, IkeNames.IdType((int)natOa.IdType));
                sink.Bytes("address", natOa.Address, AddressText(natOa.Address));
                return default;

            case PayloadType.Fragment:
                if (!FragmentPayload.TryRead(payload.Body, payload.BodyOffset, out FragmentPayload fragment, out fault))
                {
                    return fault;
                }

                sink.Number("fragmentId", fragment.FragmentId);
                sink.Number("number", fragment.FragmentNumber);
                sink.Boolean("last", fragment.IsLast);
                sink.Bytes("data", fragment.Data);
                return default;

            default:
                // A type the chain walker accepts but this formatter has no parser for: show the body.
                sink.Bytes("data", payload.Body);
                return default;
        }
    }

    private static WireFault WriteProposals(ProposalReader proposals, IMessageSink sink)
    {
        sink.BeginArray("proposals");
        WireFault fault = default;
        while (proposals.TryReadNext(out ProposalPayload proposal))
        {
            string protocol = Named(IkeNames.ProtocolId((int)proposal.ProtocolId), (int)proposal.ProtocolId);
            sink.BeginObject(null, $"Proposal #{proposal.ProposalNumber}: {protocol}, {proposal.TransformCount} transform(s)");
            sink.Number("number", proposal.ProposalNumber, inTitle: true);
            sink.Number("protocolId", (int)proposal.ProtocolId, IkeNames.ProtocolId((int)proposal.ProtocolId), inTitle: true);
            sink.Number("spiSize", proposal.Spi.Length, inTitle: true);
            sink.Bytes("spi", proposal.Spi, inTitle: proposal.Spi.IsEmpty);
            fault = WriteTransforms(proposal.Transforms, (int)proposal.ProtocolId, sink);
            sink.EndObject();
            if (fault.IsError)
            {
                break;
            }
        }

        if (!fault.IsError)
        {
            fault = proposals.Fault;
        }

        sink.EndArray();
        return fault;
    }

    private static WireFault WriteTransforms(TransformReader transforms, int protocolId, IMessageSink sink)
    {
        sink.BeginArray("transforms");
        WireFault fault = default;
        while (transforms.TryReadNext(out TransformPayload transform))
        {
            string? idName = IkeNames.TransformId(protocolId, transform.TransformId);
            sink.BeginObject(null, $"Transform #{transform.TransformNumber}: {Named(idName, transform.TransformId)}");
            sink.Number("number", transform.TransformNumber, inTitle: true);
            sink.Number("transformId", transform.TransformId, idName, inTitle: true);
            fault = WriteAttributes(transform.Attributes, protocolId == (int)ProtocolId.Isakmp ? AttributeContext.Phase1 : AttributeContext.Ipsec, sink);
            sink.EndObject();
            if (fault.IsError)
            {
                break;
            }
        }

        if (!fault.IsError)
        {
            fault = transforms.Fault;
        }

        sink.EndArray();
        return fault;
    }

    private static WireFault WriteAttributes(DataAttributeReader attributes, AttributeContext context, IMessageSink sink)
    {
        sink.BeginArray("attributes");
        while (attributes.TryReadNext(out DataAttribute attribute))
        {
            string? typeName = context == AttributeContext.Configuration
                ? IkeNames.ConfigurationAttribute(attribute.Type)
                : IkeNames.AttributeType(context == AttributeContext.Ipsec, attribute.Type);
            string? valueName;
            if (attribute.IsBasic)
            {
                valueName = context == AttributeContext.Configuration ? null : IkeNames.AttributeValue(context == AttributeContext.Ipsec, attribute.Type, attribute.BasicValue);
            }
            else
            {
                valueName = attribute.TryGetInteger(out ulong integer) ? integer.ToString(CultureInfo.InvariantCulture) : null;
            }

            sink.Attribute(attribute.Type, typeName, attribute.IsBasic, attribute.BasicValue, attribute.VariableValue, valueName);
        }

        sink.EndArray();
        return attributes.Fault;
    }

    /// <summary>The IPsec DOI situation bits (RFC 2407 section 4.2).</summary>
    private static string? Situation(uint situation)
    {
        if (situation == 0 || (situation & ~7u) != 0)
        {
            return null;
        }

        var names = new List<string>(3);
        if ((situation & 1) != 0)
        {
            names.Add("SIT_IDENTITY_ONLY");
        }

        if ((situation & 2) != 0)
        {
            names.Add("SIT_SECRECY");
        }

        if ((situation & 4) != 0)
        {
            names.Add("SIT_INTEGRITY");
        }

        return string.Join('|', names);
    }

    private static string? IdentificationText(in IdentificationPayload id)
    {
        switch (id.IdType)
        {
            case IdentificationType.Ipv4Address or IdentificationType.Ipv6Address:
                return AddressText(id.Data);
            case IdentificationType.Ipv4AddressSubnet or IdentificationType.Ipv6AddressSubnet:
                return $"{AddressText(id.Address)}/{AddressText(id.SecondAddress)}";
            case IdentificationType.Ipv4AddressRange or IdentificationType.Ipv6AddressRange:
                return $"{AddressText(id.Address)}-{AddressText(id.SecondAddress)}";
            case IdentificationType.Fqdn or IdentificationType.UserFqdn:
                return Printable(id.Data);
            default:
                return null;
        }
    }

    private static string? AddressText(ReadOnlySpan<byte> address) =>
        address.Length is 4 or 16 ? new IPAddress(address).ToString() : null;

    /// <summary>The bytes as text when they are printable ASCII (FQDN identities), else null.</summary>
    private static string? Printable(ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return null;
            }
        }

        return Encoding.ASCII.GetString(data);
    }

    private static string Named(string? name, int value) => name is null ? value.ToString(CultureInfo.InvariantCulture) : $"{name} ({value})";

    private enum AttributeContext
    {
        Phase1,
        Ipsec,
        Configuration,
    }
}

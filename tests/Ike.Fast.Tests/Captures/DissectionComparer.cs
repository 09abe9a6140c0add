using System.Globalization;
using System.Net;
using System.Text;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Captures;

/// <summary>
/// Compares what the wire readers parse with what Wireshark dissected, field by field: ISAKMP header, every
/// payload's generic header, and the type-specific fields Wireshark shows (SA tree down to attributes, KE,
/// nonce, ID, cert/CR, hash/signature, notify, delete, VID, NAT-D, fragments).
/// </summary>
internal static class DissectionComparer
{
    public static void AssertHeader(DissectedMessage expected, IsakmpHeader actual, string where)
    {
        Assert.True(expected.InitiatorCookie == actual.InitiatorCookie.ToString("x16", CultureInfo.InvariantCulture), $"{where}: icookie");
        Assert.True(expected.ResponderCookie == actual.ResponderCookie.ToString("x16", CultureInfo.InvariantCulture), $"{where}: rcookie");
        Assert.True(expected.NextPayload == (int)actual.NextPayload, $"{where}: next payload");
        Assert.True(expected.Version == $"{actual.MajorVersion}.{actual.MinorVersion}", $"{where}: version");
        Assert.True(expected.ExchangeType == (int)actual.ExchangeType, $"{where}: exchange type");
        Assert.True(expected.Flags == (int)actual.Flags, $"{where}: flags");
        Assert.True(expected.MessageId == actual.MessageId, $"{where}: message id");
        Assert.True(expected.Length == (int)actual.Length, $"{where}: length");
    }

    /// <summary>Walks <paramref name="chain"/> and compares each payload with <paramref name="expected"/>; returns the number of payloads compared.</summary>
    public static int AssertChain(ref PayloadChainReader chain, IReadOnlyList<DissectedPayload> expected, string where)
    {
        int index = 0;
        while (chain.TryReadNext(out RawPayload payload))
        {
            Assert.True(index < expected.Count, $"{where}: more payloads than the dissection ({expected.Count})");
            AssertPayload(expected[index], payload, $"{where} payload {index}");
            index++;
        }

        Assert.False(chain.Fault.IsError, $"{where}: {chain.Fault}");
        Assert.True(index == expected.Count, $"{where}: {index} payloads, dissection has {expected.Count}");
        return index;
    }

    public static int AssertChain(ref IsakmpMessageReader reader, IReadOnlyList<DissectedPayload> expected, string where)
    {
        int index = 0;
        while (reader.TryReadNext(out RawPayload payload))
        {
            Assert.True(index < expected.Count, $"{where}: more payloads than the dissection ({expected.Count})");
            AssertPayload(expected[index], payload, $"{where} payload {index}");
            index++;
        }

        Assert.False(reader.Fault.IsError, $"{where}: {reader.Fault}");
        Assert.True(index == expected.Count, $"{where}: {index} payloads, dissection has {expected.Count}");
        return index;
    }

    public static void AssertPayload(DissectedPayload e, RawPayload p, string where)
    {
        where = $"{where} ({e.Name})";
        Assert.True(e.Type == (int)p.Type, $"{where}: type {(int)p.Type}");
        Assert.True(e.NextPayload == (int)p.NextPayload, $"{where}: next payload {(int)p.NextPayload}");
        Assert.True(e.Length == p.Length, $"{where}: length {p.Length}");
        WireFault fault;
        switch (p.Type)
        {
            case PayloadType.SecurityAssociation:
                Assert.True(SecurityAssociationPayload.TryRead(p.Body, p.BodyOffset, out SecurityAssociationPayload sa, out fault), $"{where}: {fault}");
                Equal(e.Field("Domain of interpretation"), (uint)sa.Doi, where);
                Assert.True(Dissection.HexNumber(e.Field("Situation")) == (uint)sa.Situation, $"{where}: situation");
                AssertProposals(e.Payloads, sa.Proposals, where);
                break;
            case PayloadType.KeyExchange:
                Assert.True(KeyExchangePayload.TryRead(p.Body, p.BodyOffset, out KeyExchangePayload ke, out fault), $"{where}: {fault}");
                HexEqual(e.Field("Key Exchange Data"), ke.KeyExchangeData, where);
                break;
            case PayloadType.Identification:
                Assert.True(IdentificationPayload.TryRead(p.Body, p.BodyOffset, out IdentificationPayload id, out fault), $"{where}: {fault}");
                Equal(e.Field("ID type"), (int)id.IdType, where);
                Equal(e.Field("Protocol ID"), id.ProtocolId, where);
                Equal(e.Field("Port"), id.Port, where);
                AssertIdentificationData(e.Field("Identification Data"), id, where);
                break;
            case PayloadType.Certificate:
                Assert.True(CertificatePayload.TryRead(p.Body, p.BodyOffset, out CertificatePayload cert, out fault), $"{where}: {fault}");
                Equal(e.Field("Certificate Encoding"), (int)cert.Encoding, where);
                Assert.True(cert.Data.Length == p.Body.Length - 1, where);
                break;
            case PayloadType.CertificateRequest:
                Assert.True(CertificateRequestPayload.TryRead(p.Body, p.BodyOffset, out CertificateRequestPayload cr, out fault), $"{where}: {fault}");
                Equal(e.Field("Certificate Type"), (int)cr.CertificateType, where);
                break;
            case PayloadType.Hash:
                Assert.True(HashPayload.TryRead(p.Body, p.BodyOffset, out HashPayload hash, out fault), $"{where}: {fault}");
                HexEqual(e.Field("Hash DATA"), hash.HashData, where);
                break;
            case PayloadType.Signature:
                Assert.True(SignaturePayload.TryRead(p.Body, p.BodyOffset, out SignaturePayload signature, out fault), $"{where}: {fault}");
                HexEqual(e.Field("Signature DATA"), signature.SignatureData, where);
                break;
            case PayloadType.Nonce:
                Assert.True(NoncePayload.TryRead(p.Body, p.BodyOffset, out NoncePayload nonce, out fault), $"{where}: {fault}");
                HexEqual(e.Field("Nonce DATA"), nonce.NonceData, where);
                break;
            case PayloadType.Notification:
                Assert.True(NotificationPayload.TryRead(p.Body, p.BodyOffset, out NotificationPayload notify, out fault), $"{where}: {fault}");
                Equal(e.Field("Domain of interpretation"), notify.Doi, where);
                Equal(e.Field("Protocol ID"), (int)notify.ProtocolId, where);
                Equal(e.Field("SPI Size"), notify.Spi.Length, where);
                Equal(e.Field("Notify Message Type"), (int)notify.NotifyType, where);
                if (notify.Spi.Length > 0)
                {
                    HexEqual(e.Field("SPI"), notify.Spi, where);
                }

                string? data = e.Field("Notification DATA");
                HexEqual(data == "<MISSING>" ? string.Empty : data, notify.Data, where);
                break;
            case PayloadType.Delete:
                Assert.True(DeletePayload.TryRead(p.Body, p.BodyOffset, out DeletePayload delete, out fault), $"{where}: {fault}");
                Equal(e.Field("Domain of interpretation"), delete.Doi, where);
                Equal(e.Field("Protocol ID"), (int)delete.ProtocolId, where);
                Equal(e.Field("SPI Size"), delete.SpiSize, where);
                Equal(e.Field("Number of SPIs"), delete.SpiCount, where);
                string[] spis = e.AllFields("Delete SPI").ToArray();
                Assert.True(spis.Length == delete.SpiCount, $"{where}: SPI count");
                for (int i = 0; i < spis.Length; i++)
                {
                    HexEqual(spis[i], delete.GetSpi(i), where);
                }

                break;
            case PayloadType.VendorId:
                Assert.True(VendorIdPayload.TryRead(p.Body, p.BodyOffset, out VendorIdPayload vendor, out fault), $"{where}: {fault}");
                HexEqual(e.Field("Vendor ID"), vendor.VendorId, where);
                break;
            case PayloadType.NatDiscovery or PayloadType.NatDiscoveryDraft:
                Assert.True(NatDiscoveryPayload.TryRead(p.Body, p.BodyOffset, out NatDiscoveryPayload natD, out fault), $"{where}: {fault}");
                HexEqual(e.Field("HASH of the address and port"), natD.Hash, where);
                break;
            case PayloadType.Fragment:
                Assert.True(FragmentPayload.TryRead(p.Body, p.BodyOffset, out FragmentPayload fragment, out fault), $"{where}: {fault}");
                Assert.True(Dissection.HexNumber(e.Field("Frag ID")) == fragment.FragmentId, $"{where}: fragment id");
                Equal(e.Field("Frag seq"), fragment.FragmentNumber, where);
                Equal(e.Field("Frag last"), fragment.IsLast ? 1 : 0, where);
                break;
            default:
                Assert.Fail($"{where}: no comparison for payload type {p.Type}");
                break;
        }
    }

    private static void AssertProposals(IReadOnlyList<DissectedPayload> expected, ProposalReader proposals, string where)
    {
        int index = 0;
        while (proposals.TryReadNext(out ProposalPayload proposal))
        {
            DissectedPayload e = expected[index];
            string at = $"{where} proposal {index}";
            Assert.True(e.Type == 2 && e.NextPayload == (int)proposal.NextPayload, $"{at}: next payload");
            Equal(e.Field("Proposal number"), proposal.ProposalNumber, at);
            Equal(e.Field("Protocol ID"), (int)proposal.ProtocolId, at);
            Equal(e.Field("SPI Size"), proposal.Spi.Length, at);
            Equal(e.Field("Proposal transforms"), proposal.TransformCount, at);
            if (proposal.Spi.Length > 0)
            {
                HexEqual(e.Field("SPI"), proposal.Spi, at);
            }

            int t = 0;
            TransformReader transforms = proposal.Transforms;
            while (transforms.TryReadNext(out TransformPayload transform))
            {
                DissectedPayload et = e.Payloads[t];
                string tat = $"{at} transform {t}";
                Assert.True(et.Type == 3 && et.NextPayload == (int)transform.NextPayload, $"{tat}: next payload");
                Equal(et.Field("Transform number"), transform.TransformNumber, tat);
                Equal(et.Field("Transform ID"), transform.TransformId, tat);
                int a = 0;
                DataAttributeReader attributes = transform.Attributes;
                while (attributes.TryReadNext(out DataAttribute attribute))
                {
                    DissectedAttribute ea = et.Attributes[a];
                    Assert.True(ea.Type == attribute.Type, $"{tat} attribute {a}: type");
                    string value = attribute.IsBasic ? attribute.BasicValue.ToString("x4", CultureInfo.InvariantCulture) : Convert.ToHexStringLower(attribute.VariableValue);
                    Assert.True(ea.Length == (attribute.IsBasic ? 2 : attribute.VariableValue.Length), $"{tat} attribute {a}: length");
                    HexEqual(ea.ValueHex, value, $"{tat} attribute {a}");
                    a++;
                }

                Assert.True(attributes.IsComplete, $"{tat}: {attributes.Fault}");
                Assert.True(a == et.Attributes.Count, $"{tat}: attribute count");
                t++;
            }

            Assert.True(transforms.IsComplete, $"{at}: {transforms.Fault}");
            Assert.True(t == e.Payloads.Count, $"{at}: transform count");
            index++;
        }

        Assert.True(proposals.IsComplete, $"{where}: {proposals.Fault}");
        Assert.True(index == expected.Count, $"{where}: proposal count");
    }

    private static void AssertIdentificationData(string? shown, in IdentificationPayload id, string where)
    {
        // Wireshark writes "Identification Data:192.0.2.1" (no space), so the node label holds the value.
        string? expected = shown;
        string? actual = id.IdType switch
        {
            IdentificationType.Ipv4Address or IdentificationType.Ipv6Address => new IPAddress(id.Data).ToString(),
            IdentificationType.Ipv4AddressSubnet or IdentificationType.Ipv6AddressSubnet => $"{new IPAddress(id.Address)}/{new IPAddress(id.SecondAddress)}",
            IdentificationType.Fqdn or IdentificationType.UserFqdn => Encoding.ASCII.GetString(id.Data),
            _ => null,
        };
        if (actual is not null)
        {
            Assert.True(expected == actual, $"{where}: identification data {actual}, dissection {expected}");
        }
    }

    private static void Equal(string? shown, long actual, string where)
    {
        Assert.True(shown is not null, $"{where}: field missing in dissection");
        Assert.True(Dissection.TrailingNumber(shown) == actual, $"{where}: {actual} but dissection shows '{shown}'");
    }

    private static void HexEqual(string? shown, ReadOnlySpan<byte> actual, string where) => HexEqual(shown, Convert.ToHexStringLower(actual), where);

    private static void HexEqual(string? shown, string actualHex, string where) =>
        Assert.True(Dissection.HexMatches(shown, actualHex), $"{where}: {actualHex} but dissection shows '{shown}'");
}

using System.Net;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol.NatTraversal;

/// <summary>
/// Reading the NAT-OA payloads of a Quick Mode message (RFC 3947 section 5.2): several are accepted (the first is
/// NAT-OAi, the second NAT-OAr, further ones are ignored), RFC and draft types may be mixed, other payloads in between
/// and malformed NAT-OAs are skipped.
/// </summary>
public class NatOriginalAddressReadingTests
{
    [Fact]
    public void SeveralNatOaPayloads_FirstTwoAreTaken_TheRestIgnored()
    {
        (IPAddress? oai, IPAddress? oar) = Read((ref IsakmpWriter w) =>
        {
            w.WriteHash(new byte[32]);
            w.WriteNatOriginalAddress(IdentificationType.Ipv4Address, [10, 0, 0, 5]);
            w.WriteNonce(new byte[16]);
            w.WriteNatOriginalAddress(IdentificationType.Ipv6Address, IPAddress.Parse("2001:db8::2").GetAddressBytes(), PayloadType.NatOriginalAddressDraft);
            w.WriteNatOriginalAddress(IdentificationType.Ipv4Address, [192, 0, 2, 9]);
            w.WriteNatOriginalAddress(IdentificationType.Ipv4Address, [192, 0, 2, 10], PayloadType.NatOriginalAddressDraft);
        });
        Assert.Equal(IPAddress.Parse("10.0.0.5"), oai);
        Assert.Equal(IPAddress.Parse("2001:db8::2"), oar);
    }

    [Fact]
    public void OneNatOa_IsTheInitiators_NoneGivesNothing()
    {
        Assert.Equal((IPAddress.Parse("10.0.0.5"), (IPAddress?)null),
            Read((ref IsakmpWriter w) => w.WriteNatOriginalAddress(IdentificationType.Ipv4Address, [10, 0, 0, 5])));
        Assert.Equal(((IPAddress?)null, (IPAddress?)null), Read((ref IsakmpWriter w) => w.WriteNonce(new byte[16])));
    }

    [Fact]
    public void MalformedNatOa_IsSkipped()
    {
        // A NAT-OA whose ID type says IPv4 but carries three bytes, then a good one.
        (IPAddress? oai, IPAddress? oar) = Read((ref IsakmpWriter w) =>
        {
            w.WritePayload(PayloadType.NatOriginalAddress, [(byte)IdentificationType.Ipv4Address, 0, 0, 0, 10, 0, 0]);
            w.WriteNatOriginalAddress(IdentificationType.Ipv4Address, [10, 0, 0, 6]);
        });
        Assert.Equal(IPAddress.Parse("10.0.0.6"), oai);
        Assert.Null(oar);
    }

    private delegate void Payloads(ref IsakmpWriter w);

    private static (IPAddress?, IPAddress?) Read(Payloads write)
    {
        byte[] buffer = new byte[512];
        var w = new IsakmpWriter(buffer);
        Assert.True(w.WriteHeader(new IsakmpHeader(1, 2, PayloadType.None, ExchangeType.QuickMode, IsakmpFlags.None, 7)));
        write(ref w);
        Assert.True(w.TryFinish(out int length));
        Assert.True(IsakmpHeader.TryReadUnchecked(buffer, out IsakmpHeader h));
        return Endpoint.ReadNatOriginalAddresses(buffer.AsSpan(IsakmpHeader.Size, length - IsakmpHeader.Size), h.NextPayload);
    }
}

using System.Net;
using Ike.Fast.Host.Kernel;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Tests.Native.Xfrm;
using Ike.Fast.Wire;
using Ike.Native.Xfrm;

namespace Ike.Fast.Tests.Host.Kernel;

/// <summary>
/// NAT-OA into the kernel: a UDP-encapsulated transport-mode SA carries the peer's original address (its NAT-OA
/// payload, RFC 3947 section 5.2) as encap_oa of XFRMA_ENCAP, for the checksum fix-up of RFC 3948 section 3.1.2,
/// byte for byte as `ip xfrm state add ... encap espinudp SPORT DPORT OA` sends it.
/// </summary>
public sealed class XfrmNatOriginalAddressTests : IClassFixture<XfrmNamespace>
{
    private static readonly IPAddress PeerPrivate = IPAddress.Parse("10.9.0.5");
    private static readonly IPAddress OurPublic = IPAddress.Parse("203.0.113.7");

    private readonly XfrmNamespace _ns;

    public XfrmNatOriginalAddressTests(XfrmNamespace ns)
    {
        _ns = ns;
    }

    [Fact]
    public void TheOriginalAddressIsThePeersOwnNatOa()
    {
        // The peer initiated the Quick Mode: its own address is NAT-OAi; NAT-OAr is ours as it addressed us.
        ChildSaInfo responder = EncapsulatedTransport(quickModeInitiator: false);
        Assert.Equal(PeerPrivate, responder.NatOriginalPeer);
        Assert.Equal(XfrmAddress.FromIPAddress(PeerPrivate), Sa(responder, inbound: true).EncapsulationOriginalAddress);
        Assert.Equal(XfrmAddress.FromIPAddress(PeerPrivate), Sa(responder, inbound: false).EncapsulationOriginalAddress);

        // We initiated: the peer (responder) put its own address second (NAT-OAr).
        ChildSaInfo initiator = EncapsulatedTransport(quickModeInitiator: true);
        initiator.NatOriginalInitiator = OurPublic;
        initiator.NatOriginalResponder = PeerPrivate;
        Assert.Equal(XfrmAddress.FromIPAddress(PeerPrivate), Sa(initiator, inbound: true).EncapsulationOriginalAddress);
    }

    [Fact]
    public void TunnelModeAndPeersWithoutNatOaLeaveItZero()
    {
        // Tunnel mode needs no fix-up (the inner packet is untouched by the NAT) and no NAT-OA is exchanged.
        ChildSaInfo tunnel = KernelTestData.Encapsulated();
        tunnel.NatOriginalInitiator = PeerPrivate;
        Assert.Equal(XfrmAddress.Any, Sa(tunnel, inbound: true).EncapsulationOriginalAddress);

        ChildSaInfo none = EncapsulatedTransport(quickModeInitiator: false);
        none.NatOriginalInitiator = null;
        Assert.Equal(XfrmAddress.Any, Sa(none, inbound: true).EncapsulationOriginalAddress);

        // A NAT-OA of the other family cannot go into this SA's encap_oa.
        ChildSaInfo v6 = EncapsulatedTransport(quickModeInitiator: false);
        v6.NatOriginalInitiator = IPAddress.Parse("2001:db8::5");
        Assert.Equal(XfrmAddress.Any, Sa(v6, inbound: true).EncapsulationOriginalAddress);
    }

    [RootFact]
    public void EncapsulatedTransportSasCarryTheOriginalAddressAsIproute2Does()
    {
        ChildSaInfo sa = EncapsulatedTransport(quickModeInitiator: false);
        AssertSame(Build(Sa(sa, inbound: true), update: true), "state", "update", "src", "10.0.0.2", "dst", "10.0.0.1", "proto", "esp",
            "spi", "0x00002000", "reqid", "1229324290", "mode", "transport", "replay-window", "32",
            "aead", "rfc4106(gcm(aes))", "0x" + Convert.ToHexStringLower(KernelTestData.GcmKeySalt), "128",
            "encap", "espinudp", "31000", "4500", "10.9.0.5",
            "sel", "src", "10.0.0.2/32", "dst", "10.0.0.1/32",
            "limit", "time-soft", "930", "limit", "time-hard", "1000", "limit", "byte-soft", "92160", "limit", "byte-hard", "102400");
        AssertSame(Build(Sa(sa, inbound: false), update: false), "state", "add", "src", "10.0.0.1", "dst", "10.0.0.2", "proto", "esp",
            "spi", "0x00003000", "reqid", "1229324290", "mode", "transport", "replay-window", "32",
            "aead", "rfc4106(gcm(aes))", "0x" + Convert.ToHexStringLower(KernelTestData.GcmKeySalt), "128",
            "encap", "espinudp", "4500", "31000", "10.9.0.5",
            "sel", "src", "10.0.0.1/32", "dst", "10.0.0.2/32",
            "limit", "time-soft", "930", "limit", "time-hard", "1000", "limit", "byte-soft", "92160", "limit", "byte-hard", "102400");
    }

    private static ChildSaInfo EncapsulatedTransport(bool quickModeInitiator)
    {
        ChildSaInfo sa = KernelTestData.TransportGcm();
        sa.UdpEncapsulated = true;
        sa.EncapsulationSourcePort = 4500;
        sa.EncapsulationDestinationPort = 31000;
        sa.QuickModeInitiator = quickModeInitiator;
        sa.NatOriginalInitiator = PeerPrivate;
        sa.NatOriginalResponder = OurPublic;
        return sa;
    }

    private static XfrmSaParameters Sa(ChildSaInfo sa, bool inbound) =>
        XfrmChildSa.Sa(sa, inbound, 0x49460002, XfrmChildSa.Lifetime(sa, null),
            sa.Encryption == EspTransformId.AesGcm16 ? XfrmEncryptionAlgorithm.AesGcm16 : XfrmEncryptionAlgorithm.AesCbc,
            sa.Integrity is null ? XfrmIntegrityAlgorithm.None : XfrmIntegrityAlgorithm.HmacSha256_128);

    private static byte[] Build(in XfrmSaParameters sa, bool update)
    {
        byte[] buffer = new byte[1024];
        int length = XfrmMessageBuilder.BuildSa(sa, update, buffer);
        Assert.True(length > 0, $"BuildSa failed: {length}");
        return buffer[..length];
    }

    private void AssertSame(byte[] ours, params string[] ipArguments)
    {
        Assert.True(IprouteCapture.LoggerPath is not null, "gcc is needed to build the sendmsg logger");
        List<byte[]> sent = IprouteCapture.Capture(_ns.Name, ipArguments);
        Assert.True(sent.Count == 1, $"ip sent {sent.Count} netlink messages for: ip xfrm {string.Join(' ', ipArguments)}");
        Assert.Equal(Convert.ToHexStringLower(IprouteCapture.Normalise(sent[0])), Convert.ToHexStringLower(IprouteCapture.Normalise(ours)));
    }
}

using Ike.Fast.Host.Kernel;
using Ike.Fast.Policy;
using Ike.Fast.Tests.Native.Xfrm;
using Ike.Fast.Wire;
using Ike.Native.Xfrm;

namespace Ike.Fast.Tests.Host.Kernel;

/// <summary>
/// The ChildSaInfo → XFRM mapping: algorithm names, lifetimes, selectors, and the exact SA/policy messages compared
/// byte for byte with what iproute2 sends for the same SA (captured from its sendmsg in a throw-away namespace).
/// </summary>
public sealed class XfrmChildSaTests : IClassFixture<XfrmNamespace>
{
    private readonly XfrmNamespace _ns;

    public XfrmChildSaTests(XfrmNamespace ns)
    {
        _ns = ns;
    }

    [Theory]
    [InlineData(EspTransformId.AesCbc, IpsecAuthenticationAlgorithm.HmacSha1, XfrmEncryptionAlgorithm.AesCbc, XfrmIntegrityAlgorithm.HmacSha1_96)]
    [InlineData(EspTransformId.TripleDes, IpsecAuthenticationAlgorithm.HmacSha2_256, XfrmEncryptionAlgorithm.TripleDesCbc, XfrmIntegrityAlgorithm.HmacSha256_128)]
    [InlineData(EspTransformId.AesCtr, IpsecAuthenticationAlgorithm.HmacSha2_384, XfrmEncryptionAlgorithm.AesCtr, XfrmIntegrityAlgorithm.HmacSha384_192)]
    [InlineData(EspTransformId.AesCbc, IpsecAuthenticationAlgorithm.HmacSha2_512, XfrmEncryptionAlgorithm.AesCbc, XfrmIntegrityAlgorithm.HmacSha512_256)]
    public void AlgorithmsMapToKernelTransforms(EspTransformId cipher, IpsecAuthenticationAlgorithm auth, XfrmEncryptionAlgorithm expectedCipher,
        XfrmIntegrityAlgorithm expectedIntegrity)
    {
        var sa = KernelTestData.Tunnel();
        sa = Copy(sa, cipher, auth);
        Assert.True(XfrmAlgorithms.TryMap(sa, out var encryption, out var integrity));
        Assert.Equal(expectedCipher, encryption);
        Assert.Equal(expectedIntegrity, integrity);
    }

    [Fact]
    public void GcmNeedsNoIntegrityAndUnknownCiphersAreRefused()
    {
        Assert.True(XfrmAlgorithms.TryMap(KernelTestData.TransportGcm(), out var encryption, out var integrity));
        Assert.Equal(XfrmEncryptionAlgorithm.AesGcm16, encryption);
        Assert.Equal(XfrmIntegrityAlgorithm.None, integrity);
        Assert.False(XfrmAlgorithms.TryMap(Copy(KernelTestData.Tunnel(), EspTransformId.Blowfish, IpsecAuthenticationAlgorithm.HmacSha1), out _, out _));
        Assert.False(XfrmAlgorithms.TryMap(Copy(KernelTestData.Tunnel(), EspTransformId.AesCbc, IpsecAuthenticationAlgorithm.AesXcbcMac), out _, out _));
    }

    [Fact]
    public void LifetimesComeFromTheChildsRekeyAndLifeTimes()
    {
        var child = new ChildConfig { Name = "net", RekeyTime = TimeSpan.FromMinutes(50), LifeTime = TimeSpan.FromHours(1) };
        var lifetime = XfrmChildSa.Lifetime(KernelTestData.Tunnel(), child);
        // The daemon rekeys at 3000 s; the kernel's soft EXPIRE comes 30 s later.
        Assert.Equal(3030ul, lifetime.SoftAddExpiresSeconds);
        Assert.Equal(3600ul, lifetime.HardAddExpiresSeconds);
        Assert.Equal(0ul, lifetime.HardByteLimit);

        // No configuration (or a rekey time beyond the negotiated life): 90% + 30 s; kilobytes to bytes.
        var gcm = XfrmChildSa.Lifetime(KernelTestData.TransportGcm(), null);
        Assert.Equal(930ul, gcm.SoftAddExpiresSeconds);
        Assert.Equal(1000ul, gcm.HardAddExpiresSeconds);
        Assert.Equal(102400ul, gcm.HardByteLimit);
        Assert.Equal(92160ul, gcm.SoftByteLimit);
    }

    [Fact]
    public void PrioritiesAreRecognisableAndNarrowerSelectorsComeFirst()
    {
        var sa = KernelTestData.Tunnel();
        var narrow = XfrmChildSa.Selector(sa, outbound: true);
        var wide = narrow with { SourcePrefixLength = 16 };
        Assert.True(XfrmOwnership.IsOwnedPriority(XfrmChildSa.Priority(narrow)));
        Assert.True(XfrmChildSa.Priority(narrow) < XfrmChildSa.Priority(wide));
        Assert.True(XfrmOwnership.IsOwnedReqId(XfrmOwnership.ReqIdBase + 1));
        Assert.False(XfrmOwnership.IsOwnedReqId(7));
    }

    [RootFact]
    public void TunnelSasMatchIproute2()
    {
        var sa = KernelTestData.Tunnel();
        var lifetime = XfrmChildSa.Lifetime(sa, null);
        var outbound = XfrmChildSa.Sa(sa, inbound: false, 0x49460001, lifetime, XfrmEncryptionAlgorithm.AesCbc, XfrmIntegrityAlgorithm.HmacSha256_128);
        AssertSame(BuildSa(outbound, update: false), "state", "add", "src", "192.0.2.1", "dst", "198.51.100.2", "proto", "esp",
            "spi", "0x0badf00d", "reqid", "1229324289", "mode", "tunnel", "replay-window", "32",
            "enc", "cbc(aes)", "0x" + Convert.ToHexStringLower(KernelTestData.Aes256Key),
            "auth-trunc", "hmac(sha256)", "0x" + Convert.ToHexStringLower(KernelTestData.Sha256Key), "128",
            "limit", "time-soft", "3270", "limit", "time-hard", "3600");
        var inbound = XfrmChildSa.Sa(sa, inbound: true, 0x49460001, lifetime, XfrmEncryptionAlgorithm.AesCbc, XfrmIntegrityAlgorithm.HmacSha256_128);
        AssertSame(BuildSa(inbound, update: true), "state", "update", "src", "198.51.100.2", "dst", "192.0.2.1", "proto", "esp",
            "spi", "0xc0ffee01", "reqid", "1229324289", "mode", "tunnel", "replay-window", "32",
            "enc", "cbc(aes)", "0x" + Convert.ToHexStringLower(KernelTestData.Aes256Key),
            "auth-trunc", "hmac(sha256)", "0x" + Convert.ToHexStringLower(KernelTestData.Sha256Key), "128",
            "limit", "time-soft", "3270", "limit", "time-hard", "3600");
    }

    [RootFact]
    public void TransportGcmSaMatchesIproute2()
    {
        var sa = KernelTestData.TransportGcm();
        var outbound = XfrmChildSa.Sa(sa, inbound: false, 0x49460002, XfrmChildSa.Lifetime(sa, null), XfrmEncryptionAlgorithm.AesGcm16,
            XfrmIntegrityAlgorithm.None);
        AssertSame(BuildSa(outbound, update: false), "state", "add", "src", "10.0.0.1", "dst", "10.0.0.2", "proto", "esp",
            "spi", "0x00003000", "reqid", "1229324290", "mode", "transport", "replay-window", "32",
            "aead", "rfc4106(gcm(aes))", "0x" + Convert.ToHexStringLower(KernelTestData.GcmKeySalt), "128",
            "sel", "src", "10.0.0.1/32", "dst", "10.0.0.2/32",
            "limit", "time-soft", "930", "limit", "time-hard", "1000", "limit", "byte-soft", "92160", "limit", "byte-hard", "102400");
    }

    [RootFact]
    public void EncapsulatedSasMatchIproute2()
    {
        // RFC 3948: outbound ESP-in-UDP from our 4500 to the peer's NAT port, inbound the reverse.
        var sa = KernelTestData.Encapsulated();
        var lifetime = XfrmChildSa.Lifetime(sa, null);
        var outbound = XfrmChildSa.Sa(sa, inbound: false, 0x49460001, lifetime, XfrmEncryptionAlgorithm.AesCbc, XfrmIntegrityAlgorithm.HmacSha256_128);
        AssertSame(BuildSa(outbound, update: false), "state", "add", "src", "192.0.2.1", "dst", "198.51.100.2", "proto", "esp",
            "spi", "0x0badf00d", "reqid", "1229324289", "mode", "tunnel", "replay-window", "32",
            "enc", "cbc(aes)", "0x" + Convert.ToHexStringLower(KernelTestData.Aes256Key),
            "auth-trunc", "hmac(sha256)", "0x" + Convert.ToHexStringLower(KernelTestData.Sha256Key), "128",
            "encap", "espinudp", "4500", "31000", "0.0.0.0",
            "limit", "time-soft", "3270", "limit", "time-hard", "3600");
        var inbound = XfrmChildSa.Sa(sa, inbound: true, 0x49460001, lifetime, XfrmEncryptionAlgorithm.AesCbc, XfrmIntegrityAlgorithm.HmacSha256_128);
        AssertSame(BuildSa(inbound, update: false), "state", "add", "src", "198.51.100.2", "dst", "192.0.2.1", "proto", "esp",
            "spi", "0xc0ffee01", "reqid", "1229324289", "mode", "tunnel", "replay-window", "32",
            "enc", "cbc(aes)", "0x" + Convert.ToHexStringLower(KernelTestData.Aes256Key),
            "auth-trunc", "hmac(sha256)", "0x" + Convert.ToHexStringLower(KernelTestData.Sha256Key), "128",
            "encap", "espinudp", "31000", "4500", "0.0.0.0",
            "limit", "time-soft", "3270", "limit", "time-hard", "3600");
    }

    [RootFact]
    public void NatRebindingUpdateMatchesIproute2()
    {
        // PeerEndpointChanged: the peer's NAT moved it to port 31001. XFRM_MSG_UPDSA with the new encapsulation; the
        // keys were zeroed after installation (the kernel keeps its own for a VALID state and copies only encap,
        // care-of address and lifetimes), as `ip xfrm state update` with zero keys sends.
        var sa = KernelTestData.Encapsulated(keysCleared: true);
        var lifetime = XfrmChildSa.Lifetime(sa, null);
        byte[] zeroAes = new byte[32];
        byte[] zeroSha = new byte[32];
        var inbound = XfrmChildSa.WithEncapsulation(
            XfrmChildSa.Sa(sa, inbound: true, 0x49460001, lifetime, XfrmEncryptionAlgorithm.AesCbc, XfrmIntegrityAlgorithm.HmacSha256_128),
            inbound: true, localPort: 4500, remotePort: 31001);
        AssertSame(BuildSa(inbound, update: true), "state", "update", "src", "198.51.100.2", "dst", "192.0.2.1", "proto", "esp",
            "spi", "0xc0ffee01", "reqid", "1229324289", "mode", "tunnel", "replay-window", "32",
            "enc", "cbc(aes)", "0x" + Convert.ToHexStringLower(zeroAes),
            "auth-trunc", "hmac(sha256)", "0x" + Convert.ToHexStringLower(zeroSha), "128",
            "encap", "espinudp", "31001", "4500", "0.0.0.0",
            "limit", "time-soft", "3270", "limit", "time-hard", "3600");
        var outbound = XfrmChildSa.WithEncapsulation(
            XfrmChildSa.Sa(sa, inbound: false, 0x49460001, lifetime, XfrmEncryptionAlgorithm.AesCbc, XfrmIntegrityAlgorithm.HmacSha256_128),
            inbound: false, localPort: 4500, remotePort: 31001);
        AssertSame(BuildSa(outbound, update: true), "state", "update", "src", "192.0.2.1", "dst", "198.51.100.2", "proto", "esp",
            "spi", "0x0badf00d", "reqid", "1229324289", "mode", "tunnel", "replay-window", "32",
            "enc", "cbc(aes)", "0x" + Convert.ToHexStringLower(zeroAes),
            "auth-trunc", "hmac(sha256)", "0x" + Convert.ToHexStringLower(zeroSha), "128",
            "encap", "espinudp", "4500", "31001", "0.0.0.0",
            "limit", "time-soft", "3270", "limit", "time-hard", "3600");
    }

    [RootFact]
    public void OutboundPolicyMatchesIproute2()
    {
        var sa = KernelTestData.Tunnel();
        var selector = XfrmChildSa.Selector(sa, outbound: true);
        XfrmTemplate[] templates = [XfrmChildSa.Template(sa, XfrmPolicyDirection.Out, 0x49460001)];
        var policy = new XfrmPolicyParameters
        {
            Selector = selector,
            Direction = XfrmPolicyDirection.Out,
            Action = XfrmPolicyAction.Allow,
            Priority = XfrmChildSa.Priority(selector),
            Templates = templates,
        };
        byte[] buffer = new byte[1024];
        int length = XfrmMessageBuilder.BuildPolicy(policy, update: false, buffer);
        Assert.True(length > 0);
        AssertSame(buffer[..length], "policy", "add", "src", "10.1.0.0/24", "dst", "10.2.0.0/24", "dir", "out",
            "priority", XfrmChildSa.Priority(selector).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "tmpl", "src", "192.0.2.1", "dst", "198.51.100.2", "proto", "esp", "reqid", "1229324289", "mode", "tunnel");
    }

    private static byte[] BuildSa(in XfrmSaParameters sa, bool update)
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

    private static Ike.Fast.Protocol.ChildSaInfo Copy(Ike.Fast.Protocol.ChildSaInfo sa, EspTransformId cipher, IpsecAuthenticationAlgorithm auth) => new()
    {
        Connection = sa.Connection,
        Child = sa.Child,
        Protocol = sa.Protocol,
        Mode = sa.Mode,
        LocalAddress = sa.LocalAddress,
        RemoteAddress = sa.RemoteAddress,
        InboundSpi = sa.InboundSpi,
        OutboundSpi = sa.OutboundSpi,
        Encryption = cipher,
        EncryptionKeyBits = sa.EncryptionKeyBits,
        Integrity = auth,
        InboundEncryptionKey = sa.InboundEncryptionKey,
        InboundIntegrityKey = sa.InboundIntegrityKey,
        OutboundEncryptionKey = sa.OutboundEncryptionKey,
        OutboundIntegrityKey = sa.OutboundIntegrityKey,
        LocalTs = sa.LocalTs,
        RemoteTs = sa.RemoteTs,
        LifetimeSeconds = sa.LifetimeSeconds,
    };
}

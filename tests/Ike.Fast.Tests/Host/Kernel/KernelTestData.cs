using System.Net;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Host.Kernel;

/// <summary>Known child SAs for the installer tests (documentation addresses, fixed keys).</summary>
internal static class KernelTestData
{
    public static readonly byte[] Aes256Key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    public static readonly byte[] Sha256Key = Convert.FromHexString("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    public static readonly byte[] GcmKeySalt = Convert.FromHexString("feffe9928665731c6d6a8f9467308308cafebabe");

    public static ChildSaInfo Tunnel(uint spiIn = 0xc0ffee01, uint spiOut = 0x0badf00d, string child = "net",
        string localTs = "10.1.0.0/24", string remoteTs = "10.2.0.0/24") => new()
    {
        Connection = "gw",
        Child = child,
        Protocol = IpsecProtocol.Esp,
        Mode = IpsecMode.Tunnel,
        LocalAddress = IPAddress.Parse("192.0.2.1"),
        RemoteAddress = IPAddress.Parse("198.51.100.2"),
        InboundSpi = spiIn,
        OutboundSpi = spiOut,
        Encryption = EspTransformId.AesCbc,
        EncryptionKeyBits = 256,
        Integrity = IpsecAuthenticationAlgorithm.HmacSha2_256,
        InboundEncryptionKey = [.. Aes256Key],
        InboundIntegrityKey = [.. Sha256Key],
        OutboundEncryptionKey = [.. Aes256Key],
        OutboundIntegrityKey = [.. Sha256Key],
        LocalTs = TrafficSelector.Parse(localTs),
        RemoteTs = TrafficSelector.Parse(remoteTs),
        LifetimeSeconds = 3600,
        LifetimeKilobytes = 0,
    };

    public static ChildSaInfo TransportGcm() => new()
    {
        Connection = "host",
        Child = "host",
        Protocol = IpsecProtocol.Esp,
        Mode = IpsecMode.Transport,
        LocalAddress = IPAddress.Parse("10.0.0.1"),
        RemoteAddress = IPAddress.Parse("10.0.0.2"),
        InboundSpi = 0x2000,
        OutboundSpi = 0x3000,
        Encryption = EspTransformId.AesGcm16,
        EncryptionKeyBits = 128,
        Integrity = null,
        InboundEncryptionKey = [.. GcmKeySalt],
        InboundIntegrityKey = [],
        OutboundEncryptionKey = [.. GcmKeySalt],
        OutboundIntegrityKey = [],
        LocalTs = TrafficSelector.Dynamic,
        RemoteTs = TrafficSelector.Dynamic,
        LifetimeSeconds = 1000,
        LifetimeKilobytes = 100,
    };

    /// <summary>A tunnel-mode pair behind a NAT (RFC 3948 ESP-in-UDP): ours from 4500, the peer's NAT port 31000.</summary>
    public static ChildSaInfo Encapsulated(bool keysCleared = false)
    {
        ChildSaInfo t = Tunnel();
        var sa = new ChildSaInfo
        {
            Connection = t.Connection,
            Child = t.Child,
            Protocol = t.Protocol,
            Mode = t.Mode,
            LocalAddress = t.LocalAddress,
            RemoteAddress = t.RemoteAddress,
            InboundSpi = t.InboundSpi,
            OutboundSpi = t.OutboundSpi,
            Encryption = t.Encryption,
            EncryptionKeyBits = t.EncryptionKeyBits,
            Integrity = t.Integrity,
            InboundEncryptionKey = t.InboundEncryptionKey,
            InboundIntegrityKey = t.InboundIntegrityKey,
            OutboundEncryptionKey = t.OutboundEncryptionKey,
            OutboundIntegrityKey = t.OutboundIntegrityKey,
            LocalTs = t.LocalTs,
            RemoteTs = t.RemoteTs,
            LifetimeSeconds = t.LifetimeSeconds,
            UdpEncapsulated = true,
            EncapsulationSourcePort = 4500,
            EncapsulationDestinationPort = 31000,
        };
        if (keysCleared)
        {
            sa.ClearKeys();
        }

        return sa;
    }
}

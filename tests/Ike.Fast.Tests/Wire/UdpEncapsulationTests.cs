using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

public class UdpEncapsulationTests
{
    [Fact]
    public void ClassifiesPort4500Datagrams()
    {
        Assert.Equal(UdpEncapsulatedKind.NatKeepalive, UdpEncapsulation.Classify([0xFF]));
        Assert.Equal(UdpEncapsulatedKind.Invalid, UdpEncapsulation.Classify([0x00]));
        Assert.Equal(UdpEncapsulatedKind.Invalid, UdpEncapsulation.Classify([]));
        Assert.Equal(UdpEncapsulatedKind.Ike, UdpEncapsulation.Classify([0, 0, 0, 0, 1]));
        Assert.Equal(UdpEncapsulatedKind.Esp, UdpEncapsulation.Classify([0xc2, 0x51, 0x96, 0xde, 0, 0, 0, 1]));
        Assert.True(UdpEncapsulation.IsNatKeepalive([0xFF]));
        Assert.False(UdpEncapsulation.IsNatKeepalive([0xFF, 0xFF]));
    }

    [Fact]
    public void StripsAndWritesTheNonEspMarker()
    {
        byte[] mm5 = VectorFile.Load("mm-psk-natt-aes128-sha256-modp2048__sw-sw").Messages[4].Bytes;
        byte[] datagram = new byte[4 + mm5.Length];
        Assert.True(UdpEncapsulation.TryWriteNonEspMarker(datagram));
        mm5.CopyTo(datagram, 4);
        Assert.True(UdpEncapsulation.TryStripNonEspMarker(datagram, out ReadOnlySpan<byte> isakmp));
        Assert.True(isakmp.SequenceEqual(mm5));
        Assert.True(IsakmpMessageReader.TryCreate(isakmp, out _, out _));
        Assert.False(UdpEncapsulation.TryStripNonEspMarker(mm5, out _));
        Assert.False(UdpEncapsulation.TryWriteNonEspMarker(new byte[3]));

        var keepalive = new byte[1];
        Assert.True(UdpEncapsulation.TryWriteNatKeepalive(keepalive));
        Assert.Equal(0xFF, keepalive[0]);
        Assert.False(UdpEncapsulation.TryWriteNatKeepalive([]));
    }
}

using Ike.Fast.Diagnostics;

namespace Ike.Fast.Tests.Diagnostics;

public class IkeDatagramTests
{
    [Fact]
    public void Port500IsAlwaysIsakmp()
    {
        byte[] message = [0, 0, 0, 0, 1, 2, 3];
        Assert.Equal(IkeDatagramKind.Isakmp, IkeDatagram.Classify(500, 500, message, out ReadOnlySpan<byte> isakmp, out bool marker));
        Assert.False(marker);
        Assert.Equal(message, isakmp.ToArray());
    }

    [Fact]
    public void Port4500SeparatesMarkerKeepaliveAndEsp()
    {
        Assert.Equal(IkeDatagramKind.Isakmp, IkeDatagram.Classify(4500, 4500, [0, 0, 0, 0, 9, 8], out ReadOnlySpan<byte> isakmp, out bool marker));
        Assert.True(marker);
        Assert.Equal([9, 8], isakmp.ToArray());

        Assert.Equal(IkeDatagramKind.NatKeepalive, IkeDatagram.Classify(4500, 4500, [0xFF], out _, out marker));
        Assert.False(marker);
        Assert.Equal(IkeDatagramKind.EspInUdp, IkeDatagram.Classify(34567, 4500, [0xC0, 0x22, 0xD0, 0x70, 0, 0, 0, 1], out _, out _));
        Assert.Equal(IkeDatagramKind.Malformed, IkeDatagram.Classify(4500, 4500, [0, 0], out _, out _));
        Assert.Equal(IkeDatagramKind.NotIke, IkeDatagram.Classify(53, 5353, [0, 0, 0, 0], out _, out _));
    }

    [Fact]
    public void WithoutPortsLeadingZerosAreTheMarker()
    {
        Assert.Equal(IkeDatagramKind.Isakmp, IkeDatagram.ClassifyWithoutPorts([0, 0, 0, 0, 7], out ReadOnlySpan<byte> isakmp, out bool marker));
        Assert.True(marker);
        Assert.Equal([7], isakmp.ToArray());
        Assert.Equal(IkeDatagramKind.Isakmp, IkeDatagram.ClassifyWithoutPorts([1, 0, 0, 0, 7], out isakmp, out marker));
        Assert.False(marker);
        Assert.Equal(5, isakmp.Length);
        Assert.Equal(IkeDatagramKind.NatKeepalive, IkeDatagram.ClassifyWithoutPorts([0xFF], out _, out _));
    }
}

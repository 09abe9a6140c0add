using System.Net;
using System.Net.Sockets;
using Ike.Native.Xfrm;

namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>UDP encapsulation and per-socket IPsec bypass on real sockets.</summary>
public sealed class XfrmSocketOptionsTests : IClassFixture<XfrmNamespace>
{
    private const int IpProtoUdp = 17;
    private const int UdpEncap = 100;
    private const int UdpEncapEspInUdp = 2;

    private readonly XfrmNamespace _ns;

    public XfrmSocketOptionsTests(XfrmNamespace ns)
    {
        _ns = ns;
    }

    [Fact]
    public void UdpEncapsulationIsSetOnTheSocket()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Span<byte> value = stackalloc byte[4];
        Assert.Equal(4, socket.GetRawSocketOption(IpProtoUdp, UdpEncap, value));
        Assert.Equal(0, BitConverter.ToInt32(value));

        Assert.Equal(XfrmStatus.Success, XfrmSocketOptions.SetUdpEncapsulation(socket));

        Assert.Equal(4, socket.GetRawSocketOption(IpProtoUdp, UdpEncap, value));
        Assert.Equal(UdpEncapEspInUdp, BitConverter.ToInt32(value));
    }

    [Fact]
    public void UdpEncapsulationOnIpv6SocketAndByDescriptor()
    {
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        Assert.Equal(XfrmStatus.Success, XfrmSocketOptions.SetUdpEncapsulation((int)socket.SafeHandle.DangerousGetHandle()));
        Span<byte> value = stackalloc byte[4];
        socket.GetRawSocketOption(IpProtoUdp, UdpEncap, value);
        Assert.Equal(UdpEncapEspInUdp, BitConverter.ToInt32(value));
    }

    [Fact]
    public void UdpEncapsulationOnATcpSocketOrBadDescriptorIsRefused()
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.Equal(XfrmStatus.InvalidSocket, XfrmSocketOptions.SetUdpEncapsulation(tcp));
        Assert.Equal(XfrmStatus.InvalidSocket, XfrmSocketOptions.SetUdpEncapsulation(-1));
        Assert.Equal(XfrmStatus.InvalidSocket, XfrmSocketOptions.SetIpsecBypass(-1, AddressFamily.InterNetwork));
        Assert.Equal(XfrmStatus.InvalidArgument, XfrmSocketOptions.SetIpsecBypass(0, AddressFamily.Unix));
    }

    [RootFact]
    public void BypassLetsTheSocketPassABlockPolicy()
    {
        // A block policy for 127.0.0.1 -> 127.0.0.3:9999/udp in the namespace: an ordinary socket is refused
        // (EPERM from xfrm_lookup), the bypassed one sends.
        using var policy = new XfrmBlockPolicy(_ns);
        using Socket ordinary = _ns.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        SocketException refused = Assert.Throws<SocketException>(() => ordinary.SendTo([1], XfrmBlockPolicy.Target));
        Assert.Equal(SocketError.AccessDenied, refused.SocketErrorCode);

        using Socket bypassed = _ns.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.Equal(XfrmStatus.Success, XfrmSocketOptions.SetIpsecBypass(bypassed));
        Assert.Equal(1, bypassed.SendTo([1], XfrmBlockPolicy.Target));
    }

    [RootFact]
    public void BypassIsAcceptedOnIpv6Sockets()
    {
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        Assert.Equal(XfrmStatus.Success, XfrmSocketOptions.SetIpsecBypass(socket));
    }
}

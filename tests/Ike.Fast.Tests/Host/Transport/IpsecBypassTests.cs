using System.Net;
using System.Net.Sockets;
using Ike.Fast.Host.Transport;
using Ike.Fast.Tests.Native.Xfrm;
using Ike.Native.Xfrm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Transport;

/// <summary>
/// The host's IKE sockets carry the per-socket IPsec bypass (issue #7): in a throw-away namespace, a block policy for
/// 127.0.0.1 -> 127.0.0.3:9999/udp refuses an ordinary socket (EPERM from xfrm_lookup), while the sockets of both
/// transports, created in the namespace, still send (root only).
/// </summary>
public sealed class IpsecBypassTests : IClassFixture<XfrmNamespace>
{
    private static readonly IPEndPoint Target = XfrmBlockPolicy.Target;
    private readonly XfrmNamespace _ns;

    public IpsecBypassTests(XfrmNamespace ns) => _ns = ns;

    [RootFact]
    public void BatchedTransportSocketsBypassIpsecPolicies() => WithBlockPolicy(() =>
    {
        using var set = _ns.Run(() => new UdpSocketSet([new IPEndPoint(IPAddress.Loopback, 0)], reusePort: false, steeringShards: 1, NullLogger.Instance));
        using var socket = new Socket(new SafeSocketHandle(set.Descriptors[0], ownsHandle: false));
        Assert.Equal(1, socket.SendTo([1], Target));
    });

    [RootFact]
    public void PlainTransportSocketsBypassIpsecPolicies() => WithBlockPolicy(() =>
    {
        using var receiver = _ns.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(Target);
        receiver.ReceiveTimeout = 5000;
        using var transport = _ns.Run(() => new UdpDatagramTransport([new IPEndPoint(IPAddress.Loopback, 0)], NullLogger.Instance));
        transport.Send([7], transport.LocalEndPoints[0], Target);
        var buffer = new byte[16];
        Assert.Equal(1, receiver.Receive(buffer));
        Assert.Equal(7, buffer[0]);
    });

    private void WithBlockPolicy(Action test)
    {
        using var policy = new XfrmBlockPolicy(_ns);
        // The policy is in force: an ordinary socket is refused.
        using var ordinary = _ns.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.Equal(SocketError.AccessDenied, Assert.Throws<SocketException>(() => ordinary.SendTo([1], Target)).SocketErrorCode);
        test();
    }
}

using System.Net.Sockets;
using Ike.Native.Xfrm;

namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>
/// An outbound block policy for 127.0.0.1 -> 127.0.0.3:9999/udp in a test namespace, removed on dispose: an ordinary
/// socket's send is then refused (EPERM from xfrm_lookup), a socket with the per-socket bypass still sends.
/// </summary>
internal sealed class XfrmBlockPolicy : IDisposable
{
    private const byte IpProtoUdp = 17;

    private readonly XfrmSocket _socket;

    private readonly XfrmSelector _selector = new()
    {
        Family = AddressFamily.InterNetwork,
        Source = XfrmAddress.Parse("127.0.0.1"),
        SourcePrefixLength = 32,
        Destination = XfrmAddress.Parse("127.0.0.3"),
        DestinationPrefixLength = 32,
        Protocol = IpProtoUdp,
        DestinationPort = 9999,
    };

    public XfrmBlockPolicy(XfrmNamespace ns)
    {
        Assert.Equal(XfrmStatus.Success, XfrmSocket.Open(ns.Path, out var socket));
        _socket = socket!;
        Assert.Equal(XfrmStatus.Success, _socket.AddPolicy(new XfrmPolicyParameters
        {
            Selector = _selector,
            Direction = XfrmPolicyDirection.Out,
            Action = XfrmPolicyAction.Block,
        }));
    }

    /// <summary>The destination the policy blocks.</summary>
    public static System.Net.IPEndPoint Target { get; } = new(System.Net.IPAddress.Parse("127.0.0.3"), 9999);

    public void Dispose()
    {
        try
        {
            Assert.Equal(XfrmStatus.Success, _socket.DeletePolicy(_selector, XfrmPolicyDirection.Out));
        }
        finally
        {
            _socket.Dispose();
        }
    }
}

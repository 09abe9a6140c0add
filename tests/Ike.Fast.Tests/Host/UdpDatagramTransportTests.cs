using System.Net;
using Ike.Fast.Host.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host;

public class UdpDatagramTransportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public void SendsAndReceivesWithBothAddresses()
    {
        using var a = new UdpDatagramTransport([new IPEndPoint(IPAddress.Loopback, 0)], NullLogger.Instance);
        using var b = new UdpDatagramTransport([new IPEndPoint(IPAddress.Loopback, 0)], NullLogger.Instance);
        var aEnd = Assert.Single(a.LocalEndPoints);
        var bEnd = Assert.Single(b.LocalEndPoints);
        Assert.NotEqual(0, aEnd.Port);

        a.Send([1, 2, 3], aEnd, bEnd);
        var buffer = new byte[100];
        Assert.True(b.TryReceive(buffer, Wait, out var datagram));
        Assert.Equal(3, datagram.Length);
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);
        Assert.Equal(bEnd, datagram.Local);
        Assert.Equal(aEnd, datagram.Remote);
    }

    [Fact]
    public void WildcardSocketReportsTheDestinationAddress()
    {
        // IP_PKTINFO: the engine must learn which local address a datagram reached even on 0.0.0.0.
        using var wildcard = new UdpDatagramTransport([new IPEndPoint(IPAddress.Any, 0)], NullLogger.Instance);
        using var sender = new UdpDatagramTransport([new IPEndPoint(IPAddress.Loopback, 0)], NullLogger.Instance);
        var port = wildcard.LocalEndPoints[0].Port;
        sender.Send([9], sender.LocalEndPoints[0], new IPEndPoint(IPAddress.Loopback, port));
        Assert.True(wildcard.TryReceive(new byte[10], Wait, out var datagram));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), datagram.Local);
    }

    [Fact]
    public void SeveralSocketsAreAllServed()
    {
        using var two = new UdpDatagramTransport(
            [new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0)], NullLogger.Instance);
        using var sender = new UdpDatagramTransport([new IPEndPoint(IPAddress.Loopback, 0)], NullLogger.Instance);
        sender.Send([1], sender.LocalEndPoints[0], two.LocalEndPoints[0]);
        sender.Send([2], sender.LocalEndPoints[0], two.LocalEndPoints[1]);
        var buffer = new byte[10];
        var seen = new List<(byte, IPEndPoint)>();
        for (var i = 0; i < 2; i++)
        {
            Assert.True(two.TryReceive(buffer, Wait, out var datagram));
            seen.Add((buffer[0], datagram.Local));
        }

        Assert.Contains(((byte)1, two.LocalEndPoints[0]), seen);
        Assert.Contains(((byte)2, two.LocalEndPoints[1]), seen);
    }

    [Fact]
    public void ReceiveTimesOut()
    {
        using var a = new UdpDatagramTransport([new IPEndPoint(IPAddress.Loopback, 0)], NullLogger.Instance);
        Assert.False(a.TryReceive(new byte[10], TimeSpan.FromMilliseconds(20), out _));
    }

    [Fact]
    public void AddressInUseFails()
    {
        using var a = new UdpDatagramTransport([new IPEndPoint(IPAddress.Loopback, 0)], NullLogger.Instance);
        Assert.Throws<System.Net.Sockets.SocketException>(() =>
            new UdpDatagramTransport([a.LocalEndPoints[0]], NullLogger.Instance).Dispose());
    }
}

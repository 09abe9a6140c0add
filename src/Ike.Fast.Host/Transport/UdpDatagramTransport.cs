using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Transport;

/// <summary>
/// UDP sockets, one per listen address (each set up by <see cref="IkeSocket"/>), read one datagram at a time: the
/// transport for platforms or builds without the native batched one.
/// </summary>
public sealed class UdpDatagramTransport : IDatagramTransport
{
    private readonly List<Socket> _sockets = [];
    private readonly List<IPEndPoint> _localEndPoints = [];
    private readonly List<Socket> _readable = [];
    private readonly ILogger _logger;
    private int _next;

    /// <summary>Binds every address; an IPv6 wildcard on a host without IPv6 is skipped with a warning.</summary>
    public UdpDatagramTransport(IEnumerable<IPEndPoint> listen, ILogger logger)
    {
        _logger = logger;
        foreach (var endPoint in listen)
        {
            Socket? socket;
            try
            {
                socket = IkeSocket.TryBind(endPoint, reusePort: false, logger);
            }
            catch
            {
                Dispose();
                throw;
            }

            if (socket is null)
            {
                continue;
            }

            var bound = (IPEndPoint)socket.LocalEndPoint!;
            _sockets.Add(socket);
            _localEndPoints.Add(bound);
        }

        if (_sockets.Count == 0)
        {
            throw new InvalidOperationException("No listen address could be bound.");
        }
    }

    public IReadOnlyList<IPEndPoint> LocalEndPoints => _localEndPoints;

    public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedDatagram datagram)
    {
        datagram = default;
        var socket = WaitReadable(timeout);
        if (socket is null)
        {
            return false;
        }

        var bound = (IPEndPoint)socket.LocalEndPoint!;
        EndPoint from = bound.AddressFamily == AddressFamily.InterNetworkV6
            ? new IPEndPoint(IPAddress.IPv6Any, 0)
            : new IPEndPoint(IPAddress.Any, 0);
        var flags = SocketFlags.None;
        int length;
        IPPacketInformation info;
        try
        {
            length = socket.ReceiveMessageFrom(buffer, ref flags, ref from, out info);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
        {
            // ICMP port unreachable from an earlier send, or an oversized datagram: not the loop's concern.
            _logger.LogDebug("receive on {Local}: {Error}", bound, e.SocketErrorCode);
            return false;
        }

        var local = bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any)
            ? new IPEndPoint(info.Address, bound.Port)
            : bound;
        datagram = new ReceivedDatagram(length, local, (IPEndPoint)from);
        return true;
    }

    public IPEndPoint Send(ReadOnlySpan<byte> datagram, IPEndPoint local, IPEndPoint remote)
    {
        var index = SocketFor(local, remote);
        var socket = _sockets[index];
        var bound = _localEndPoints[index];
        var from = bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any)
            ? new IPEndPoint(local.Address, bound.Port)
            : bound;
        try
        {
            socket.SendTo(datagram, SocketFlags.None, remote);
        }
        catch (SocketException e)
        {
            // A send failure (no route, peer gone) must not stop the daemon; the engine retransmits.
            _logger.LogWarning("send {Length} bytes {Local} -> {Remote} failed: {Error}", datagram.Length, from, remote, e.SocketErrorCode);
        }

        return from;
    }

    private Socket? WaitReadable(TimeSpan timeout)
    {
        var micros = (int)Math.Clamp(timeout.Ticks / 10, 0, int.MaxValue);
        if (_sockets.Count == 1)
        {
            return _sockets[0].Poll(micros, SelectMode.SelectRead) ? _sockets[0] : null;
        }

        // Round-robin among ready sockets so a busy one cannot starve the others.
        for (var i = 0; i < _sockets.Count; i++)
        {
            var candidate = _sockets[(_next + i) % _sockets.Count];
            if (candidate.Available > 0)
            {
                _next = (_next + i + 1) % _sockets.Count;
                return candidate;
            }
        }

        _readable.Clear();
        _readable.AddRange(_sockets);
        Socket.Select(_readable, null, null, micros);
        return _readable.Count > 0 ? _readable[0] : null;
    }

    /// <summary>The socket bound to exactly <paramref name="local"/>, else a wildcard one on its port, else any of the family.</summary>
    private int SocketFor(IPEndPoint local, IPEndPoint remote) => SendSocketChoice.Index(_localEndPoints, local, remote);

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _sockets.Clear();
    }
}

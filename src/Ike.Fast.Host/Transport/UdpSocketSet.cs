using System.Net;
using System.Net.Sockets;
using Ike.Native.Udp;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Transport;

/// <summary>
/// The UDP sockets of one shard (SO_REUSEPORT: every shard binds the same addresses) or of the dispatcher: one per
/// listen address, each set up by <see cref="IkeSocket"/>, plus the address-steering program.
/// </summary>
internal sealed class UdpSocketSet : IDisposable
{
    public const int NatTraversalPort = IkeSocket.NatTraversalPort;

    private readonly List<Socket> _sockets = [];

    /// <param name="listen">Addresses to bind (ports already resolved for every shard after the first).</param>
    /// <param name="reusePort">SO_REUSEPORT before bind.</param>
    /// <param name="steeringShards">With <paramref name="reusePort"/>: attach the address-steering program for this many
    /// shards (0 or 1: none, the kernel hashes the 4-tuple).</param>
    /// <param name="steeringSeed">The seed of the steering program's hash (the daemon's, drawn per start).</param>
    public UdpSocketSet(IEnumerable<IPEndPoint> listen, bool reusePort, int steeringShards, ILogger logger, ulong steeringSeed = 0)
    {
        foreach (var endPoint in listen)
        {
            Socket? socket;
            try
            {
                socket = IkeSocket.TryBind(endPoint, reusePort, logger);
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
            if (reusePort && steeringShards > 1)
            {
                var steering = UdpBatch.AttachAddressSteering(socket, bound.AddressFamily == AddressFamily.InterNetworkV6, steeringShards,
                    steeringSeed);
                if (steering < 0)
                {
                    logger.LogWarning("address steering program refused on {EndPoint} (errno {Errno}): misdirected datagrams are forwarded between shards",
                        bound, -steering);
                }
            }

            _sockets.Add(socket);
            LocalEndPoints.Add(bound);
            Descriptors.Add(UdpBatch.Descriptor(socket));
            IsWildcard.Add(SendSocketChoice.IsWildcard(bound.Address));
        }

        if (_sockets.Count == 0)
        {
            throw new InvalidOperationException("No listen address could be bound.");
        }
    }

    /// <summary>
    /// Fails (SocketException, address in use) if another socket holds one of <paramref name="listen"/>: SO_REUSEPORT
    /// would otherwise let a second daemon of the same user join the group and take part of the traffic silently. A
    /// plain bind (no SO_REUSEPORT) is refused by any existing binding; the probe is closed again at once.
    /// </summary>
    public static void EnsureFree(IEnumerable<IPEndPoint> listen)
    {
        foreach (var endPoint in listen.Where(e => e.Port != 0))
        {
            using var probe = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                probe.DualMode = false;
            }

            try
            {
                probe.Bind(endPoint);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable
                                            && endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // No IPv6 here: the set itself skips the wildcard with a warning.
            }
        }
    }

    public List<IPEndPoint> LocalEndPoints { get; } = [];

    public List<int> Descriptors { get; } = [];

    public List<bool> IsWildcard { get; } = [];

    public int Count => _sockets.Count;

    /// <summary>The socket bound to exactly <paramref name="local"/>, else a wildcard one on its port, else any of the family.</summary>
    public int SocketFor(IPEndPoint local, IPEndPoint remote) => SendSocketChoice.Index(LocalEndPoints, local, remote);

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _sockets.Clear();
    }
}

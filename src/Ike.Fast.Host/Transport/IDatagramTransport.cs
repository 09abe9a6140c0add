using System.Net;

namespace Ike.Fast.Host.Transport;

/// <summary>
/// The daemon loop's view of the network: blocking receive with a timeout and send, nothing else. Production uses
/// <see cref="UdpDatagramTransport"/>; tests may substitute an in-memory one. Used from the loop thread only.
/// </summary>
public interface IDatagramTransport : IDisposable
{
    /// <summary>The bound addresses (ports resolved when 0 was asked for).</summary>
    IReadOnlyList<IPEndPoint> LocalEndPoints { get; }

    /// <summary>Waits up to <paramref name="timeout"/> for one datagram; false when none arrived.</summary>
    bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedDatagram datagram);

    /// <summary>
    /// Sends from <paramref name="local"/> (or the closest bound socket) to <paramref name="remote"/>; returns the
    /// address actually sent from, for the log.
    /// </summary>
    IPEndPoint Send(ReadOnlySpan<byte> datagram, IPEndPoint local, IPEndPoint remote);
}

using System.Net;
using System.Net.Sockets;
using Ike.Native.Udp;
using Ike.Native.Xfrm;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Transport;

/// <summary>
/// One bound IKE socket, the same for both transports (<see cref="UdpSocketSet"/>, <see cref="UdpDatagramTransport"/>):
/// IPv4 and IPv6 apart (<c>IPV6_V6ONLY</c>); <c>IP_PKTINFO</c>/<c>IPV6_RECVPKTINFO</c>, so a wildcard socket reports the
/// address a datagram was sent to (the engine keys responder state and chooses identities by it, RFC 2409 section 5);
/// UDP_ENCAP_ESPINUDP on port 4500, so the kernel takes ESP-in-UDP and passes up only non-ESP-marked IKE (RFC 3948
/// section 2.2); and the per-socket IPsec bypass, so IKE is never caught by the policies it negotiates (a host-to-host
/// transport pair, or a tunnel whose selectors cover the gateways, would otherwise take the next rekey's own packets
/// into the SA it replaces), as charon and pluto set. The last two need the native library, and the bypass needs
/// CAP_NET_ADMIN: without them (the embedded default) there is no kernel state for them to matter to.
/// </summary>
internal static class IkeSocket
{
    public const int NatTraversalPort = 4500;

    /// <summary>
    /// Binds <paramref name="endPoint"/> (SO_REUSEPORT first when <paramref name="reusePort"/>); null, with a warning,
    /// for an IPv6 wildcard on a host without IPv6. Other failures throw, the socket disposed.
    /// </summary>
    public static Socket? TryBind(IPEndPoint endPoint, bool reusePort, ILogger logger)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            }

            if (reusePort && UdpBatch.SetReusePort(socket) is var reuse and < 0)
            {
                throw new SocketException(-reuse);
            }

            socket.Bind(endPoint);
        }
        catch (SocketException e) when (endPoint.AddressFamily == AddressFamily.InterNetworkV6
                                        && endPoint.Address.Equals(IPAddress.IPv6Any)
                                        && e.SocketErrorCode is SocketError.AddressFamilyNotSupported
                                            or SocketError.AddressNotAvailable)
        {
            socket.Dispose();
            logger.LogWarning("IPv6 is not available, not listening on {EndPoint}", endPoint);
            return null;
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (UdpBatch.IsSupported)
        {
            var bound = (IPEndPoint)socket.LocalEndPoint!;
            if (bound.Port == NatTraversalPort && XfrmSocketOptions.SetUdpEncapsulation(socket) != XfrmStatus.Success)
            {
                logger.LogDebug("UDP_ENCAP_ESPINUDP not set on {EndPoint}: ESP-in-UDP will not reach the kernel", bound);
            }

            if (XfrmSocketOptions.SetIpsecBypass(socket) is var bypass && bypass != XfrmStatus.Success)
            {
                logger.LogDebug("IPsec bypass policy not set on {EndPoint}: {Status}", bound, bypass);
            }
        }

        return socket;
    }
}

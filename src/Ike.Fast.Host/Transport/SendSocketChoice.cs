using System.Net;

namespace Ike.Fast.Host.Transport;

/// <summary>
/// Which of a transport's bound sockets sends a reply (both transports share it): the one bound to exactly the local
/// address the request arrived on, else a wildcard one on that port (IP_PKTINFO then sets the source), else any of the
/// remote's family, so the peer sees the reply come from the address and port it sent to (RFC 3947 §4 after the float).
/// </summary>
internal static class SendSocketChoice
{
    public static int Index(IReadOnlyList<IPEndPoint> bound, IPEndPoint local, IPEndPoint remote)
    {
        var wildcard = -1;
        var sameFamily = -1;
        for (var i = 0; i < bound.Count; i++)
        {
            var candidate = bound[i];
            if (candidate.AddressFamily != remote.AddressFamily)
            {
                continue;
            }

            if (candidate.Port == local.Port)
            {
                if (candidate.Address.Equals(local.Address))
                {
                    return i;
                }

                if (wildcard < 0 && IsWildcard(candidate.Address))
                {
                    wildcard = i;
                }
            }

            if (sameFamily < 0)
            {
                sameFamily = i;
            }
        }

        return wildcard >= 0 ? wildcard : sameFamily >= 0 ? sameFamily : 0;
    }

    public static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}

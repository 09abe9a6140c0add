using System.Net;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// Allocates inbound IPsec SPIs. The kernel owns the SPI space (XFRM_MSG_ALLOCSPI), so the host supplies them;
/// tests use a deterministic counter. Called synchronously on the packet path: an implementation that talks to
/// the kernel should pre-allocate a pool.
/// </summary>
public interface ISpiAllocator
{
    /// <summary>A fresh inbound SPI (never 0 or 1..255, RFC 4303 §2.1) for traffic from <paramref name="remote"/>.</summary>
    uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote);

    /// <summary>Returns an SPI whose negotiation failed (never installed).</summary>
    void Release(IpsecProtocol protocol, uint spi);
}

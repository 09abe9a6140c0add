using System.Net;

namespace Ike.Fast.Protocol;

/// <summary>One datagram to send, as returned by <see cref="Endpoint.PollTransmit"/>: the first
/// <see cref="Length"/> bytes of the caller's buffer, from <see cref="Local"/> to <see cref="Remote"/>.</summary>
/// <param name="Local">Source address and port (the address the peer's traffic arrived on, or the configured one).</param>
/// <param name="Remote">Destination address and port.</param>
/// <param name="Length">Bytes written to the caller's buffer (an ISAKMP message, no non-ESP marker).</param>
public readonly record struct Transmit(IPEndPoint Local, IPEndPoint Remote, int Length)
{
    /// <summary>
    /// A NAT keepalive (RFC 3948 §2.3: the single byte 0xFF to port 4500): sent as is, without the non-ESP marker
    /// that precedes IKE messages on port 4500.
    /// </summary>
    public bool IsNatKeepalive => Length == 1;
}

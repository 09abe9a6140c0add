namespace Ike.Fast.Diagnostics;

/// <summary>What a UDP datagram to or from the IKE ports carries (RFC 3947, RFC 3948).</summary>
public enum IkeDatagramKind
{
    /// <summary>Neither port is 500 nor 4500.</summary>
    NotIke = 0,

    /// <summary>An ISAKMP message (on port 4500 after its non-ESP marker).</summary>
    Isakmp,

    /// <summary>A NAT-keepalive: the single byte 0xFF on port 4500 (RFC 3948 section 2.3).</summary>
    NatKeepalive,

    /// <summary>An ESP packet encapsulated in UDP on port 4500: the first four bytes are a non-zero SPI (RFC 3948 section 2.2).</summary>
    EspInUdp,

    /// <summary>A port-4500 datagram too short to be any of the above.</summary>
    Malformed,
}

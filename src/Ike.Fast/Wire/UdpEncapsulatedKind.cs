namespace Ike.Fast.Wire;

/// <summary>Content of a UDP-encapsulated (port 4500) datagram, RFC 3948 §2.</summary>
public enum UdpEncapsulatedKind : byte
{
    Invalid = 0,
    NatKeepalive,
    Ike,
    Esp,
}

namespace Ike.Fast.Wire;

/// <summary>Values of the IPsec Encapsulation Mode attribute (RFC 2407 §4.5, RFC 3947 §5 and the NAT-T draft values).</summary>
public enum EncapsulationMode : ushort
{
    Tunnel = 1,
    Transport = 2,
    UdpTunnel = 3,
    UdpTransport = 4,
    UdpTunnelDraft = 61443,
    UdpTransportDraft = 61444,
}

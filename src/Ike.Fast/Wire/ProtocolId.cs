namespace Ike.Fast.Wire;

/// <summary>Protocol identifiers of proposals, notifications and deletes (RFC 2407 §4.4.1).</summary>
public enum ProtocolId : byte
{
    None = 0,
    Isakmp = 1,
    IpsecAh = 2,
    IpsecEsp = 3,
    IpComp = 4,
}

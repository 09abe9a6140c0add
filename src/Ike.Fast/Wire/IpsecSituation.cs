namespace Ike.Fast.Wire;

/// <summary>IPsec DOI situation bitmap (RFC 2407 §4.2).</summary>
[Flags]
public enum IpsecSituation : uint
{
    None = 0,
    IdentityOnly = 0x01,
    Secrecy = 0x02,
    Integrity = 0x04,
}

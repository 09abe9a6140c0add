namespace Ike.Fast.Policy;

/// <summary>IPsec encapsulation mode of a child SA (swanctl.conf <c>children.mode</c>; RFC 2407 §4.5).</summary>
public enum IpsecMode
{
    /// <summary>Tunnel mode.</summary>
    Tunnel = 0,

    /// <summary>Transport mode.</summary>
    Transport = 1,
}

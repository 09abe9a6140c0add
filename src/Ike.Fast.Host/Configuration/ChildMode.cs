namespace Ike.Fast.Host.Configuration;

/// <summary>swanctl's <c>children.NAME.mode</c>: the IPsec encapsulation mode (RFC 2407 section 4.5, Encapsulation Mode).</summary>
public enum ChildMode
{
    Tunnel,
    Transport,
}

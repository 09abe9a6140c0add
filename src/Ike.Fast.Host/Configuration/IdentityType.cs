namespace Ike.Fast.Host.Configuration;

/// <summary>
/// The Identification payload types a configured <c>id</c> maps to (RFC 2407 section 4.6.2.1), chosen from the text
/// the way strongSwan does: an IP address, <c>@fqdn</c> or a bare host name, <c>user@fqdn</c>, or a DN with <c>=</c>.
/// </summary>
public enum IdentityType
{
    /// <summary>No identity configured: the peer's is accepted (swanctl's <c>%any</c>).</summary>
    Any,
    Ipv4Address,
    Ipv6Address,
    Fqdn,
    UserFqdn,
    DerAsn1Dn,
}

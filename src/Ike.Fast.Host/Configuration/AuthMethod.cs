namespace Ike.Fast.Host.Configuration;

/// <summary>
/// swanctl's <c>local.auth</c>/<c>remote.auth</c> for IKEv1. IKEv1 negotiates ONE authentication method for the whole
/// ISAKMP SA (RFC 2409 section 5: the Authentication Method attribute of the Phase 1 SA), so both sides must agree.
/// </summary>
public enum AuthMethod
{
    /// <summary>Pre-shared key (RFC 2409 section 5.4).</summary>
    Psk,

    /// <summary>RSA signatures with certificates (RFC 2409 section 5.1).</summary>
    Pubkey,
}

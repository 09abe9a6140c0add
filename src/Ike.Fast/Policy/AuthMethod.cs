namespace Ike.Fast.Policy;

/// <summary>Authentication of one side (swanctl.conf <c>local.auth</c> / <c>remote.auth</c>).</summary>
public enum AuthMethod
{
    /// <summary>Pre-shared key (RFC 2409 §5.4).</summary>
    Psk = 0,

    /// <summary>RSA signatures with X.509 certificates (RFC 2409 §5.1).</summary>
    PubKey = 1,
}

using System.Security.Cryptography.X509Certificates;

namespace Ike.Fast.Policy;

/// <summary>
/// One side's authentication (swanctl.conf <c>local</c>/<c>remote</c> sections): method, identity and, for
/// public-key authentication, our certificate with its private key (local) or the trusted CAs (remote).
/// A null <see cref="Identity"/> means the IP address (local) or "any identity" (remote, %any).
/// </summary>
public sealed class AuthConfig
{
    /// <summary>psk or pubkey.</summary>
    public AuthMethod Method { get; init; } = AuthMethod.Psk;

    /// <summary>The identity (swanctl.conf <c>id</c>); null = our address / accept any.</summary>
    public IkeIdentity? Identity { get; init; }

    /// <summary>Local pubkey: our certificate with private key (swanctl.conf <c>certs</c>).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Remote pubkey: trust anchors the peer's chain must lead to (swanctl.conf <c>cacerts</c>).</summary>
    public IReadOnlyList<X509Certificate2> CaCertificates { get; init; } = [];
}

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// swanctl's <c>local { }</c> / <c>remote { }</c> round: the authentication method, the identity, and the
/// certificates (full paths, resolved against the configuration file's folder).
/// </summary>
public sealed record AuthDefinition(
    AuthMethod Auth,
    IdentityDefinition Id,
    IReadOnlyList<string> Certs,
    IReadOnlyList<string> CaCerts);

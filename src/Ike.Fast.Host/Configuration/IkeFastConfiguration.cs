using System.Security.Cryptography;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// A loaded and validated configuration: what swanctl.conf holds (connections, secrets) plus the daemon settings.
/// Disposing zeroes the secret bytes it owns.
/// </summary>
public sealed class IkeFastConfiguration(
    IReadOnlyList<ConnectionDefinition> connections,
    IReadOnlyList<SecretDefinition> secrets,
    DaemonSettings daemon) : IDisposable
{
    public IReadOnlyList<ConnectionDefinition> Connections { get; } = connections;

    public IReadOnlyList<SecretDefinition> Secrets { get; } = secrets;

    public DaemonSettings Daemon { get; } = daemon;

    /// <summary>The pre-shared key for a peer identity: the first <c>ike-*</c> entry that matches, as strongSwan.</summary>
    public SecretDefinition? FindIkeSecret(IdentityDefinition peer)
    {
        // Prefer an entry naming the peer over a wildcard one.
        SecretDefinition? wildcard = null;
        foreach (var secret in Secrets)
        {
            if (secret.Kind != SecretKind.Ike || !secret.Matches(peer))
            {
                continue;
            }

            if (secret.Ids.Count > 0 && secret.Ids.Any(id => id == peer))
            {
                return secret;
            }

            wildcard ??= secret;
        }

        return wildcard;
    }

    public void Dispose()
    {
        foreach (var secret in Secrets)
        {
            CryptographicOperations.ZeroMemory(secret.Secret);
        }
    }
}

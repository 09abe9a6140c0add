using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ike.Fast.Policy;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// A loaded and validated configuration: the engine's Policy model (one <see cref="PeerConfig"/> per swanctl
/// connection, the pre-shared keys in an <see cref="InMemorySecretStore"/>) plus the daemon settings. Disposing
/// zeroes the secret bytes and releases the certificates (and their private keys) it loaded.
/// </summary>
public sealed class IkeFastConfiguration : IDisposable
{
    private readonly IReadOnlyList<byte[]> _secretBytes;
    private readonly IReadOnlyList<X509Certificate2> _certificates;

    internal IkeFastConfiguration(
        IReadOnlyList<PeerConfig> connections,
        InMemorySecretStore secrets,
        int secretCount,
        DaemonSettings daemon,
        IReadOnlyList<byte[]> secretBytes,
        IReadOnlyList<X509Certificate2> certificates,
        Protocol.Transaction.IXauthBackend? xauthBackend = null)
    {
        XauthBackend = xauthBackend;
        Connections = connections;
        Secrets = secrets;
        SecretCount = secretCount;
        Daemon = daemon;
        _secretBytes = secretBytes;
        _certificates = certificates;
    }

    public IReadOnlyList<PeerConfig> Connections { get; }

    /// <summary>The <c>secrets.ike-*</c> pre-shared keys, for the engine.</summary>
    public InMemorySecretStore Secrets { get; }

    /// <summary>How many <c>secrets</c> entries were loaded (for the start-up log; never their values).</summary>
    public int SecretCount { get; }

    public DaemonSettings Daemon { get; }

    /// <summary>
    /// The XAUTH server's user check, loaded from <c>daemon.xauth_users</c> (null when no file is configured); the
    /// daemon hands it to the engine as <see cref="Protocol.EndpointOptions.XauthBackend"/>.
    /// </summary>
    public Protocol.Transaction.IXauthBackend? XauthBackend { get; }

    /// <summary>The children whose <c>start_action=start</c> asks the daemon to initiate them at start-up.</summary>
    public IEnumerable<(PeerConfig Connection, ChildConfig Child)> StartChildren() =>
        from connection in Connections
        from child in connection.Children
        where child.StartAction == StartAction.Start
        select (connection, child);

    public void Dispose()
    {
        foreach (var bytes in _secretBytes)
        {
            CryptographicOperations.ZeroMemory(bytes);
        }

        foreach (var certificate in _certificates)
        {
            certificate.Dispose();
        }
    }
}

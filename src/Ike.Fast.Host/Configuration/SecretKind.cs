namespace Ike.Fast.Host.Configuration;

/// <summary>The kinds of swanctl <c>secrets { }</c> sections IkeFast reads.</summary>
public enum SecretKind
{
    /// <summary><c>ike-NAME { id, secret }</c>: a pre-shared key for peers with the given identities.</summary>
    Ike,

    /// <summary><c>private-NAME { file, secret }</c> (alias <c>rsa-NAME</c>): a private key file and its passphrase.</summary>
    PrivateKey,
}

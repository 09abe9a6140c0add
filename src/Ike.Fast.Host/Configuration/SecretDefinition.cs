namespace Ike.Fast.Host.Configuration;

/// <summary>
/// One entry of <c>secrets { }</c>. For <see cref="SecretKind.Ike"/>, <see cref="Ids"/> are the identities the key is
/// for (empty = any peer) and <see cref="Secret"/> the key bytes; for <see cref="SecretKind.PrivateKey"/>,
/// <see cref="File"/> is the key file and <see cref="Secret"/> its passphrase (may be empty).
/// </summary>
public sealed class SecretDefinition(string name, SecretKind kind, IReadOnlyList<IdentityDefinition> ids, byte[] secret, string? file)
{
    public string Name { get; } = name;

    public SecretKind Kind { get; } = kind;

    public IReadOnlyList<IdentityDefinition> Ids { get; } = ids;

    /// <summary>The secret bytes. Owned by the configuration; <see cref="IkeFastConfiguration.Dispose"/> zeroes them.</summary>
    public byte[] Secret { get; } = secret;

    public string? File { get; } = file;

    /// <summary>True when this IKE secret applies to <paramref name="peer"/> (strongSwan: no id = any peer).</summary>
    public bool Matches(IdentityDefinition peer) =>
        Ids.Count == 0 || peer.Type == IdentityType.Any || Ids.Any(id => id.Type == IdentityType.Any || id == peer);

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"{Name} ({Kind}, {Ids.Count} id(s))";
}

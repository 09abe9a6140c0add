namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Descriptor of one Diffie-Hellman group: identity, encodings (RFC 2409 §5: KE data and g^xy are
/// left-padded to the prime length for MODP; RFC 5903 §7: x‖y and x for ECP; RFC 8031 §2: 32-byte u for
/// Curve25519), strength, and whether it is a legacy group that must be named explicitly in configuration.
/// Instances come from <see cref="DhGroupRegistry"/>.
/// </summary>
public sealed class DhGroup
{
    private FixedBaseTable? _generatorTable;

    internal DhGroup(
        DhGroupId id,
        DhGroupKind kind,
        string name,
        int publicValueLength,
        int sharedSecretLength,
        int securityStrengthBits,
        bool isLegacy,
        int shortExponentBits = 0,
        ModpGroup? modp = null,
        string? curveOidFriendlyName = null)
    {
        Id = id;
        Kind = kind;
        Name = name;
        PublicValueLength = publicValueLength;
        SharedSecretLength = sharedSecretLength;
        SecurityStrengthBits = securityStrengthBits;
        IsLegacy = isLegacy;
        ShortExponentBits = shortExponentBits;
        Modp = modp;
        CurveName = curveOidFriendlyName;
    }

    /// <summary>The IANA group number carried in the Group Description attribute.</summary>
    public DhGroupId Id { get; }

    /// <summary>The arithmetic of the group.</summary>
    public DhGroupKind Kind { get; }

    /// <summary>Human-readable name, e.g. "MODP-2048".</summary>
    public string Name { get; }

    /// <summary>Length of the Key Exchange payload data (our public value and the peer's must both have it).</summary>
    public int PublicValueLength { get; }

    /// <summary>Length of g^xy as fed to SKEYID (RFC 2409 §5).</summary>
    public int SharedSecretLength { get; }

    /// <summary>Estimated security strength in bits (NIST SP 800-57 Part 1 rev. 5 Table 2; SP 800-56A rev. 3 Appendix D).</summary>
    public int SecurityStrengthBits { get; }

    /// <summary>
    /// Groups 1 and 2 (768/1024-bit MODP) are too weak for default use: they are accepted only when a
    /// configuration names them explicitly (see <see cref="DhGroupRegistry.IsAcceptable"/>).
    /// </summary>
    public bool IsLegacy { get; }

    /// <summary>MODP only: default private exponent length in bits (see <see cref="PrivateExponentLength.Short"/>).</summary>
    public int ShortExponentBits { get; }

    /// <summary>MODP prime and Montgomery constants; null for other kinds.</summary>
    internal ModpGroup? Modp { get; }

    /// <summary>ECP only: the .NET/OpenSSL named curve ("nistP256", ...).</summary>
    internal string? CurveName { get; }

    /// <summary>
    /// MODP only: the generator table for <see cref="ShortExponentBits"/>-long exponents, built on first use
    /// (public data; races build it twice at worst).
    /// </summary>
    internal FixedBaseTable GeneratorTable =>
        _generatorTable ??= FixedBaseTable.Create(Modp ?? throw new InvalidOperationException("Not a MODP group."), ShortExponentBits / 8);

    /// <summary>MODP only: private exponent length in bits under the given policy.</summary>
    internal int PrivateExponentBits(PrivateExponentLength length) =>
        Modp is null ? 0 : length == PrivateExponentLength.Full ? Modp.Bits - 1 : ShortExponentBits;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (group {(int)Id})";
}

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>Policy knobs of a Diffie-Hellman engine.</summary>
public sealed class DhEngineOptions
{
    /// <summary>The defaults: short exponents, legacy groups refused.</summary>
    public static DhEngineOptions Default { get; } = new();

    /// <summary>MODP private exponent length (default <see cref="PrivateExponentLength.Short"/>).</summary>
    public PrivateExponentLength ExponentLength { get; init; } = PrivateExponentLength.Short;

    /// <summary>
    /// Legacy groups (1, 2) that the configuration names explicitly; all others with
    /// <see cref="DhGroup.IsLegacy"/> are refused with <see cref="DhStatus.GroupNotAllowed"/>.
    /// </summary>
    public IReadOnlySet<DhGroupId> ExplicitlyEnabledLegacyGroups { get; init; } = new HashSet<DhGroupId>();
}

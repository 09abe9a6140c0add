namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// The synchronous Diffie-Hellman engine: MODP through the constant-time scalar
/// <see cref="ModularExponentiation"/>, ECP through .NET ECDiffieHellman, Curve25519 through NSec.
/// Thread-safe if the randomness source is. Failures are results, never exceptions.
/// </summary>
public sealed class ScalarDhEngine : IDhEngine
{
    private readonly IDhRandomSource _random;
    private readonly DhEngineOptions _options;

    /// <summary>An engine on the system CSPRNG with default options.</summary>
    public ScalarDhEngine()
        : this(SystemDhRandomSource.Instance, DhEngineOptions.Default)
    {
    }

    /// <summary>An engine with an injected randomness source and policy.</summary>
    public ScalarDhEngine(IDhRandomSource random, DhEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        _random = random;
        _options = options ?? DhEngineOptions.Default;
    }

    /// <inheritdoc/>
    public DhResult Execute(in DhRequest request) => request.Operation switch
    {
        DhOperation.GenerateKeyPair => GenerateKeyPair(request.Group, request.Destination.Span),
        DhOperation.ComputeShared when request.PrivateKey is not null =>
            ComputeSharedSecret(request.PrivateKey, request.PeerPublicValue.Span, request.Destination.Span),
        _ => new DhResult(DhStatus.InvalidRequest),
    };

    /// <summary>Draws a fresh private value and writes our public value (KE payload data) to the destination.</summary>
    public DhResult GenerateKeyPair(DhGroupId groupId, Span<byte> publicValueDestination)
    {
        if (!DhGroupRegistry.TryGet(groupId, out DhGroup? group))
        {
            return new DhResult(DhStatus.UnsupportedGroup);
        }

        if (group.IsLegacy && !_options.ExplicitlyEnabledLegacyGroups.Contains(groupId))
        {
            return new DhResult(DhStatus.GroupNotAllowed);
        }

        DhPrivateKey? key;
        DhStatus status = group.Kind switch
        {
            DhGroupKind.Modp => ModpKeyExchange.Generate(group, _random, _options.ExponentLength, publicValueDestination, out key),
            DhGroupKind.Ecp => EcpKeyExchange.Generate(group, publicValueDestination, out key),
            _ => Curve25519KeyExchange.Generate(group, _random, publicValueDestination, out key),
        };
        return status == DhStatus.Success
            ? new DhResult(status, group.PublicValueLength, key)
            : new DhResult(status);
    }

    /// <summary>
    /// Validates the peer's public value and writes g^xy (MODP: prime length; ECP: x; X25519: 32 bytes).
    /// Consumes the private key on success; an invalid peer value leaves it untouched (nothing secret was used).
    /// </summary>
    public DhResult ComputeSharedSecret(DhPrivateKey privateKey, ReadOnlySpan<byte> peerPublicValue, Span<byte> sharedSecretDestination)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (privateKey.IsConsumed)
        {
            return new DhResult(DhStatus.PrivateKeyConsumed);
        }

        DhGroup group = privateKey.Group;
        DhStatus status = group.Kind switch
        {
            DhGroupKind.Modp => ModpKeyExchange.ComputeShared(privateKey, peerPublicValue, sharedSecretDestination),
            DhGroupKind.Ecp => EcpKeyExchange.ComputeShared(privateKey, peerPublicValue, sharedSecretDestination),
            _ => Curve25519KeyExchange.ComputeShared(privateKey, peerPublicValue, sharedSecretDestination),
        };
        return status == DhStatus.Success ? new DhResult(status, group.SharedSecretLength) : new DhResult(status);
    }

    /// <summary>
    /// Plain constant-time base^exponent mod p for a MODP group: the scalar reference the batched engine is
    /// validated against. Destination is exactly the prime length.
    /// </summary>
    internal static void ModExp(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, DhGroup group, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(group);
        ModpGroup modp = group.Modp ?? throw new ArgumentException("Not a MODP group.", nameof(group));
        ModularExponentiation.ModExp(@base, exponent, modp, destination);
    }
}

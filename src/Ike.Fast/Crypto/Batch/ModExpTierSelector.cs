using System.Runtime.Intrinsics;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Picks the exponentiation tier at run time: IFMA native, then AVX-512 managed, then AVX2 managed, then scalar,
/// unless <see cref="ModExpBatchOptions.Tier"/> or the IKEFAST_DH_TIER environment variable says otherwise.
/// </summary>
public static class ModExpTierSelector
{
    /// <summary>True when <paramref name="tier"/> can run here (with <paramref name="nativeFactory"/> for IFMA).</summary>
    public static bool IsSupported(ModExpTier tier, IModExpKernelFactory? nativeFactory) => tier switch
    {
        ModExpTier.Ifma => nativeFactory is { Tier: ModExpTier.Ifma, IsSupported: true },
        ModExpTier.Avx512 => Avx512LaneMath.IsSupported,
        ModExpTier.Avx2 => Avx2LaneMath.IsSupported,
        ModExpTier.Scalar => true,
        _ => false,
    };

    /// <summary>The tier to use under <paramref name="options"/>; throws if a forced tier cannot run.</summary>
    public static ModExpTier Select(ModExpBatchOptions options) =>
        Select(options, Environment.GetEnvironmentVariable(ModExpBatchOptions.TierEnvironmentVariable));

    /// <summary><see cref="Select(ModExpBatchOptions)"/> with the environment value given (for tests).</summary>
    public static ModExpTier Select(ModExpBatchOptions options, string? environmentValue)
    {
        ArgumentNullException.ThrowIfNull(options);
        ModExpTier? forced = options.Tier ?? ParseTier(environmentValue);
        if (forced is { } tier)
        {
            if (!IsSupported(tier, options.NativeFactory))
            {
                throw new PlatformNotSupportedException($"The {tier} modexp tier was forced but cannot run on this machine.");
            }

            return tier;
        }

        foreach (ModExpTier candidate in (ReadOnlySpan<ModExpTier>)[ModExpTier.Ifma, ModExpTier.Avx512, ModExpTier.Avx2])
        {
            if (IsSupported(candidate, options.NativeFactory))
            {
                return candidate;
            }
        }

        return ModExpTier.Scalar;
    }

    /// <summary>Parses ifma, avx512, avx2 or scalar (case-insensitive); null or empty means "not forced".</summary>
    public static ModExpTier? ParseTier(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "ifma" => ModExpTier.Ifma,
        "avx512" => ModExpTier.Avx512,
        "avx2" => ModExpTier.Avx2,
        "scalar" => ModExpTier.Scalar,
        _ => throw new ArgumentException(
            $"{ModExpBatchOptions.TierEnvironmentVariable}='{value}': expected ifma, avx512, avx2 or scalar.", nameof(value)),
    };

    /// <summary>A kernel of <paramref name="tier"/> for <paramref name="modulus"/>.</summary>
    public static IModExpLaneKernel CreateKernel(ModExpTier tier, ReadOnlySpan<byte> modulus, IModExpKernelFactory? nativeFactory)
    {
        if (!IsSupported(tier, nativeFactory))
        {
            throw new PlatformNotSupportedException($"The {tier} modexp tier cannot run on this machine.");
        }

        return tier switch
        {
            ModExpTier.Ifma => nativeFactory!.Create(modulus),
            ModExpTier.Avx512 => new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(modulus, tier),
            ModExpTier.Avx2 => new ManagedModExpKernel<Avx2LaneMath, Vector256<ulong>>(modulus, tier),
            _ => new ScalarModExpKernel(modulus),
        };
    }
}

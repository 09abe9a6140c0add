using System.Runtime.Intrinsics;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Picks the exponentiation tier at run time: IFMA native, then AVX-512 managed, then AVX2 managed, then scalar,
/// unless <see cref="ModExpBatchOptions.Tier"/> or the IKEFAST_DH_TIER environment variable says otherwise. When the
/// choice is automatic and lands on a managed vector tier, <see cref="CreateGroupKernel"/> gives each group the
/// measured split between that tier and the scalar one (<see cref="MinVectorLanes"/>, docs/dh-tiers.md).
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

    /// <summary>The tier <paramref name="options"/> or <paramref name="environmentValue"/> forces, or null (automatic).</summary>
    public static ModExpTier? Forced(ModExpBatchOptions options, string? environmentValue)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Tier ?? ParseTier(environmentValue);
    }

    /// <summary>
    /// Fewest lanes of one vector for which the managed <paramref name="tier"/> beats running those lanes one by one on
    /// the scalar tier, for a modulus of <paramref name="modulusBits"/>; 0 when the vector tier never wins (the group
    /// then runs on the scalar tier alone). Measured with ModExpTierBenchmarks (thread CPU time, 256-bit exponents, see
    /// docs/dh-tiers.md), re-measured after the managed squaring got 1.3-1.7x faster: one 4-lane AVX2 call costs 2.0
    /// scalar exponentiations at 1024 bits, 3.0 at 1536, 3.3 at 2048 and 5.2 at 3072; one 8-lane AVX-512 call 2.6, 3.1,
    /// 3.5 and 4.8. A vector is used from one lane more than that (two more where the margin is within the noise).
    /// </summary>
    public static int MinVectorLanes(ModExpTier tier, int modulusBits) => tier switch
    {
        // IFMA: one lane costs about what a scalar exponentiation does at 1536 bits (142 against 138 us), 1.2x it at
        // 2048 and 1.6x at 3072; two lanes are far ahead everywhere.
        ModExpTier.Ifma => modulusBits >= 2048 ? 2 : 1,
        ModExpTier.Avx2 => modulusBits switch
        {
            <= 1024 => 3,
            <= 2048 => 4,
            _ => 0,
        },
        ModExpTier.Avx512 => modulusBits switch
        {
            <= 1024 => 3,
            <= 2048 => 4,
            <= 3072 => 6,
            _ => 0,
        },
        _ => 1,
    };

    /// <summary>
    /// The kernel for one group: <paramref name="tier"/> itself when it was forced (<paramref name="forced"/>), is
    /// scalar, or wins at every fill; otherwise the vector tier split with the scalar tier by
    /// <see cref="MinVectorLanes"/>, or the scalar tier alone where the vector tier never wins.
    /// </summary>
    public static IModExpLaneKernel CreateGroupKernel(ModExpTier tier, bool forced, ReadOnlySpan<byte> modulus, int modulusBits, IModExpKernelFactory? nativeFactory)
    {
        int minLanes = MinVectorLanes(tier, modulusBits);
        if (forced || tier == ModExpTier.Scalar || minLanes == 1)
        {
            return CreateKernel(tier, modulus, nativeFactory);
        }

        if (minLanes == 0)
        {
            return CreateKernel(ModExpTier.Scalar, modulus, nativeFactory);
        }

        int width = tier == ModExpTier.Avx2 ? Avx2LaneMath.Lanes : 8; // AVX-512 and IFMA: 8 lanes per vector
        return new SplitModExpKernel(CreateKernel(tier, modulus, nativeFactory), width, minLanes, CreateKernel(ModExpTier.Scalar, modulus, nativeFactory));
    }

    /// <summary>The tier to use under <paramref name="options"/>; throws if a forced tier cannot run.</summary>
    public static ModExpTier Select(ModExpBatchOptions options) =>
        Select(options, Environment.GetEnvironmentVariable(ModExpBatchOptions.TierEnvironmentVariable));

    /// <summary><see cref="Select(ModExpBatchOptions)"/> with the environment value given (for tests).</summary>
    public static ModExpTier Select(ModExpBatchOptions options, string? environmentValue)
    {
        ModExpTier? forced = Forced(options, environmentValue);
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
            ModExpTier.Avx512 => new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(modulus, tier)
            {
                FixedBaseComb = ModExpBatchOptions.CombEnabledByEnvironment,
            },
            ModExpTier.Avx2 => new ManagedModExpKernel<Avx2LaneMath, Vector256<ulong>>(modulus, tier)
            {
                FixedBaseComb = ModExpBatchOptions.CombEnabledByEnvironment,
            },
            _ => new ScalarModExpKernel(modulus),
        };
    }
}

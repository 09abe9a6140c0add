namespace Ike.Fast.Crypto.Batch;

/// <summary>Configuration of the batched Diffie-Hellman exponentiation.</summary>
public sealed class ModExpBatchOptions
{
    /// <summary>Environment variable that forces a tier: ifma, avx512, avx2 or scalar.</summary>
    public const string TierEnvironmentVariable = "IKEFAST_DH_TIER";

    /// <summary>
    /// <c>IKEFAST_DH_COMB=0</c> keeps key pairs on the variable-base kernels (no fixed-base comb on any tier): for
    /// measuring what the comb saves.
    /// </summary>
    public const string CombEnvironmentVariable = "IKEFAST_DH_COMB";

    /// <summary>False when <see cref="CombEnvironmentVariable"/> is <c>0</c>.</summary>
    public static bool CombEnabledByEnvironment => Environment.GetEnvironmentVariable(CombEnvironmentVariable) != "0";

    /// <summary>
    /// Forces a tier (wins over <see cref="TierEnvironmentVariable"/>); null selects the fastest the CPU supports.
    /// Forcing a tier the CPU cannot run is a configuration error.
    /// </summary>
    public ModExpTier? Tier { get; set; }

    /// <summary>The native IFMA kernels (Ike.Native's factory), or null to use the managed tiers only.</summary>
    public IModExpKernelFactory? NativeFactory { get; set; }

    /// <summary>
    /// The multi-lane ECDH kernels (Ike.Native's IFMA X25519 and P-256), or null: curve groups then stay on the scalar
    /// engine (NSec, .NET).
    /// </summary>
    public IEcdhKernelFactory? EcdhFactory { get; set; }

    /// <summary>
    /// How long a partly filled batch may wait for more requests (default one millisecond). A lone request is never
    /// delayed longer: <see cref="ModExpBatchWorker"/> waits in whole milliseconds rounded down (it does not spin) and
    /// runs the batch once less than a millisecond is left, so a deadline under a millisecond runs partial batches at
    /// once. After a batch of one (low load) the next partial batch runs at once too; under load, full batches run at
    /// once.
    /// </summary>
    public TimeSpan FlushDeadline { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Private exponent length in bytes for generated key pairs, or 0 for the group's default.</summary>
    public int PrivateKeyLength { get; set; }
}

using Ike.Fast.Crypto.Batch;

namespace Ike.Native.ModExp;

/// <summary>
/// Plugs the native IFMA kernel into the engine's batched exponentiation: pass <see cref="Instance"/> as
/// <see cref="ModExpBatchOptions.NativeFactory"/>. Its kernels run key-pair batches on the fixed-base comb unless
/// the environment variable <c>IKEFAST_DH_COMB=0</c> says otherwise (to measure the variable-base kernel alone).
/// </summary>
public sealed class IfmaModExpKernelFactory : IModExpKernelFactory
{
    private IfmaModExpKernelFactory()
    {
    }

    /// <summary>The factory (stateless).</summary>
    public static IfmaModExpKernelFactory Instance { get; } = new();

    /// <inheritdoc/>
    public ModExpTier Tier => ModExpTier.Ifma;

    /// <inheritdoc/>
    public bool IsSupported => IfmaModExpKernel.IsSupported;

    /// <inheritdoc/>
    public IModExpLaneKernel Create(ReadOnlySpan<byte> modulus) => new IfmaModExpKernel(modulus, ModExpBatchOptions.CombEnabledByEnvironment);
}

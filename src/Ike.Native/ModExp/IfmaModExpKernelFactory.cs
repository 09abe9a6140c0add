using Ike.Fast.Crypto.Batch;

namespace Ike.Native.ModExp;

/// <summary>
/// Plugs the native IFMA kernel into the engine's batched exponentiation: pass <see cref="Instance"/> as
/// <see cref="ModExpBatchOptions.NativeFactory"/>.
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
    public IModExpLaneKernel Create(ReadOnlySpan<byte> modulus) => new IfmaModExpKernel(modulus);
}

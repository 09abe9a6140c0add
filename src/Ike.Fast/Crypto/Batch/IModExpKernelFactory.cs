namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Creates kernels of one tier. The engine does not reference the native layer: Ike.Native implements this for
/// <see cref="ModExpTier.Ifma"/> and the host passes it in (<see cref="ModExpBatchOptions.NativeFactory"/>).
/// </summary>
public interface IModExpKernelFactory
{
    /// <summary>The tier of the kernels this factory makes.</summary>
    ModExpTier Tier { get; }

    /// <summary>True when this CPU and process can run the kernels (library present, CPU features there).</summary>
    bool IsSupported { get; }

    /// <summary>A kernel for the odd big-endian <paramref name="modulus"/>.</summary>
    IModExpLaneKernel Create(ReadOnlySpan<byte> modulus);
}

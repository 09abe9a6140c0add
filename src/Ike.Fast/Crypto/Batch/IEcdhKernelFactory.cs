using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Creates multi-lane ECDH kernels (<see cref="IEcdhLaneKernel"/>). The engine does not reference the native layer:
/// Ike.Native implements this for its IFMA X25519 and P-256 kernels and the host passes it in
/// (<see cref="ModExpBatchOptions.EcdhFactory"/>).
/// </summary>
public interface IEcdhKernelFactory
{
    /// <summary>A kernel for <paramref name="group"/>, or null when this CPU or build cannot run one for it.</summary>
    IEcdhLaneKernel? TryCreate(DhGroupId group);
}

using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// An HMAC key prepared once (RFC 2104 §4 "precomputations"): for SHA-1/SHA-256 the hash states after the
/// K0 ^ ipad and K0 ^ opad blocks, otherwise the two padded key blocks. A key used for several PRF calls —
/// SKEYID for SKEYID_d/a/e and HASH_I/HASH_R, SKEYID_a for every Phase 2 HASH, SKEYID_d for KEYMAT — then costs
/// two compressions once instead of on every call. Holds key-derived secrets: <see cref="Dispose"/> zeroes them.
/// A mutable struct: do not copy it around.
/// </summary>
[SkipLocalsInit]
public struct PrfKey : IDisposable
{
    internal Sha32Hasher Inner;
    internal Sha32Hasher Outer;
    internal Bytes128 InnerKey;
    internal Bytes128 OuterKey;

    /// <summary>The hash algorithm of the HMAC.</summary>
    public IkeHashAlgorithm Algorithm { readonly get; private set; }

    /// <summary>True for the midstate (SHA-NI or scalar) backends.</summary>
    internal bool IsMidstate { readonly get; private set; }

    /// <summary>True once created and until disposed.</summary>
    public readonly bool IsInitialized => Algorithm != IkeHashAlgorithm.None;

    /// <summary>Prepares <paramref name="key"/> for HMAC with <paramref name="algorithm"/>.</summary>
    public static PrfKey Create(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> key) => Create(algorithm, key, HashBackend.Auto);

    internal static PrfKey Create(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> key, HashBackend backend)
    {
        PrfKey prepared = default;
        prepared.Initialize(algorithm, key, backend);
        return prepared;
    }

    /// <summary>Re-keys in place (no copy of the large struct).</summary>
    internal void Initialize(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> key, HashBackend backend)
    {
        int blockSize = IkeHashAlgorithmInfo.GetBlockSize(algorithm);
        backend = HashContext.Resolve(algorithm, backend);
        Span<byte> inner = ((Span<byte>)InnerKey)[..blockSize], outer = ((Span<byte>)OuterKey)[..blockSize];
        HmacPads.Compute(algorithm, backend, key, inner, outer);
        Algorithm = algorithm;
        IsMidstate = backend != HashBackend.Platform;
        if (IsMidstate)
        {
            // Keep only the states after the pad blocks; the pads themselves are no longer needed.
            bool sha1 = algorithm == IkeHashAlgorithm.Sha1;
            bool native = backend == HashBackend.Native;
            Inner.Initialize(sha1, native);
            Inner.Append(inner);
            Outer.Initialize(sha1, native);
            Outer.Append(outer);
            CryptographicOperations.ZeroMemory(inner);
            CryptographicOperations.ZeroMemory(outer);
        }
    }

    /// <summary>Zeroes every key-derived byte. Idempotent.</summary>
    public void Dispose()
    {
        Inner.Clear();
        Outer.Clear();
        CryptographicOperations.ZeroMemory(InnerKey);
        CryptographicOperations.ZeroMemory(OuterKey);
        Algorithm = IkeHashAlgorithm.None;
    }
}

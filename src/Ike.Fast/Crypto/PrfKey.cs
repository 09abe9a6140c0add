using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// An HMAC key prepared once (RFC 2104 §4 "precomputations"): for SHA-1/SHA-256 the hash states after the
/// K0 ^ ipad and K0 ^ opad blocks, otherwise the two padded key blocks. A key used for several PRF calls —
/// SKEYID for SKEYID_d/a/e and HASH_I/HASH_R, SKEYID_a for every Phase 2 HASH, SKEYID_d for KEYMAT — then costs
/// two compressions once instead of on every call. Holds key-derived secrets: <see cref="Dispose"/> zeroes them.
/// A mutable struct: do not copy it around.
/// </summary>
public struct PrfKey : IDisposable
{
    private const byte InnerPad = 0x36; // RFC 2104 §2 ipad
    private const byte OuterPad = 0x5c; // RFC 2104 §2 opad

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

        // K0: the key, hashed first when longer than the block (RFC 2104 §2), zero-padded to B bytes.
        Span<byte> k0 = stackalloc byte[IkeHashAlgorithmInfo.MaxBlockSize];
        k0.Clear();
        k0 = k0[..blockSize];
        if (key.Length > blockSize)
        {
            using HashContext keyHash = new(algorithm, backend);
            keyHash.Append(key);
            keyHash.Finish(k0);
        }
        else
        {
            key.CopyTo(k0);
        }

        Span<byte> inner = InnerKey, outer = OuterKey;
        inner.Clear();
        outer.Clear();
        for (int i = 0; i < blockSize; i++)
        {
            inner[i] = (byte)(k0[i] ^ InnerPad);
            outer[i] = (byte)(k0[i] ^ OuterPad);
        }

        CryptographicOperations.ZeroMemory(k0);
        Algorithm = algorithm;
        IsMidstate = backend != HashBackend.Platform;
        if (IsMidstate)
        {
            bool sha1 = algorithm == IkeHashAlgorithm.Sha1;
            bool native = backend == HashBackend.Native;
            Inner.Initialize(sha1, native);
            Inner.Append(inner[..blockSize]);
            Outer.Initialize(sha1, native);
            Outer.Append(outer[..blockSize]);
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

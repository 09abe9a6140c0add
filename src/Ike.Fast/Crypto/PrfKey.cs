using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// An HMAC key prepared once (RFC 2104 §4 "precomputations"): for SHA-1/SHA-256 the hash states after the
/// K0 ^ ipad and K0 ^ opad blocks, otherwise the two padded key blocks. A key used for several PRF calls —
/// SKEYID for SKEYID_d/a/e and HASH_I/HASH_R, SKEYID_a for every Phase 2 HASH, SKEYID_d for KEYMAT — then costs
/// two compressions once instead of on every call. Holds key-derived secrets: <see cref="Dispose"/> zeroes them.
/// A mutable struct: do not copy it around.
/// <para>
/// The midstates (SHA-1/SHA-256) and the padded key blocks (MD5, SHA2-384/512) are never both in use, so they share
/// the same bytes: 272 bytes instead of 496, which puts the three keys an ISAKMP SA prepares
/// (<see cref="KeySchedule.Phase1KeyMaterial"/>) with its secrets in a 1 KiB pinned buffer instead of 2 KiB (issue #8:
/// less to allocate, zero and keep per handshake).
/// </para>
/// </summary>
[SkipLocalsInit]
[StructLayout(LayoutKind.Explicit)]
public struct PrfKey : IDisposable
{
    private const int PadsSize = 256; // InnerKey and OuterKey (2 × 128) cover Inner and Outer (2 × ~120)

    [FieldOffset(0)]
    internal Sha32Hasher Inner;

    [FieldOffset(PadsSize / 2)]
    internal Sha32Hasher Outer;

    [FieldOffset(0)]
    internal Bytes128 InnerKey;

    [FieldOffset(PadsSize / 2)]
    internal Bytes128 OuterKey;

    [FieldOffset(PadsSize)]
    private IkeHashAlgorithm _algorithm;

    [FieldOffset(PadsSize + sizeof(int))]
    private bool _isMidstate;

    /// <summary>The hash algorithm of the HMAC.</summary>
    public IkeHashAlgorithm Algorithm { readonly get => _algorithm; private set => _algorithm = value; }

    /// <summary>True for the midstate (SHA-NI or scalar) backends.</summary>
    internal bool IsMidstate { readonly get => _isMidstate; private set => _isMidstate = value; }

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
        Algorithm = algorithm;
        IsMidstate = backend != HashBackend.Platform;
        if (!IsMidstate)
        {
            HmacPads.Compute(algorithm, backend, key, ((Span<byte>)InnerKey)[..blockSize], ((Span<byte>)OuterKey)[..blockSize]);
            return;
        }

        // Keep only the states after the pad blocks. The pads are built on the stack: the states share their bytes
        // with InnerKey/OuterKey.
        Span<byte> inner = stackalloc byte[IkeHashAlgorithmInfo.MaxBlockSize];
        Span<byte> outer = stackalloc byte[IkeHashAlgorithmInfo.MaxBlockSize];
        inner = inner[..blockSize];
        outer = outer[..blockSize];
        HmacPads.Compute(algorithm, backend, key, inner, outer);
        bool sha1 = algorithm == IkeHashAlgorithm.Sha1;
        bool native = backend == HashBackend.Native;
        Inner.Initialize(sha1, native);
        Inner.Append(inner);
        Outer.Initialize(sha1, native);
        Outer.Append(outer);
        CryptographicOperations.ZeroMemory(inner);
        CryptographicOperations.ZeroMemory(outer);
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

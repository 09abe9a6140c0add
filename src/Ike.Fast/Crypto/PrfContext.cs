using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// Incremental HMAC (RFC 2104) used as the IKEv1 PRF: <c>new PrfContext(alg, key)</c> (or from a prepared
/// <see cref="PrfKey"/>), <see cref="Append(ReadOnlySpan{byte})"/> each part of a concatenation
/// (Ni_b | Nr_b, g^xy | CKY-I | CKY-R | 0, ...), <see cref="Finish"/>. Nothing is copied into a temporary
/// concatenation buffer and nothing is allocated per call.
/// <para>
/// SHA-1 and SHA-256 run on SHA-NI kernels when libikefast_native is present (falling back to .NET), starting from
/// the ipad/opad midstates. MD5 and SHA2-384/512 use a per-thread pooled <see cref="IncrementalHash"/>. The
/// context zeroes its key-derived state in <see cref="Finish"/> and <see cref="Dispose"/>; always dispose it.
/// </para>
/// </summary>
[SkipLocalsInit]
public ref struct PrfContext
{
    private readonly IkeHashAlgorithm _algorithm;
    private readonly bool _midstate;
    private IncrementalHash? _hash;
    private Sha32Hasher _inner;
    private Sha32Hasher _outer;
    private Bytes128 _outerKey;
    private bool _active;

    /// <summary>Initialises HMAC with <paramref name="key"/> (RFC 2104 §2 steps 1–2).</summary>
    public PrfContext(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> key)
        : this(algorithm, key, HashBackend.Auto)
    {
    }

    /// <summary>Starts a PRF computation from a prepared key (no ipad/opad work).</summary>
    public PrfContext(scoped in PrfKey key)
    {
        if (!key.IsInitialized)
        {
            throw new InvalidOperationException("PrfKey is not initialised.");
        }

        _algorithm = key.Algorithm;
        _midstate = key.IsMidstate;
        if (_midstate)
        {
            _inner = key.Inner;
            _outer = key.Outer;
        }
        else
        {
            int blockSize = IkeHashAlgorithmInfo.GetBlockSize(_algorithm);
            _hash = IncrementalHashPool.Rent(_algorithm);
            _hash.AppendData(((ReadOnlySpan<byte>)key.InnerKey)[..blockSize]);
            _outerKey = key.OuterKey;
        }

        _active = true;
    }

    internal PrfContext(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> key, HashBackend backend)
    {
        // Same as going through a PrfKey, without building and copying one.
        _algorithm = algorithm;
        int blockSize = IkeHashAlgorithmInfo.GetBlockSize(algorithm);
        backend = HashContext.Resolve(algorithm, backend);
        _midstate = backend != HashBackend.Platform;
        Span<byte> inner = stackalloc byte[IkeHashAlgorithmInfo.MaxBlockSize];
        inner = inner[..blockSize];
        if (_midstate)
        {
            Span<byte> outer = stackalloc byte[IkeHashAlgorithmInfo.MaxBlockSize];
            outer = outer[..blockSize];
            HmacPads.Compute(algorithm, backend, key, inner, outer);
            bool sha1 = algorithm == IkeHashAlgorithm.Sha1;
            bool native = backend == HashBackend.Native;
            _inner.Initialize(sha1, native);
            _inner.Append(inner);
            _outer.Initialize(sha1, native);
            _outer.Append(outer);
            CryptographicOperations.ZeroMemory(outer);
        }
        else
        {
            HmacPads.Compute(algorithm, backend, key, inner, ((Span<byte>)_outerKey)[..blockSize]);
            _hash = IncrementalHashPool.Rent(algorithm);
            _hash.AppendData(inner);
        }

        CryptographicOperations.ZeroMemory(inner);
        _active = true;
    }

    /// <summary>The PRF output size in bytes (RFC 4868: the full digest).</summary>
    public readonly int OutputSize => IkeHashAlgorithmInfo.GetOutputSize(_algorithm);

    /// <summary>Appends one part of the PRF input.</summary>
    public void Append(scoped ReadOnlySpan<byte> data)
    {
        EnsureActive();
        if (_midstate)
        {
            _inner.Append(data);
        }
        else
        {
            _hash!.AppendData(data);
        }
    }

    /// <summary>Appends a single octet (the 0/1/2 suffixes of SKEYID_d/a/e, RFC 2409 §5).</summary>
    public void Append(byte value)
    {
        ReadOnlySpan<byte> octet = [value];
        Append(octet);
    }

    /// <summary>Writes the PRF output and ends the context. Returns the number of bytes written.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than <see cref="OutputSize"/>.</exception>
    public int Finish(scoped Span<byte> destination)
    {
        if (!TryFinish(destination, out int written))
        {
            throw new ArgumentException($"Destination needs {OutputSize} bytes.", nameof(destination));
        }

        return written;
    }

    /// <summary>Writes the PRF output and ends the context; false when the destination is too short.</summary>
    public bool TryFinish(scoped Span<byte> destination, out int bytesWritten)
    {
        EnsureActive();
        int size = OutputSize;
        if (destination.Length < size)
        {
            bytesWritten = 0;
            return false;
        }

        Span<byte> innerDigest = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        innerDigest = innerDigest[..size];
        if (_midstate)
        {
            _inner.Finish(innerDigest);
            _outer.Append(innerDigest);
            _outer.Finish(destination);
        }
        else
        {
            IncrementalHash hash = _hash!;
            hash.TryGetHashAndReset(innerDigest, out _);
            hash.AppendData(((Span<byte>)_outerKey)[..IkeHashAlgorithmInfo.GetBlockSize(_algorithm)]);
            hash.AppendData(innerDigest);
            hash.TryGetHashAndReset(destination, out _);
        }

        CryptographicOperations.ZeroMemory(innerDigest);
        Release();
        bytesWritten = size;
        return true;
    }

    /// <summary>Zeroes key-derived state and returns pooled resources. Idempotent.</summary>
    public void Dispose()
    {
        if (_active && _hash is not null)
        {
            // Abandoned mid-way: reset the pooled hash so no input lingers in it.
            Span<byte> scratch = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
            _hash.TryGetHashAndReset(scratch, out _);
            CryptographicOperations.ZeroMemory(scratch);
        }

        Release();
    }

    private void Release()
    {
        if (_hash is not null)
        {
            IncrementalHashPool.Return(_algorithm, _hash);
            _hash = null;
        }

        if (_active)
        {
            if (_midstate)
            {
                _inner.Clear();
                _outer.Clear();
            }
            else
            {
                CryptographicOperations.ZeroMemory(_outerKey);
            }
        }

        _active = false;
    }

    private readonly void EnsureActive()
    {
        if (!_active)
        {
            throw new InvalidOperationException("PrfContext is not initialised or already finished.");
        }
    }
}

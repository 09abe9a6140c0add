using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// Incremental HMAC (RFC 2104) used as the IKEv1 PRF: <c>new PrfContext(alg, key)</c>, <see cref="Append"/> each
/// part of a concatenation (Ni_b | Nr_b, g^xy | CKY-I | CKY-R | 0, ...), <see cref="Finish"/>. Nothing is copied
/// into a temporary concatenation buffer and nothing is allocated per call.
/// <para>
/// SHA-1 and SHA-256 run on SHA-NI kernels when libikefast_native is present (falling back to .NET), with the
/// ipad/opad blocks compressed once at initialisation (RFC 2104 §4 "precomputations"). MD5 and SHA2-384/512 use a
/// per-thread pooled <see cref="IncrementalHash"/>. The context zeroes its key-derived state in
/// <see cref="Finish"/> and <see cref="Dispose"/>; always dispose it (a <c>using</c> declaration).
/// </para>
/// </summary>
public ref struct PrfContext
{
    private const byte InnerPad = 0x36; // RFC 2104 §2 ipad
    private const byte OuterPad = 0x5c; // RFC 2104 §2 opad

    private readonly IkeHashAlgorithm _algorithm;
    private IncrementalHash? _hash;
    private Sha32Hasher _inner;
    private Sha32Hasher _outer;
    private Bytes128 _outerKey;
    private bool _active;
    private readonly bool _midstate;

    /// <summary>Initialises HMAC with <paramref name="key"/> (RFC 2104 §2 steps 1–2).</summary>
    public PrfContext(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> key)
        : this(algorithm, key, HashBackend.Auto)
    {
    }

    internal PrfContext(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> key, HashBackend backend)
    {
        _algorithm = algorithm;
        int blockSize = IkeHashAlgorithmInfo.GetBlockSize(algorithm);
        backend = HashContext.Resolve(algorithm, backend);
        _midstate = backend != HashBackend.Platform;

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

        Span<byte> pad = stackalloc byte[IkeHashAlgorithmInfo.MaxBlockSize];
        pad = pad[..blockSize];
        for (int i = 0; i < blockSize; i++)
        {
            pad[i] = (byte)(k0[i] ^ InnerPad);
        }

        if (_midstate)
        {
            bool sha1 = algorithm == IkeHashAlgorithm.Sha1;
            bool native = backend == HashBackend.Native;
            _inner.Initialize(sha1, native);
            _inner.Append(pad);
            for (int i = 0; i < blockSize; i++)
            {
                pad[i] = (byte)(k0[i] ^ OuterPad);
            }

            _outer.Initialize(sha1, native);
            _outer.Append(pad);
        }
        else
        {
            _hash = IncrementalHashPool.Rent(algorithm);
            _hash.AppendData(pad);
            Span<byte> outerKey = _outerKey;
            for (int i = 0; i < blockSize; i++)
            {
                outerKey[i] = (byte)(k0[i] ^ OuterPad);
            }
        }

        CryptographicOperations.ZeroMemory(k0);
        CryptographicOperations.ZeroMemory(pad);
        _active = true;
    }

    /// <summary>The negotiated PRF output size in bytes (RFC 4868: the full digest).</summary>
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

        _inner.Clear();
        _outer.Clear();
        CryptographicOperations.ZeroMemory(_outerKey);
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

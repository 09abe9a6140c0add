using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// Incremental plain hash with the negotiated algorithm (the RFC 2409 §5 / Appendix B IV computations use the
/// hash, not the HMAC): Append the parts (g^xi | g^xr, last block | M-ID), then Finish. No allocation per call.
/// </summary>
[SkipLocalsInit]
public ref struct HashContext
{
    private readonly IkeHashAlgorithm _algorithm;
    private IncrementalHash? _hash;
    private Sha32Hasher _sha;
    private bool _active;
    private readonly bool _sha32;

    /// <summary>Starts a hash computation.</summary>
    public HashContext(IkeHashAlgorithm algorithm)
        : this(algorithm, HashBackend.Auto)
    {
    }

    internal HashContext(IkeHashAlgorithm algorithm, HashBackend backend)
    {
        _algorithm = algorithm;
        backend = Resolve(algorithm, backend);
        _sha32 = backend != HashBackend.Platform;
        if (_sha32)
        {
            _sha.Initialize(algorithm == IkeHashAlgorithm.Sha1, backend == HashBackend.Native);
        }
        else
        {
            _hash = IncrementalHashPool.Rent(algorithm);
        }

        _active = true;
    }

    /// <summary>Digest size in bytes.</summary>
    public readonly int OutputSize => IkeHashAlgorithmInfo.GetOutputSize(_algorithm);

    /// <summary>Appends one part of the input.</summary>
    public void Append(scoped ReadOnlySpan<byte> data)
    {
        if (!_active)
        {
            throw new InvalidOperationException("HashContext is not initialised or already finished.");
        }

        if (_sha32)
        {
            _sha.Append(data);
        }
        else
        {
            _hash!.AppendData(data);
        }
    }

    /// <summary>Writes the digest (destination at least <see cref="OutputSize"/>) and ends the context.</summary>
    public int Finish(scoped Span<byte> destination)
    {
        if (!_active)
        {
            throw new InvalidOperationException("HashContext is not initialised or already finished.");
        }

        int size = OutputSize;
        if (destination.Length < size)
        {
            throw new ArgumentException($"Destination needs {size} bytes.", nameof(destination));
        }

        if (_sha32)
        {
            _sha.Finish(destination);
        }
        else
        {
            _hash!.TryGetHashAndReset(destination, out _);
        }

        Dispose();
        return size;
    }

    /// <summary>Returns pooled resources and clears state. Idempotent.</summary>
    public void Dispose()
    {
        if (_hash is not null)
        {
            if (_active)
            {
                Span<byte> scratch = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
                _hash.TryGetHashAndReset(scratch, out _);
            }

            IncrementalHashPool.Return(_algorithm, _hash);
            _hash = null;
        }

        _sha.Clear();
        _active = false;
    }

    /// <summary>Maps <see cref="HashBackend.Auto"/> to a concrete backend and rejects impossible requests.</summary>
    internal static HashBackend Resolve(IkeHashAlgorithm algorithm, HashBackend backend)
    {
        if (!IkeHashAlgorithmInfo.IsSupported(algorithm))
        {
            throw IkeHashAlgorithmInfo.Unsupported(algorithm);
        }

        bool sha32 = algorithm is IkeHashAlgorithm.Sha1 or IkeHashAlgorithm.Sha256;
        return backend switch
        {
            HashBackend.Auto => sha32 && Interop.ShaNative.IsAvailable ? HashBackend.Native : HashBackend.Platform,
            HashBackend.Platform => HashBackend.Platform,
            HashBackend.Scalar when sha32 => HashBackend.Scalar,
            HashBackend.Native when sha32 && Interop.ShaNative.IsAvailable => HashBackend.Native,
            _ => throw new NotSupportedException($"Hash backend {backend} cannot compute {algorithm} here."),
        };
    }
}

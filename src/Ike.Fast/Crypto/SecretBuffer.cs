using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// A rented buffer for key material (SKEYID*, Ka, KEYMAT, g^xy). The memory is a pinned array from
/// <see cref="SecretBufferPool"/> (the GC never relocates it, so no stale copies of keys are left behind) and is
/// zeroed with <see cref="CryptographicOperations.ZeroMemory"/> when returned. A mutable struct: keep it in a
/// field or a <c>using</c> local, never copy it (two copies would return the array twice).
/// </summary>
public struct SecretBuffer : IDisposable
{
    private byte[]? _array;
    private int _length;

    /// <summary>Rents a zero-filled buffer of exactly <paramref name="length"/> bytes.</summary>
    public static SecretBuffer Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new SecretBuffer { _array = SecretBufferPool.Rent(length), _length = length };
    }

    /// <summary>The secret bytes (empty after <see cref="Dispose"/>).</summary>
    public readonly Span<byte> Span => _array is null ? default : _array.AsSpan(0, _length);

    /// <summary>Length in bytes.</summary>
    public readonly int Length => _array is null ? 0 : _length;

    /// <summary>True while the buffer holds rented memory.</summary>
    public readonly bool IsAllocated => _array is not null;

    /// <summary>Zeroes the memory and returns it to the pool. Idempotent.</summary>
    public void Dispose()
    {
        byte[]? array = _array;
        if (array is not null)
        {
            _array = null;
            _length = 0;
            CryptographicOperations.ZeroMemory(array);
            SecretBufferPool.Return(array);
        }
    }
}

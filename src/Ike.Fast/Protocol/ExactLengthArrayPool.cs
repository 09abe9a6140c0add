using System.Security.Cryptography;

namespace Ike.Fast.Protocol;

/// <summary>
/// Byte arrays of exact lengths for the per-SA copies the RFC 2409 hashes need (SAi_b, nonces, public values, ID
/// bodies, the last Phase 1 block): an SA's arrays come back here, zeroed, when the SA is recycled, so a steady
/// stream of handshakes with the same transforms reuses the same few lengths and allocates nothing. Bounded per
/// length and in the number of lengths (a peer choosing odd nonce lengths only costs garbage, not memory).
/// Not thread-safe: one per <see cref="Endpoint"/>.
/// </summary>
internal sealed class ExactLengthArrayPool
{
    private const int MaxLengths = 64;
    private const int MaxPerLength = 4096;

    private readonly Dictionary<int, Stack<byte[]>> _byLength = [];

    /// <summary>An array of exactly <paramref name="length"/> bytes (contents zero).</summary>
    public byte[] Rent(int length)
    {
        if (length == 0)
        {
            return [];
        }

        return _byLength.TryGetValue(length, out Stack<byte[]>? stack) && stack.TryPop(out byte[]? array) ? array : new byte[length];
    }

    /// <summary>A copy of <paramref name="source"/> in a rented array.</summary>
    public byte[] Copy(ReadOnlySpan<byte> source)
    {
        byte[] array = Rent(source.Length);
        source.CopyTo(array);
        return array;
    }

    /// <summary>Zeroes the array and keeps it for a later <see cref="Rent"/> (the caller must drop every reference).</summary>
    public void Return(byte[]? array)
    {
        if (array is null || array.Length == 0)
        {
            return;
        }

        CryptographicOperations.ZeroMemory(array);
        if (!_byLength.TryGetValue(array.Length, out Stack<byte[]>? stack))
        {
            if (_byLength.Count >= MaxLengths)
            {
                return;
            }

            stack = new Stack<byte[]>();
            _byLength[array.Length] = stack;
        }

        if (stack.Count < MaxPerLength)
        {
            stack.Push(array);
        }
    }
}

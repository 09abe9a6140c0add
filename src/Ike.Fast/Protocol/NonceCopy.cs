using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Ike.Fast.Protocol;

/// <summary>
/// A copy of one nonce held inline by a lifecycle record (the collision rule's lower of Ni_b and Nr_b, docs/rekeying.md):
/// nonces of up to <see cref="InlineLength"/> bytes (charon's, pluto's and ours are 32) sit in the record itself; a
/// longer one (RFC 2409 §5 allows 8 to 256 bytes) takes an array from the endpoint's pool. An array per record cost
/// 56 B plus its reference (issue #7). Mutated through the record's field, never copied; <see cref="Clear"/> zeroes it.
/// </summary>
internal struct NonceCopy
{
    /// <summary>The longest nonce kept inline.</summary>
    public const int InlineLength = 32;

    private InlineBytes32 _inline;
    private byte[]? _long;
    private int _length;

    /// <summary>The nonce (empty when none was stored).</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Span => _long ?? ((ReadOnlySpan<byte>)_inline)[.._length];

    /// <summary>Stores <paramref name="nonce"/> (the record must be clear: a new or reset one).</summary>
    public void Set(ReadOnlySpan<byte> nonce, ExactLengthArrayPool bytes)
    {
        if (nonce.Length <= InlineLength)
        {
            nonce.CopyTo(_inline);
            _length = nonce.Length;
        }
        else
        {
            _long = bytes.Copy(nonce);
        }
    }

    /// <summary>Zeroes the copy; a long one goes back to <paramref name="bytes"/> (which zeroes it too).</summary>
    public void Clear(ExactLengthArrayPool bytes)
    {
        CryptographicOperations.ZeroMemory(_inline);
        _length = 0;
        if (_long is { } array)
        {
            bytes.Return(array);
            _long = null;
        }
    }
}

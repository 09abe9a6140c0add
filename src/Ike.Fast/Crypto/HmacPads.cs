using System.Runtime.Intrinsics;

namespace Ike.Fast.Crypto;

/// <summary>The RFC 2104 §2 key preparation shared by <see cref="PrfKey"/> and <see cref="PrfContext"/>.</summary>
internal static class HmacPads
{
    private const byte InnerPad = 0x36; // RFC 2104 §2 ipad
    private const byte OuterPad = 0x5c; // RFC 2104 §2 opad

    /// <summary>
    /// Writes K0 ^ ipad and K0 ^ opad (B = <paramref name="innerPad"/>.Length bytes each), where K0 is the key,
    /// hashed first when longer than B, zero-padded to B bytes. B is 64 or 128: whole 32-byte vectors.
    /// </summary>
    internal static void Compute(IkeHashAlgorithm algorithm, HashBackend backend, ReadOnlySpan<byte> key,
        Span<byte> innerPad, Span<byte> outerPad)
    {
        int blockSize = innerPad.Length;
        innerPad.Clear();
        if (key.Length > blockSize)
        {
            using HashContext keyHash = new(algorithm, backend);
            keyHash.Append(key);
            keyHash.Finish(innerPad);
        }
        else
        {
            key.CopyTo(innerPad);
        }

        Vector256<byte> ipad = Vector256.Create(InnerPad), opad = Vector256.Create(OuterPad);
        for (int i = 0; i < blockSize; i += Vector256<byte>.Count)
        {
            Vector256<byte> k0 = Vector256.Create((ReadOnlySpan<byte>)innerPad.Slice(i, Vector256<byte>.Count));
            (k0 ^ opad).CopyTo(outerPad.Slice(i, Vector256<byte>.Count));
            (k0 ^ ipad).CopyTo(innerPad.Slice(i, Vector256<byte>.Count));
        }
    }
}

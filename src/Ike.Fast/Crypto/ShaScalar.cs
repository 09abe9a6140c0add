using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ike.Fast.Crypto;

/// <summary>
/// Portable SHA-1 and SHA-256 compression functions (FIPS 180-4 §6.1.2, §6.2.2): the fallback when the SHA-NI
/// kernels are not available, and the reference they are tested against. Data-independent control flow.
/// </summary>
[SkipLocalsInit]
internal static class ShaScalar
{
    private static ReadOnlySpan<uint> K256 =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    /// <summary>SHA-256 compression over whole 64-byte blocks.</summary>
    internal static void Sha256Compress(Span<uint> state, ReadOnlySpan<byte> blocks)
    {
        Span<uint> w = stackalloc uint[64];
        ReadOnlySpan<uint> k = K256;
        while (blocks.Length >= 64)
        {
            for (int t = 0; t < 16; t++)
            {
                w[t] = BinaryPrimitives.ReadUInt32BigEndian(blocks.Slice(t * 4, 4));
            }

            for (int t = 16; t < 64; t++)
            {
                uint w15 = w[t - 15], w2 = w[t - 2];
                uint s0 = BitOperations.RotateRight(w15, 7) ^ BitOperations.RotateRight(w15, 18) ^ (w15 >> 3);
                uint s1 = BitOperations.RotateRight(w2, 17) ^ BitOperations.RotateRight(w2, 19) ^ (w2 >> 10);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
            }

            uint a = state[0], b = state[1], c = state[2], d = state[3];
            uint e = state[4], f = state[5], g = state[6], h = state[7];
            for (int t = 0; t < 64; t++)
            {
                uint s1 = BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
                uint ch = (e & f) ^ (~e & g);
                uint t1 = h + s1 + ch + k[t] + w[t];
                uint s0 = BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);
                uint maj = (a & b) ^ (a & c) ^ (b & c);
                uint t2 = s0 + maj;
                h = g; g = f; f = e; e = d + t1;
                d = c; c = b; b = a; a = t1 + t2;
            }

            state[0] += a; state[1] += b; state[2] += c; state[3] += d;
            state[4] += e; state[5] += f; state[6] += g; state[7] += h;
            blocks = blocks[64..];
        }

        w.Clear();
    }

    /// <summary>SHA-1 compression over whole 64-byte blocks (state: five words).</summary>
    internal static void Sha1Compress(Span<uint> state, ReadOnlySpan<byte> blocks)
    {
        Span<uint> w = stackalloc uint[80];
        while (blocks.Length >= 64)
        {
            for (int t = 0; t < 16; t++)
            {
                w[t] = BinaryPrimitives.ReadUInt32BigEndian(blocks.Slice(t * 4, 4));
            }

            for (int t = 16; t < 80; t++)
            {
                w[t] = BitOperations.RotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
            }

            uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
            for (int t = 0; t < 80; t++)
            {
                uint f, k;
                if (t < 20)
                {
                    f = (b & c) | (~b & d);
                    k = 0x5a827999;
                }
                else if (t < 40)
                {
                    f = b ^ c ^ d;
                    k = 0x6ed9eba1;
                }
                else if (t < 60)
                {
                    f = (b & c) | (b & d) | (c & d);
                    k = 0x8f1bbcdc;
                }
                else
                {
                    f = b ^ c ^ d;
                    k = 0xca62c1d6;
                }

                uint temp = BitOperations.RotateLeft(a, 5) + f + e + k + w[t];
                e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = temp;
            }

            state[0] += a; state[1] += b; state[2] += c; state[3] += d; state[4] += e;
            blocks = blocks[64..];
        }

        w.Clear();
    }
}

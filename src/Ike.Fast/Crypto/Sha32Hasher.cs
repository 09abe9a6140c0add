using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// Streaming SHA-1 / SHA-256 (the two Merkle–Damgård hashes with 32-bit words and 64-byte blocks, FIPS 180-4)
/// over a pluggable compression function (SHA-NI or scalar). Being a plain struct it can be copied as a
/// "midstate": HMAC keeps the states after the ipad and opad blocks so a PRF call does not re-hash them.
/// </summary>
[SkipLocalsInit]
internal struct Sha32Hasher
{
    private const int BlockSize = 64;
    private const int LengthOffset = 56;

    private UInt32x8 _state;
    private Bytes64 _buffer;
    private int _buffered;
    private ulong _length;
    private bool _sha1;
    private bool _native;

    /// <summary>Digest size: 20 (SHA-1) or 32 (SHA-256).</summary>
    internal readonly int OutputSize => _sha1 ? 20 : 32;

    /// <summary>Starts a new hash with the FIPS 180-4 §5.3 initial values.</summary>
    internal void Initialize(bool sha1, bool native)
    {
        _sha1 = sha1;
        _native = native;
        _buffered = 0;
        _length = 0;
        if (sha1)
        {
            _state[0] = 0x67452301; _state[1] = 0xefcdab89; _state[2] = 0x98badcfe; _state[3] = 0x10325476;
            _state[4] = 0xc3d2e1f0; _state[5] = 0; _state[6] = 0; _state[7] = 0;
        }
        else
        {
            _state[0] = 0x6a09e667; _state[1] = 0xbb67ae85; _state[2] = 0x3c6ef372; _state[3] = 0xa54ff53a;
            _state[4] = 0x510e527f; _state[5] = 0x9b05688c; _state[6] = 0x1f83d9ab; _state[7] = 0x5be0cd19;
        }
    }

    /// <summary>Feeds data.</summary>
    internal void Append(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        Span<byte> buffer = _buffer;
        if (_buffered > 0)
        {
            int take = Math.Min(BlockSize - _buffered, data.Length);
            data[..take].CopyTo(buffer[_buffered..]);
            _buffered += take;
            data = data[take..];
            if (_buffered < BlockSize)
            {
                return;
            }

            Compress(buffer);
            _buffered = 0;
        }

        int whole = data.Length & ~(BlockSize - 1);
        if (whole > 0)
        {
            Compress(data[..whole]);
            data = data[whole..];
        }

        data.CopyTo(buffer);
        _buffered = data.Length;
    }

    /// <summary>Pads (FIPS 180-4 §5.1.1), writes the digest and clears the buffered input.</summary>
    internal void Finish(Span<byte> digest)
    {
        Span<byte> buffer = _buffer;
        ulong bitLength = _length * 8;
        buffer[_buffered++] = 0x80;
        if (_buffered > LengthOffset)
        {
            buffer[_buffered..].Clear();
            Compress(buffer);
            _buffered = 0;
        }

        buffer[_buffered..LengthOffset].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(buffer[LengthOffset..], bitLength);
        Compress(buffer);
        int words = _sha1 ? 5 : 8;
        for (int i = 0; i < words; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(i * 4, 4), _state[i]);
        }

        CryptographicOperations.ZeroMemory(buffer);
        _buffered = 0;
    }

    /// <summary>Zeroes state and buffer (they may be derived from a key).</summary>
    internal void Clear()
    {
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes((Span<uint>)_state));
        CryptographicOperations.ZeroMemory(_buffer);
        _buffered = 0;
        _length = 0;
    }

    private void Compress(ReadOnlySpan<byte> blocks)
    {
        Span<uint> state = _state;
        if (_native)
        {
            if (_sha1)
            {
                Interop.ShaNative.Sha1Compress(state, blocks);
            }
            else
            {
                Interop.ShaNative.Sha256Compress(state, blocks);
            }
        }
        else if (_sha1)
        {
            ShaScalar.Sha1Compress(state, blocks);
        }
        else
        {
            ShaScalar.Sha256Compress(state, blocks);
        }
    }
}

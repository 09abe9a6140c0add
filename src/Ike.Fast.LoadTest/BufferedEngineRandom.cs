using System.Security.Cryptography;
using Ike.Fast.Protocol;

namespace Ike.Fast.LoadTest;

/// <summary>
/// The generator thread's randomness (cookies, nonces, IVs, SPIs): the system CSPRNG read 4 KiB at a time and handed
/// out in pieces, so the engine's many small requests per handshake cost a copy instead of an OpenSSL call each (the
/// bytes are the same CSPRNG output; used bytes are wiped from the buffer). One per generator thread: not thread-safe.
/// </summary>
internal sealed class BufferedEngineRandom : IEngineRandom
{
    private const int BufferSize = 4096;

    private readonly byte[] _buffer = new byte[BufferSize];
    private int _next = BufferSize;

    public void Fill(Span<byte> destination)
    {
        if (destination.Length > BufferSize / 4)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        if (BufferSize - _next < destination.Length)
        {
            RandomNumberGenerator.Fill(_buffer);
            _next = 0;
        }

        Span<byte> piece = _buffer.AsSpan(_next, destination.Length);
        piece.CopyTo(destination);
        piece.Clear(); // handed out once
        _next += destination.Length;
    }

    /// <summary>A random value in [<paramref name="minimum"/>, 2^32) with the top bit set (SPIs).</summary>
    public uint NextSpi(uint minimum)
    {
        Span<byte> b = stackalloc byte[4];
        uint value;
        do
        {
            Fill(b);
            value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b) | 0x8000_0000u;
        }
        while (value < minimum);
        return value;
    }
}

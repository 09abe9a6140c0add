using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// The system CSPRNG (<see cref="RandomNumberGenerator"/>) drawn in blocks of <see cref="BlockSize"/> bytes per thread:
/// a handshake asks for a few short values (cookies, nonces, SPIs, DH scalars), and each call into OpenSSL's
/// RAND_bytes through .NET costs about a microsecond of fixed overhead, several times the cost of the bytes
/// themselves. Bytes are handed out once: each is wiped from the block as it is copied out, so the block holds only
/// bytes not yet used (as a DRBG's state would). Requests longer than <see cref="DirectThreshold"/> go straight to
/// the system generator. Thread-safe (one block per thread).
/// </summary>
internal static class BufferedSystemRandom
{
    /// <summary>Bytes drawn from the system generator at a time.</summary>
    public const int BlockSize = 512;

    /// <summary>Requests above this length bypass the block.</summary>
    public const int DirectThreshold = 64;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_used;

    /// <summary>Fills <paramref name="destination"/> with cryptographically secure random bytes.</summary>
    public static void Fill(Span<byte> destination)
    {
        if (destination.Length > DirectThreshold)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        byte[]? block = t_block;
        int used = t_used;
        if (block is null)
        {
            block = t_block = new byte[BlockSize];
            used = BlockSize;
        }

        if (BlockSize - used < destination.Length)
        {
            RandomNumberGenerator.Fill(block);
            used = 0;
        }

        Span<byte> take = block.AsSpan(used, destination.Length);
        take.CopyTo(destination);
        CryptographicOperations.ZeroMemory(take);
        t_used = used + destination.Length;
    }
}

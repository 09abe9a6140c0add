using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// NIST P-256 (IKE group 19, RFC 5903 §3) constants for key pairs made on the batcher's ECDH lanes: the base point G
/// and the group order n (FIPS 186-4 D.1.2.3), big-endian as in the KE payload (RFC 5903 §7).
/// </summary>
internal static class P256Constants
{
    /// <summary>Bytes of a scalar d.</summary>
    public const int ScalarLength = 32;

    /// <summary>Bytes of a public value x || y.</summary>
    public const int PointLength = 64;

    /// <summary>G = x || y.</summary>
    public static ReadOnlySpan<byte> Generator =>
    [
        0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63, 0xA4, 0x40, 0xF2,
        0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96,
        0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E, 0x16,
        0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5,
    ];

    /// <summary>The order n of G.</summary>
    public static ReadOnlySpan<byte> Order =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ];

    /// <summary>
    /// Fills <paramref name="scalar"/> (32 bytes) with a uniformly random d in [1, n - 1] (FIPS 186-4 B.4.2, rejection
    /// sampling: a retry reveals only that a discarded candidate was out of range; n is within 2^-32 of 2^256, so a
    /// retry is rare).
    /// </summary>
    public static void NewScalar(IDhRandomSource random, Span<byte> scalar)
    {
        while (true)
        {
            random.Fill(scalar);
            if (scalar.IndexOfAnyExcept((byte)0) >= 0 && scalar.SequenceCompareTo(Order) < 0)
            {
                return;
            }
        }
    }
}

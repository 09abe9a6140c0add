namespace Ike.Native.Ecc;

/// <summary>
/// ECDH on NIST P-256 (IKE group 19, RFC 5903) for up to eight independent inputs per call on AVX-512 IFMA
/// (native/src/p256_ifma.c): the big-endian x-coordinate of d * Q per lane. Scalars are 32 big-endian bytes
/// (lane k at 32k); points are uncompressed x || y without the 0x04 prefix, 64 bytes (lane k at 64k), as in the
/// IKE KE payload (RFC 5903 section 7). The kernel checks each point (coordinates below p, on the curve) and reports
/// failed lanes instead of results. Stateless and thread-safe; allocates nothing.
/// </summary>
public static unsafe class IfmaP256
{
    /// <summary>Lanes per call.</summary>
    public const int MaxLanes = 8;

    /// <summary>Bytes of a scalar and of a result (the x-coordinate).</summary>
    public const int ScalarLength = 32;

    /// <summary>Bytes of a point (x || y).</summary>
    public const int PointLength = 64;

    /// <summary>True when libikefast_native is loaded and the CPU (and OS) support AVX-512 F, VL and IFMA.</summary>
    public static bool IsSupported => NativeLibraryInfo.IsAvailable && Interop.IkeFastNativeEcc.P256IfmaSupported() == 1;

    /// <summary>
    /// results[32k..] = x(scalars[32k..] * points[64k..]) for k below <paramref name="lanes"/>; lanes flagged in
    /// the returned status hold zeros. Throws for misuse (lengths, lanes, unsupported CPU).
    /// </summary>
    public static P256LaneStatus Multiply(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> points, Span<byte> results, int lanes) =>
        Run(scalars, points, results, lanes, ScalarLength);

    /// <summary>
    /// results[64k..] = scalars[32k..] * points[64k..] as the affine point x || y, for k below <paramref name="lanes"/>:
    /// with the generator as the point, a key pair's public value (the KE payload of RFC 5903 section 7) on the same
    /// lanes as the shared secrets. Flagged lanes hold zeros. Throws for misuse.
    /// </summary>
    public static P256LaneStatus MultiplyPoint(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> points, Span<byte> results, int lanes) =>
        Run(scalars, points, results, lanes, PointLength);

    /// <summary>
    /// Key pairs: results[64k..] = scalars[32k..] * G as x || y for k below <paramref name="lanes"/>, by the fixed-base
    /// comb (bit-identical to <see cref="MultiplyPoint"/> with G as every point, about three times cheaper). The
    /// status's <see cref="P256LaneStatus.Infinity"/> flags zero scalars (mod n), whose results are zeros.
    /// </summary>
    public static P256LaneStatus MultiplyBase(ReadOnlySpan<byte> scalars, Span<byte> results, int lanes)
    {
        if (lanes < 1 || lanes > MaxLanes)
        {
            throw new ArgumentOutOfRangeException(nameof(lanes), lanes, $"Between 1 and {MaxLanes} lanes.");
        }

        if (scalars.Length < lanes * ScalarLength || results.Length < lanes * PointLength)
        {
            throw new ArgumentException($"{lanes} lanes need {lanes * ScalarLength} scalar and {lanes * PointLength} result bytes.");
        }

        if (results.Overlaps(scalars))
        {
            throw new ArgumentException("The results may not overlap the scalars.", nameof(results));
        }

        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("AVX-512 IFMA (or libikefast_native) is not available.");
        }

        int status;
        fixed (byte* s = scalars)
        fixed (byte* r = results)
        {
            status = Interop.IkeFastNativeEcc.P256Ifma8Base(r, s, lanes);
        }

        return status >= 0
            ? new P256LaneStatus(status & 0xFF, (status >> 8) & 0xFF)
            : throw new InvalidOperationException($"IkeFastNative_P256Ifma8Base failed with status {status}.");
    }

    /// <summary>The base point G = x || y (FIPS 186-4 D.1.2.3).</summary>
    public static ReadOnlySpan<byte> Generator =>
    [
        0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63, 0xA4, 0x40, 0xF2,
        0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96,
        0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E, 0x16,
        0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5,
    ];

    private static P256LaneStatus Run(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> points, Span<byte> results, int lanes, int resultLength)
    {
        if (lanes < 1 || lanes > MaxLanes)
        {
            throw new ArgumentOutOfRangeException(nameof(lanes), lanes, $"Between 1 and {MaxLanes} lanes.");
        }

        if (scalars.Length < lanes * ScalarLength || points.Length < lanes * PointLength || results.Length < lanes * resultLength)
        {
            throw new ArgumentException($"{lanes} lanes need {lanes * ScalarLength} scalar, {lanes * resultLength} result and {lanes * PointLength} point bytes.");
        }

        if (results.Overlaps(scalars) || results.Overlaps(points))
        {
            throw new ArgumentException("The results may not overlap the inputs.", nameof(results));
        }

        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("AVX-512 IFMA (or libikefast_native) is not available.");
        }

        int status;
        fixed (byte* s = scalars)
        fixed (byte* p = points)
        fixed (byte* r = results)
        {
            status = resultLength == PointLength
                ? Interop.IkeFastNativeEcc.P256Ifma8Point(r, s, p, lanes)
                : Interop.IkeFastNativeEcc.P256Ifma8(r, s, p, lanes);
        }

        return status >= 0
            ? new P256LaneStatus(status & 0xFF, (status >> 8) & 0xFF)
            : throw new InvalidOperationException($"IkeFastNative_P256Ifma8 failed with status {status}.");
    }
}

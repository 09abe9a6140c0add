namespace Ike.Native.Ecc;

/// <summary>
/// X25519 (RFC 7748 section 5; IKE group 31, RFC 8031) for up to eight independent inputs per call on AVX-512 IFMA
/// (native/src/x25519_ifma.c). Inputs and outputs are 32-byte little-endian strings laid out back to back, lane k
/// at offset 32k. Scalars are clamped and the top bit of u is masked inside, as RFC 7748 prescribes. Stateless and
/// thread-safe; allocates nothing.
/// </summary>
public static unsafe class IfmaX25519
{
    /// <summary>Lanes per call.</summary>
    public const int MaxLanes = 8;

    /// <summary>Bytes of a scalar, a u-coordinate and a result.</summary>
    public const int ElementLength = 32;

    /// <summary>u = 9 (RFC 7748 section 4.1), little-endian: the base point of <see cref="MultiplyBase"/>.</summary>
    public static ReadOnlySpan<byte> BasePoint => [9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>True when libikefast_native is loaded and the CPU (and OS) support AVX-512 F, VL and IFMA.</summary>
    public static bool IsSupported => NativeLibraryInfo.IsAvailable && Interop.IkeFastNativeEcc.X25519IfmaSupported() == 1;

    /// <summary>
    /// results[32k..] = X25519(scalars[32k..], points[32k..]) for k below <paramref name="lanes"/>. Returns the mask
    /// of lanes whose result is all zeros (bit k for lane k): a low-order peer point, which the caller must reject
    /// (RFC 7748 section 6.1, RFC 8031 section 2.3). Throws for misuse (lengths, lanes, unsupported CPU).
    /// </summary>
    public static int Multiply(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> points, Span<byte> results, int lanes)
    {
        if (lanes < 1 || lanes > MaxLanes)
        {
            throw new ArgumentOutOfRangeException(nameof(lanes), lanes, $"Between 1 and {MaxLanes} lanes.");
        }

        int bytes = lanes * ElementLength;
        if (scalars.Length < bytes || points.Length < bytes || results.Length < bytes)
        {
            throw new ArgumentException($"Scalars, points and results need {bytes} bytes each for {lanes} lanes.");
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
            status = Interop.IkeFastNativeEcc.X25519Ifma8(r, s, p, lanes);
        }

        return status >= 0 ? status : throw new InvalidOperationException($"IkeFastNative_X25519Ifma8 failed with status {status}.");
    }

    /// <summary>
    /// Key pairs: results[32k..] = X25519(scalars[32k..], 9) for k below <paramref name="lanes"/>, bit-identical to
    /// <see cref="Multiply"/> with <see cref="BasePoint"/> in every lane (scalars clamped inside), by a fixed-base comb
    /// on edwards25519 (IkeFastNative_X25519Ifma8Base: a table of multiples of the base point built at the first call,
    /// 64 mixed additions instead of 255 ladder steps). Returns the mask of all-zero results (never set: a clamped
    /// scalar times the base point is never the identity). Throws for misuse (lengths, lanes, unsupported CPU).
    /// </summary>
    public static int MultiplyBase(ReadOnlySpan<byte> scalars, Span<byte> results, int lanes)
    {
        if (lanes < 1 || lanes > MaxLanes)
        {
            throw new ArgumentOutOfRangeException(nameof(lanes), lanes, $"Between 1 and {MaxLanes} lanes.");
        }

        int bytes = lanes * ElementLength;
        if (scalars.Length < bytes || results.Length < bytes)
        {
            throw new ArgumentException($"Scalars and results need {bytes} bytes each for {lanes} lanes.");
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
            status = Interop.IkeFastNativeEcc.X25519Ifma8Base(r, s, lanes);
        }

        return status >= 0 ? status : throw new InvalidOperationException($"IkeFastNative_X25519Ifma8Base failed with status {status}.");
    }
}

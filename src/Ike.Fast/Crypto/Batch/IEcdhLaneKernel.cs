using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Up to <see cref="MaxLanes"/> independent constant-time scalar multiplications on one curve group: X25519 (group 31,
/// RFC 7748 §5: little-endian scalars and u-coordinates) or P-256 (group 19, RFC 5903 §7: big-endian scalars, points
/// x || y). Implemented natively (Ike.Native's IFMA kernels); stateless, so one kernel serves any thread.
/// </summary>
public interface IEcdhLaneKernel
{
    /// <summary>The group.</summary>
    DhGroupId Group { get; }

    /// <summary>Lanes per call (8).</summary>
    int MaxLanes { get; }

    /// <summary>Bytes of a peer point (X25519: 32, P-256: 64) as carried in the KE payload.</summary>
    int PointLength { get; }

    /// <summary>Bytes of a scalar: 32.</summary>
    int ScalarLength { get; }

    /// <summary>
    /// Bytes of one lane's result: the x/u-coordinate first (the shared secret), then for P-256 the y-coordinate, so a
    /// lane with the generator as its point yields a whole public value x || y (RFC 5903 §7). X25519: 32, P-256: 64.
    /// </summary>
    int ResultLength { get; }

    /// <summary>
    /// results[k] (<see cref="ResultLength"/> bytes) = scalars[k] * points[k] for k &lt; <paramref name="lanes"/>: its
    /// x/u-coordinate, and y where <see cref="ResultLength"/> has room. Returns the mask of failed lanes (bit k: a point
    /// off the curve, the point at infinity, an all-zero X25519 result), whose result bytes are zero.
    /// </summary>
    int Multiply(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> points, Span<byte> results, int lanes);
}

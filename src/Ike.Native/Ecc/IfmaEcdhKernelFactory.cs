using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Native.Ecc;

/// <summary>
/// Plugs the native 8-lane IFMA X25519 (<see cref="IfmaX25519"/>) and P-256 (<see cref="IfmaP256"/>) kernels into the
/// engine's batched Diffie-Hellman: pass <see cref="Instance"/> as <see cref="ModExpBatchOptions.EcdhFactory"/>. On a
/// CPU without AVX-512 IFMA (or without libikefast_native) it creates nothing and the curves stay on NSec / .NET.
/// </summary>
public sealed class IfmaEcdhKernelFactory : IEcdhKernelFactory
{
    private IfmaEcdhKernelFactory()
    {
    }

    /// <summary>The factory (stateless).</summary>
    public static IfmaEcdhKernelFactory Instance { get; } = new();

    /// <inheritdoc/>
    public IEcdhLaneKernel? TryCreate(DhGroupId group) => group switch
    {
        DhGroupId.Curve25519 when IfmaX25519.IsSupported => new X25519Kernel(ModExpBatchOptions.CombEnabledByEnvironment),
        DhGroupId.Ecp256 when IfmaP256.IsSupported => new P256Kernel(),
        _ => null,
    };

    /// <param name="comb">Key-pair batches on the fixed-base comb (false: the ladder with u = 9, for measuring).</param>
    private sealed class X25519Kernel(bool comb) : IEcdhLaneKernel
    {
        public DhGroupId Group => DhGroupId.Curve25519;

        public int MaxLanes => IfmaX25519.MaxLanes;

        public int PointLength => IfmaX25519.ElementLength;

        public int ScalarLength => IfmaX25519.ElementLength;

        public int ResultLength => IfmaX25519.ElementLength;

        public int Multiply(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> points, Span<byte> results, int lanes) =>
            comb && AllBasePoint(points, lanes)
                ? IfmaX25519.MultiplyBase(scalars, results, lanes) // a batch of key pairs (a pool refill): the comb
                : IfmaX25519.Multiply(scalars, points, results, lanes);

        /// <summary>Every lane's point is u = 9 (public data): the lanes are key pairs.</summary>
        private static bool AllBasePoint(ReadOnlySpan<byte> points, int lanes)
        {
            for (int k = 0; k < lanes; k++)
            {
                if (!points.Slice(k * IfmaX25519.ElementLength, IfmaX25519.ElementLength).SequenceEqual(IfmaX25519.BasePoint))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class P256Kernel : IEcdhLaneKernel
    {
        public DhGroupId Group => DhGroupId.Ecp256;

        public int MaxLanes => IfmaP256.MaxLanes;

        public int PointLength => IfmaP256.PointLength;

        public int ScalarLength => IfmaP256.ScalarLength;

        // x || y: a lane on the generator is a whole public value; a shared secret takes x (y costs two multiplications).
        public int ResultLength => IfmaP256.PointLength;

        public int Multiply(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> points, Span<byte> results, int lanes) =>
            AllGenerator(points, lanes)
                ? IfmaP256.MultiplyBase(scalars, results, lanes).Failed // a batch of key pairs (a pool refill): the comb
                : IfmaP256.MultiplyPoint(scalars, points, results, lanes).Failed;

        /// <summary>Every lane's point is G (public data): the lanes are key pairs.</summary>
        private static bool AllGenerator(ReadOnlySpan<byte> points, int lanes)
        {
            for (int k = 0; k < lanes; k++)
            {
                if (!points.Slice(k * IfmaP256.PointLength, IfmaP256.PointLength).SequenceEqual(IfmaP256.Generator))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

using System.Security.Cryptography;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Runs an <see cref="IEcdhLaneKernel"/> behind the batcher's <see cref="IModExpLaneKernel"/> shape, so curve groups
/// share the MODP queues, flush deadline and worker: a lane's "base" is the peer point (or the generator for a key
/// pair), its "exponent" our scalar, its result slot (point-length wide) receives the kernel's result: the 32-byte
/// x/u-coordinate, then y for P-256 (a key pair's public value x || y), zeros after. Failed lanes hold zeros (the
/// completion reports them as INVALID-KEY-INFORMATION).
/// </summary>
internal sealed class EcdhModExpKernel : IModExpLaneKernel
{
    private readonly IEcdhLaneKernel _kernel;
    private readonly byte[] _results;

    internal EcdhModExpKernel(IEcdhLaneKernel kernel)
    {
        _kernel = kernel;
        _results = GC.AllocateArray<byte>(kernel.MaxLanes * kernel.ResultLength, pinned: true);
    }

    /// <inheritdoc/>
    public ModExpTier Tier => ModExpTier.Ifma;

    /// <inheritdoc/>
    public int MaxLanes => _kernel.MaxLanes;

    /// <inheritdoc/>
    public int ModulusLength => _kernel.PointLength;

    /// <summary>The group.</summary>
    public DhGroupId Group => _kernel.Group;

    /// <inheritdoc/>
    public void ModPow(ReadOnlySpan<byte> bases, ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results, int lanes)
    {
        int s = _kernel.ScalarLength;
        if (exponentLength != s)
        {
            throw new ArgumentOutOfRangeException(nameof(exponentLength), exponentLength, $"Curve scalars are {s} bytes.");
        }

        ModExpArguments.Validate(ModulusLength, bases, exponents, exponentLength, results, lanes, MaxLanes);
        try
        {
            int r = _kernel.ResultLength;
            _kernel.Multiply(exponents[..(lanes * s)], bases[..(lanes * ModulusLength)], _results.AsSpan(0, lanes * r), lanes);
            for (int k = 0; k < lanes; k++)
            {
                Span<byte> slot = results.Slice(k * ModulusLength, ModulusLength);
                _results.AsSpan(k * r, r).CopyTo(slot);
                slot[r..].Clear();
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(_results);
        }
    }

    public void Dispose()
    {
    }
}

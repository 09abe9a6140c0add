namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Up to <see cref="MaxLanes"/> independent constant-time exponentiations base^exponent mod m sharing one odd
/// modulus m, fixed when the kernel is created. A kernel owns scratch memory: one thread uses it at a time.
/// </summary>
public interface IModExpLaneKernel : IDisposable
{
    /// <summary>Which implementation this is.</summary>
    ModExpTier Tier { get; }

    /// <summary>Lanes per call (8 for every tier here).</summary>
    int MaxLanes { get; }

    /// <summary>Byte length of the modulus, of every base and of every result.</summary>
    int ModulusLength { get; }

    /// <summary>
    /// results[k] = bases[k] ^ exponents[k] mod m for k &lt; <paramref name="lanes"/>. Lane k's base and result
    /// are the big-endian <see cref="ModulusLength"/> bytes at k * ModulusLength; its exponent is the big-endian
    /// <paramref name="exponentLength"/> bytes at k * exponentLength. Bases must be below m. The work depends on
    /// lengths only, never on values, so pad shorter exponents with leading zeros to a public length.
    /// </summary>
    void ModPow(ReadOnlySpan<byte> bases, ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results, int lanes);
}

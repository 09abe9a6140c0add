namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// A vector tier (AVX2: 4 lanes per vector; AVX-512 and IFMA: 8) that hands lanes to the scalar tier where the scalar
/// tier is faster. A vector computes all its lanes at the cost of a full one, while the scalar tier pays per lane, so
/// a batch's last, partly filled vector runs on the vector tier only when it holds at least
/// <see cref="MinVectorLanes"/> lanes; otherwise those lanes run one by one on the scalar tier. The choice depends on the
/// lane count only (public), and both tiers are bit-identical, so the results and the constant-time property are those
/// of the tiers themselves. The thresholds come from <see cref="ModExpTierSelector.MinVectorLanes"/> (measured).
/// A batch of key pairs (every base g: public) runs wholly on the vector tier, whose fixed-base comb is about four to
/// six times cheaper than its variable-base path (docs/dh-tiers.md): one lane of it beats the scalar tier for the
/// groups that get a split, or nearly matches it (AVX-512 at 3072 bits: 326 against 294 us), and a pool's batches
/// are full anyway.
/// </summary>
internal sealed class SplitModExpKernel : IModExpLaneKernel
{
    private readonly IModExpLaneKernel _vector;
    private readonly IModExpLaneKernel _scalar;
    private readonly int _vectorWidth;

    internal SplitModExpKernel(IModExpLaneKernel vector, int vectorWidth, int minVectorLanes, IModExpLaneKernel scalar)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vectorWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minVectorLanes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minVectorLanes, vectorWidth);
        if (vector.ModulusLength != scalar.ModulusLength || vector.MaxLanes != scalar.MaxLanes)
        {
            throw new ArgumentException("The two kernels must share the modulus and the lane count.", nameof(scalar));
        }

        _vector = vector;
        _scalar = scalar;
        _vectorWidth = vectorWidth;
        MinVectorLanes = minVectorLanes;
    }

    /// <summary>The vector tier (the one the lanes of full vectors run on).</summary>
    public ModExpTier Tier => _vector.Tier;

    public int MaxLanes => _vector.MaxLanes;

    public int ModulusLength => _vector.ModulusLength;

    /// <summary>Fewest lanes a partly filled vector must hold to run on the vector tier.</summary>
    internal int MinVectorLanes { get; }

    /// <summary>Lanes the vector tier takes out of a batch of <paramref name="lanes"/> (the rest go to the scalar tier).</summary>
    internal int VectorLanes(int lanes)
    {
        int full = lanes / _vectorWidth * _vectorWidth;
        return lanes - full >= MinVectorLanes ? lanes : full;
    }

    public void ModPow(ReadOnlySpan<byte> bases, ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results, int lanes)
    {
        ModExpArguments.Validate(ModulusLength, bases, exponents, exponentLength, results, lanes, MaxLanes);
        int len = ModulusLength;
        int vectorLanes = ModpKeyPairBases.All(bases, len, lanes) ? lanes : VectorLanes(lanes);
        if (vectorLanes > 0)
        {
            _vector.ModPow(bases[..(vectorLanes * len)], exponents[..(vectorLanes * exponentLength)], exponentLength, results, vectorLanes);
        }

        if (vectorLanes < lanes)
        {
            int rest = lanes - vectorLanes;
            _scalar.ModPow(
                bases.Slice(vectorLanes * len, rest * len),
                exponents.Slice(vectorLanes * exponentLength, rest * exponentLength),
                exponentLength,
                results[(vectorLanes * len)..],
                rest);
        }
    }

    public void Dispose()
    {
        _vector.Dispose();
        _scalar.Dispose();
    }
}

using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// The scalar tier: lane after lane. For a MODP prime it runs the 64-bit-limb
/// <see cref="ModularExponentiation"/> (RFC 3526 groups); for any other odd modulus, the managed kernel's
/// one-lane body (<see cref="ScalarLaneMath"/>). Both are constant-time.
/// </summary>
internal sealed class ScalarModExpKernel : IModExpLaneKernel
{
    private const int LaneCount = 8;
    private readonly ModpGroup? _group;
    private readonly ManagedModExpKernel<ScalarLaneMath, ulong>? _generic;

    internal ScalarModExpKernel(ReadOnlySpan<byte> modulus)
    {
        _group = FindGroup(modulus);
        if (_group is null)
        {
            _generic = new ManagedModExpKernel<ScalarLaneMath, ulong>(modulus, ModExpTier.Scalar);
        }

        ModulusLength = modulus.Length;
    }

    public ModExpTier Tier => ModExpTier.Scalar;

    public int MaxLanes => LaneCount;

    public int ModulusLength { get; }

    public void ModPow(ReadOnlySpan<byte> bases, ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results, int lanes)
    {
        if (_generic is not null)
        {
            _generic.ModPow(bases, exponents, exponentLength, results, lanes);
            return;
        }

        ModExpArguments.Validate(ModulusLength, bases, exponents, exponentLength, results, lanes, LaneCount);
        int len = ModulusLength;
        for (int lane = 0; lane < lanes; lane++)
        {
            ReadOnlySpan<byte> @base = bases.Slice(lane * len, len);
            if (@base.SequenceCompareTo(_group!.PrimeBytes) >= 0)
            {
                throw new ArgumentException($"Base of lane {lane} is not below the modulus.", nameof(bases));
            }

            ModularExponentiation.ModExp(
                @base, exponents.Slice(lane * exponentLength, exponentLength), _group, results.Slice(lane * len, len));
        }
    }

    public void Dispose() => _generic?.Dispose();

    private static ModpGroup? FindGroup(ReadOnlySpan<byte> modulus)
    {
        foreach (ModpGroup group in ModExpGroups.All)
        {
            if (modulus.SequenceEqual(group.PrimeBytes))
            {
                return group;
            }
        }

        return null;
    }
}

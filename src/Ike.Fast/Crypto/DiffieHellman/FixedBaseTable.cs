namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Precomputed powers of the generator for key generation (fixed-base windowing, Brickell-Gordon-McCurley-Wilson):
/// entry [i][j] = g^(j * 2^(4i)) * R mod p, so g^x = prod_i [i][digit_i(x)] needs one multiplication per
/// 4-bit digit and no squarings (about 4x fewer operations than the generic ladder for a 256-bit exponent).
/// The table holds public values only; each digit still selects its entry with a full masked scan, so the
/// secret exponent decides neither branches nor addresses. Built once per group on first use, in the
/// representation of the arithmetic that will read it (MODP-2048 with 256-bit exponents: 64 windows x 16
/// entries x 256 bytes = 256 KiB with 64-bit limbs, 640 KiB with the 28-bit limbs of the AVX-512 path).
/// </summary>
internal sealed class FixedBaseTable
{
    /// <summary>Digit width in bits.</summary>
    internal const int WindowBits = 4;

    /// <summary>Entries per window.</summary>
    internal const int Entries = 1 << WindowBits;

    private readonly ulong[] _table;

    private FixedBaseTable(ModpGroup group, int exponentBytes, bool vector)
    {
        Group = group;
        ExponentBytes = exponentBytes;
        Windows = exponentBytes * 8 / WindowBits;
        IsVector = vector;
        if (vector)
        {
            VectorModulus vm = group.Vector!;
            int limbs = vm.LimbCount;
            LimbsPerEntry = limbs;
            _table = new ulong[Windows * Entries * limbs];
            var scratch = new ulong[limbs];
            var power = new ulong[limbs];
            var g = new ulong[limbs];
            g[0] = ModpGroup.Generator;
            VectorMontgomeryArithmetic.Multiply(power, g, vm.RSquared, vm, scratch);
            Fill(vm.MontgomeryOne, power, limbs, (r, a, b) => VectorMontgomeryArithmetic.Multiply(r, a, b, vm, scratch));
        }
        else
        {
            int n = group.LimbCount;
            LimbsPerEntry = n;
            _table = new ulong[Windows * Entries * n];
            var t = new ulong[2 * n];
            var power = new ulong[n];
            var g = new ulong[n];
            g[0] = ModpGroup.Generator;
            MontgomeryArithmetic.Multiply(power, g, group.RSquared, group, t);
            Fill(group.MontgomeryOne, power, n, (r, a, b) => MontgomeryArithmetic.Multiply(r, a, b, group, t));
        }
    }

    private delegate void MultiplyInto(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b);

    /// <summary>Whether entries use the 28-bit limbs of <see cref="VectorMontgomeryArithmetic"/>.</summary>
    internal bool IsVector { get; }

    /// <summary>Limbs per entry (64-bit limbs, or 28-bit limbs for the vector form).</summary>
    internal int LimbsPerEntry { get; }

    /// <summary>The group.</summary>
    internal ModpGroup Group { get; }

    /// <summary>Exponent length (bytes) the table serves.</summary>
    internal int ExponentBytes { get; }

    /// <summary>Number of 4-bit digits.</summary>
    internal int Windows { get; }

    internal ReadOnlySpan<ulong> Table => _table;

    /// <summary>
    /// Builds the table for exponents of the given byte length, in the vector form when the CPU has AVX-512 and
    /// the prime is at most 3072 bits (unless <paramref name="allowVector"/> is false).
    /// </summary>
    internal static FixedBaseTable Create(ModpGroup group, int exponentBytes, bool allowVector = true)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exponentBytes);
        // The vector form is 2.5x larger (28-bit limbs in 64-bit lanes); above 3072 bits (0.9 MiB) keep 64-bit limbs.
        bool vector = allowVector && group.Vector is { NeedsNormalization: false } && VectorMontgomeryArithmetic.IsSupported;
        return new FixedBaseTable(group, exponentBytes, vector);
    }

    /// <summary>Window i, entry j = g^(j 2^(4i)) R: each window is built from the running power g^(2^(4i)) R.</summary>
    private void Fill(ReadOnlySpan<ulong> one, Span<ulong> power, int limbs, MultiplyInto multiply)
    {
        for (int i = 0; i < Windows; i++)
        {
            Span<ulong> window = _table.AsSpan(i * Entries * limbs, Entries * limbs);
            one.CopyTo(window);
            power.CopyTo(window.Slice(limbs, limbs));
            for (int j = 2; j < Entries; j++)
            {
                multiply(window.Slice(j * limbs, limbs), window.Slice((j - 1) * limbs, limbs), power);
            }

            for (int s = 0; s < WindowBits; s++)
            {
                multiply(power, power, power);
            }
        }
    }
}

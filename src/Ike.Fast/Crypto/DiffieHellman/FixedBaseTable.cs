namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Precomputed powers of the generator for key generation (fixed-base windowing, Brickell-Gordon-McCurley-Wilson):
/// entry [i][j] = g^(j * 2^(4i)) * R mod p, so g^x = prod_i [i][digit_i(x)] needs one multiplication per
/// 4-bit digit and no squarings (about 4x fewer operations than the generic ladder for a 256-bit exponent).
/// The table holds public values only; each digit still selects its entry with a full masked scan, so the
/// secret exponent decides neither branches nor addresses. Built once per group on first use
/// (MODP-2048 with 256-bit exponents: 64 windows x 16 entries x 256 bytes = 256 KiB).
/// </summary>
internal sealed class FixedBaseTable
{
    /// <summary>Digit width in bits.</summary>
    internal const int WindowBits = 4;

    /// <summary>Entries per window.</summary>
    internal const int Entries = 1 << WindowBits;

    private readonly ulong[] _table;

    private FixedBaseTable(ModpGroup group, int exponentBytes)
    {
        Group = group;
        ExponentBytes = exponentBytes;
        Windows = exponentBytes * 8 / WindowBits;
        int n = group.LimbCount;
        _table = new ulong[Windows * Entries * n];
        var t = new ulong[2 * n];
        var power = new ulong[n];

        // power = g * R mod p, then g^(2^(4i)) * R for window i.
        var g = new ulong[n];
        g[0] = ModpGroup.Generator;
        MontgomeryArithmetic.Multiply(power, g, group.RSquared, group, t);
        for (int i = 0; i < Windows; i++)
        {
            Span<ulong> window = _table.AsSpan(i * Entries * n, Entries * n);
            group.MontgomeryOne.AsSpan().CopyTo(window);
            power.AsSpan().CopyTo(window.Slice(n, n));
            for (int j = 2; j < Entries; j++)
            {
                MontgomeryArithmetic.Multiply(window.Slice(j * n, n), window.Slice((j - 1) * n, n), power, group, t);
            }

            for (int s = 0; s < WindowBits; s++)
            {
                MontgomeryArithmetic.Square(power, power, group, t);
            }
        }
    }

    /// <summary>The group.</summary>
    internal ModpGroup Group { get; }

    /// <summary>Exponent length (bytes) the table serves.</summary>
    internal int ExponentBytes { get; }

    /// <summary>Number of 4-bit digits.</summary>
    internal int Windows { get; }

    internal ReadOnlySpan<ulong> Table => _table;

    /// <summary>Builds the table for exponents of the given byte length.</summary>
    internal static FixedBaseTable Create(ModpGroup group, int exponentBytes)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exponentBytes);
        return new FixedBaseTable(group, exponentBytes);
    }
}

using System.Runtime.CompilerServices;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// The scalar tier (one exponentiation per call): constant-time base^exponent mod p for the MODP groups by
/// fixed-window Montgomery exponentiation. Two arithmetic back-ends give identical results: 64-bit limbs
/// (<see cref="MontgomeryArithmetic"/>, portable) and, when the CPU has AVX-512 or AVX2, 28-bit limbs in vector
/// lanes (<see cref="VectorMontgomeryArithmetic"/>: ~3x faster with AVX-512, ~2x with AVX2, measured here).
/// Every window costs the same squarings, one full table scan and one multiplication (also for a zero window,
/// which multiplies by the Montgomery one), so time and memory addresses depend on the exponent's byte length
/// only. No BigInteger, no heap allocation: scratch is stack-allocated and wiped before returning. This is also
/// the reference the batched engine is checked against.
/// </summary>
internal static class ModularExponentiation
{
    /// <summary>Largest window: 64 table entries (64 KiB of stack for the 8192-bit group with 64-bit limbs, 148 KiB in the 28-bit vector form).</summary>
    internal const int MaxWindowBits = 6;

    /// <summary>
    /// destination = base^exponent mod p, big-endian, exactly the prime length. base and exponent are
    /// big-endian, base at most the prime length (it need not be reduced); the exponent's length is public.
    /// </summary>
    internal static void ModExp(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ModpGroup group, Span<byte> destination)
    {
        var counter = default(NoModExpWorkCounter);
        ModExp(@base, exponent, group, destination, ref counter);
    }

    /// <summary>
    /// Window width for an exponent of the given bit length. Cost in multiplications for e bits and width w is
    /// about (2^w - 1) to build the table plus e/w, squarings being fixed at e; w+1 beats w once
    /// e / (w (w+1)) exceeds 2^w, i.e. above 96, 320 and 960 bits. (Table scans cost a few hundred cycles
    /// against thousands per multiplication, and w is capped at 6 to bound the stack table at 64 KiB.)
    /// </summary>
    internal static int WindowBits(int exponentBits) => exponentBits switch
    {
        <= 96 => 3,
        <= 320 => 4,
        <= 960 => 5,
        _ => MaxWindowBits,
    };

    /// <summary><see cref="ModExp(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ModpGroup, Span{byte})"/> with a work observer.</summary>
    internal static void ModExp<TCounter>(
        ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ModpGroup group, Span<byte> destination, ref TCounter counter)
        where TCounter : struct, IModExpWorkCounter =>
        ModExp(@base, exponent, group, destination, WindowBits(exponent.Length * 8), ref counter);

    /// <summary>
    /// The ladder with an explicit window width (1..<see cref="MaxWindowBits"/>), for tests and tuning:
    /// the vector path when the CPU has AVX-512 or AVX2, else the portable 64-bit path.
    /// </summary>
    internal static void ModExp<TCounter>(
        ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ModpGroup group, Span<byte> destination, int windowBits, ref TCounter counter)
        where TCounter : struct, IModExpWorkCounter
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Vector is not null && VectorMontgomeryArithmetic.IsSupported)
        {
            ModExpVector(@base, exponent, group, destination, windowBits, ref counter);
        }
        else
        {
            ModExpScalar(@base, exponent, group, destination, windowBits, ref counter);
        }
    }

    /// <summary>The portable path: 64-bit limbs, <see cref="MontgomeryArithmetic"/>.</summary>
    [SkipLocalsInit]
    internal static void ModExpScalar<TCounter>(
        ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ModpGroup group, Span<byte> destination, int windowBits, ref TCounter counter)
        where TCounter : struct, IModExpWorkCounter
    {
        ValidateArguments(@base, exponent, group, destination, windowBits);

        int n = group.LimbCount;
        int exponentBits = exponent.Length * 8;
        int w = windowBits;
        int entries = 1 << w;

        Span<ulong> table = stackalloc ulong[entries * n];
        Span<ulong> acc = stackalloc ulong[n];
        Span<ulong> operand = stackalloc ulong[n];
        Span<ulong> t = stackalloc ulong[2 * n];
        try
        {
            // table[k] = base^k * R mod p. Built the same way for every base and exponent.
            MontgomeryArithmetic.LoadBigEndian(@base, operand);
            group.MontgomeryOne.AsSpan().CopyTo(table);
            Span<ulong> baseM = table.Slice(n, n);
            MontgomeryArithmetic.Multiply(baseM, operand, group.RSquared, group, t);
            counter.OnMultiply();
            for (int k = 2; k < entries; k++)
            {
                Span<ulong> entry = table.Slice(k * n, n);
                if ((k & 1) == 0)
                {
                    MontgomeryArithmetic.Square(entry, table.Slice(k / 2 * n, n), group, t);
                    counter.OnSquare();
                }
                else
                {
                    MontgomeryArithmetic.Multiply(entry, table.Slice((k - 1) * n, n), baseM, group, t);
                    counter.OnMultiply();
                }
            }

            if (exponentBits == 0)
            {
                group.MontgomeryOne.AsSpan().CopyTo(acc);
            }
            else
            {
                // Leading (possibly partial) window, then whole windows down to bit 0.
                int first = exponentBits % w;
                if (first == 0)
                {
                    first = w;
                }

                int position = exponentBits - first;
                MontgomeryArithmetic.Select(acc, table, n, entries, ExtractBits(exponent, position, first));
                counter.OnTableEntryRead(entries);
                while (position > 0)
                {
                    position -= w;
                    for (int s = 0; s < w; s++)
                    {
                        MontgomeryArithmetic.Square(acc, acc, group, t);
                        counter.OnSquare();
                    }

                    MontgomeryArithmetic.Select(operand, table, n, entries, ExtractBits(exponent, position, w));
                    counter.OnTableEntryRead(entries);
                    MontgomeryArithmetic.Multiply(acc, acc, operand, group, t);
                    counter.OnMultiply();
                }
            }

            // Leave the Montgomery domain: acc * 1 * R^-1.
            operand.Clear();
            operand[0] = 1;
            MontgomeryArithmetic.Multiply(acc, acc, operand, group, t);
            counter.OnMultiply();
            MontgomeryArithmetic.StoreBigEndian(acc, n, destination);
        }
        finally
        {
            // The accumulator tracks secret exponent bits; the rest is wiped for good measure.
            table.Clear();
            acc.Clear();
            operand.Clear();
            t.Clear();
        }
    }

    /// <summary>
    /// The vector path (AVX-512 or AVX2): the same ladder (same window schedule, same work for every exponent) on 28-bit limbs
    /// with <see cref="VectorMontgomeryArithmetic"/>; values stay below 2p inside and are fully reduced once at
    /// the end, so the result is identical to <see cref="ModExpScalar{TCounter}"/>.
    /// </summary>
    [SkipLocalsInit]
    internal static void ModExpVector<TCounter>(
        ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ModpGroup group, Span<byte> destination, int windowBits, ref TCounter counter)
        where TCounter : struct, IModExpWorkCounter
    {
        ValidateArguments(@base, exponent, group, destination, windowBits);
        VectorModulus vm = group.Vector ?? throw new ArgumentException("No vector constants for this prime.", nameof(group));
        if (!VectorMontgomeryArithmetic.IsSupported)
        {
            throw new PlatformNotSupportedException("Neither AVX-512 nor AVX2 is available.");
        }

        int n = group.LimbCount;
        int limbs = vm.LimbCount;
        int exponentBits = exponent.Length * 8;
        int w = windowBits;
        int entries = 1 << w;

        Span<ulong> table = stackalloc ulong[entries * limbs];
        Span<ulong> acc = stackalloc ulong[limbs];
        Span<ulong> operand = stackalloc ulong[limbs];
        Span<ulong> scratch = stackalloc ulong[limbs];
        Span<ulong> wide = stackalloc ulong[2 * n];
        try
        {
            Span<ulong> base64 = wide[..n];
            MontgomeryArithmetic.LoadBigEndian(@base, base64);
            VectorMontgomeryArithmetic.ToLimbs28(base64, n, operand, limbs);
            vm.MontgomeryOne.AsSpan().CopyTo(table);
            Span<ulong> baseM = table.Slice(limbs, limbs);
            VectorMontgomeryArithmetic.Multiply(baseM, operand, vm.RSquared, vm, scratch);
            counter.OnMultiply();
            for (int k = 2; k < entries; k++)
            {
                Span<ulong> entry = table.Slice(k * limbs, limbs);
                if ((k & 1) == 0)
                {
                    ReadOnlySpan<ulong> half = table.Slice(k / 2 * limbs, limbs);
                    VectorMontgomeryArithmetic.Multiply(entry, half, half, vm, scratch);
                    counter.OnSquare();
                }
                else
                {
                    VectorMontgomeryArithmetic.Multiply(entry, table.Slice((k - 1) * limbs, limbs), baseM, vm, scratch);
                    counter.OnMultiply();
                }
            }

            if (exponentBits == 0)
            {
                vm.MontgomeryOne.AsSpan().CopyTo(acc);
            }
            else
            {
                int first = exponentBits % w;
                if (first == 0)
                {
                    first = w;
                }

                int position = exponentBits - first;
                MontgomeryArithmetic.Select(acc, table, limbs, entries, ExtractBits(exponent, position, first));
                counter.OnTableEntryRead(entries);
                while (position > 0)
                {
                    position -= w;
                    for (int s = 0; s < w; s++)
                    {
                        VectorMontgomeryArithmetic.Multiply(acc, acc, acc, vm, scratch);
                        counter.OnSquare();
                    }

                    MontgomeryArithmetic.Select(operand, table, limbs, entries, ExtractBits(exponent, position, w));
                    counter.OnTableEntryRead(entries);
                    VectorMontgomeryArithmetic.Multiply(acc, acc, operand, vm, scratch);
                    counter.OnMultiply();
                }
            }

            // Leave the Montgomery domain: acc * 1 * R^-1 is at most p; one masked subtraction reduces it fully.
            operand.Clear();
            operand[0] = 1;
            VectorMontgomeryArithmetic.Multiply(acc, acc, operand, vm, scratch);
            counter.OnMultiply();
            Span<ulong> x = wide[..n];
            Span<ulong> reduced = wide.Slice(n, n);
            VectorMontgomeryArithmetic.FromLimbs28(acc, limbs, x, n);
            MontgomeryArithmetic.ConditionalSubtract(reduced, x, 0, group);
            MontgomeryArithmetic.StoreBigEndian(reduced, n, destination);
        }
        finally
        {
            table.Clear();
            acc.Clear();
            operand.Clear();
            scratch.Clear();
            wide.Clear();
        }
    }

    private static void ValidateArguments(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ModpGroup group, Span<byte> destination, int windowBits)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowBits, MaxWindowBits);
        if (@base.Length > group.ByteLength)
        {
            throw new ArgumentException("Base longer than the prime.", nameof(@base));
        }

        if (destination.Length != group.ByteLength)
        {
            throw new ArgumentException("Destination must be exactly the prime length.", nameof(destination));
        }

        if (exponent.Length > group.ByteLength)
        {
            throw new ArgumentException("Exponent longer than the prime.", nameof(exponent));
        }
    }

    /// <summary>
    /// destination = g^exponent mod p through a <see cref="FixedBaseTable"/>; the exponent is exactly
    /// <see cref="FixedBaseTable.ExponentBytes"/> long. Constant-time like <see cref="ModExp{TCounter}"/>:
    /// one full table scan and one multiplication per digit, whatever the digits are.
    /// </summary>
    internal static void ModExpFixedBase(FixedBaseTable table, ReadOnlySpan<byte> exponent, Span<byte> destination)
    {
        var counter = default(NoModExpWorkCounter);
        ModExpFixedBase(table, exponent, destination, ref counter);
    }

    /// <summary><see cref="ModExpFixedBase(FixedBaseTable, ReadOnlySpan{byte}, Span{byte})"/> with a work observer.</summary>
    [SkipLocalsInit]
    internal static void ModExpFixedBase<TCounter>(FixedBaseTable table, ReadOnlySpan<byte> exponent, Span<byte> destination, ref TCounter counter)
        where TCounter : struct, IModExpWorkCounter
    {
        ArgumentNullException.ThrowIfNull(table);
        ModpGroup group = table.Group;
        if (exponent.Length != table.ExponentBytes)
        {
            throw new ArgumentException("Exponent length differs from the table's.", nameof(exponent));
        }

        if (destination.Length != group.ByteLength)
        {
            throw new ArgumentException("Destination must be exactly the prime length.", nameof(destination));
        }

        int n = group.LimbCount;
        int limbs = table.LimbsPerEntry;
        int windowSize = FixedBaseTable.Entries * limbs;
        Span<ulong> acc = stackalloc ulong[limbs];
        Span<ulong> operand = stackalloc ulong[limbs];
        Span<ulong> t = stackalloc ulong[Math.Max(2 * n, limbs)];
        try
        {
            ReadOnlySpan<ulong> entries = table.Table;
            MontgomeryArithmetic.Select(acc, entries[..windowSize], limbs, FixedBaseTable.Entries, ExtractBits(exponent, 0, FixedBaseTable.WindowBits));
            counter.OnTableEntryRead(FixedBaseTable.Entries);
            for (int i = 1; i < table.Windows; i++)
            {
                int digit = ExtractBits(exponent, i * FixedBaseTable.WindowBits, FixedBaseTable.WindowBits);
                MontgomeryArithmetic.Select(operand, entries.Slice(i * windowSize, windowSize), limbs, FixedBaseTable.Entries, digit);
                counter.OnTableEntryRead(FixedBaseTable.Entries);
                MultiplyAny(table, acc, acc, operand, t);
                counter.OnMultiply();
            }

            operand.Clear();
            operand[0] = 1;
            MultiplyAny(table, acc, acc, operand, t);
            counter.OnMultiply();
            if (table.IsVector)
            {
                // At most p after leaving the Montgomery domain: one masked subtraction reduces it fully.
                Span<ulong> x = t[..n];
                VectorMontgomeryArithmetic.FromLimbs28(acc, limbs, x, n);
                MontgomeryArithmetic.ConditionalSubtract(operand, x, 0, group);
                MontgomeryArithmetic.StoreBigEndian(operand, n, destination);
            }
            else
            {
                MontgomeryArithmetic.StoreBigEndian(acc, n, destination);
            }
        }
        finally
        {
            acc.Clear();
            operand.Clear();
            t.Clear();
        }
    }

    private static void MultiplyAny(FixedBaseTable table, Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> scratch)
    {
        if (table.IsVector)
        {
            VectorMontgomeryArithmetic.Multiply(r, a, b, table.Group.Vector!, scratch);
        }
        else
        {
            MontgomeryArithmetic.Multiply(r, a, b, table.Group, scratch);
        }
    }

    /// <summary>
    /// The count (at most 6) exponent bits starting at bit position (0 = least significant) of the big-endian
    /// exponent. The bytes read depend on position only; the value is used solely as a mask index.
    /// </summary>
    private static int ExtractBits(ReadOnlySpan<byte> exponent, int position, int count)
    {
        int byteFromEnd = position >> 3;
        int last = exponent.Length - 1 - byteFromEnd;
        uint v = exponent[last];
        if (last > 0)
        {
            v |= (uint)exponent[last - 1] << 8;
        }

        return (int)((v >> (position & 7)) & ((1u << count) - 1));
    }
}

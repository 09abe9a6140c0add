using System.Runtime.CompilerServices;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// The scalar tier: constant-time base^exponent mod p for the MODP groups, fixed-window Montgomery
/// exponentiation on 64-bit limbs. Every window costs the same squarings, one full table scan and one
/// multiplication (also for a zero window, which multiplies by the Montgomery one), so time and memory
/// addresses depend on the exponent's byte length only. No BigInteger, no heap allocation: scratch is
/// stack-allocated and wiped before returning. This is also the reference the batched engine is checked against.
/// </summary>
internal static class ModularExponentiation
{
    /// <summary>Largest window: 64 table entries (64 KiB of stack for the 8192-bit group).</summary>
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

    /// <summary>Window width for an exponent of the given bit length (balances table set-up against multiplications).</summary>
    internal static int WindowBits(int exponentBits) => exponentBits switch
    {
        <= 24 => 1,
        <= 80 => 3,
        <= 320 => 4,
        <= 2400 => 5,
        _ => MaxWindowBits,
    };

    /// <summary><see cref="ModExp(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ModpGroup, Span{byte})"/> with a work observer.</summary>
    [SkipLocalsInit]
    internal static void ModExp<TCounter>(
        ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ModpGroup group, Span<byte> destination, ref TCounter counter)
        where TCounter : struct, IModExpWorkCounter
    {
        ArgumentNullException.ThrowIfNull(group);
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

        int n = group.LimbCount;
        int exponentBits = exponent.Length * 8;
        int w = WindowBits(exponentBits);
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

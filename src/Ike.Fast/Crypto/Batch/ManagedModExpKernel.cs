using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Eight-lane constant-time Montgomery exponentiation in managed code, generic over the lane width
/// (<see cref="Avx512LaneMath"/>: all 8 lanes per vector; <see cref="Avx2LaneMath"/>: 2 groups of 4;
/// <see cref="ScalarLaneMath"/>: 8 groups of 1).
/// <para>
/// Limbs are radix 2^26 in 64-bit lanes, so a 32x32-&gt;64 multiply (vpmuludq) gives a full 52-bit product and
/// each accumulator can take 2(n + 1) products (under 2^62 for n = 316, an 8192-bit modulus) before the single
/// carry pass at the end of a multiplication. n = ceil((bits + 2) / 26), so R = 2^(26 n) &gt; 4m and Montgomery
/// products of inputs below 2m stay below 2m (no subtraction until the end). Layout: limb i of lane j at
/// [i * 8 + j], as in the native IFMA kernel.
/// </para>
/// <para>
/// Constant time: the window width depends on the exponent length only; every window does the same squarings, a
/// read of every table entry with a per-lane mask select, and one multiplication. No branch or index depends on
/// exponent bits. <see cref="Multiplications"/> and <see cref="TableReads"/> count the work for the tests.
/// </para>
/// </summary>
internal sealed class ManagedModExpKernel<TMath, TVec> : IModExpLaneKernel
    where TMath : struct, ILaneMath<TVec>
    where TVec : unmanaged
{
    internal const int LimbBits = 26;
    internal const ulong LimbMask = (1UL << LimbBits) - 1;
    private const int LaneCount = 8;
    private const int MaxWindow = 5;

    private readonly int _n;
    private readonly TVec[] _modulus;   // broadcast limbs
    private readonly ulong[] _rSquared; // R^2 mod m, interleaved (all lanes equal)
    private readonly ulong[] _one;      // R mod m, interleaved
    private readonly ulong[] _unit;     // the number 1, interleaved
    private readonly ulong[] _modulusLimbs; // for the base range check
    private readonly TVec _k0;          // -m^-1 mod 2^26, broadcast
    private readonly TVec[] _t;         // accumulator window, 2n + 1
    private readonly ulong[] _table;    // 2^MaxWindow entries of n * 8
    private readonly ulong[] _acc;
    private readonly ulong[] _sel;
    private readonly ulong[] _windows = new ulong[LaneCount];
    private int _groupEnd = LaneCount; // lanes computed: the used lanes rounded up to whole vectors

    internal ManagedModExpKernel(ReadOnlySpan<byte> modulus, ModExpTier tier)
    {
        if (!TMath.IsSupported)
        {
            throw new PlatformNotSupportedException($"The {tier} tier needs instructions this CPU does not have.");
        }

        if (modulus.Length < 8 || (modulus[^1] & 1) == 0 || modulus[0] == 0)
        {
            throw new ArgumentException("The modulus must be odd, at least 64 bits, without a leading zero byte.", nameof(modulus));
        }

        Tier = tier;
        ModulusLength = modulus.Length;
        _n = LimbsFor(modulus.Length);
        int n = _n;

        // One-time constants from public data; BigInteger is fine here, never in the exponentiation.
        var m = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
        BigInteger r = BigInteger.One << (LimbBits * n);
        _modulusLimbs = new ulong[n];
        ToLimbs(m, _modulusLimbs);
        _modulus = new TVec[n];
        for (int i = 0; i < n; i++)
        {
            _modulus[i] = TMath.Broadcast(_modulusLimbs[i]);
        }

        _rSquared = Broadcast(r * r % m, n);
        _one = Broadcast(r % m, n);
        _unit = Broadcast(BigInteger.One, n);

        ulong m0 = _modulusLimbs[0];
        ulong inv = m0;
        for (int i = 0; i < 5; i++)
        {
            inv *= 2 - (m0 * inv);
        }

        _k0 = TMath.Broadcast((0 - inv) & LimbMask);
        _t = new TVec[(2 * n) + 1];
        _table = new ulong[(1 << MaxWindow) * n * LaneCount];
        _acc = new ulong[n * LaneCount];
        _sel = new ulong[n * LaneCount];
    }

    public ModExpTier Tier { get; }

    public int MaxLanes => LaneCount;

    public int ModulusLength { get; }

    /// <summary>Montgomery multiplications done so far (squarings included), for the constant-time test.</summary>
    internal long Multiplications { get; private set; }

    /// <summary>Table entries read so far (every entry, every window), for the constant-time test.</summary>
    internal long TableReads { get; private set; }

    /// <summary>Limb count for a modulus of the given byte length.</summary>
    internal static int LimbsFor(int modulusLength) => ((modulusLength * 8) + 2 + LimbBits - 1) / LimbBits;

    /// <summary>Window width for an exponent of the given bit length (same policy as the native kernel).</summary>
    internal static int WindowFor(long exponentBits) => exponentBits switch
    {
        <= 24 => 1,
        <= 96 => 3,
        <= 640 => 4,
        _ => MaxWindow,
    };

    public void ModPow(ReadOnlySpan<byte> bases, ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results, int lanes)
    {
        ModExpArguments.Validate(ModulusLength, bases, exponents, exponentLength, results, lanes, LaneCount);
        int n = _n;
        int len = ModulusLength;

        // Bases are public (g, or the peer's KE payload data): a range check with branches is fine.
        Span<ulong> limbs = _sel; // scratch for one lane at a time
        for (int lane = 0; lane < LaneCount; lane++)
        {
            limbs[..n].Clear();
            if (lane < lanes)
            {
                BytesToLimbs(bases.Slice(lane * len, len), limbs[..n]);
                if (!LessThan(limbs[..n], _modulusLimbs))
                {
                    throw new ArgumentException($"Base of lane {lane} is not below the modulus.", nameof(bases));
                }
            }
            else
            {
                limbs[0] = 1;
            }

            for (int i = 0; i < n; i++)
            {
                _acc[(i * LaneCount) + lane] = limbs[i];
            }
        }

        // Only the vectors that hold used lanes are computed (a batch of 1 on the AVX2 tier is one 4-lane vector,
        // not two; on the scalar lane math it is one lane). The lane count is public, so this is not a timing leak.
        _groupEnd = Math.Min(LaneCount, (lanes + TMath.Lanes - 1) / TMath.Lanes * TMath.Lanes);
        long bits = (long)exponentLength * 8;
        int w = WindowFor(bits);
        int entries = 1 << w;
        int stride = n * LaneCount;
        Span<ulong> table = _table.AsSpan(0, entries * stride);

        // table[0] = R mod m, table[1] = base R mod m, table[k] = table[k - 1] table[1].
        _one.AsSpan().CopyTo(table);
        Multiply(table.Slice(stride, stride), _acc, _rSquared);
        for (int k = 2; k < entries; k++)
        {
            Multiply(table.Slice(k * stride, stride), table.Slice((k - 1) * stride, stride), table.Slice(stride, stride));
        }

        long windows = (bits + w - 1) / w;
        long position = (windows - 1) * w;
        WindowValues(exponents, exponentLength, lanes, position, (int)(bits - position));
        Select(_acc, table, entries);
        for (long window = windows - 2; window >= 0; window--)
        {
            for (int s = 0; s < w; s++)
            {
                Square(_acc, _acc);
            }

            WindowValues(exponents, exponentLength, lanes, window * w, w);
            Select(_sel, table, entries);
            Multiply(_acc, _acc, _sel);
        }

        // Leave the Montgomery domain (the result is at most m), then subtract m under a per-lane mask.
        Multiply(_acc, _acc, _unit);
        FinalSubtract();

        for (int lane = 0; lane < lanes; lane++)
        {
            for (int i = 0; i < n; i++)
            {
                limbs[i] = _acc[(i * LaneCount) + lane];
            }

            LimbsToBytes(limbs[..n], results.Slice(lane * len, len));
        }

        // The accumulator and the window values derive from the exponents: wipe them. (The table holds powers
        // of the public bases only.)
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_acc.AsSpan()));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_sel.AsSpan()));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_t.AsSpan()));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_windows.AsSpan()));
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_table.AsSpan()));
    }

    /// <summary>r = a b / R mod m for every lane (inputs below 2m, normalised; r may alias a or b).</summary>
    private void Multiply(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        Multiplications++;
        for (int g = 0; g < _groupEnd; g += TMath.Lanes)
        {
            MultiplyGroup(r, a, b, g);
        }
    }

    private void MultiplyGroup(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, int g)
    {
        int n = _n;
        TVec mask = TMath.Broadcast(LimbMask);
        TVec k0 = _k0;
        ref TVec t = ref MemoryMarshal.GetArrayDataReference(_t);
        ref TVec m = ref MemoryMarshal.GetArrayDataReference(_modulus);
        ref ulong a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), g);
        ref ulong b0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), g);
        _t.AsSpan().Clear();

        // Rows in pairs (i, i + 1): each accumulator is loaded and stored once per four products. Row i adds
        // a b[i] + q0 m, with q0 making limb i zero; row i + 1 likewise with q1 for limb i + 1.
        int i = 0;
        for (; i + 1 < n; i += 2)
        {
            ref TVec ti = ref Unsafe.Add(ref t, i);
            TVec bi0 = Load(ref b0, i);
            TVec bi1 = Load(ref b0, i + 1);
            TVec aPrev = Load(ref a0, 0);
            TVec mPrev = m;

            TVec s0 = TMath.Add(ti, TMath.MultiplyLow32(aPrev, bi0));
            TVec q0 = TMath.And(TMath.MultiplyLow32(s0, k0), mask);
            s0 = TMath.Add(s0, TMath.MultiplyLow32(mPrev, q0));

            TVec a1 = Load(ref a0, 1);
            TVec m1 = Unsafe.Add(ref m, 1);
            TVec s1 = TMath.Add(Unsafe.Add(ref ti, 1), TMath.ShiftRightLogical(s0, LimbBits));
            s1 = TMath.Add(s1, TMath.Add(TMath.MultiplyLow32(a1, bi0), TMath.MultiplyLow32(m1, q0)));
            s1 = TMath.Add(s1, TMath.MultiplyLow32(aPrev, bi1));
            TVec q1 = TMath.And(TMath.MultiplyLow32(s1, k0), mask);
            s1 = TMath.Add(s1, TMath.MultiplyLow32(mPrev, q1));
            TVec carry = TMath.ShiftRightLogical(s1, LimbBits);
            aPrev = a1;
            mPrev = m1;

            for (int j = 2; j < n; j++)
            {
                TVec aj = Load(ref a0, j);
                TVec mj = Unsafe.Add(ref m, j);
                ref TVec slot = ref Unsafe.Add(ref ti, j);
                TVec x = TMath.Add(TMath.MultiplyLow32(aj, bi0), TMath.MultiplyLow32(mj, q0));
                TVec y = TMath.Add(TMath.MultiplyLow32(aPrev, bi1), TMath.MultiplyLow32(mPrev, q1));
                slot = TMath.Add(TMath.Add(slot, carry), TMath.Add(x, y));
                carry = TMath.Zero;
                aPrev = aj;
                mPrev = mj;
            }

            ref TVec top = ref Unsafe.Add(ref ti, n);
            top = TMath.Add(top, TMath.Add(TMath.MultiplyLow32(aPrev, bi1), TMath.MultiplyLow32(mPrev, q1)));
        }

        if (i < n)
        {
            // Odd n: the last row alone.
            ref TVec ti = ref Unsafe.Add(ref t, i);
            TVec bi = Load(ref b0, i);
            TVec s0 = TMath.Add(ti, TMath.MultiplyLow32(Load(ref a0, 0), bi));
            TVec q = TMath.And(TMath.MultiplyLow32(s0, k0), mask);
            s0 = TMath.Add(s0, TMath.MultiplyLow32(m, q));
            Unsafe.Add(ref ti, 1) = TMath.Add(Unsafe.Add(ref ti, 1), TMath.ShiftRightLogical(s0, LimbBits));
            for (int j = 1; j < n; j++)
            {
                ref TVec slot = ref Unsafe.Add(ref ti, j);
                slot = TMath.Add(
                    slot,
                    TMath.Add(TMath.MultiplyLow32(Load(ref a0, j), bi), TMath.MultiplyLow32(Unsafe.Add(ref m, j), q)));
            }
        }

        // One carry pass over the upper half (the result is below 2m < R).
        ref ulong r0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(r), g);
        TVec c = TMath.Zero;
        for (int j = 0; j < n; j++)
        {
            TVec y = TMath.Add(Unsafe.Add(ref t, n + j), c);
            c = TMath.ShiftRightLogical(y, LimbBits);
            Store(ref r0, j, TMath.And(y, mask));
        }
    }

    /// <summary>r = a^2 / R mod m for every lane (a below 2m, normalised; r may alias a).</summary>
    private void Square(Span<ulong> r, ReadOnlySpan<ulong> a)
    {
        Multiplications++;
        for (int g = 0; g < _groupEnd; g += TMath.Lanes)
        {
            SquareGroup(r, a, g);
        }
    }

    /// <summary>
    /// The cross products a[i] (2 a[j]), j &gt; i, once (2 a[j] &lt; 2^27 still fits the 32-bit multiplier), the
    /// squares, then the Montgomery reduction: 1.5 n^2 products instead of 2 n^2. Slot bound as in
    /// <see cref="MultiplyGroup"/> (n cross terms below 2^53 plus 2(n + 1) reduction terms below 2^52).
    /// </summary>
    private void SquareGroup(Span<ulong> r, ReadOnlySpan<ulong> a, int g)
    {
        int n = _n;
        TVec mask = TMath.Broadcast(LimbMask);
        TVec k0 = _k0;
        ref TVec t = ref MemoryMarshal.GetArrayDataReference(_t);
        ref TVec m = ref MemoryMarshal.GetArrayDataReference(_modulus);
        ref ulong a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), g);
        _t.AsSpan().Clear();

        // Cross products and squares, rows in pairs (i, i + 1).
        int i = 0;
        for (; i + 1 < n; i += 2)
        {
            TVec ai = Load(ref a0, i);
            TVec ai1 = Load(ref a0, i + 1);
            ref TVec slot0 = ref Unsafe.Add(ref t, 2 * i);
            slot0 = TMath.Add(slot0, TMath.MultiplyLow32(ai, ai));
            ref TVec slot1 = ref Unsafe.Add(ref t, (2 * i) + 1);
            slot1 = TMath.Add(slot1, TMath.MultiplyLow32(ai, TMath.Add(ai1, ai1)));
            ref TVec slot2 = ref Unsafe.Add(ref t, (2 * i) + 2);
            TVec square1 = TMath.MultiplyLow32(ai1, ai1);
            if (i + 2 < n)
            {
                TVec d2 = Load(ref a0, i + 2);
                square1 = TMath.Add(square1, TMath.MultiplyLow32(ai, TMath.Add(d2, d2)));
            }

            slot2 = TMath.Add(slot2, square1);
            TVec dPrev = Load(ref a0, i + 2 < n ? i + 2 : i + 1);
            dPrev = TMath.Add(dPrev, dPrev);
            for (int j = i + 3; j < n; j++)
            {
                TVec aj = Load(ref a0, j);
                TVec dj = TMath.Add(aj, aj);
                ref TVec slot = ref Unsafe.Add(ref t, i + j);
                slot = TMath.Add(slot, TMath.Add(TMath.MultiplyLow32(ai, dj), TMath.MultiplyLow32(ai1, dPrev)));
                dPrev = dj;
            }

            if (i + 2 < n)
            {
                ref TVec top = ref Unsafe.Add(ref t, i + n);
                top = TMath.Add(top, TMath.MultiplyLow32(ai1, dPrev));
            }
        }

        if (i < n)
        {
            TVec last = Load(ref a0, i);
            ref TVec slot = ref Unsafe.Add(ref t, 2 * i);
            slot = TMath.Add(slot, TMath.MultiplyLow32(last, last));
        }

        // Montgomery reduction, rows in pairs.
        for (i = 0; i + 1 < n; i += 2)
        {
            ref TVec ti = ref Unsafe.Add(ref t, i);
            TVec s0 = ti;
            TVec q0 = TMath.And(TMath.MultiplyLow32(s0, k0), mask);
            s0 = TMath.Add(s0, TMath.MultiplyLow32(m, q0));
            TVec m1 = Unsafe.Add(ref m, 1);
            TVec s1 = TMath.Add(Unsafe.Add(ref ti, 1), TMath.Add(TMath.ShiftRightLogical(s0, LimbBits), TMath.MultiplyLow32(m1, q0)));
            TVec q1 = TMath.And(TMath.MultiplyLow32(s1, k0), mask);
            s1 = TMath.Add(s1, TMath.MultiplyLow32(m, q1));
            TVec carry = TMath.ShiftRightLogical(s1, LimbBits);
            TVec mPrev = m1;
            for (int j = 2; j < n; j++)
            {
                TVec mj = Unsafe.Add(ref m, j);
                ref TVec slot = ref Unsafe.Add(ref ti, j);
                slot = TMath.Add(TMath.Add(slot, carry), TMath.Add(TMath.MultiplyLow32(mj, q0), TMath.MultiplyLow32(mPrev, q1)));
                carry = TMath.Zero;
                mPrev = mj;
            }

            ref TVec top = ref Unsafe.Add(ref ti, n);
            top = TMath.Add(top, TMath.MultiplyLow32(mPrev, q1));
        }

        if (i < n)
        {
            ref TVec ti = ref Unsafe.Add(ref t, i);
            TVec s0 = ti;
            TVec q = TMath.And(TMath.MultiplyLow32(s0, k0), mask);
            s0 = TMath.Add(s0, TMath.MultiplyLow32(m, q));
            Unsafe.Add(ref ti, 1) = TMath.Add(Unsafe.Add(ref ti, 1), TMath.ShiftRightLogical(s0, LimbBits));
            for (int j = 1; j < n; j++)
            {
                ref TVec slot = ref Unsafe.Add(ref ti, j);
                slot = TMath.Add(slot, TMath.MultiplyLow32(Unsafe.Add(ref m, j), q));
            }
        }

        ref ulong r0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(r), g);
        TVec c = TMath.Zero;
        for (int j = 0; j < n; j++)
        {
            TVec y = TMath.Add(Unsafe.Add(ref t, n + j), c);
            c = TMath.ShiftRightLogical(y, LimbBits);
            Store(ref r0, j, TMath.And(y, mask));
        }
    }

    /// <summary>Every lane takes table[its window value]; every entry is read (constant-time).</summary>
    private void Select(Span<ulong> destination, ReadOnlySpan<ulong> table, int entries)
    {
        int n = _n;
        int stride = n * LaneCount;
        TableReads += entries;
        destination[..stride].Clear();
        for (int g = 0; g < _groupEnd; g += TMath.Lanes)
        {
            TVec index = Unsafe.As<ulong, TVec>(ref _windows[g]);
            ref ulong d0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), g);
            for (int k = 0; k < entries; k++)
            {
                TVec hit = TMath.EqualsMask(index, TMath.Broadcast((ulong)k));
                ref ulong e0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(table), (k * stride) + g);
                for (int i = 0; i < n; i++)
                {
                    Store(ref d0, i, TMath.Select(hit, Load(ref e0, i), Load(ref d0, i)));
                }
            }
        }
    }

    /// <summary>acc = acc - m where that does not borrow, per lane, without branches.</summary>
    private void FinalSubtract()
    {
        int n = _n;
        TVec mask = TMath.Broadcast(LimbMask);
        for (int g = 0; g < _groupEnd; g += TMath.Lanes)
        {
            ref ulong a0 = ref _acc[g];
            ref ulong s0 = ref _sel[g];
            TVec borrow = TMath.Zero;
            for (int i = 0; i < n; i++)
            {
                TVec d = TMath.Subtract(TMath.Subtract(Load(ref a0, i), _modulus[i]), borrow);
                borrow = TMath.ShiftRightLogical(d, 63);
                Store(ref s0, i, TMath.And(d, mask));
            }

            TVec keep = TMath.EqualsMask(borrow, TMath.Zero);
            for (int i = 0; i < n; i++)
            {
                Store(ref a0, i, TMath.Select(keep, Load(ref s0, i), Load(ref a0, i)));
            }
        }
    }

    /// <summary>Window [position, position + width) of each lane's exponent; positions are public.</summary>
    private void WindowValues(ReadOnlySpan<byte> exponents, int exponentLength, int lanes, long position, int width)
    {
        for (int lane = 0; lane < LaneCount; lane++)
        {
            ulong value = 0;
            if (lane < lanes)
            {
                ReadOnlySpan<byte> e = exponents.Slice(lane * exponentLength, exponentLength);
                for (int b = width - 1; b >= 0; b--)
                {
                    long bit = position + b;
                    ulong v = bit < exponentLength * 8L ? (ulong)(e[exponentLength - 1 - (int)(bit >> 3)] >> (int)(bit & 7)) & 1 : 0;
                    value = (value << 1) | v;
                }
            }

            _windows[lane] = value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Load(ref ulong lane0, int limb) => Unsafe.As<ulong, TVec>(ref Unsafe.Add(ref lane0, limb * LaneCount));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref ulong lane0, int limb, TVec value) =>
        Unsafe.As<ulong, TVec>(ref Unsafe.Add(ref lane0, limb * LaneCount)) = value;

    private static bool LessThan(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        for (int i = a.Length - 1; i >= 0; i--)
        {
            if (a[i] != b[i])
            {
                return a[i] < b[i];
            }
        }

        return false;
    }

    private static void ToLimbs(BigInteger value, Span<ulong> limbs)
    {
        for (int i = 0; i < limbs.Length; i++)
        {
            limbs[i] = (ulong)(value & LimbMask);
            value >>= LimbBits;
        }
    }

    private static ulong[] Broadcast(BigInteger value, int n)
    {
        Span<ulong> limbs = n <= 512 ? stackalloc ulong[n] : new ulong[n];
        ToLimbs(value, limbs);
        var result = new ulong[n * LaneCount];
        for (int i = 0; i < n; i++)
        {
            result.AsSpan(i * LaneCount, LaneCount).Fill(limbs[i]);
        }

        return result;
    }

    /// <summary>Big-endian bytes to radix-2^26 limbs (limbs.Length limbs, zero-filled above the value).</summary>
    internal static void BytesToLimbs(ReadOnlySpan<byte> bytes, Span<ulong> limbs)
    {
        ulong acc = 0;
        int accBits = 0;
        int limb = 0;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            acc |= (ulong)bytes[i] << accBits;
            accBits += 8;
            if (accBits >= LimbBits)
            {
                limbs[limb++] = acc & LimbMask;
                acc >>= LimbBits;
                accBits -= LimbBits;
            }
        }

        for (; limb < limbs.Length; limb++)
        {
            limbs[limb] = acc;
            acc = 0;
        }
    }

    /// <summary>Normalised radix-2^26 limbs to exactly bytes.Length big-endian bytes.</summary>
    internal static void LimbsToBytes(ReadOnlySpan<ulong> limbs, Span<byte> bytes)
    {
        ulong acc = 0;
        int accBits = 0;
        int limb = 0;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            if (accBits < 8)
            {
                acc |= limb < limbs.Length ? limbs[limb] << accBits : 0;
                limb++;
                accBits += LimbBits;
            }

            bytes[i] = (byte)acc;
            acc >>= 8;
            accBits -= 8;
        }
    }
}

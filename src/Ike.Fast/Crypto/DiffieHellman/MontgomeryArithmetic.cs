using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Constant-time Montgomery arithmetic on 64-bit limbs (least significant first) for the MODP groups.
/// Separated operand scanning: a full 2n-limb product (or a dedicated square, which computes each cross
/// product once) followed by word-by-word Montgomery reduction and a masked final subtraction.
/// Control flow and memory addresses depend only on the limb count, never on the values; carries are
/// computed with compares that the JIT lowers to flag reads (setb/adc), not branches.
/// </summary>
internal static class MontgomeryArithmetic
{
    /// <summary>r = a * b * R^-1 mod p, fully reduced. a &lt; R, b &lt; p; r may alias a or b; t holds 2n limbs.</summary>
    internal static void Multiply(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, ModpGroup group, Span<ulong> t)
    {
        int n = group.LimbCount;
        if (a.Length < n || b.Length < n || r.Length < n || t.Length < 2 * n)
        {
            throw new ArgumentException("Operand shorter than the group.");
        }

        ref ulong ra = ref MemoryMarshal.GetReference(a);
        ref ulong rb = ref MemoryMarshal.GetReference(b);
        ref ulong rt = ref MemoryMarshal.GetReference(t);

        // Row 0 writes, later rows accumulate: t[i + n] is untouched until row i sets it to that row's carry.
        Unsafe.Add(ref rt, n) = MulRow(ref rt, ref rb, ra, n);
        for (int i = 1; i < n; i++)
        {
            Unsafe.Add(ref rt, i + n) = MulAddRow(ref Unsafe.Add(ref rt, i), ref rb, Unsafe.Add(ref ra, i), n);
        }

        Reduce(r, t, group);
    }

    /// <summary>r = a^2 * R^-1 mod p, fully reduced. a &lt; p; r may alias a; t holds 2n limbs.</summary>
    internal static void Square(Span<ulong> r, ReadOnlySpan<ulong> a, ModpGroup group, Span<ulong> t)
    {
        int n = group.LimbCount;
        if (a.Length < n || r.Length < n || t.Length < 2 * n)
        {
            throw new ArgumentException("Operand shorter than the group.");
        }

        ref ulong ra = ref MemoryMarshal.GetReference(a);
        ref ulong rt = ref MemoryMarshal.GetReference(t);

        // Cross products a[i] * a[j], i < j, each once: row i covers t[2i+1 .. i+n-1] and sets t[i+n].
        rt = 0;
        Unsafe.Add(ref rt, (2 * n) - 1) = 0;
        Unsafe.Add(ref rt, n) = MulRow(ref Unsafe.Add(ref rt, 1), ref Unsafe.Add(ref ra, 1), ra, n - 1);
        for (int i = 1; i < n - 1; i++)
        {
            Unsafe.Add(ref rt, i + n) = MulAddRow(
                ref Unsafe.Add(ref rt, (2 * i) + 1), ref Unsafe.Add(ref ra, i + 1), Unsafe.Add(ref ra, i), n - 1 - i);
        }

        // t = 2 * t + sum a[i]^2 * 2^(128 i), in one pass (the shifted-out bit and the carry end at zero).
        ulong shiftIn = 0;
        ulong carry = 0;
        for (int i = 0; i < n; i++)
        {
            ref ulong lo = ref Unsafe.Add(ref rt, 2 * i);
            ref ulong hi = ref Unsafe.Add(ref rt, (2 * i) + 1);
            ulong tl = lo;
            ulong th = hi;
            ulong dl = (tl << 1) | shiftIn;
            ulong dh = (th << 1) | (tl >> 63);
            shiftIn = th >> 63;

            ulong ai = Unsafe.Add(ref ra, i);
            ulong sh = Math.BigMul(ai, ai, out ulong sl);

            ulong s0 = dl + sl;
            ulong c0 = Lt(s0, sl);
            s0 += carry;
            c0 += Lt(s0, carry);
            ulong s1 = dh + sh;
            ulong c1 = Lt(s1, sh);
            s1 += c0;
            c1 += Lt(s1, c0);
            lo = s0;
            hi = s1;
            carry = c1;
        }

        Reduce(r, t, group);
    }

    /// <summary>
    /// Montgomery reduction of the 2n-limb t into r = t * R^-1 mod p (t &lt; R * p), then one masked subtraction.
    /// Row i clears t[i]; its carry and the carry of row i-1 both land on t[i + n], so one extra word ("top")
    /// suffices and no carry ever ripples a data-dependent distance.
    /// </summary>
    private static void Reduce(Span<ulong> r, Span<ulong> t, ModpGroup group)
    {
        int n = group.LimbCount;
        ulong k0 = group.K0;
        ref ulong rp = ref MemoryMarshal.GetArrayDataReference(group.Modulus);
        ref ulong rt = ref MemoryMarshal.GetReference(t);
        ulong top = 0;
        for (int i = 0; i < n; i++)
        {
            ref ulong ti = ref Unsafe.Add(ref rt, i);
            ulong m = ti * k0;
            ulong c = MulAddRow(ref ti, ref rp, m, n);
            ref ulong tn = ref Unsafe.Add(ref rt, i + n);
            ulong s = tn + c;
            ulong c1 = Lt(s, c);
            s += top;
            c1 += Lt(s, top);
            tn = s;
            top = c1;
        }

        ConditionalSubtract(r, t.Slice(n, n), top, group);
    }

    /// <summary>r = (top:x) - p if (top:x) &gt;= p else x, selected with masks (both differences always computed).</summary>
    private static void ConditionalSubtract(Span<ulong> r, ReadOnlySpan<ulong> x, ulong top, ModpGroup group)
    {
        int n = group.LimbCount;
        ref ulong rp = ref MemoryMarshal.GetArrayDataReference(group.Modulus);
        ref ulong rx = ref MemoryMarshal.GetReference(x);
        ref ulong rr = ref MemoryMarshal.GetReference(r);
        ulong borrow = 0;
        for (int j = 0; j < n; j++)
        {
            ulong xj = Unsafe.Add(ref rx, j);
            ulong pj = Unsafe.Add(ref rp, j);
            ulong d = xj - pj;
            ulong b1 = Lt(xj, pj);
            ulong d2 = d - borrow;
            ulong b2 = Lt(d, borrow);
            Unsafe.Add(ref rr, j) = d2;
            borrow = b1 | b2;
        }

        // Keep x only when the subtraction borrowed past the top word: (top:x) < p.
        ulong keepX = 0 - (borrow & ~top & 1);
        for (int j = 0; j < n; j++)
        {
            ref ulong rj = ref Unsafe.Add(ref rr, j);
            rj = (Unsafe.Add(ref rx, j) & keepX) | (rj & ~keepX);
        }
    }

    /// <summary>t[0..len) = a * b[0..len); returns the carry word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulRow(ref ulong t, ref ulong b, ulong a, int len)
    {
        ulong carry = 0;
        for (int j = 0; j < len; j++)
        {
            ulong hi = Math.BigMul(a, Unsafe.Add(ref b, j), out ulong lo);
            lo += carry;
            hi += Lt(lo, carry);
            Unsafe.Add(ref t, j) = lo;
            carry = hi;
        }

        return carry;
    }

    /// <summary>t[0..len) += a * b[0..len); returns the carry word. Unrolled by four (every limb count here is a multiple of four).</summary>
    private static ulong MulAddRow(ref ulong t, ref ulong b, ulong a, int len)
    {
        ulong carry = 0;
        int j = 0;
        for (; j <= len - 4; j += 4)
        {
            carry = MulAddStep(ref Unsafe.Add(ref t, j), Unsafe.Add(ref b, j), a, carry);
            carry = MulAddStep(ref Unsafe.Add(ref t, j + 1), Unsafe.Add(ref b, j + 1), a, carry);
            carry = MulAddStep(ref Unsafe.Add(ref t, j + 2), Unsafe.Add(ref b, j + 2), a, carry);
            carry = MulAddStep(ref Unsafe.Add(ref t, j + 3), Unsafe.Add(ref b, j + 3), a, carry);
        }

        for (; j < len; j++)
        {
            carry = MulAddStep(ref Unsafe.Add(ref t, j), Unsafe.Add(ref b, j), a, carry);
        }

        return carry;
    }

    /// <summary>(hi:t) = a * b + t + carry; cannot overflow: (2^64-1)^2 + 2(2^64-1) = 2^128 - 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAddStep(ref ulong t, ulong b, ulong a, ulong carry)
    {
        ulong hi = Math.BigMul(a, b, out ulong lo);
        lo += carry;
        hi += Lt(lo, carry);
        ulong tv = t;
        lo += tv;
        hi += Lt(lo, tv);
        t = lo;
        return hi;
    }

    /// <summary>1 if a &lt; b else 0, branch-free (a compare and a flag read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Lt(ulong a, ulong b) => Unsafe.BitCast<bool, byte>(a < b);

    /// <summary>
    /// dest = table entry number index (entries of n limbs), reading every entry and combining with masks,
    /// so neither the branch pattern nor the addresses touched depend on the (secret) index.
    /// </summary>
    internal static void Select(Span<ulong> dest, ReadOnlySpan<ulong> table, int n, int entries, int index)
    {
        if (Vector256.IsHardwareAccelerated && n % Vector256<ulong>.Count == 0)
        {
            SelectVector256(dest, table, n, entries, index);
        }
        else
        {
            SelectScalar(dest, table, n, entries, index);
        }
    }

    /// <summary>Portable path of <see cref="Select"/>.</summary>
    internal static void SelectScalar(Span<ulong> dest, ReadOnlySpan<ulong> table, int n, int entries, int index)
    {
        if (table.Length < n * entries || dest.Length < n)
        {
            throw new ArgumentException("Table or destination too short.");
        }

        ref ulong rt = ref MemoryMarshal.GetReference(table);
        ref ulong rd = ref MemoryMarshal.GetReference(dest);
        for (int j = 0; j < n; j++)
        {
            Unsafe.Add(ref rd, j) = 0;
        }

        for (int k = 0; k < entries; k++)
        {
            ulong mask = EqualMask(k, index);
            ref ulong entry = ref Unsafe.Add(ref rt, k * n);
            for (int j = 0; j < n; j++)
            {
                Unsafe.Add(ref rd, j) |= Unsafe.Add(ref entry, j) & mask;
            }
        }
    }

    /// <summary>Vector256 path of <see cref="Select"/> (n a multiple of 4); identical result to the scalar path.</summary>
    internal static void SelectVector256(Span<ulong> dest, ReadOnlySpan<ulong> table, int n, int entries, int index)
    {
        if (table.Length < n * entries || dest.Length < n || n % Vector256<ulong>.Count != 0)
        {
            throw new ArgumentException("Table or destination too short, or n not a multiple of 4.");
        }

        ref ulong rt = ref MemoryMarshal.GetReference(table);
        ref ulong rd = ref MemoryMarshal.GetReference(dest);
        for (int j = 0; j < n; j += Vector256<ulong>.Count)
        {
            Vector256<ulong> acc = Vector256<ulong>.Zero;
            ref ulong column = ref Unsafe.Add(ref rt, j);
            for (int k = 0; k < entries; k++)
            {
                Vector256<ulong> mask = Vector256.Create(EqualMask(k, index));
                acc |= Vector256.LoadUnsafe(ref Unsafe.Add(ref column, k * n)) & mask;
            }

            acc.StoreUnsafe(ref Unsafe.Add(ref rd, j));
        }
    }

    /// <summary>All ones when k == index, else zero, without a branch (both are small non-negative ints).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EqualMask(int k, int index) => (ulong)(((long)(uint)(k ^ index) - 1) >> 63);

    /// <summary>dest = the big-endian integer src (src no longer than dest in bytes), zero-extended.</summary>
    internal static void LoadBigEndian(ReadOnlySpan<byte> src, Span<ulong> dest)
    {
        if (src.Length > dest.Length * sizeof(ulong))
        {
            throw new ArgumentException("Value longer than the destination.", nameof(src));
        }

        int full = src.Length / sizeof(ulong);
        int j = 0;
        for (; j < full; j++)
        {
            dest[j] = BinaryPrimitives.ReadUInt64BigEndian(src.Slice(src.Length - ((j + 1) * sizeof(ulong)), sizeof(ulong)));
        }

        int rest = src.Length - (full * sizeof(ulong));
        if (rest > 0)
        {
            ulong v = 0;
            for (int i = 0; i < rest; i++)
            {
                v = (v << 8) | src[i];
            }

            dest[j++] = v;
        }

        for (; j < dest.Length; j++)
        {
            dest[j] = 0;
        }
    }

    /// <summary>dest (exactly 8 * n bytes) = the n-limb value src, big-endian.</summary>
    internal static void StoreBigEndian(ReadOnlySpan<ulong> src, int n, Span<byte> dest)
    {
        if (dest.Length != n * sizeof(ulong))
        {
            throw new ArgumentException("Destination must be exactly the value length.", nameof(dest));
        }

        for (int j = 0; j < n; j++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(dest.Slice(dest.Length - ((j + 1) * sizeof(ulong)), sizeof(ulong)), src[j]);
        }
    }
}

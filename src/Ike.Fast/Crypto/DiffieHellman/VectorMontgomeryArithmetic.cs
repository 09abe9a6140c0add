using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// AVX-512 (or AVX2) almost-Montgomery multiplication for one exponentiation (not a batch): 28-bit limbs in
/// 64-bit lanes, so vpmuludq forms 8 (4) limb products per instruction and sums accumulate without carries; the word-
/// serial loop adds a_i * B + m_i * P and shifts one limb per step (valignq), and one sequential carry pass
/// normalises the result. Up to 3072-bit primes the accumulator lives in zmm registers (one generic
/// instantiation per size); larger primes use scratch memory and renormalise every 64 steps. Inputs below 2p
/// give outputs below 2p (R &gt; 4p), so no subtraction is needed inside the ladder. Constant-time: the
/// instruction sequence depends on the prime size only. Results are exactly those of
/// <see cref="MontgomeryArithmetic"/> after the final reduction (tests compare both paths).
/// </summary>
internal static class VectorMontgomeryArithmetic
{
    /// <summary>Whether this CPU/runtime runs the vector path (AVX-512, or AVX2 with half-width vectors).</summary>
    internal static bool IsSupported => HasAvx512 || Avx2.IsSupported;

    /// <summary>Whether the 512-bit form runs (Vector512 acceleration is what .NET enables where it pays off).</summary>
    internal static bool HasAvx512 => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>
    /// r = a * b * 2^(-28 L) mod p, almost reduced (below 2p), normalised limbs. a, b normalised and below 2p;
    /// r may alias a or b; scratch holds L limbs.
    /// </summary>
    internal static void Multiply(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, VectorModulus m, Span<ulong> scratch)
    {
        int limbs = m.LimbCount;
        int vectors = m.VectorCount;
        if (r.Length < limbs || a.Length < limbs || b.Length < limbs || scratch.Length < limbs)
        {
            throw new ArgumentException("Operand shorter than the modulus.");
        }

        if (!HasAvx512)
        {
            MultiplyAvx2(r, a, b, m, scratch);
            return;
        }

        switch (vectors)
        {
            case 4:
                MultiplyInRegisters<VectorCount4>(r, a, b, m);
                return;
            case 5:
                MultiplyInRegisters<VectorCount5>(r, a, b, m);
                return;
            case 7:
                MultiplyInRegisters<VectorCount7>(r, a, b, m);
                return;
            case 10:
                MultiplyInRegisters<VectorCount10>(r, a, b, m);
                return;
            case 14:
                MultiplyInRegisters<VectorCount14>(r, a, b, m);
                return;
            default:
                MultiplyInMemory(r, a, b, m, scratch);
                return;
        }
    }

    /// <summary>
    /// <see cref="Multiply"/> for any vector count, with the accumulator in scratch memory (the path for
    /// sizes without a register instantiation, i.e. primes above 3072 bits, which also need the periodic
    /// normalisation; tests compare it with the register form).
    /// </summary>
    internal static void MultiplyInMemory(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, VectorModulus m, Span<ulong> scratch)
    {
        int limbs = m.LimbCount;
        int vectors = m.VectorCount;
        if (r.Length < limbs || a.Length < limbs || b.Length < limbs || scratch.Length < limbs)
        {
            throw new ArgumentException("Operand shorter than the modulus.");
        }

        ref ulong ra = ref MemoryMarshal.GetReference(a);
        ref ulong rb = ref MemoryMarshal.GetReference(b);
        ref ulong rp = ref MemoryMarshal.GetArrayDataReference(m.Modulus);
        ref ulong acc = ref MemoryMarshal.GetReference(scratch);
        for (int j = 0; j < limbs; j++)
        {
            Unsafe.Add(ref acc, j) = 0;
        }

        ulong b0 = rb;
        bool normalizeEvery64 = m.NeedsNormalization;

        // The quotient carried out of lane 0 is kept in a register and folded into the next step's first
        // vector: a 64-bit store into the freshly stored vector would defeat store-to-load forwarding.
        ulong pending = 0;
        for (int i = 0; i < limbs; i++)
        {
            ulong ai = Unsafe.Add(ref ra, i);
            ulong lane0 = acc + pending + (ai * b0);
            ulong mi = lane0 & VectorModulus.LimbMask;
            ulong carry = (lane0 >> VectorModulus.LimbBits) + mi;

            Vector512<uint> va = Vector512.Create(ai).AsUInt32();
            Vector512<uint> vm = Vector512.Create(mi).AsUInt32();

            // new_k = acc_k + ai * B_k + mi * P_k; the stored result is shifted down one lane.
            Vector512<ulong> previous = Vector512.LoadUnsafe(ref acc)
                + Vector512.CreateScalar(pending)
                + Avx512F.Multiply(va, Vector512.LoadUnsafe(ref rb).AsUInt32())
                + Avx512F.Multiply(vm, Vector512.LoadUnsafe(ref rp).AsUInt32());
            for (int k = 1; k < vectors; k++)
            {
                nuint offset = (nuint)(k * VectorModulus.LanesPerVector);
                Vector512<ulong> current = Vector512.LoadUnsafe(ref acc, offset)
                    + Avx512F.Multiply(va, Vector512.LoadUnsafe(ref rb, offset).AsUInt32())
                    + Avx512F.Multiply(vm, Vector512.LoadUnsafe(ref rp, offset).AsUInt32());
                Avx512F.AlignRight64(current, previous, 1).StoreUnsafe(ref acc, offset - VectorModulus.LanesPerVector);
                previous = current;
            }

            Avx512F.AlignRight64(Vector512<ulong>.Zero, previous, 1)
                .StoreUnsafe(ref acc, (nuint)((vectors - 1) * VectorModulus.LanesPerVector));

            // Lane 0 of the old accumulator is now a multiple of 2^28; its quotient joins the new lane 0.
            pending = carry;

            // Large primes: every 64 steps, fold the lanes back to 28 bits so no lane can exceed 2^64
            // (64 steps add below 64 * 2^57 = 2^63 to any lane). The schedule depends on i only.
            if (normalizeEvery64 && ((i + 1) & 63) == 0)
            {
                acc += pending;
                pending = 0;
                ulong n = 0;
                for (int j = 0; j < limbs; j++)
                {
                    ref ulong lane = ref Unsafe.Add(ref acc, j);
                    ulong v = lane + n;
                    lane = v & VectorModulus.LimbMask;
                    n = v >> VectorModulus.LimbBits;
                }
            }
        }

        acc += pending;

        // Normalise: one carry pass (the value is below 2p < 2^(28 L), so the last carry is zero).
        ref ulong rr = ref MemoryMarshal.GetReference(r);
        ulong c = 0;
        for (int j = 0; j < limbs; j++)
        {
            ulong v = Unsafe.Add(ref acc, j) + c;
            Unsafe.Add(ref rr, j) = v & VectorModulus.LimbMask;
            c = v >> VectorModulus.LimbBits;
        }
    }

    /// <summary>
    /// <see cref="MultiplyInMemory"/> with 256-bit vectors (AVX2: vpmuludq on 4 lanes; the one-lane shift
    /// across vectors is vperm2i128 + vpalignr). Same arithmetic, same results; for CPUs without AVX-512.
    /// </summary>
    internal static void MultiplyAvx2(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, VectorModulus m, Span<ulong> scratch)
    {
        int limbs = m.LimbCount;
        if (!Avx2.IsSupported)
        {
            throw new PlatformNotSupportedException("AVX2 is not available.");
        }

        const int Lanes = 4;
        int vectors = limbs / Lanes;
        if (r.Length < limbs || a.Length < limbs || b.Length < limbs || scratch.Length < limbs)
        {
            throw new ArgumentException("Operand shorter than the modulus.");
        }

        ref ulong ra = ref MemoryMarshal.GetReference(a);
        ref ulong rb = ref MemoryMarshal.GetReference(b);
        ref ulong rp = ref MemoryMarshal.GetArrayDataReference(m.Modulus);
        ref ulong acc = ref MemoryMarshal.GetReference(scratch);
        for (int j = 0; j < limbs; j++)
        {
            Unsafe.Add(ref acc, j) = 0;
        }

        ulong b0 = rb;
        bool normalizeEvery64 = m.NeedsNormalization;

        // The quotient carried out of lane 0 is kept in a register and folded into the next step's first
        // vector: a 64-bit store into the freshly stored vector would defeat store-to-load forwarding.
        ulong pending = 0;
        for (int i = 0; i < limbs; i++)
        {
            ulong ai = Unsafe.Add(ref ra, i);
            ulong lane0 = acc + pending + (ai * b0);
            ulong mi = lane0 & VectorModulus.LimbMask;
            ulong carry = (lane0 >> VectorModulus.LimbBits) + mi;

            Vector256<uint> va = Vector256.Create(ai).AsUInt32();
            Vector256<uint> vm = Vector256.Create(mi).AsUInt32();

            // new_k = acc_k + ai * B_k + mi * P_k; the stored result is shifted down one lane.
            Vector256<ulong> previous = Vector256.LoadUnsafe(ref acc)
                + Vector256.CreateScalar(pending)
                + Avx2.Multiply(va, Vector256.LoadUnsafe(ref rb).AsUInt32())
                + Avx2.Multiply(vm, Vector256.LoadUnsafe(ref rp).AsUInt32());
            for (int k = 1; k < vectors; k++)
            {
                nuint offset = (nuint)(k * Lanes);
                Vector256<ulong> current = Vector256.LoadUnsafe(ref acc, offset)
                    + Avx2.Multiply(va, Vector256.LoadUnsafe(ref rb, offset).AsUInt32())
                    + Avx2.Multiply(vm, Vector256.LoadUnsafe(ref rp, offset).AsUInt32());
                ShiftDownOneLane(current, previous).StoreUnsafe(ref acc, offset - Lanes);
                previous = current;
            }

            ShiftDownOneLane(Vector256<ulong>.Zero, previous).StoreUnsafe(ref acc, (nuint)((vectors - 1) * Lanes));

            // Lane 0 of the old accumulator is now a multiple of 2^28; its quotient joins the new lane 0.
            pending = carry;

            // Large primes: every 64 steps, fold the lanes back to 28 bits so no lane can exceed 2^64
            // (64 steps add below 64 * 2^57 = 2^63 to any lane). The schedule depends on i only.
            if (normalizeEvery64 && ((i + 1) & 63) == 0)
            {
                acc += pending;
                pending = 0;
                ulong n = 0;
                for (int j = 0; j < limbs; j++)
                {
                    ref ulong lane = ref Unsafe.Add(ref acc, j);
                    ulong v = lane + n;
                    lane = v & VectorModulus.LimbMask;
                    n = v >> VectorModulus.LimbBits;
                }
            }
        }

        acc += pending;

        // Normalise: one carry pass (the value is below 2p < 2^(28 L), so the last carry is zero).
        ref ulong rr = ref MemoryMarshal.GetReference(r);
        ulong c = 0;
        for (int j = 0; j < limbs; j++)
        {
            ulong v = Unsafe.Add(ref acc, j) + c;
            Unsafe.Add(ref rr, j) = v & VectorModulus.LimbMask;
            c = v >> VectorModulus.LimbBits;
        }
    }

    /// <summary>[p1, p2, p3, c0] from previous = [p0..p3] and current = [c0..c3] (valignq by one, AVX2 style).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> ShiftDownOneLane(Vector256<ulong> current, Vector256<ulong> previous)
    {
        Vector256<ulong> middle = Avx2.Permute2x128(previous, current, 0x21); // [p2, p3, c0, c1]
        return Avx2.AlignRight(middle.AsByte(), previous.AsByte(), 8).AsUInt64();
    }

    /// <summary>
    /// <see cref="Multiply"/> with the accumulator in registers (c0..c13, only the first TCount.Count live):
    /// no loads or stores of the accumulator inside the word-serial loop.
    /// </summary>
    [SkipLocalsInit]
    private static void MultiplyInRegisters<TCount>(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, VectorModulus m)
        where TCount : struct, IVectorCount
    {
        int vectors = TCount.Count;
        int limbs = vectors * VectorModulus.LanesPerVector;
        ref ulong ra = ref MemoryMarshal.GetReference(a);
        ref ulong rb = ref MemoryMarshal.GetReference(b);
        ref ulong rp = ref MemoryMarshal.GetArrayDataReference(m.Modulus);
        ulong b0 = rb;
        Vector512<ulong> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        ulong pending = 0;
        for (int i = 0; i < limbs; i++)
        {
            ulong ai = Unsafe.Add(ref ra, i);
            // p ≡ -1 (mod 2^28): m_i = lane0 mod 2^28 (k0 = 1), and lane0 + m_i (2^28 - 1) = (lane0 - m_i) + m_i 2^28,
            // whose quotient by 2^28 is (lane0 >> 28) + m_i. Keeps multiplications off the loop-carried chain.
            ulong lane0 = c0.ToScalar() + pending + (ai * b0);
            ulong mi = lane0 & VectorModulus.LimbMask;
            ulong carry = (lane0 >> VectorModulus.LimbBits) + mi;
            Vector512<uint> va = Vector512.Create(ai).AsUInt32();
            Vector512<uint> vm = Vector512.Create(mi).AsUInt32();
            Vector512<ulong> n0 = c0 + Vector512.CreateScalar(pending) + Term(va, vm, ref rb, ref rp, 0);
            Vector512<ulong> n1 = vectors > 1 ? c1 + Term(va, vm, ref rb, ref rp, 1) : default;
            Vector512<ulong> n2 = vectors > 2 ? c2 + Term(va, vm, ref rb, ref rp, 2) : default;
            Vector512<ulong> n3 = vectors > 3 ? c3 + Term(va, vm, ref rb, ref rp, 3) : default;
            Vector512<ulong> n4 = vectors > 4 ? c4 + Term(va, vm, ref rb, ref rp, 4) : default;
            Vector512<ulong> n5 = vectors > 5 ? c5 + Term(va, vm, ref rb, ref rp, 5) : default;
            Vector512<ulong> n6 = vectors > 6 ? c6 + Term(va, vm, ref rb, ref rp, 6) : default;
            Vector512<ulong> n7 = vectors > 7 ? c7 + Term(va, vm, ref rb, ref rp, 7) : default;
            Vector512<ulong> n8 = vectors > 8 ? c8 + Term(va, vm, ref rb, ref rp, 8) : default;
            Vector512<ulong> n9 = vectors > 9 ? c9 + Term(va, vm, ref rb, ref rp, 9) : default;
            Vector512<ulong> n10 = vectors > 10 ? c10 + Term(va, vm, ref rb, ref rp, 10) : default;
            Vector512<ulong> n11 = vectors > 11 ? c11 + Term(va, vm, ref rb, ref rp, 11) : default;
            Vector512<ulong> n12 = vectors > 12 ? c12 + Term(va, vm, ref rb, ref rp, 12) : default;
            Vector512<ulong> n13 = vectors > 13 ? c13 + Term(va, vm, ref rb, ref rp, 13) : default;
            c0 = Avx512F.AlignRight64((vectors > 1 ? n1 : Vector512<ulong>.Zero), n0, 1);
            c1 = vectors > 1 ? Avx512F.AlignRight64((vectors > 2 ? n2 : Vector512<ulong>.Zero), n1, 1) : default;
            c2 = vectors > 2 ? Avx512F.AlignRight64((vectors > 3 ? n3 : Vector512<ulong>.Zero), n2, 1) : default;
            c3 = vectors > 3 ? Avx512F.AlignRight64((vectors > 4 ? n4 : Vector512<ulong>.Zero), n3, 1) : default;
            c4 = vectors > 4 ? Avx512F.AlignRight64((vectors > 5 ? n5 : Vector512<ulong>.Zero), n4, 1) : default;
            c5 = vectors > 5 ? Avx512F.AlignRight64((vectors > 6 ? n6 : Vector512<ulong>.Zero), n5, 1) : default;
            c6 = vectors > 6 ? Avx512F.AlignRight64((vectors > 7 ? n7 : Vector512<ulong>.Zero), n6, 1) : default;
            c7 = vectors > 7 ? Avx512F.AlignRight64((vectors > 8 ? n8 : Vector512<ulong>.Zero), n7, 1) : default;
            c8 = vectors > 8 ? Avx512F.AlignRight64((vectors > 9 ? n9 : Vector512<ulong>.Zero), n8, 1) : default;
            c9 = vectors > 9 ? Avx512F.AlignRight64((vectors > 10 ? n10 : Vector512<ulong>.Zero), n9, 1) : default;
            c10 = vectors > 10 ? Avx512F.AlignRight64((vectors > 11 ? n11 : Vector512<ulong>.Zero), n10, 1) : default;
            c11 = vectors > 11 ? Avx512F.AlignRight64((vectors > 12 ? n12 : Vector512<ulong>.Zero), n11, 1) : default;
            c12 = vectors > 12 ? Avx512F.AlignRight64((vectors > 13 ? n13 : Vector512<ulong>.Zero), n12, 1) : default;
            c13 = vectors > 13 ? Avx512F.AlignRight64(Vector512<ulong>.Zero, n13, 1) : default;
            pending = carry;
        }

        ref ulong rr = ref MemoryMarshal.GetReference(r);
        c0.StoreUnsafe(ref rr);
        if (vectors > 1)
        {
            c1.StoreUnsafe(ref rr, 8);
        }

        if (vectors > 2)
        {
            c2.StoreUnsafe(ref rr, 16);
        }

        if (vectors > 3)
        {
            c3.StoreUnsafe(ref rr, 24);
        }

        if (vectors > 4)
        {
            c4.StoreUnsafe(ref rr, 32);
        }

        if (vectors > 5)
        {
            c5.StoreUnsafe(ref rr, 40);
        }

        if (vectors > 6)
        {
            c6.StoreUnsafe(ref rr, 48);
        }

        if (vectors > 7)
        {
            c7.StoreUnsafe(ref rr, 56);
        }

        if (vectors > 8)
        {
            c8.StoreUnsafe(ref rr, 64);
        }

        if (vectors > 9)
        {
            c9.StoreUnsafe(ref rr, 72);
        }

        if (vectors > 10)
        {
            c10.StoreUnsafe(ref rr, 80);
        }

        if (vectors > 11)
        {
            c11.StoreUnsafe(ref rr, 88);
        }

        if (vectors > 12)
        {
            c12.StoreUnsafe(ref rr, 96);
        }

        if (vectors > 13)
        {
            c13.StoreUnsafe(ref rr, 104);
        }

        rr += pending;
        ulong c = 0;
        for (int j = 0; j < limbs; j++)
        {
            ref ulong limb = ref Unsafe.Add(ref rr, j);
            ulong v = limb + c;
            limb = v & VectorModulus.LimbMask;
            c = v >> VectorModulus.LimbBits;
        }
    }

    /// <summary>ai * B_k + mi * P_k for vector k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Term(Vector512<uint> va, Vector512<uint> vm, ref ulong rb, ref ulong rp, int k)
    {
        nuint offset = (nuint)(k * VectorModulus.LanesPerVector);
        return Avx512F.Multiply(va, Vector512.LoadUnsafe(ref rb, offset).AsUInt32())
            + Avx512F.Multiply(vm, Vector512.LoadUnsafe(ref rp, offset).AsUInt32());
    }

    /// <summary>dest (L limbs of 28 bits) = the n-limb 64-bit value src.</summary>
    internal static void ToLimbs28(ReadOnlySpan<ulong> src, int n, Span<ulong> dest, int limbs)
    {
        for (int j = 0; j < limbs; j++)
        {
            int bit = j * VectorModulus.LimbBits;
            int word = bit >> 6;
            int offset = bit & 63;
            ulong v = 0;
            if (word < n)
            {
                v = src[word] >> offset;
                if (offset > 64 - VectorModulus.LimbBits && word + 1 < n)
                {
                    v |= src[word + 1] << (64 - offset);
                }
            }

            dest[j] = v & VectorModulus.LimbMask;
        }
    }

    /// <summary>dest (n 64-bit limbs) = the normalised L-limb value src, which must be below 2^(64 n).</summary>
    internal static void FromLimbs28(ReadOnlySpan<ulong> src, int limbs, Span<ulong> dest, int n)
    {
        dest[..n].Clear();
        for (int j = 0; j < limbs; j++)
        {
            int bit = j * VectorModulus.LimbBits;
            int word = bit >> 6;
            int offset = bit & 63;
            if (word < n)
            {
                dest[word] |= src[j] << offset;
                if (offset > 64 - VectorModulus.LimbBits && word + 1 < n)
                {
                    dest[word + 1] |= src[j] >> (64 - offset);
                }
            }
        }
    }
}

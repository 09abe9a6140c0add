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
/// Limbs are radix 2^b in 64-bit lanes, b = 28 (27 above 3,526-bit moduli; <see cref="LimbBitsFor"/>), so a
/// 32x32-&gt;64 multiply (vpmuludq) gives a full 2b-bit product and each accumulator can take 2(n + 1) products
/// before the single carry pass at the end of a multiplication. n = ceil((bits + 2) / b), so R = 2^(b n) &gt; 4m and
/// Montgomery products of inputs below 2m stay below 2m (no subtraction until the end). Layout: limb i of lane j at
/// [i * 8 + j], as in the native IFMA kernel.
/// </para>
/// <para>
/// Speed: the loops are bound by the vector multiplier and by vector stores, so rows go in fours (one
/// accumulator load/store per four or eight products), every product costs one add, squarings compute each cross
/// product once, and the table select keeps its blend in a register (issue #5; figures in
/// bench/results/results/issue5-managed-squaring/).
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
    private const int LaneCount = 8;
    private const int MaxWindow = 5;

    private readonly int _n;
    private readonly int _limbBits;
    private readonly ulong _limbMask;
    private readonly TVec[] _modulus;   // broadcast limbs
    private readonly ulong[] _rSquared; // R^2 mod m, interleaved (all lanes equal)
    private readonly ulong[] _one;      // R mod m, interleaved
    private readonly ulong[] _unit;     // the number 1, interleaved
    private readonly ulong[] _modulusLimbs; // for the base range check
    private readonly TVec _k0;          // -m^-1 mod 2^b, broadcast
    private readonly TVec[] _t;         // accumulator window, 2n + 1
    private readonly ulong[] _table;    // 2^MaxWindow entries of n * 8
    private readonly ulong[] _acc;
    private readonly ulong[] _sel;
    private readonly ulong[] _windows = new ulong[LaneCount];
    private readonly TVec[] _hits = new TVec[1 << MaxWindow]; // per-entry lane masks of one Select
    private int _groupEnd = LaneCount; // lanes computed: the used lanes rounded up to whole vectors
    private ulong[]? _comb;    // fixed-base comb for g = 2: tables x limbs x CombEntries (see CombPow)
    private ulong[] _digits = [];
    private int _combExponentLength;
    private int _combTables;
    private int _combSpacing;

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
        _limbBits = LimbBitsFor(modulus.Length);
        _limbMask = (1UL << _limbBits) - 1;
        _n = LimbsFor(modulus.Length, _limbBits);
        int n = _n;

        // One-time constants from public data; BigInteger is fine here, never in the exponentiation.
        var m = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
        BigInteger r = BigInteger.One << (_limbBits * n);
        _modulusLimbs = new ulong[n];
        ToLimbs(m, _modulusLimbs, _limbBits);
        _modulus = new TVec[n];
        for (int i = 0; i < n; i++)
        {
            _modulus[i] = TMath.Broadcast(_modulusLimbs[i]);
        }

        _rSquared = Broadcast(r * r % m, n, _limbBits);
        _one = Broadcast(r % m, n, _limbBits);
        _unit = Broadcast(BigInteger.One, n, _limbBits);

        ulong m0 = _modulusLimbs[0];
        ulong inv = m0;
        for (int i = 0; i < 5; i++)
        {
            inv *= 2 - (m0 * inv);
        }

        _k0 = TMath.Broadcast((0 - inv) & _limbMask);
        _t = new TVec[(2 * n) + 1];
        _table = new ulong[(1 << MaxWindow) * n * LaneCount];
        _acc = new ulong[n * LaneCount];
        _sel = new ulong[n * LaneCount];
    }

    public ModExpTier Tier { get; }

    public int MaxLanes => LaneCount;

    public int ModulusLength { get; }

    /// <summary>False keeps key pairs (all bases g) on the variable-base path (the benchmarks' baseline).</summary>
    internal bool FixedBaseComb { get; init; } = true;

    /// <summary>Calls that ran on the fixed-base comb.</summary>
    internal long CombCalls { get; private set; }

    /// <summary>Montgomery multiplications done so far (squarings included), for the constant-time test.</summary>
    internal long Multiplications { get; private set; }

    /// <summary>Table entries read so far (every entry, every window), for the constant-time test.</summary>
    internal long TableReads { get; private set; }

    /// <summary>Bits per limb for this modulus (28 up to 3,526-bit moduli, 27 above; see <see cref="LimbBitsFor"/>).</summary>
    internal int LimbBits => _limbBits;

    /// <summary>
    /// The widest radix whose accumulators cannot overflow: a slot of a multiplication (or squaring) takes at most
    /// 2n products below 2^(2b) plus carries below 2^(64 - b), so 2(n + 1) 2^(2b) &lt;= 2^64, i.e.
    /// n &lt;= 2^(63 - 2b) - 1; one limb of margin is kept. Wider limbs mean fewer of them: 28-bit limbs take 74
    /// for MODP-2048 instead of 79 at 26 bits, (74/79)^2 = 0.88 of the products. The radix depends only on the
    /// public modulus length.
    /// </summary>
    internal static int LimbBitsFor(int modulusLength)
    {
        for (int bits = 28; bits >= 26; bits--)
        {
            if (LimbsFor(modulusLength, bits) <= (1 << (63 - (2 * bits))) - 2)
            {
                return bits;
            }
        }

        throw new ArgumentException("The modulus is too long for the managed kernel.", nameof(modulusLength));
    }

    /// <summary>Limb count for a modulus of the given byte length (R = 2^(bits n) &gt; 4m).</summary>
    internal static int LimbsFor(int modulusLength, int limbBits) => ((modulusLength * 8) + 2 + limbBits - 1) / limbBits;

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
        if (FixedBaseComb && ModpKeyPairBases.All(bases, len, lanes) && (_comb is null || _combExponentLength == exponentLength))
        {
            CombPow(exponents, exponentLength, results, lanes);
            return;
        }

        // Bases are public (g, or the peer's KE payload data): a range check with branches is fine.
        Span<ulong> limbs = _sel; // scratch for one lane at a time
        for (int lane = 0; lane < LaneCount; lane++)
        {
            limbs[..n].Clear();
            if (lane < lanes)
            {
                BytesToLimbs(bases.Slice(lane * len, len), limbs[..n], _limbBits);
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

        Finish(results, lanes);
    }

    /// <summary>Leaves the Montgomery domain, writes the results and wipes everything derived from the exponents.</summary>
    private void Finish(Span<byte> results, int lanes)
    {
        int n = _n;
        int len = ModulusLength;

        // Leave the Montgomery domain (the result is at most m), then subtract m under a per-lane mask.
        Multiply(_acc, _acc, _unit);
        FinalSubtract();

        Span<ulong> limbs = stackalloc ulong[n];
        for (int lane = 0; lane < lanes; lane++)
        {
            for (int i = 0; i < n; i++)
            {
                limbs[i] = _acc[(i * LaneCount) + lane];
            }

            LimbsToBytes(limbs, results.Slice(lane * len, len), _limbBits);
        }

        // The accumulator, the window values and the comb digits derive from the exponents: wipe them. (The tables
        // hold powers of the public bases only.)
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(limbs));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_digits.AsSpan()));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_acc.AsSpan()));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_sel.AsSpan()));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_t.AsSpan()));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_windows.AsSpan()));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_hits.AsSpan()));
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_table.AsSpan()));
    }

    private const int CombTeeth = 4;
    private const int CombEntries = 1 << CombTeeth;
    private const int CombMaxTables = 64;

    /// <summary>
    /// Key pairs g^x on a fixed-base comb, as the native IFMA one (native/src/modexp_ifma.c has the derivation): K tables
    /// of 16 entries, entry d of table k = g^(sum of d's bits i times 2^(s (4 k + i))) in Montgomery form, built on the
    /// first call for this exponent length. g^x = prod over columns t of (prod_k T_k[D(k, t)])^(2^t): s - 1 squarings and
    /// K s multiplications (a 256-bit exponent: K = 64, s = 1, no squarings, against ~256 squarings and ~80
    /// multiplications on the variable-base path).
    /// Constant time: K and s depend on the exponent length only; the digits come from shifts at public positions; every
    /// multiplication reads all 16 entries of its table under per-lane masks (<see cref="SelectShared"/>).
    /// Teeth: 4, because the masked scan costs one blend per entry and limb (16 entries: about a tenth of a
    /// multiplication); a table is 16 n words shared by all lanes (606 KiB for MODP-2048 with 256-bit exponents).
    /// </summary>
    private void CombPow(ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results, int lanes)
    {
        if (_comb is null)
        {
            BuildComb(exponentLength);
        }

        CombCalls++;
        _groupEnd = Math.Min(LaneCount, (lanes + TMath.Lanes - 1) / TMath.Lanes * TMath.Lanes);
        CombDigits(exponents, exponentLength, lanes);
        int tables = _combTables;
        int spacing = _combSpacing;
        int tableWords = _n * CombEntries;
        ReadOnlySpan<ulong> comb = _comb;
        for (int t = spacing - 1; t >= 0; t--)
        {
            if (t < spacing - 1)
            {
                Square(_acc, _acc);
            }

            for (int k = 0; k < tables; k++)
            {
                _digits.AsSpan(((t * tables) + k) * LaneCount, LaneCount).CopyTo(_windows);
                ReadOnlySpan<ulong> table = comb.Slice(k * tableWords, tableWords);
                if (t == spacing - 1 && k == 0)
                {
                    SelectShared(_acc, table);
                    continue;
                }

                SelectShared(_sel, table);
                Multiply(_acc, _acc, _sel);
            }
        }

        Finish(results, lanes);
    }

    /// <summary>Digit D(k, t) of every lane at _digits[(t K + k) 8 + lane] (bit positions are public).</summary>
    private void CombDigits(ReadOnlySpan<byte> exponents, int exponentLength, int lanes)
    {
        int tables = _combTables;
        int spacing = _combSpacing;
        for (int lane = 0; lane < LaneCount; lane++)
        {
            ReadOnlySpan<byte> e = lane < lanes ? exponents.Slice(lane * exponentLength, exponentLength) : default;
            for (int t = 0; t < spacing; t++)
            {
                for (int k = 0; k < tables; k++)
                {
                    ulong d = 0;
                    for (int i = 0; i < CombTeeth; i++)
                    {
                        long bit = ((long)spacing * ((CombTeeth * k) + i)) + t;
                        ulong v = bit < e.Length * 8L ? (ulong)(e[e.Length - 1 - (int)(bit >> 3)] >> (int)(bit & 7)) & 1 : 0;
                        d |= v << i;
                    }

                    _digits[(((t * tables) + k) * LaneCount) + lane] = d;
                }
            }
        }
    }

    /// <summary>
    /// Every lane takes entry _windows[lane] of a comb table (limb-major: limb i of the 16 entries is contiguous, one
    /// value for all lanes); every entry is read and blended under a per-lane mask (constant time).
    /// </summary>
    private void SelectShared(Span<ulong> destination, ReadOnlySpan<ulong> table)
    {
        int n = _n;
        TableReads += CombEntries;
        ref TVec hits = ref MemoryMarshal.GetArrayDataReference(_hits);
        ref ulong t0 = ref MemoryMarshal.GetReference(table);
        for (int g = 0; g < _groupEnd; g += TMath.Lanes)
        {
            TVec index = Unsafe.As<ulong, TVec>(ref _windows[g]);
            for (int k = 0; k < CombEntries; k++)
            {
                Unsafe.Add(ref hits, k) = TMath.EqualsMask(index, TMath.Broadcast((ulong)k));
            }

            ref ulong d0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), g);
            for (int i = 0; i < n; i++)
            {
                ref ulong entries = ref Unsafe.Add(ref t0, i * CombEntries);
                TVec value = TMath.Zero;
                for (int k = 0; k < CombEntries; k++)
                {
                    value = TMath.Select(Unsafe.Add(ref hits, k), TMath.Broadcast(Unsafe.Add(ref entries, k)), value);
                }

                Store(ref d0, i, value);
            }
        }
    }

    /// <summary>
    /// The comb tables for exponents of <paramref name="exponentLength"/> bytes (public data only: powers of g), every
    /// lane computing the same value on one vector. The work counters are left as they were: they count exponentiations.
    /// </summary>
    private void BuildComb(int exponentLength)
    {
        int n = _n;
        int bits = exponentLength * 8;
        int spacing = (bits + (CombTeeth * CombMaxTables) - 1) / (CombTeeth * CombMaxTables);
        int tables = (bits + (CombTeeth * spacing) - 1) / (CombTeeth * spacing);
        var comb = new ulong[tables * n * CombEntries];
        long multiplications = Multiplications;
        int groupEnd = _groupEnd;
        _groupEnd = TMath.Lanes;
        var other = new ulong[n * LaneCount];

        void Store(int table, int entry, ReadOnlySpan<ulong> value)
        {
            for (int i = 0; i < n; i++)
            {
                comb[(((table * n) + i) * CombEntries) + entry] = value[i * LaneCount];
            }
        }

        void Load(int table, int entry, Span<ulong> value)
        {
            for (int i = 0; i < n; i++)
            {
                value.Slice(i * LaneCount, LaneCount).Fill(comb[(((table * n) + i) * CombEntries) + entry]);
            }
        }

        // acc = g R mod m; then T_k[2^i] = g^(2^(s (4 k + i))) by s squarings per tooth, T_k[0] = R mod m.
        _sel.AsSpan().Clear();
        _sel.AsSpan(0, LaneCount).Fill(ModpKeyPairBases.Generator);
        Multiply(_acc, _sel, _rSquared);
        for (int k = 0; k < tables; k++)
        {
            Store(k, 0, _one);
            for (int i = 0; i < CombTeeth; i++)
            {
                Store(k, 1 << i, _acc);
                if (k + 1 < tables || i + 1 < CombTeeth)
                {
                    for (int r = 0; r < spacing; r++)
                    {
                        Square(_acc, _acc);
                    }
                }
            }
        }

        // T_k[d] = T_k[d without its lowest bit] T_k[lowest bit of d].
        for (int k = 0; k < tables; k++)
        {
            for (int d = 3; d < CombEntries; d++)
            {
                if ((d & (d - 1)) != 0)
                {
                    Load(k, d & (d - 1), _sel);
                    Load(k, d & -d, other);
                    Multiply(_sel, _sel, other);
                    Store(k, d, _sel);
                }
            }
        }

        _groupEnd = groupEnd;
        Multiplications = multiplications;
        _acc.AsSpan().Clear();
        _sel.AsSpan().Clear();
        _comb = comb;
        _digits = new ulong[tables * spacing * LaneCount];
        _combExponentLength = exponentLength;
        _combTables = tables;
        _combSpacing = spacing;
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
        int bits = _limbBits;
        TVec mask = TMath.Broadcast(_limbMask);
        TVec k0 = _k0;
        ref TVec t = ref MemoryMarshal.GetArrayDataReference(_t);
        ref TVec m = ref MemoryMarshal.GetArrayDataReference(_modulus);
        ref ulong a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), g);
        ref ulong b0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), g);
        _t.AsSpan().Clear();

        // Rows in fours (i .. i + 3): each accumulator is loaded and stored once per eight products (a vector
        // store is the scarce resource next to the multiplier). Row i + k adds a b[i + k] + qk m, with qk making
        // limb i + k zero. Then rows in pairs, then one row.
        int i = 0;
        for (; i + 3 < n; i += 4)
        {
            ref TVec ti = ref Unsafe.Add(ref t, i);
            TVec b0v = Load(ref b0, i);
            TVec b1v = Load(ref b0, i + 1);
            TVec b2v = Load(ref b0, i + 2);
            TVec b3v = Load(ref b0, i + 3);
            TVec av0 = Load(ref a0, 0);
            TVec av1 = Load(ref a0, 1);
            TVec av2 = Load(ref a0, 2);
            TVec av3 = Load(ref a0, 3);
            TVec mv1 = Unsafe.Add(ref m, 1);
            TVec mv2 = Unsafe.Add(ref m, 2);
            TVec mv3 = Unsafe.Add(ref m, 3);

            TVec s0 = TMath.Add(ti, TMath.MultiplyLow32(av0, b0v));
            TVec q0 = TMath.And(TMath.MultiplyLow32(s0, k0), mask);
            s0 = TMath.Add(s0, TMath.MultiplyLow32(m, q0));

            TVec s1 = TMath.Add(Unsafe.Add(ref ti, 1), TMath.ShiftRightLogical(s0, bits));
            s1 = TMath.Add(s1, TMath.Add(TMath.MultiplyLow32(av1, b0v), TMath.MultiplyLow32(mv1, q0)));
            s1 = TMath.Add(s1, TMath.MultiplyLow32(av0, b1v));
            TVec q1 = TMath.And(TMath.MultiplyLow32(s1, k0), mask);
            s1 = TMath.Add(s1, TMath.MultiplyLow32(m, q1));

            TVec s2 = TMath.Add(Unsafe.Add(ref ti, 2), TMath.ShiftRightLogical(s1, bits));
            s2 = TMath.Add(s2, TMath.Add(TMath.MultiplyLow32(av2, b0v), TMath.MultiplyLow32(mv2, q0)));
            s2 = TMath.Add(s2, TMath.Add(TMath.MultiplyLow32(av1, b1v), TMath.MultiplyLow32(mv1, q1)));
            s2 = TMath.Add(s2, TMath.MultiplyLow32(av0, b2v));
            TVec q2 = TMath.And(TMath.MultiplyLow32(s2, k0), mask);
            s2 = TMath.Add(s2, TMath.MultiplyLow32(m, q2));

            TVec s3 = TMath.Add(Unsafe.Add(ref ti, 3), TMath.ShiftRightLogical(s2, bits));
            s3 = TMath.Add(s3, TMath.Add(TMath.MultiplyLow32(av3, b0v), TMath.MultiplyLow32(mv3, q0)));
            s3 = TMath.Add(s3, TMath.Add(TMath.MultiplyLow32(av2, b1v), TMath.MultiplyLow32(mv2, q1)));
            s3 = TMath.Add(s3, TMath.Add(TMath.MultiplyLow32(av1, b2v), TMath.MultiplyLow32(mv1, q2)));
            s3 = TMath.Add(s3, TMath.MultiplyLow32(av0, b3v));
            TVec q3 = TMath.And(TMath.MultiplyLow32(s3, k0), mask);
            s3 = TMath.Add(s3, TMath.MultiplyLow32(m, q3));
            ref TVec slot4 = ref Unsafe.Add(ref ti, 4);
            slot4 = TMath.Add(slot4, TMath.ShiftRightLogical(s3, bits));

            // Column j: a[j] b0 + m[j] q0 + a[j - 1] b1 + m[j - 1] q1 + ... + a[j - 3] b3 + m[j - 3] q3.
            TVec aPrev1 = av3;
            TVec aPrev2 = av2;
            TVec aPrev3 = av1;
            TVec mPrev1 = mv3;
            TVec mPrev2 = mv2;
            TVec mPrev3 = mv1;
            for (int j = 4; j < n; j++)
            {
                TVec aj = Load(ref a0, j);
                TVec mj = Unsafe.Add(ref m, j);
                ref TVec slot = ref Unsafe.Add(ref ti, j);
                TVec x = TMath.Add(
                    TMath.Add(TMath.MultiplyLow32(aj, b0v), TMath.MultiplyLow32(mj, q0)),
                    TMath.Add(TMath.MultiplyLow32(aPrev1, b1v), TMath.MultiplyLow32(mPrev1, q1)));
                TVec y = TMath.Add(
                    TMath.Add(TMath.MultiplyLow32(aPrev2, b2v), TMath.MultiplyLow32(mPrev2, q2)),
                    TMath.Add(TMath.MultiplyLow32(aPrev3, b3v), TMath.MultiplyLow32(mPrev3, q3)));
                slot = TMath.Add(slot, TMath.Add(x, y));
                aPrev3 = aPrev2;
                aPrev2 = aPrev1;
                aPrev1 = aj;
                mPrev3 = mPrev2;
                mPrev2 = mPrev1;
                mPrev1 = mj;
            }

            // aPrev1..3, mPrev1..3 = limbs n - 1, n - 2, n - 3.
            ref TVec top0 = ref Unsafe.Add(ref ti, n);
            top0 = TMath.Add(top0, TMath.Add(
                TMath.Add(TMath.Add(TMath.MultiplyLow32(aPrev1, b1v), TMath.MultiplyLow32(mPrev1, q1)), TMath.Add(TMath.MultiplyLow32(aPrev2, b2v), TMath.MultiplyLow32(mPrev2, q2))),
                TMath.Add(TMath.MultiplyLow32(aPrev3, b3v), TMath.MultiplyLow32(mPrev3, q3))));
            ref TVec top1 = ref Unsafe.Add(ref ti, n + 1);
            top1 = TMath.Add(top1, TMath.Add(
                TMath.Add(TMath.MultiplyLow32(aPrev1, b2v), TMath.MultiplyLow32(mPrev1, q2)),
                TMath.Add(TMath.MultiplyLow32(aPrev2, b3v), TMath.MultiplyLow32(mPrev2, q3))));
            ref TVec top2 = ref Unsafe.Add(ref ti, n + 2);
            top2 = TMath.Add(top2, TMath.Add(TMath.MultiplyLow32(aPrev1, b3v), TMath.MultiplyLow32(mPrev1, q3)));
        }

        // Rows in pairs (i, i + 1) for what is left.
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
            TVec s1 = TMath.Add(Unsafe.Add(ref ti, 1), TMath.ShiftRightLogical(s0, bits));
            s1 = TMath.Add(s1, TMath.Add(TMath.MultiplyLow32(a1, bi0), TMath.MultiplyLow32(m1, q0)));
            s1 = TMath.Add(s1, TMath.MultiplyLow32(aPrev, bi1));
            TVec q1 = TMath.And(TMath.MultiplyLow32(s1, k0), mask);
            s1 = TMath.Add(s1, TMath.MultiplyLow32(mPrev, q1));
            aPrev = a1;
            mPrev = m1;

            // The carry goes into slot i + 2 before the loop (n >= 3), so the loop does one add per product.
            ref TVec slot2 = ref Unsafe.Add(ref ti, 2);
            slot2 = TMath.Add(slot2, TMath.ShiftRightLogical(s1, bits));
            for (int j = 2; j < n; j++)
            {
                TVec aj = Load(ref a0, j);
                TVec mj = Unsafe.Add(ref m, j);
                ref TVec slot = ref Unsafe.Add(ref ti, j);
                TVec x = TMath.Add(TMath.MultiplyLow32(aj, bi0), TMath.MultiplyLow32(mj, q0));
                TVec y = TMath.Add(TMath.MultiplyLow32(aPrev, bi1), TMath.MultiplyLow32(mPrev, q1));
                slot = TMath.Add(slot, TMath.Add(x, y));
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
            Unsafe.Add(ref ti, 1) = TMath.Add(Unsafe.Add(ref ti, 1), TMath.ShiftRightLogical(s0, bits));
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
            c = TMath.ShiftRightLogical(y, bits);
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
    /// The cross products a[i] (2 a[j]), j &gt; i, once (2 a[j] &lt; 2^(b + 1) &lt;= 2^29 still fits the 32-bit multiplier), the
    /// squares, then the Montgomery reduction: 1.5 n^2 products instead of 2 n^2. Slot bound as in
    /// <see cref="MultiplyGroup"/> (a column of the square is at most n products below 2^(2b), plus n reduction terms below 2^(2b)).
    /// </summary>
    private void SquareGroup(Span<ulong> r, ReadOnlySpan<ulong> a, int g)
    {
        int n = _n;
        int bits = _limbBits;
        TVec mask = TMath.Broadcast(_limbMask);
        TVec k0 = _k0;
        ref TVec t = ref MemoryMarshal.GetArrayDataReference(_t);
        ref TVec m = ref MemoryMarshal.GetArrayDataReference(_modulus);
        ref ulong a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), g);
        _t.AsSpan().Clear();

        // Cross products and squares, rows in fours while the four rows' diagonal block (columns up to i + 6)
        // lies inside the number, then pairs (i, i + 1), then one row. (2 a[i]) a[j] = a[i] (2 a[j]): the row
        // multipliers are doubled once per row group, not every column.
        int i = 0;
        for (; i + 6 < n; i += 4)
        {
            TVec a0v = Load(ref a0, i);
            TVec a1v = Load(ref a0, i + 1);
            TVec a2v = Load(ref a0, i + 2);
            TVec a3v = Load(ref a0, i + 3);
            TVec a4v = Load(ref a0, i + 4);
            TVec a5v = Load(ref a0, i + 5);
            TVec a6v = Load(ref a0, i + 6);
            TVec d0 = TMath.Add(a0v, a0v);
            TVec d1 = TMath.Add(a1v, a1v);
            TVec d2 = TMath.Add(a2v, a2v);
            TVec d3 = TMath.Add(a3v, a3v);
            ref TVec ts = ref Unsafe.Add(ref t, 2 * i);

            // Slots 2i .. 2i + 6: the diagonal block of the four rows (squares and the pairs among them).
            ts = TMath.Add(ts, TMath.MultiplyLow32(a0v, a0v));
            ref TVec u1 = ref Unsafe.Add(ref ts, 1);
            u1 = TMath.Add(u1, TMath.MultiplyLow32(d0, a1v));
            ref TVec u2 = ref Unsafe.Add(ref ts, 2);
            u2 = TMath.Add(u2, TMath.Add(TMath.MultiplyLow32(a1v, a1v), TMath.MultiplyLow32(d0, a2v)));
            ref TVec u3 = ref Unsafe.Add(ref ts, 3);
            u3 = TMath.Add(u3, TMath.Add(TMath.MultiplyLow32(d0, a3v), TMath.MultiplyLow32(d1, a2v)));
            ref TVec u4 = ref Unsafe.Add(ref ts, 4);
            u4 = TMath.Add(u4, TMath.Add(
                TMath.Add(TMath.MultiplyLow32(d0, a4v), TMath.MultiplyLow32(d1, a3v)),
                TMath.MultiplyLow32(a2v, a2v)));
            ref TVec u5 = ref Unsafe.Add(ref ts, 5);
            u5 = TMath.Add(u5, TMath.Add(
                TMath.Add(TMath.MultiplyLow32(d0, a5v), TMath.MultiplyLow32(d1, a4v)),
                TMath.MultiplyLow32(d2, a3v)));
            ref TVec u6 = ref Unsafe.Add(ref ts, 6);
            u6 = TMath.Add(u6, TMath.Add(
                TMath.Add(TMath.MultiplyLow32(d0, a6v), TMath.MultiplyLow32(d1, a5v)),
                TMath.Add(TMath.MultiplyLow32(d2, a4v), TMath.MultiplyLow32(a3v, a3v))));

            // Slot i + j, j = i + 7 .. n - 1: d0 a[j] + d1 a[j - 1] + d2 a[j - 2] + d3 a[j - 3].
            TVec aPrev1 = a6v;
            TVec aPrev2 = a5v;
            TVec aPrev3 = a4v;
            for (int j = i + 7; j < n; j++)
            {
                TVec aj = Load(ref a0, j);
                ref TVec slot = ref Unsafe.Add(ref t, i + j);
                TVec x = TMath.Add(TMath.MultiplyLow32(d0, aj), TMath.MultiplyLow32(d1, aPrev1));
                TVec y = TMath.Add(TMath.MultiplyLow32(d2, aPrev2), TMath.MultiplyLow32(d3, aPrev3));
                slot = TMath.Add(slot, TMath.Add(x, y));
                aPrev3 = aPrev2;
                aPrev2 = aPrev1;
                aPrev1 = aj;
            }

            // aPrev1..3 = a[n - 1], a[n - 2], a[n - 3] (all columns above the rows: i + 6 < n).
            ref TVec top0 = ref Unsafe.Add(ref t, i + n);
            top0 = TMath.Add(top0, TMath.Add(
                TMath.Add(TMath.MultiplyLow32(d1, aPrev1), TMath.MultiplyLow32(d2, aPrev2)),
                TMath.MultiplyLow32(d3, aPrev3)));
            ref TVec top1 = ref Unsafe.Add(ref t, i + n + 1);
            top1 = TMath.Add(top1, TMath.Add(TMath.MultiplyLow32(d2, aPrev1), TMath.MultiplyLow32(d3, aPrev2)));
            ref TVec top2 = ref Unsafe.Add(ref t, i + n + 2);
            top2 = TMath.Add(top2, TMath.MultiplyLow32(d3, aPrev1));
        }

        for (; i + 1 < n; i += 2)
        {
            TVec ai = Load(ref a0, i);
            TVec ai1 = Load(ref a0, i + 1);
            TVec di = TMath.Add(ai, ai);
            TVec di1 = TMath.Add(ai1, ai1);
            ref TVec slot0 = ref Unsafe.Add(ref t, 2 * i);
            slot0 = TMath.Add(slot0, TMath.MultiplyLow32(ai, ai));
            ref TVec slot1 = ref Unsafe.Add(ref t, (2 * i) + 1);
            slot1 = TMath.Add(slot1, TMath.MultiplyLow32(di, ai1));
            ref TVec slot2 = ref Unsafe.Add(ref t, (2 * i) + 2);
            TVec square1 = TMath.MultiplyLow32(ai1, ai1);
            if (i + 2 < n)
            {
                square1 = TMath.Add(square1, TMath.MultiplyLow32(di, Load(ref a0, i + 2)));
            }

            slot2 = TMath.Add(slot2, square1);
            TVec aPrev = Load(ref a0, i + 2 < n ? i + 2 : i + 1);
            for (int j = i + 3; j < n; j++)
            {
                TVec aj = Load(ref a0, j);
                ref TVec slot = ref Unsafe.Add(ref t, i + j);
                slot = TMath.Add(slot, TMath.Add(TMath.MultiplyLow32(di, aj), TMath.MultiplyLow32(di1, aPrev)));
                aPrev = aj;
            }

            if (i + 2 < n)
            {
                ref TVec top = ref Unsafe.Add(ref t, i + n);
                top = TMath.Add(top, TMath.MultiplyLow32(di1, aPrev));
            }
        }

        if (i < n)
        {
            TVec last = Load(ref a0, i);
            ref TVec slot = ref Unsafe.Add(ref t, 2 * i);
            slot = TMath.Add(slot, TMath.MultiplyLow32(last, last));
        }

        // Montgomery reduction, rows in fours: each accumulator is loaded and stored once per four products
        // (stores of a whole vector are the scarce resource next to the multiplier), then pairs, then one row.
        for (i = 0; i + 3 < n; i += 4)
        {
            ref TVec ti = ref Unsafe.Add(ref t, i);
            TVec m1 = Unsafe.Add(ref m, 1);
            TVec m2 = Unsafe.Add(ref m, 2);
            TVec m3 = Unsafe.Add(ref m, 3);
            TVec s0 = ti;
            TVec q0 = TMath.And(TMath.MultiplyLow32(s0, k0), mask);
            s0 = TMath.Add(s0, TMath.MultiplyLow32(m, q0));
            TVec s1 = TMath.Add(Unsafe.Add(ref ti, 1), TMath.Add(TMath.ShiftRightLogical(s0, bits), TMath.MultiplyLow32(m1, q0)));
            TVec q1 = TMath.And(TMath.MultiplyLow32(s1, k0), mask);
            s1 = TMath.Add(s1, TMath.MultiplyLow32(m, q1));
            TVec s2 = TMath.Add(
                TMath.Add(Unsafe.Add(ref ti, 2), TMath.ShiftRightLogical(s1, bits)),
                TMath.Add(TMath.MultiplyLow32(m2, q0), TMath.MultiplyLow32(m1, q1)));
            TVec q2 = TMath.And(TMath.MultiplyLow32(s2, k0), mask);
            s2 = TMath.Add(s2, TMath.MultiplyLow32(m, q2));
            TVec s3 = TMath.Add(
                TMath.Add(Unsafe.Add(ref ti, 3), TMath.ShiftRightLogical(s2, bits)),
                TMath.Add(TMath.Add(TMath.MultiplyLow32(m3, q0), TMath.MultiplyLow32(m2, q1)), TMath.MultiplyLow32(m1, q2)));
            TVec q3 = TMath.And(TMath.MultiplyLow32(s3, k0), mask);
            s3 = TMath.Add(s3, TMath.MultiplyLow32(m, q3));
            ref TVec slot4 = ref Unsafe.Add(ref ti, 4);
            slot4 = TMath.Add(slot4, TMath.ShiftRightLogical(s3, bits));

            // Column j takes m[j] q0 + m[j - 1] q1 + m[j - 2] q2 + m[j - 3] q3.
            TVec mPrev1 = m3;
            TVec mPrev2 = m2;
            TVec mPrev3 = m1;
            for (int j = 4; j < n; j++)
            {
                TVec mj = Unsafe.Add(ref m, j);
                ref TVec slot = ref Unsafe.Add(ref ti, j);
                TVec x = TMath.Add(TMath.MultiplyLow32(mj, q0), TMath.MultiplyLow32(mPrev1, q1));
                TVec y = TMath.Add(TMath.MultiplyLow32(mPrev2, q2), TMath.MultiplyLow32(mPrev3, q3));
                slot = TMath.Add(slot, TMath.Add(x, y));
                mPrev3 = mPrev2;
                mPrev2 = mPrev1;
                mPrev1 = mj;
            }

            // mPrev1..3 = m[n - 1], m[n - 2], m[n - 3].
            ref TVec top0 = ref Unsafe.Add(ref ti, n);
            top0 = TMath.Add(top0, TMath.Add(TMath.Add(TMath.MultiplyLow32(mPrev1, q1), TMath.MultiplyLow32(mPrev2, q2)), TMath.MultiplyLow32(mPrev3, q3)));
            ref TVec top1 = ref Unsafe.Add(ref ti, n + 1);
            top1 = TMath.Add(top1, TMath.Add(TMath.MultiplyLow32(mPrev1, q2), TMath.MultiplyLow32(mPrev2, q3)));
            ref TVec top2 = ref Unsafe.Add(ref ti, n + 2);
            top2 = TMath.Add(top2, TMath.MultiplyLow32(mPrev1, q3));
        }

        for (; i + 1 < n; i += 2)
        {
            ref TVec ti = ref Unsafe.Add(ref t, i);
            TVec s0 = ti;
            TVec q0 = TMath.And(TMath.MultiplyLow32(s0, k0), mask);
            s0 = TMath.Add(s0, TMath.MultiplyLow32(m, q0));
            TVec m1 = Unsafe.Add(ref m, 1);
            TVec s1 = TMath.Add(Unsafe.Add(ref ti, 1), TMath.Add(TMath.ShiftRightLogical(s0, bits), TMath.MultiplyLow32(m1, q0)));
            TVec q1 = TMath.And(TMath.MultiplyLow32(s1, k0), mask);
            s1 = TMath.Add(s1, TMath.MultiplyLow32(m, q1));
            TVec mPrev = m1;
            ref TVec slot2 = ref Unsafe.Add(ref ti, 2);
            slot2 = TMath.Add(slot2, TMath.ShiftRightLogical(s1, bits));
            for (int j = 2; j < n; j++)
            {
                TVec mj = Unsafe.Add(ref m, j);
                ref TVec slot = ref Unsafe.Add(ref ti, j);
                slot = TMath.Add(slot, TMath.Add(TMath.MultiplyLow32(mj, q0), TMath.MultiplyLow32(mPrev, q1)));
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
            Unsafe.Add(ref ti, 1) = TMath.Add(Unsafe.Add(ref ti, 1), TMath.ShiftRightLogical(s0, bits));
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
            c = TMath.ShiftRightLogical(y, bits);
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
        ref TVec hits = ref MemoryMarshal.GetArrayDataReference(_hits);
        for (int g = 0; g < _groupEnd; g += TMath.Lanes)
        {
            TVec index = Unsafe.As<ulong, TVec>(ref _windows[g]);
            for (int k = 0; k < entries; k++)
            {
                Unsafe.Add(ref hits, k) = TMath.EqualsMask(index, TMath.Broadcast((ulong)k));
            }

            // Limb by limb, every entry blended into a register: one store per limb, not one per entry.
            ref ulong d0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), g);
            ref ulong e0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(table), g);
            for (int i = 0; i < n; i++)
            {
                TVec value = TMath.Zero;
                for (int k = 0; k < entries; k++)
                {
                    value = TMath.Select(Unsafe.Add(ref hits, k), Load(ref e0, (k * n) + i), value);
                }

                Store(ref d0, i, value);
            }
        }
    }

    /// <summary>acc = acc - m where that does not borrow, per lane, without branches.</summary>
    private void FinalSubtract()
    {
        int n = _n;
        TVec mask = TMath.Broadcast(_limbMask);
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

    private static void ToLimbs(BigInteger value, Span<ulong> limbs, int limbBits)
    {
        ulong limbMask = (1UL << limbBits) - 1;
        for (int i = 0; i < limbs.Length; i++)
        {
            limbs[i] = (ulong)(value & limbMask);
            value >>= limbBits;
        }
    }

    private static ulong[] Broadcast(BigInteger value, int n, int limbBits)
    {
        Span<ulong> limbs = n <= 512 ? stackalloc ulong[n] : new ulong[n];
        ToLimbs(value, limbs, limbBits);
        var result = new ulong[n * LaneCount];
        for (int i = 0; i < n; i++)
        {
            result.AsSpan(i * LaneCount, LaneCount).Fill(limbs[i]);
        }

        return result;
    }

    /// <summary>Big-endian bytes to radix-2^b limbs (limbs.Length limbs, zero-filled above the value).</summary>
    internal static void BytesToLimbs(ReadOnlySpan<byte> bytes, Span<ulong> limbs, int limbBits)
    {
        ulong limbMask = (1UL << limbBits) - 1;
        ulong acc = 0;
        int accBits = 0;
        int limb = 0;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            acc |= (ulong)bytes[i] << accBits;
            accBits += 8;
            if (accBits >= limbBits)
            {
                limbs[limb++] = acc & limbMask;
                acc >>= limbBits;
                accBits -= limbBits;
            }
        }

        for (; limb < limbs.Length; limb++)
        {
            limbs[limb] = acc;
            acc = 0;
        }
    }

    /// <summary>Normalised radix-2^b limbs to exactly bytes.Length big-endian bytes.</summary>
    internal static void LimbsToBytes(ReadOnlySpan<ulong> limbs, Span<byte> bytes, int limbBits)
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
                accBits += limbBits;
            }

            bytes[i] = (byte)acc;
            acc >>= 8;
            accBits -= 8;
        }
    }
}

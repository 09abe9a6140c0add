/*
 * X25519 (RFC 7748) for eight independent inputs at once on AVX-512 IFMA.
 *
 * Field GF(2^255 - 19), elements as five limbs of 52 bits (limb 4 carries bits 208..259), one lane per input.
 * vpmadd52{lo,hi}uq read only the low 52 bits of their operands, so every multiplication input has limbs 0..3
 * below 2^52 and limb 4 below 2^50. Products fold columns 5..9 (weight 2^260 = 2^5 * 2^255, i.e. 608 mod p) and
 * the bits above 2^255 (times 19) back, then one carry chain gives the normal form (limb 4 below 2^47 + 2^11);
 * sums and differences of normal values only carry (no fold), which the next product absorbs.
 *
 * The Montgomery ladder is RFC 7748 section 5 literally (constant-time conditional swaps by per-lane masks),
 * and the final inversion is z^(p-2) by the usual fixed addition chain (254 squarings, 11 multiplications).
 */
/*
 * -O3 (the build uses -O2) lets GCC keep the unrolled field arithmetic in registers: about 1.7x faster. Scheduling
 * before register allocation with register-pressure awareness (off by default on x86) interleaves the ladder's
 * independent products without spilling the five field elements of state: another 1.25x (measured on Zen 5).
 */
#pragma GCC optimize("O3,schedule-insns,sched-pressure")

#include <immintrin.h>
#include <string.h>
#include "ikefast_ecc.h"
#include "ikefast_modexp.h"

#define X_TARGET __attribute__((target("avx512ifma,avx512vl,avx512f")))
#define X_INLINE static inline __attribute__((always_inline)) X_TARGET

#define LANES 8
#define NLIMBS 5

typedef struct
{
    __m512i v[NLIMBS];
} fe;

#define M52 0xFFFFFFFFFFFFFull
#define M47 0x7FFFFFFFFFFFull

/* x * 608 (= 2^9 + 2^6 + 2^5) for x < 2^54: exact in 64 bits. */
X_INLINE __m512i mul608(__m512i x)
{
    return _mm512_add_epi64(_mm512_add_epi64(_mm512_slli_epi64(x, 9), _mm512_slli_epi64(x, 6)), _mm512_slli_epi64(x, 5));
}

/* x * 19 (= 16 + 2 + 1). */
X_INLINE __m512i mul19(__m512i x)
{
    return _mm512_add_epi64(_mm512_add_epi64(_mm512_slli_epi64(x, 4), _mm512_slli_epi64(x, 1)), x);
}

/*
 * From limbs below 2^62 to the normal form: fold bits >= 2^255 of limb 4 into limb 0 (times 19), then carry
 * limbs 0..3 upward. Afterwards limbs 0..3 < 2^52 and limb 4 < 2^47 + 2^11.
 */
X_INLINE void normalize(__m512i *t)
{
    const __m512i m52 = _mm512_set1_epi64((long long)M52);
    const __m512i m47 = _mm512_set1_epi64((long long)M47);
    __m512i c = _mm512_srli_epi64(t[4], 47);
    t[4] = _mm512_and_si512(t[4], m47);
    t[0] = _mm512_add_epi64(t[0], mul19(c));
    for (int i = 0; i < 4; i++)
    {
        c = _mm512_srli_epi64(t[i], 52);
        t[i] = _mm512_and_si512(t[i], m52);
        t[i + 1] = _mm512_add_epi64(t[i + 1], c);
    }
}

/* Columns t[0..9] (each below 2^58) to a normal field element. */
X_INLINE void reduce_columns(fe *r, __m512i *t)
{
    const __m512i m52 = _mm512_set1_epi64((long long)M52);
    const __m512i c608 = _mm512_set1_epi64(608);
    /* Column k >= 5 has weight 2^(52k) = 2^260 * 2^(52(k-5)) == 608 * 2^(52(k-5)). Split it at 52 bits so the
     * IFMA operands are exact: lo * 608 lands in columns k-5 (low half) and k-4 (high half), the few bits above
     * 2^52 (below 2^6) times 608 in column k-4. */
#pragma GCC unroll 4
    for (int k = 5; k < 9; k++)
    {
        __m512i lo = _mm512_and_si512(t[k], m52);
        __m512i hi = _mm512_srli_epi64(t[k], 52);
        t[k - 5] = _mm512_madd52lo_epu64(t[k - 5], lo, c608);
        t[k - 4] = _mm512_madd52hi_epu64(t[k - 4], lo, c608);
        t[k - 4] = _mm512_madd52lo_epu64(t[k - 4], hi, c608);
    }
    /* Column 9 is the high half of a4*b4 only (below 2^48 for limb-4 inputs below 2^50). */
    t[4] = _mm512_madd52lo_epu64(t[4], t[9], c608);
    t[5] = _mm512_madd52hi_epu64(_mm512_setzero_si512(), t[9], c608); /* weight 2^260 again: below 2^6 */
    t[0] = _mm512_add_epi64(t[0], mul608(t[5]));
    normalize(t);
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = t[i];
}

X_INLINE void fe_mul(fe *r, const fe *a, const fe *b)
{
    __m512i t[10];
    for (int i = 0; i < 10; i++)
        t[i] = _mm512_setzero_si512();
#pragma GCC unroll 5
    for (int i = 0; i < NLIMBS; i++)
    {
#pragma GCC unroll 5
        for (int j = 0; j < NLIMBS; j++)
        {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], a->v[i], b->v[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a->v[i], b->v[j]);
        }
    }
    reduce_columns(r, t);
}

X_INLINE void fe_sq(fe *r, const fe *a)
{
    __m512i t[10];
    for (int i = 0; i < 10; i++)
        t[i] = _mm512_setzero_si512();
    /* Cross products once, doubled, then the squares. */
#pragma GCC unroll 5
    for (int i = 0; i < NLIMBS; i++)
    {
#pragma GCC unroll 5
        for (int j = i + 1; j < NLIMBS; j++)
        {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], a->v[i], a->v[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a->v[i], a->v[j]);
        }
    }
    for (int k = 1; k < 10; k++)
        t[k] = _mm512_add_epi64(t[k], t[k]);
#pragma GCC unroll 5
    for (int i = 0; i < NLIMBS; i++)
    {
        t[2 * i] = _mm512_madd52lo_epu64(t[2 * i], a->v[i], a->v[i]);
        t[2 * i + 1] = _mm512_madd52hi_epu64(t[2 * i + 1], a->v[i], a->v[i]);
    }
    reduce_columns(r, t);
}

X_INLINE void fe_sqn(fe *r, const fe *a, int n)
{
    fe_sq(r, a);
    for (int i = 1; i < n; i++)
        fe_sq(r, r);
}

/*
 * Limbs 0..3 carried upward, no fold: limb 4 may end up to 2^50, still a valid IFMA operand. Used for sums and
 * differences that only feed multiplications (every one in the ladder); the products normalise again.
 */
X_INLINE void carry_only(__m512i *t)
{
    const __m512i m52 = _mm512_set1_epi64((long long)M52);
    for (int i = 0; i < 4; i++)
    {
        __m512i c = _mm512_srli_epi64(t[i], 52);
        t[i] = _mm512_and_si512(t[i], m52);
        t[i + 1] = _mm512_add_epi64(t[i + 1], c);
    }
}

/* a + b for normal a, b (limb 4 below 2^48 + 2^12 afterwards): a multiplication input only. */
X_INLINE void fe_add(fe *r, const fe *a, const fe *b)
{
    __m512i t[NLIMBS];
    for (int i = 0; i < NLIMBS; i++)
        t[i] = _mm512_add_epi64(a->v[i], b->v[i]);
    carry_only(t);
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = t[i];
}

/*
 * a - b + 2p for normal b: 2p's limbs (2^53 - 38, 2^53 - 2 x3, 2^48 - 2) dominate every normal limb, so nothing
 * goes negative; limb 4 stays below 2^50 (a multiplication input only).
 */
X_INLINE void fe_sub(fe *r, const fe *a, const fe *b)
{
    const __m512i p0 = _mm512_set1_epi64((long long)((1ull << 53) - 38));
    const __m512i p1 = _mm512_set1_epi64((long long)((1ull << 53) - 2));
    const __m512i p4 = _mm512_set1_epi64((long long)((1ull << 48) - 2));
    __m512i t[NLIMBS];
    t[0] = _mm512_sub_epi64(_mm512_add_epi64(a->v[0], p0), b->v[0]);
    for (int i = 1; i < 4; i++)
        t[i] = _mm512_sub_epi64(_mm512_add_epi64(a->v[i], p1), b->v[i]);
    t[4] = _mm512_sub_epi64(_mm512_add_epi64(a->v[4], p4), b->v[4]);
    carry_only(t);
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = t[i];
}

/* a * 121665 (a24 of RFC 7748 section 5). */
X_INLINE void fe_mul_a24(fe *r, const fe *a)
{
    const __m512i a24 = _mm512_set1_epi64(121665);
    __m512i t[NLIMBS + 1];
    for (int i = 0; i <= NLIMBS; i++)
        t[i] = _mm512_setzero_si512();
    for (int i = 0; i < NLIMBS; i++)
    {
        t[i] = _mm512_madd52lo_epu64(t[i], a->v[i], a24);
        t[i + 1] = _mm512_madd52hi_epu64(t[i + 1], a->v[i], a24);
    }
    t[0] = _mm512_add_epi64(t[0], mul608(t[5])); /* t[5] < 2^17 */
    normalize(t);
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = t[i];
}

/* Swaps a and b in the lanes where mask is all ones (mask is 0 or ~0 per lane): two blends per limb, no branch,
 * no index. */
X_INLINE void fe_cswap(fe *a, fe *b, __m512i mask)
{
    const __mmask8 k = _mm512_test_epi64_mask(mask, mask);
    for (int i = 0; i < NLIMBS; i++)
    {
        const __m512i x = a->v[i], y = b->v[i];
        a->v[i] = _mm512_mask_blend_epi64(k, x, y);
        b->v[i] = _mm512_mask_blend_epi64(k, y, x);
    }
}

/* z^(p - 2) = z^(2^255 - 21) (Fermat), the fixed chain: 254 squarings and 11 multiplications. */
X_INLINE void fe_invert(fe *r, const fe *z)
{
    fe z2, z9, z11, z5_0, z10_0, z20_0, z50_0, z100_0, t;
    fe_sq(&z2, z);            /* 2 */
    fe_sqn(&t, &z2, 2);       /* 8 */
    fe_mul(&z9, &t, z);       /* 9 */
    fe_mul(&z11, &z9, &z2);   /* 11 */
    fe_sq(&t, &z11);          /* 22 */
    fe_mul(&z5_0, &t, &z9);   /* 2^5 - 1 */
    fe_sqn(&t, &z5_0, 5);
    fe_mul(&z10_0, &t, &z5_0); /* 2^10 - 1 */
    fe_sqn(&t, &z10_0, 10);
    fe_mul(&z20_0, &t, &z10_0); /* 2^20 - 1 */
    fe_sqn(&t, &z20_0, 20);
    fe_mul(&t, &t, &z20_0); /* 2^40 - 1 */
    fe_sqn(&t, &t, 10);
    fe_mul(&z50_0, &t, &z10_0); /* 2^50 - 1 */
    fe_sqn(&t, &z50_0, 50);
    fe_mul(&z100_0, &t, &z50_0); /* 2^100 - 1 */
    fe_sqn(&t, &z100_0, 100);
    fe_mul(&t, &t, &z100_0); /* 2^200 - 1 */
    fe_sqn(&t, &t, 50);
    fe_mul(&t, &t, &z50_0); /* 2^250 - 1 */
    fe_sqn(&t, &t, 5);      /* 2^255 - 32 */
    fe_mul(r, &t, &z11);    /* 2^255 - 21 */
}

/* The canonical value (< p) of a normal element: two more folds, then subtract p when v + 19 reaches 2^255. */
X_INLINE void fe_canonical(fe *r, const fe *a)
{
    const __m512i m52 = _mm512_set1_epi64((long long)M52);
    const __m512i m47 = _mm512_set1_epi64((long long)M47);
    __m512i t[NLIMBS], s[NLIMBS];
    for (int i = 0; i < NLIMBS; i++)
        t[i] = a->v[i];
    normalize(t);
    normalize(t); /* now v < 2^255 + 2^209 < 2p */
    __m512i c = _mm512_set1_epi64(19);
    for (int i = 0; i < 4; i++)
    {
        s[i] = _mm512_add_epi64(t[i], c);
        c = _mm512_srli_epi64(s[i], 52);
        s[i] = _mm512_and_si512(s[i], m52);
    }
    s[4] = _mm512_add_epi64(t[4], c);
    __mmask8 ge = _mm512_test_epi64_mask(_mm512_srli_epi64(s[4], 47), _mm512_set1_epi64(1)); /* v >= p */
    s[4] = _mm512_and_si512(s[4], m47);
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = _mm512_mask_mov_epi64(t[i], ge, s[i]);
}

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x; /* x86-64 is little-endian */
}

static void store64_le(uint8_t *p, uint64_t x)
{
    memcpy(p, &x, 8);
}

int32_t IkeFastNative_X25519IfmaSupported(void)
{
    return IkeFastNative_ModExpIfmaSupported();
}

static X_TARGET __attribute__((noinline)) int32_t x25519_8(uint8_t *results, const uint8_t *scalars, const uint8_t *points,
                                                         int32_t lanes)
{
    uint64_t limbs[NLIMBS][LANES] __attribute__((aligned(64)));
    uint64_t words[4][LANES] __attribute__((aligned(64)));
    memset(limbs, 0, sizeof limbs);
    memset(words, 0, sizeof words);
    for (int k = 0; k < lanes; k++)
    {
        /* RFC 7748 section 5: mask the top bit of u; clamp the scalar (clear bits 0..2 and 255, set bit 254). */
        uint64_t w0 = load64_le(points + 32 * k), w1 = load64_le(points + 32 * k + 8);
        uint64_t w2 = load64_le(points + 32 * k + 16), w3 = load64_le(points + 32 * k + 24) & 0x7FFFFFFFFFFFFFFFull;
        limbs[0][k] = w0 & M52;
        limbs[1][k] = ((w0 >> 52) | (w1 << 12)) & M52;
        limbs[2][k] = ((w1 >> 40) | (w2 << 24)) & M52;
        limbs[3][k] = ((w2 >> 28) | (w3 << 36)) & M52;
        limbs[4][k] = w3 >> 16;
        for (int w = 0; w < 4; w++)
            words[w][k] = load64_le(scalars + 32 * k + 8 * w);
        words[0][k] &= ~7ull;
        words[3][k] = (words[3][k] & 0x7FFFFFFFFFFFFFFFull) | 0x4000000000000000ull;
    }

    fe x1, x2, z2, x3, z3;
    for (int i = 0; i < NLIMBS; i++)
    {
        x1.v[i] = _mm512_load_si512((const void *)limbs[i]);
        x3.v[i] = x1.v[i];
        x2.v[i] = _mm512_setzero_si512();
        z2.v[i] = _mm512_setzero_si512();
        z3.v[i] = _mm512_setzero_si512();
    }
    x2.v[0] = _mm512_set1_epi64(1);
    z3.v[0] = _mm512_set1_epi64(1);

    __m512i sw[4];
    for (int w = 0; w < 4; w++)
        sw[w] = _mm512_load_si512((const void *)words[w]);

    const __m512i one = _mm512_set1_epi64(1);
    __m512i swap = _mm512_setzero_si512(); /* per lane: 0 or ~0 */
    for (int t = 254; t >= 0; t--)
    {
        /* k_t for every lane, as a 0 / ~0 mask (t is public; the bit value only feeds the mask). */
        __m512i bit = _mm512_and_si512(_mm512_srli_epi64(sw[t >> 6], (unsigned)(t & 63)), one);
        __m512i kt = _mm512_sub_epi64(_mm512_setzero_si512(), bit);
        swap = _mm512_xor_si512(swap, kt);
        fe_cswap(&x2, &x3, swap);
        fe_cswap(&z2, &z3, swap);
        swap = kt;

        fe a, aa, b, bb, e, c, d, da, cb;
        fe_add(&a, &x2, &z2);
        fe_sq(&aa, &a);
        fe_sub(&b, &x2, &z2);
        fe_sq(&bb, &b);
        fe_sub(&e, &aa, &bb);
        fe_add(&c, &x3, &z3);
        fe_sub(&d, &x3, &z3);
        fe_mul(&da, &d, &a);
        fe_mul(&cb, &c, &b);
        fe_add(&x3, &da, &cb);
        fe_sq(&x3, &x3);
        fe_sub(&z3, &da, &cb);
        fe_sq(&z3, &z3);
        fe_mul(&z3, &z3, &x1);
        fe_mul(&x2, &aa, &bb);
        fe_mul_a24(&z2, &e);
        fe_add(&z2, &z2, &aa);
        fe_mul(&z2, &z2, &e);
    }
    fe_cswap(&x2, &x3, swap);
    fe_cswap(&z2, &z3, swap);

    fe zi, out;
    fe_invert(&zi, &z2);
    fe_mul(&out, &x2, &zi);
    fe_canonical(&out, &out);

    __m512i any = _mm512_setzero_si512();
    for (int i = 0; i < NLIMBS; i++)
    {
        any = _mm512_or_si512(any, out.v[i]);
        _mm512_store_si512((void *)limbs[i], out.v[i]);
    }
    __mmask8 zero = _mm512_cmpeq_epi64_mask(any, _mm512_setzero_si512());

    for (int k = 0; k < lanes; k++)
    {
        uint8_t *r = results + 32 * k;
        store64_le(r, limbs[0][k] | (limbs[1][k] << 52));
        store64_le(r + 8, (limbs[1][k] >> 12) | (limbs[2][k] << 40));
        store64_le(r + 16, (limbs[2][k] >> 24) | (limbs[3][k] << 28));
        store64_le(r + 24, (limbs[3][k] >> 36) | (limbs[4][k] << 16));
    }

    /* Wipe the transposed secrets (volatile stores the compiler keeps). */
    volatile uint64_t *vw = &words[0][0];
    for (size_t i = 0; i < sizeof words / sizeof(uint64_t); i++)
        vw[i] = 0;
    volatile uint64_t *vl = &limbs[0][0];
    for (size_t i = 0; i < sizeof limbs / sizeof(uint64_t); i++)
        vl[i] = 0;

    return (int32_t)(zero & (__mmask8)((1u << lanes) - 1));
}

int32_t IkeFastNative_X25519Ifma8(uint8_t *results, const uint8_t *scalars, const uint8_t *points, int32_t lanes)
{
    if (results == NULL || scalars == NULL || points == NULL || lanes < 1 || lanes > LANES)
        return IKEFAST_ECC_E_ARGUMENT;
    if (!IkeFastNative_X25519IfmaSupported())
        return IKEFAST_ECC_E_UNSUPPORTED_CPU;
    return x25519_8(results, scalars, points, lanes);
}

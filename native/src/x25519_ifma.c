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
#include <pthread.h>
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

/* Writes each lane's u (fully reduced) as 32 little-endian bytes and wipes the transposed copy; returns the lanes
 * whose u is zero (the all-zero result RFC 7748 §6.1 tells the caller to refuse, or an unused lane). */
static X_TARGET __mmask8 store_u_lanes(uint8_t *results, const fe *u, int32_t lanes)
{
    uint64_t limbs[NLIMBS][LANES] __attribute__((aligned(64)));
    fe out;
    fe_canonical(&out, u);
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
    volatile uint64_t *vl = &limbs[0][0];
    for (size_t i = 0; i < sizeof limbs / sizeof(uint64_t); i++)
        vl[i] = 0;
    return (__mmask8)(zero & (__mmask8)((1u << lanes) - 1));
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
    __mmask8 zero = store_u_lanes(results, &out, lanes);

    /* Wipe the transposed secrets (volatile stores the compiler keeps). */
    volatile uint64_t *vw = &words[0][0];
    for (size_t i = 0; i < sizeof words / sizeof(uint64_t); i++)
        vw[i] = 0;
    volatile uint64_t *vl = &limbs[0][0];
    for (size_t i = 0; i < sizeof limbs / sizeof(uint64_t); i++)
        vl[i] = 0;

    return (int32_t)zero;
}

int32_t IkeFastNative_X25519Ifma8(uint8_t *results, const uint8_t *scalars, const uint8_t *points, int32_t lanes)
{
    if (results == NULL || scalars == NULL || points == NULL || lanes < 1 || lanes > LANES)
        return IKEFAST_ECC_E_ARGUMENT;
    if (!IkeFastNative_X25519IfmaSupported())
        return IKEFAST_ECC_E_UNSUPPORTED_CPU;
    return x25519_8(results, scalars, points, lanes);
}


/*
 * Fixed-base X25519 for key pairs: X25519(k, 9) = u(k B) with B the edwards25519 base point (RFC 7748 section 4.1:
 * the birational map u = (1 + y) / (1 - y) takes B, y = 4/5, to u = 9; u depends on y only, so the sign of x does not
 * matter). k B runs on the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 in extended coordinates (Hisil-Wong-
 * Carter-Dawson 2008), whose unified addition is complete (d is not a square), so no input is exceptional.
 *
 * The comb (the layout of ref10's ge_scalarmult_base): the clamped scalar as 64 signed radix-16 digits e_i in [-8, 8],
 * table [i][j] = (j + 1) 256^i B in affine (y + x, y - x, 2 d x y) form, k B = sum over odd i of e_i 16^(i-1) B,
 * times 16 (four doublings), plus the sum over even i: 64 mixed additions (7M each) and 4 doublings instead of 255
 * ladder steps (about 9M each); the final inversion is the same. Each table [i] holds eight entries per limb in one
 * 512-bit row, so a lane's entry |e_i| - 1 is picked in a register by vpermq with the digit as the index (no memory
 * index depends on the scalar), then negated by masked blends (-(x, y) swaps y + x and y - x and negates 2 d x y) and
 * replaced by the identity (1, 1, 0) where e_i = 0. The 30 KiB table is built at the first call from B itself.
 */
#define COMB_TABLES 32
#define COMB_DIGITS 64

/* [table i][y + x, y - x, 2 d x y][limb][entry j]: (j + 1) 256^i B, canonical limbs. */
static uint64_t g_comb[COMB_TABLES][3][NLIMBS][LANES] __attribute__((aligned(64)));
static pthread_once_t g_comb_once = PTHREAD_ONCE_INIT;

/* B (RFC 8032 section 5.1: y = 4/5, x even) and 2d = 2 (-121665 / 121666), little-endian. */
static const uint8_t BASE_X[32] = {0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25, 0x95, 0x60, 0xc7, 0x2c, 0x69,
                                   0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21};
static const uint8_t BASE_Y[32] = {0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                   0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};
static const uint8_t EDWARDS_D2[32] = {0x59, 0xf1, 0xb2, 0x26, 0x94, 0x9b, 0xd6, 0xeb, 0x56, 0xb1, 0x83, 0x82, 0x9a, 0x14, 0xe0, 0x00,
                                       0x30, 0xd1, 0xf3, 0xee, 0xf2, 0x80, 0x8e, 0x19, 0xe7, 0xfc, 0xdf, 0x56, 0xdc, 0xd9, 0x06, 0x24};

/* Extended coordinates x = X / Z, y = Y / Z, x y = T / Z: every coordinate a product (normal). */
typedef struct
{
    fe x, y, z, t;
} ge_p3;

/* A table entry: y + x, y - x, 2 d x y (a multiplication input each). */
typedef struct
{
    fe ypx, ymx, xy2d;
} ge_precomp;

/* A constant (public) field element in every lane from 32 little-endian bytes below 2^255. */
X_INLINE void fe_broadcast(fe *r, const uint8_t *bytes)
{
    uint64_t w0 = load64_le(bytes), w1 = load64_le(bytes + 8), w2 = load64_le(bytes + 16), w3 = load64_le(bytes + 24);
    r->v[0] = _mm512_set1_epi64((long long)(w0 & M52));
    r->v[1] = _mm512_set1_epi64((long long)(((w0 >> 52) | (w1 << 12)) & M52));
    r->v[2] = _mm512_set1_epi64((long long)(((w1 >> 40) | (w2 << 24)) & M52));
    r->v[3] = _mm512_set1_epi64((long long)(((w2 >> 28) | (w3 << 36)) & M52));
    r->v[4] = _mm512_set1_epi64((long long)(w3 >> 16));
}

X_INLINE void fe_small(fe *r, long long v)
{
    r->v[0] = _mm512_set1_epi64(v);
    for (int i = 1; i < NLIMBS; i++)
        r->v[i] = _mm512_setzero_si512();
}

/* a + b, then to the normal form (a subtrahend of fe_sub may be a sum only this way). */
X_INLINE void fe_add_normal(fe *r, const fe *a, const fe *b)
{
    __m512i t[NLIMBS];
    for (int i = 0; i < NLIMBS; i++)
        t[i] = _mm512_add_epi64(a->v[i], b->v[i]);
    normalize(t);
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = t[i];
}

/* a - b (b normal), then to the normal form. */
X_INLINE void fe_sub_normal(fe *r, const fe *a, const fe *b)
{
    fe_sub(r, a, b);
    normalize(r->v);
}

X_INLINE void fe_select(fe *r, __mmask8 k, const fe *a)
{
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = _mm512_mask_mov_epi64(r->v[i], k, a->v[i]);
}

X_INLINE void ge_identity(ge_p3 *r)
{
    fe_small(&r->x, 0);
    fe_small(&r->y, 1);
    fe_small(&r->z, 1);
    fe_small(&r->t, 0);
}

/*
 * r = p + q, q affine (madd-2008-hwcd-3 for a = -1, ref10's ge_madd then ge_p1p1_to_p3): 7M, complete.
 * A = (Y1 + X1)(y2 + x2), B = (Y1 - X1)(y2 - x2), C = T1 2 d x2 y2, D = 2 Z1; E = A - B, F = D - C, G = D + C,
 * H = A + B; X3 = E F, Y3 = G H, Z3 = F G, T3 = E H.
 */
X_INLINE void ge_madd(ge_p3 *r, const ge_p3 *p, const ge_precomp *q)
{
    fe s, d, a, b, c, dd, e, f, g, h;
    fe_add(&s, &p->y, &p->x);
    fe_sub(&d, &p->y, &p->x);
    fe_mul(&a, &s, &q->ypx);
    fe_mul(&b, &d, &q->ymx);
    fe_mul(&c, &q->xy2d, &p->t);
    fe_add(&dd, &p->z, &p->z);
    fe_sub(&e, &a, &b);
    fe_add(&h, &a, &b);
    fe_add(&g, &dd, &c);
    fe_sub(&f, &dd, &c);
    fe_mul(&r->x, &e, &f);
    fe_mul(&r->y, &g, &h);
    fe_mul(&r->z, &f, &g);
    fe_mul(&r->t, &e, &h);
}

/*
 * r = 2 p (dbl-2008-hwcd for a = -1, ref10's ge_p2_dbl): A = X1^2, B = Y1^2, C = 2 Z1^2; X3' = (X1 + Y1)^2 - A - B,
 * Y3' = B + A, Z3' = B - A, T3' = C - Z3'; then X3 = X3' T3', Y3 = Y3' Z3', Z3 = Z3' T3', T3 = X3' Y3'. T1 is not read.
 */
X_INLINE void ge_dbl(ge_p3 *r, const ge_p3 *p)
{
    fe a, b, c, s, ss, bpa, bma, x, t;
    fe_sq(&a, &p->x);
    fe_sq(&b, &p->y);
    fe_sq(&c, &p->z);
    fe_add_normal(&c, &c, &c);
    fe_add(&s, &p->x, &p->y);
    fe_sq(&ss, &s);
    fe_add_normal(&bpa, &b, &a);
    fe_sub_normal(&bma, &b, &a);
    fe_sub(&x, &ss, &bpa);
    fe_sub(&t, &c, &bma);
    fe_mul(&r->x, &x, &t);
    fe_mul(&r->y, &bpa, &bma);
    fe_mul(&r->z, &bma, &t);
    fe_mul(&r->t, &x, &bpa);
}

/* The affine (y + x, y - x, 2 d x y) of p, canonical limbs. */
X_INLINE void ge_to_precomp(ge_precomp *r, const ge_p3 *p)
{
    fe zi, x, y, t, d2;
    fe_broadcast(&d2, EDWARDS_D2);
    fe_invert(&zi, &p->z);
    fe_mul(&x, &p->x, &zi);
    fe_mul(&y, &p->y, &zi);
    fe_add(&t, &y, &x);
    fe_canonical(&r->ypx, &t);
    fe_sub(&t, &y, &x);
    fe_canonical(&r->ymx, &t);
    fe_mul(&t, &x, &y);
    fe_mul(&t, &t, &d2);
    fe_canonical(&r->xy2d, &t);
}

static X_TARGET void build_comb_table(void)
{
    ge_p3 p; /* 256^i B, the same in every lane */
    fe_broadcast(&p.x, BASE_X);
    fe_broadcast(&p.y, BASE_Y);
    fe_small(&p.z, 1);
    fe_mul(&p.t, &p.x, &p.y);
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    for (int i = 0; i < COMB_TABLES; i++)
    {
        ge_precomp pp;
        ge_to_precomp(&pp, &p);
        /* Lane j adds p j + 1 times. */
        ge_p3 v, w;
        ge_identity(&v);
        for (int s = 0; s < LANES; s++)
        {
            ge_madd(&w, &v, &pp);
            const __mmask8 k = _mm512_cmpge_epi64_mask(lane, _mm512_set1_epi64(s));
            fe_select(&v.x, k, &w.x);
            fe_select(&v.y, k, &w.y);
            fe_select(&v.z, k, &w.z);
            fe_select(&v.t, k, &w.t);
        }
        ge_precomp entries;
        ge_to_precomp(&entries, &v);
        for (int l = 0; l < NLIMBS; l++)
        {
            _mm512_store_si512((void *)g_comb[i][0][l], entries.ypx.v[l]);
            _mm512_store_si512((void *)g_comb[i][1][l], entries.ymx.v[l]);
            _mm512_store_si512((void *)g_comb[i][2][l], entries.xy2d.v[l]);
        }
        for (int s = 0; s < 8; s++)
            ge_dbl(&p, &p);
    }
}

static void build_comb_table_once(void)
{
    build_comb_table();
}

/* Every lane's entry e_i of table [i] (e in [-8, 8] per lane): permute, conditional negation, identity for 0. */
X_INLINE void comb_select(ge_precomp *r, int i, __m512i e)
{
    const __m512i zero = _mm512_setzero_si512();
    const __m512i idx = _mm512_sub_epi64(_mm512_abs_epi64(e), _mm512_set1_epi64(1)); /* -1 (any entry) for e = 0 */
    const __mmask8 neg = _mm512_cmplt_epi64_mask(e, zero);
    const __mmask8 none = _mm512_cmpeq_epi64_mask(e, zero);
    fe c, nc;
    for (int l = 0; l < NLIMBS; l++)
    {
        const __m512i a = _mm512_permutexvar_epi64(idx, _mm512_load_si512((const void *)g_comb[i][0][l]));
        const __m512i b = _mm512_permutexvar_epi64(idx, _mm512_load_si512((const void *)g_comb[i][1][l]));
        c.v[l] = _mm512_permutexvar_epi64(idx, _mm512_load_si512((const void *)g_comb[i][2][l]));
        r->ypx.v[l] = _mm512_mask_blend_epi64(neg, a, b);
        r->ymx.v[l] = _mm512_mask_blend_epi64(neg, b, a);
    }
    fe z;
    fe_small(&z, 0);
    fe_sub(&nc, &z, &c); /* 2p - c: a multiplication input */
    fe_select(&c, neg, &nc);
    r->xy2d = c;
    fe one;
    fe_small(&one, 1);
    fe_select(&r->ypx, none, &one);
    fe_select(&r->ymx, none, &one);
    fe_select(&r->xy2d, none, &z);
}

static X_TARGET __attribute__((noinline)) int32_t x25519_base_8(uint8_t *results, const uint8_t *scalars, int32_t lanes)
{
    int64_t digits[COMB_DIGITS][LANES] __attribute__((aligned(64)));
    memset(digits, 0, sizeof digits);
    for (int k = 0; k < lanes; k++)
    {
        /* RFC 7748 section 5 clamping, then radix 16 with digits moved into [-8, 8) by a carry (the last digit is
         * in [0, 8] as bit 255 is clear): arithmetic only, no branch on the scalar. */
        uint8_t a[32];
        memcpy(a, scalars + 32 * k, 32);
        a[0] &= 248;
        a[31] &= 127;
        a[31] |= 64;
        int64_t carry = 0;
        for (int i = 0; i < 32; i++)
        {
            digits[2 * i][k] = a[i] & 15;
            digits[2 * i + 1][k] = a[i] >> 4;
        }
        for (int i = 0; i < COMB_DIGITS - 1; i++)
        {
            digits[i][k] += carry;
            carry = (digits[i][k] + 8) >> 4;
            digits[i][k] -= carry * 16;
        }
        digits[COMB_DIGITS - 1][k] += carry;
        volatile uint8_t *va = a;
        for (size_t i = 0; i < sizeof a; i++)
            va[i] = 0;
    }

    ge_p3 h;
    ge_precomp sel;
    ge_identity(&h);
    for (int i = 1; i < COMB_DIGITS; i += 2)
    {
        comb_select(&sel, i / 2, _mm512_load_si512((const void *)digits[i]));
        ge_madd(&h, &h, &sel);
    }
    for (int s = 0; s < 4; s++)
        ge_dbl(&h, &h);
    for (int i = 0; i < COMB_DIGITS; i += 2)
    {
        comb_select(&sel, i / 2, _mm512_load_si512((const void *)digits[i]));
        ge_madd(&h, &h, &sel);
    }

    /* u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y); the unused lanes (the identity) come out as 0. */
    fe num, den, inv, out;
    fe_add(&num, &h.z, &h.y);
    fe_sub(&den, &h.z, &h.y);
    fe_invert(&inv, &den);
    fe_mul(&out, &num, &inv);
    __mmask8 zero = store_u_lanes(results, &out, lanes);

    volatile int64_t *vd = &digits[0][0];
    for (size_t i = 0; i < sizeof digits / sizeof(int64_t); i++)
        vd[i] = 0;

    return (int32_t)zero;
}

int32_t IkeFastNative_X25519Ifma8Base(uint8_t *results, const uint8_t *scalars, int32_t lanes)
{
    if (results == NULL || scalars == NULL || lanes < 1 || lanes > LANES)
        return IKEFAST_ECC_E_ARGUMENT;
    if (!IkeFastNative_X25519IfmaSupported())
        return IKEFAST_ECC_E_UNSUPPORTED_CPU;
    pthread_once(&g_comb_once, build_comb_table_once);
    return x25519_base_8(results, scalars, lanes);
}

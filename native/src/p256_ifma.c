/*
 * ECDH on NIST P-256 for eight independent inputs at once on AVX-512 IFMA.
 *
 * Field GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1, in Montgomery form with R = 2^260: five limbs of 52 bits,
 * one lane per input. p = -1 mod 2^52, so the Montgomery digit is simply the low limb (-p^-1 = 1 mod 2^52).
 * vpmadd52{lo,hi}uq read only the low 52 bits of their operands, so every multiplication input has limbs below
 * 2^52: products come out normalised, and sums/differences are "weakly reduced" (bits at 2^256 and above folded
 * with 2^256 = 2^224 - 2^192 - 2^96 + 1, then carried), which keeps every value below 2^256 + 2^227 and
 * Montgomery products below 2^256.1 without conditional subtractions.
 *
 * Points are Jacobian (X:Y:Z) = (X/Z^2, Y/Z^3): doubling is dbl-2001-b (3M + 5S, a = -3) and addition
 * add-1998-cmo-2 against table entries that carry Z^2 and Z^3 (11M + 3S), about 30% fewer field multiplications
 * than the complete projective formulas. Those formulas are not complete, so the exceptional cases are excluded
 * by construction rather than branched on: the scalar is first reduced mod n (constant time), so every partial
 * sum 16 a of the window scan is below n and never equals +-j for a table index 1 <= j <= 15 (the only inputs
 * where the addition degenerates), and the two identity cases (the accumulator before its first non-zero window,
 * a zero window) are tracked as per-lane masks and resolved with masked moves. The scalar is read in 4-bit
 * windows; each window selects its multiple from a 15-entry table by scanning every entry under per-lane masks.
 */
/* -O3 plus pressure-aware scheduling before register allocation (see x25519_ifma.c): about 1.05x here. */
#pragma GCC optimize("O3,schedule-insns,sched-pressure")

#include <immintrin.h>
#include <pthread.h>
#include <string.h>
#include "ikefast_ecc.h"
#include "ikefast_modexp.h"

#define P_TARGET __attribute__((target("avx512ifma,avx512vl,avx512f")))
#define P_INLINE static inline __attribute__((always_inline)) P_TARGET

#define LANES 8
#define NLIMBS 5
#define M52 0xFFFFFFFFFFFFFull
#define M48 0xFFFFFFFFFFFFull

typedef struct
{
    __m512i v[NLIMBS];
} pfe;

/* p, 2p, R^2 mod p, R mod p (Montgomery one), b * R mod p, in radix-2^52 limbs (least significant first). */
static const uint64_t P_LIMBS[NLIMBS] = {0xfffffffffffffull, 0xfffffffffffull, 0x0ull, 0x1000000000ull, 0xffffffff0000ull};
static const uint64_t P2_LIMBS[NLIMBS] = {0xffffffffffffeull, 0x1fffffffffffull, 0x0ull, 0x2000000000ull, 0x1fffffffe0000ull};
static const uint64_t R2_LIMBS[NLIMBS] = {0x300ull, 0xffffffff00000ull, 0xffffefffffffbull, 0xfdfffffffffffull, 0x4ffffffull};
static const uint64_t ONE_LIMBS[NLIMBS] = {0x10ull, 0xf000000000000ull, 0xfffffffffffffull, 0xffeffffffffffull, 0xfffffull};
static const uint64_t B_LIMBS[NLIMBS] = {0xdf6229c4bddfdull, 0xca8843090d89cull, 0x212ed6acf005cull, 0x83415a220abf7ull, 0xc30061dd4874ull};

/* p in big-endian bytes, for the public range check of peer coordinates. */
static const uint8_t P_BYTES[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

P_INLINE void pfe_const(pfe *r, const uint64_t *limbs)
{
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = _mm512_set1_epi64((long long)limbs[i]);
}

/* Montgomery reduction of the product columns t[0..9] (each below 2^58): r = t / 2^260 mod p, limbs normalised. */
P_INLINE void mont_reduce(pfe *r, __m512i *t)
{
    const __m512i m52 = _mm512_set1_epi64((long long)M52);
    const __m512i p1 = _mm512_set1_epi64((long long)P_LIMBS[1]);
    const __m512i p3 = _mm512_set1_epi64((long long)P_LIMBS[3]);
    const __m512i p4 = _mm512_set1_epi64((long long)P_LIMBS[4]);
    /* One digit at a time: the digit is the low limb itself (-p^-1 = 1 mod 2^52); limb 2 of p is zero. */
#pragma GCC unroll 5
    for (int i = 0; i < NLIMBS; i++)
    {
        __m512i m = _mm512_and_si512(t[i], m52);
        /* m * p0 = m * 2^52 - m: column i loses its low 52 bits (t[i] - m), column i + 1 gains m and the carry. */
        t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_add_epi64(m, _mm512_srli_epi64(t[i], 52)));
        t[i + 1] = _mm512_madd52lo_epu64(t[i + 1], m, p1);
        t[i + 2] = _mm512_madd52hi_epu64(t[i + 2], m, p1);
        t[i + 3] = _mm512_madd52lo_epu64(t[i + 3], m, p3);
        t[i + 4] = _mm512_madd52hi_epu64(t[i + 4], m, p3);
        t[i + 4] = _mm512_madd52lo_epu64(t[i + 4], m, p4);
        t[i + 5] = _mm512_madd52hi_epu64(t[i + 5], m, p4);
    }
    for (int k = 5; k < 9; k++)
    {
        t[k + 1] = _mm512_add_epi64(t[k + 1], _mm512_srli_epi64(t[k], 52));
        t[k] = _mm512_and_si512(t[k], m52);
    }
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = t[NLIMBS + i];
}

/* r = a * b / 2^260 mod p (not fully reduced: below 2^256.1 for inputs below 2^257). */
P_INLINE void pfe_mul(pfe *r, const pfe *a, const pfe *b)
{
    __m512i t[2 * NLIMBS];
    for (int i = 0; i < 2 * NLIMBS; i++)
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
    mont_reduce(r, t);
}

/* r = a^2 / 2^260 mod p: cross products once, doubled, then the squares. */
P_INLINE void pfe_sqr(pfe *r, const pfe *a)
{
    __m512i t[2 * NLIMBS];
    for (int i = 0; i < 2 * NLIMBS; i++)
        t[i] = _mm512_setzero_si512();
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
    for (int k = 1; k < 2 * NLIMBS; k++)
        t[k] = _mm512_add_epi64(t[k], t[k]);
#pragma GCC unroll 5
    for (int i = 0; i < NLIMBS; i++)
    {
        t[2 * i] = _mm512_madd52lo_epu64(t[2 * i], a->v[i], a->v[i]);
        t[2 * i + 1] = _mm512_madd52hi_epu64(t[2 * i + 1], a->v[i], a->v[i]);
    }
    mont_reduce(r, t);
}

/* Signed carry of limbs 0..3 into the next (limbs may be negative before; 0..3 end in [0, 2^52)). */
P_INLINE void carry_signed(__m512i *t)
{
    const __m512i m52 = _mm512_set1_epi64((long long)M52);
    for (int i = 0; i < 4; i++)
    {
        __m512i c = _mm512_srai_epi64(t[i], 52);
        t[i] = _mm512_and_si512(t[i], m52);
        t[i + 1] = _mm512_add_epi64(t[i + 1], c);
    }
}

/*
 * A non-negative value in signed limbs (limb 4 non-negative, below 2^50; limbs 0..3 within +-2^54) to limbs 0..3
 * in [0, 2^52) and a value below 2^256 + 2^227: the bits of limb 4 at 2^256 and above are folded first (with
 * 2^256 = 2^224 - 2^192 - 2^96 + 1 mod p, i.e. v - top * p, still non-negative), then one signed carry chain.
 */
P_INLINE void weak_reduce(pfe *r, __m512i *t)
{
    __m512i top = _mm512_srli_epi64(t[4], 48); /* the multiple of 2^256, below 2^2 */
    t[4] = _mm512_and_si512(t[4], _mm512_set1_epi64((long long)M48));
    t[4] = _mm512_add_epi64(t[4], _mm512_slli_epi64(top, 16));  /* + top * 2^224 */
    t[3] = _mm512_sub_epi64(t[3], _mm512_slli_epi64(top, 36));  /* - top * 2^192 */
    t[1] = _mm512_sub_epi64(t[1], _mm512_slli_epi64(top, 44));  /* - top * 2^96 */
    t[0] = _mm512_add_epi64(t[0], top);                         /* + top */
    carry_signed(t);
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = t[i];
}

P_INLINE void pfe_add(pfe *r, const pfe *a, const pfe *b)
{
    __m512i t[NLIMBS];
    for (int i = 0; i < NLIMBS; i++)
        t[i] = _mm512_add_epi64(a->v[i], b->v[i]);
    weak_reduce(r, t);
}

/* a - b + 2p (b < 2^256.1 < 2p, so the value is non-negative). */
P_INLINE void pfe_sub(pfe *r, const pfe *a, const pfe *b)
{
    __m512i t[NLIMBS];
    for (int i = 0; i < NLIMBS; i++)
        t[i] = _mm512_sub_epi64(_mm512_add_epi64(a->v[i], _mm512_set1_epi64((long long)P2_LIMBS[i])), b->v[i]);
    weak_reduce(r, t);
}

/*
 * 2^s a (s <= 3) and 3 a with one weak reduction instead of one per doubling. Inputs are products (below 2^256.1):
 * limb 4 stays below 2^52, the multiple of 2^256 below 2^4, and the result below 2^256 + 2^229 < 2p.
 */
P_INLINE void pfe_shl(pfe *r, const pfe *a, int s)
{
    __m512i t[NLIMBS];
    for (int i = 0; i < NLIMBS; i++)
        t[i] = _mm512_slli_epi64(a->v[i], (unsigned)s);
    weak_reduce(r, t);
}

P_INLINE void pfe_triple(pfe *r, const pfe *a)
{
    __m512i t[NLIMBS];
    for (int i = 0; i < NLIMBS; i++)
        t[i] = _mm512_add_epi64(_mm512_slli_epi64(a->v[i], 1), a->v[i]);
    weak_reduce(r, t);
}

/* A Jacobian point, and a table entry that also carries Z^2 and Z^3 (computed once per entry). */
typedef struct
{
    pfe x, y, z;
} jpoint;

typedef struct
{
    pfe x, y, z, zz, zzz;
} jentry;

/* dbl-2001-b (a = -3): 3M + 5S. r may alias p. Z = 0 (the identity) stays Z = 0. */
P_INLINE void point_dbl(jpoint *r, const jpoint *p)
{
    pfe delta, gamma, beta, alpha, t, u, x3, y3, z3;
    pfe_sqr(&delta, &p->z);
    pfe_sqr(&gamma, &p->y);
    pfe_mul(&beta, &p->x, &gamma);
    pfe_sub(&t, &p->x, &delta);
    pfe_add(&u, &p->x, &delta);
    pfe_mul(&alpha, &t, &u);
    pfe_triple(&alpha, &alpha); /* 3 (X - delta)(X + delta) */
    pfe_mul(&z3, &p->y, &p->z);
    pfe_add(&z3, &z3, &z3); /* 2 Y Z */
    pfe_shl(&u, &beta, 3);  /* 8 beta */
    pfe_shl(&beta, &beta, 2); /* 4 beta */
    pfe_sqr(&x3, &alpha);
    pfe_sub(&x3, &x3, &u); /* alpha^2 - 8 beta */
    pfe_sub(&t, &beta, &x3);
    pfe_mul(&y3, &alpha, &t);
    pfe_sqr(&gamma, &gamma);
    pfe_shl(&gamma, &gamma, 3); /* 8 gamma^2 */
    pfe_sub(&y3, &y3, &gamma);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

/*
 * add-1998-cmo-2 with the second point's Z^2 and Z^3 given: 11M + 3S. Not for P = +-Q or an identity input
 * (see the file comment for why the window scan never meets those). r may alias p.
 */
P_INLINE void point_add(jpoint *r, const jpoint *p, const jentry *q)
{
    pfe z1z1, z1z1z1, u1, u2, s1, s2, h, rr, hh, hhh, v, x3, y3, z3, t;
    pfe_sqr(&z1z1, &p->z);
    pfe_mul(&z1z1z1, &z1z1, &p->z);
    pfe_mul(&u1, &p->x, &q->zz);
    pfe_mul(&u2, &q->x, &z1z1);
    pfe_mul(&s1, &p->y, &q->zzz);
    pfe_mul(&s2, &q->y, &z1z1z1);
    pfe_sub(&h, &u2, &u1);
    pfe_sub(&rr, &s2, &s1);
    pfe_sqr(&hh, &h);
    pfe_mul(&hhh, &hh, &h);
    pfe_mul(&v, &u1, &hh);
    pfe_sqr(&x3, &rr);
    pfe_sub(&x3, &x3, &hhh);
    pfe_add(&t, &v, &v);
    pfe_sub(&x3, &x3, &t); /* R^2 - H^3 - 2 U1 H^2 */
    pfe_sub(&t, &v, &x3);
    pfe_mul(&y3, &rr, &t);
    pfe_mul(&t, &s1, &hhh);
    pfe_sub(&y3, &y3, &t); /* R (U1 H^2 - X3) - S1 H^3 */
    pfe_mul(&z3, &p->z, &q->z);
    pfe_mul(&z3, &z3, &h);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

/* A table entry from a Jacobian point: Z^2 and Z^3. */
P_INLINE void entry_of(jentry *e, const jpoint *p)
{
    e->x = p->x;
    e->y = p->y;
    e->z = p->z;
    pfe_sqr(&e->zz, &p->z);
    pfe_mul(&e->zzz, &e->zz, &p->z);
}

/* Lanes in mask take src (per-lane masked moves: no branch). */
P_INLINE void pfe_select(pfe *r, __mmask8 mask, const pfe *src)
{
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = _mm512_mask_mov_epi64(r->v[i], mask, src->v[i]);
}

/* The canonical value (< p) of a Montgomery-form element, out of Montgomery form. */
P_INLINE void pfe_canonical(pfe *r, const pfe *a)
{
    pfe one_plain, v;
    for (int i = 0; i < NLIMBS; i++)
        one_plain.v[i] = _mm512_setzero_si512();
    one_plain.v[0] = _mm512_set1_epi64(1);
    pfe_mul(&v, a, &one_plain); /* a / R: at most p */
    __m512i s[NLIMBS];
    for (int i = 0; i < NLIMBS; i++)
        s[i] = _mm512_sub_epi64(v.v[i], _mm512_set1_epi64((long long)P_LIMBS[i]));
    carry_signed(s);
    __mmask8 below = _mm512_cmplt_epi64_mask(s[4], _mm512_setzero_si512()); /* v < p: keep v */
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = _mm512_mask_mov_epi64(s[i], below, v.v[i]);
}

P_INLINE void pfe_sqrn(pfe *r, const pfe *a, int n)
{
    pfe_sqr(r, a);
    for (int i = 1; i < n; i++)
        pfe_sqr(r, r);
}

/*
 * z^(p - 2) (Fermat) by a fixed addition chain: 255 squarings, 13 multiplications. p - 2 in 32-bit words is
 * ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff fffffffd; xk below is z^(2^k - 1).
 */
P_INLINE void pfe_invert(pfe *r, const pfe *z)
{
    pfe x2, x4, x8, x16, x24, x28, x30, x32, t;
    pfe_sqr(&t, z);
    pfe_mul(&x2, &t, z);
    pfe_sqrn(&t, &x2, 2);
    pfe_mul(&x4, &t, &x2);
    pfe_sqrn(&t, &x4, 4);
    pfe_mul(&x8, &t, &x4);
    pfe_sqrn(&t, &x8, 8);
    pfe_mul(&x16, &t, &x8);
    pfe_sqrn(&t, &x16, 8);
    pfe_mul(&x24, &t, &x8);
    pfe_sqrn(&t, &x24, 4);
    pfe_mul(&x28, &t, &x4);
    pfe_sqrn(&t, &x28, 2);
    pfe_mul(&x30, &t, &x2);
    pfe_sqrn(&t, &x30, 2);
    pfe_mul(&x32, &t, &x2);   /* word 7: ffffffff */
    pfe_sqrn(&t, &x32, 32);
    pfe_mul(&t, &t, z);       /* word 6: 00000001 */
    pfe_sqrn(&t, &t, 128);
    pfe_mul(&t, &t, &x32);    /* words 5..3 zero, word 2: ffffffff */
    pfe_sqrn(&t, &t, 32);
    pfe_mul(&t, &t, &x32);    /* word 1: ffffffff */
    pfe_sqrn(&t, &t, 30);
    pfe_mul(&t, &t, &x30);    /* word 0: fffffffd = 30 ones, 0, 1 */
    pfe_sqrn(&t, &t, 2);
    pfe_mul(r, &t, z);
}

/* The group order n, little-endian 64-bit words. */
static const uint64_t N_WORDS[4] = {0xf3b9cac2fc632551ull, 0xbce6faada7179e84ull, 0xffffffffffffffffull, 0xffffffff00000000ull};

/* k mod n for k < 2^256 < 2n: one subtraction kept under a mask (no branch on the secret). */
static void reduce_scalar(uint64_t w[4])
{
    uint64_t d[4], borrow = 0;
    for (int i = 0; i < 4; i++)
    {
        unsigned __int128 x = (unsigned __int128)w[i] - N_WORDS[i] - borrow;
        d[i] = (uint64_t)x;
        borrow = (uint64_t)(x >> 64) & 1;
    }
    const uint64_t keep = 0 - borrow; /* all ones when k < n */
    for (int i = 0; i < 4; i++)
        w[i] = (w[i] & keep) | (d[i] & ~keep);
}

/* Big-endian 32 bytes to radix-2^52 limbs of lane k. */
static void load_be(uint64_t limbs[NLIMBS][LANES], int k, const uint8_t *bytes)
{
    uint64_t w[4];
    for (int i = 0; i < 4; i++)
    {
        uint64_t x = 0;
        for (int j = 0; j < 8; j++)
            x = (x << 8) | bytes[8 * (3 - i) + j];
        w[i] = x; /* w[0] least significant */
    }
    limbs[0][k] = w[0] & M52;
    limbs[1][k] = ((w[0] >> 52) | (w[1] << 12)) & M52;
    limbs[2][k] = ((w[1] >> 40) | (w[2] << 24)) & M52;
    limbs[3][k] = ((w[2] >> 28) | (w[3] << 36)) & M52;
    limbs[4][k] = w[3] >> 16;
}

static void store_be(uint8_t *bytes, uint64_t limbs[NLIMBS][LANES], int k)
{
    uint64_t w[4];
    w[0] = limbs[0][k] | (limbs[1][k] << 52);
    w[1] = (limbs[1][k] >> 12) | (limbs[2][k] << 40);
    w[2] = (limbs[2][k] >> 24) | (limbs[3][k] << 28);
    w[3] = (limbs[3][k] >> 36) | (limbs[4][k] << 16);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            bytes[8 * (3 - i) + j] = (uint8_t)(w[i] >> (56 - 8 * j));
}

P_INLINE void load_lanes(pfe *r, uint64_t limbs[NLIMBS][LANES])
{
    for (int i = 0; i < NLIMBS; i++)
        r->v[i] = _mm512_load_si512((const void *)limbs[i]);
}

/* Big-endian public comparison: value < p. */
static int below_p(const uint8_t *value)
{
    return memcmp(value, P_BYTES, 32) < 0;
}

int32_t IkeFastNative_P256IfmaSupported(void)
{
    return IkeFastNative_ModExpIfmaSupported();
}

/*
 * The lanes' affine results: x = X / Z^2 (and y = Y / Z^3 with stride 64), big-endian, zeros for flagged lanes.
 * The identity: k = 0 mod n (acc_zero), or Z = 0 (only reachable by invalid lanes). Returns the status mask.
 */
static P_TARGET uint32_t finish_lanes(uint8_t *results, int32_t stride, const jpoint *acc, __mmask8 acc_zero,
                                      uint32_t invalid, int32_t lanes)
{
    uint64_t xs[NLIMBS][LANES] __attribute__((aligned(64)));
    uint64_t ys[NLIMBS][LANES] __attribute__((aligned(64)));
    pfe zc, zi, zi2, ax;
    pfe_canonical(&zc, &acc->z);
    __m512i zany = _mm512_setzero_si512();
    for (int i = 0; i < NLIMBS; i++)
        zany = _mm512_or_si512(zany, zc.v[i]);
    uint32_t infinity = (uint32_t)(_mm512_cmpeq_epi64_mask(zany, _mm512_setzero_si512()) | acc_zero);
    pfe_invert(&zi, &acc->z);
    pfe_sqr(&zi2, &zi);
    pfe_mul(&ax, &acc->x, &zi2);
    pfe_canonical(&ax, &ax);
    for (int i = 0; i < NLIMBS; i++)
        _mm512_store_si512((void *)xs[i], ax.v[i]);
    if (stride == IKEFAST_P256_POINT_BYTES)
    {
        /* Affine y = Y / Z^3 (stride is public: the same trace for every scalar). */
        pfe zi3, ay;
        pfe_mul(&zi3, &zi2, &zi);
        pfe_mul(&ay, &acc->y, &zi3);
        pfe_canonical(&ay, &ay);
        for (int i = 0; i < NLIMBS; i++)
            _mm512_store_si512((void *)ys[i], ay.v[i]);
    }

    uint32_t lane_mask = (1u << lanes) - 1;
    infinity &= lane_mask;
    invalid &= lane_mask;
    for (int k = 0; k < lanes; k++)
    {
        if (((infinity | invalid) >> k) & 1) /* flagged lanes: public outcome, zero result */
            memset(results + stride * k, 0, (size_t)stride);
        else
        {
            store_be(results + stride * k, xs, k);
            if (stride == IKEFAST_P256_POINT_BYTES)
                store_be(results + stride * k + 32, ys, k);
        }
    }

    volatile uint8_t *vx = (volatile uint8_t *)xs;
    for (size_t i = 0; i < sizeof xs; i++)
        vx[i] = 0;
    volatile uint8_t *vy = (volatile uint8_t *)ys;
    for (size_t i = 0; i < sizeof ys; i++)
        vy[i] = 0;
    return infinity | (invalid << 8);
}

/* stride 32: results are x; stride 64: results are x || y (the affine point, for a public key d G). */
static P_TARGET __attribute__((noinline)) int32_t p256_8(uint8_t *results, const uint8_t *scalars, const uint8_t *points,
                                                       int32_t lanes, int32_t stride)
{
    uint64_t xs[NLIMBS][LANES] __attribute__((aligned(64)));
    uint64_t ys[NLIMBS][LANES] __attribute__((aligned(64)));
    uint64_t words[4][LANES] __attribute__((aligned(64)));
    jentry table[16];
    uint32_t invalid = 0;
    memset(xs, 0, sizeof xs);
    memset(ys, 0, sizeof ys);
    memset(words, 0, sizeof words);
    for (int k = 0; k < lanes; k++)
    {
        const uint8_t *pt = points + 64 * k;
        /* Public data: the range check may branch. Out-of-range lanes compute on (0, 0) and are flagged. */
        if (below_p(pt) && below_p(pt + 32))
        {
            load_be(xs, k, pt);
            load_be(ys, k, pt + 32);
        }
        else
        {
            invalid |= 1u << k;
        }
        for (int i = 0; i < 4; i++)
        {
            uint64_t x = 0;
            for (int j = 0; j < 8; j++)
                x = (x << 8) | scalars[32 * k + 8 * (3 - i) + j];
            words[i][k] = x;
        }
    }
    for (int k = 0; k < lanes; k++)
    {
        uint64_t w[4] = {words[0][k], words[1][k], words[2][k], words[3][k]};
        reduce_scalar(w);
        for (int i = 0; i < 4; i++)
            words[i][k] = w[i];
        volatile uint64_t *vw = w;
        for (int i = 0; i < 4; i++)
            vw[i] = 0;
    }

    pfe r2, b, x, y;
    pfe_const(&r2, R2_LIMBS);
    pfe_const(&b, B_LIMBS);
    load_lanes(&x, xs);
    load_lanes(&y, ys);
    pfe_mul(&x, &x, &r2); /* to Montgomery form */
    pfe_mul(&y, &y, &r2);

    /* On the curve: y^2 = x^3 - 3x + b (SP 800-56A rev. 3 section 5.6.2.3.4). */
    {
        pfe lhs, rhs, t, d;
        pfe_sqr(&lhs, &y);
        pfe_sqr(&t, &x);
        pfe_mul(&rhs, &t, &x);
        pfe_add(&t, &x, &x);
        pfe_add(&t, &t, &x);
        pfe_sub(&rhs, &rhs, &t);
        pfe_add(&rhs, &rhs, &b);
        pfe_sub(&d, &lhs, &rhs);
        pfe_canonical(&d, &d);
        __m512i any = _mm512_setzero_si512();
        for (int i = 0; i < NLIMBS; i++)
            any = _mm512_or_si512(any, d.v[i]);
        invalid |= (uint32_t)_mm512_test_epi64_mask(any, any);
    }

    /* table[i] = i Q for i = 1..15 (entry 0 is never used: a zero window is a masked no-op). */
    jpoint q1, t;
    q1.x = x;
    q1.y = y;
    pfe_const(&q1.z, ONE_LIMBS);
    entry_of(&table[1], &q1);
    point_dbl(&t, &q1);
    entry_of(&table[2], &t);
    for (int i = 3; i < 16; i++)
    {
        point_add(&t, &t, &table[1]); /* (i - 1) Q + Q, never exceptional: i - 1 != +-1 mod n */
        entry_of(&table[i], &t);
    }

    __m512i sw[4];
    for (int i = 0; i < 4; i++)
        sw[i] = _mm512_load_si512((const void *)words[i]);

    jpoint acc = q1; /* overwritten by the first window */
    __mmask8 acc_zero = 0xFF; /* lanes whose accumulator is still the identity (no non-zero window yet) */
    const __m512i nibble_mask = _mm512_set1_epi64(15);
    for (int w = 63; w >= 0; w--)
    {
        /* Window w of every lane's scalar (w is public), then a masked scan of the whole table. */
        __m512i nib = _mm512_and_si512(_mm512_srli_epi64(sw[w >> 4], (unsigned)(4 * (w & 15))), nibble_mask);
        jentry sel = table[1];
        for (int e = 2; e < 16; e++)
        {
            __mmask8 hit = _mm512_cmpeq_epi64_mask(nib, _mm512_set1_epi64(e));
            pfe_select(&sel.x, hit, &table[e].x);
            pfe_select(&sel.y, hit, &table[e].y);
            pfe_select(&sel.z, hit, &table[e].z);
            pfe_select(&sel.zz, hit, &table[e].zz);
            pfe_select(&sel.zzz, hit, &table[e].zzz);
        }
        const __mmask8 sel_zero = _mm512_cmpeq_epi64_mask(nib, _mm512_setzero_si512());
        if (w == 63)
        {
            /* The accumulator is the identity: take the entry (its value is ignored while acc_zero is set). */
            acc.x = sel.x;
            acc.y = sel.y;
            acc.z = sel.z;
        }
        else
        {
            for (int d = 0; d < 4; d++)
                point_dbl(&acc, &acc);
            jpoint sum;
            point_add(&sum, &acc, &sel);
            /* Identity accumulator: the sum is the entry; zero window: the sum is the accumulator. */
            pfe_select(&sum.x, acc_zero, &sel.x);
            pfe_select(&sum.y, acc_zero, &sel.y);
            pfe_select(&sum.z, acc_zero, &sel.z);
            const __mmask8 keep = sel_zero & (__mmask8)~acc_zero;
            pfe_select(&sum.x, keep, &acc.x);
            pfe_select(&sum.y, keep, &acc.y);
            pfe_select(&sum.z, keep, &acc.z);
            acc = sum;
        }
        acc_zero &= sel_zero;
    }

    uint32_t status = finish_lanes(results, stride, &acc, acc_zero, invalid, lanes);

    /* Wipe the transposed scalars and the table (multiples of the secret-dependent accumulator's inputs). */
    volatile uint8_t *vw = (volatile uint8_t *)words;
    for (size_t i = 0; i < sizeof words; i++)
        vw[i] = 0;
    volatile uint8_t *vt = (volatile uint8_t *)table;
    for (size_t i = 0; i < sizeof table; i++)
        vt[i] = 0;
    return (int32_t)status;
}


/*
 * Fixed-base multiplication d G for key pairs (comb over 4-bit windows): table entry [w][j] is j 16^w G in affine
 * Montgomery form, so d G = sum over the 64 windows of entry [w][d_w], 64 mixed additions and no doublings (about
 * 3x fewer field multiplications than the variable-base scan). The entries are computed once, by the variable-base
 * kernel itself (j 16^w as the scalar, G as the point), at the first call. Each window scans all 15 entries under
 * per-lane masks, so the memory trace does not depend on the scalar. The additions are never exceptional: the
 * scalar is reduced mod n, so before window w the accumulator is (sum of the higher windows) G with that sum a
 * multiple of 16^(w+1) in (0, n), never +-j 16^w mod n; the identity accumulator is tracked by mask as above.
 */
#define BASE_WINDOWS 64
static uint64_t g_base[BASE_WINDOWS][16][2][NLIMBS];
static pthread_once_t g_base_once = PTHREAD_ONCE_INIT;

/* G = x || y, big-endian (FIPS 186-4 D.1.2.3). */
static const uint8_t G_BYTES[64] = {
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

static P_TARGET void build_base_table(void)
{
    /* 64 x 15 public multiples, eight per call of the variable-base kernel, then into Montgomery form. */
    uint8_t scalars[32 * LANES], points[64 * LANES], out[64 * LANES];
    uint64_t xs[NLIMBS][LANES] __attribute__((aligned(64)));
    uint64_t ys[NLIMBS][LANES] __attribute__((aligned(64)));
    int wj[LANES][2];
    for (int k = 0; k < LANES; k++)
        memcpy(points + 64 * k, G_BYTES, 64);
    pfe r2;
    pfe_const(&r2, R2_LIMBS);
    int n = 0;
    for (int w = 0; w < BASE_WINDOWS; w++)
    {
        for (int j = 1; j < 16; j++)
        {
            uint8_t *sc = scalars + 32 * n;
            memset(sc, 0, 32);
            sc[31 - w / 2] = (uint8_t)((w & 1) ? j << 4 : j); /* j 16^w */
            wj[n][0] = w;
            wj[n][1] = j;
            if (++n < LANES && !(w == BASE_WINDOWS - 1 && j == 15))
                continue;
            p256_8(out, scalars, points, n, IKEFAST_P256_POINT_BYTES);
            memset(xs, 0, sizeof xs);
            memset(ys, 0, sizeof ys);
            for (int k = 0; k < n; k++)
            {
                load_be(xs, k, out + 64 * k);
                load_be(ys, k, out + 64 * k + 32);
            }
            pfe x, y;
            load_lanes(&x, xs);
            load_lanes(&y, ys);
            pfe_mul(&x, &x, &r2);
            pfe_mul(&y, &y, &r2);
            for (int i = 0; i < NLIMBS; i++)
            {
                _mm512_store_si512((void *)xs[i], x.v[i]);
                _mm512_store_si512((void *)ys[i], y.v[i]);
            }
            for (int k = 0; k < n; k++)
                for (int i = 0; i < NLIMBS; i++)
                {
                    g_base[wj[k][0]][wj[k][1]][0][i] = xs[i][k];
                    g_base[wj[k][0]][wj[k][1]][1][i] = ys[i][k];
                }
            n = 0;
        }
    }
}

/* Mixed addition (madd-2004-hmv shape): p Jacobian, q affine (Z = 1): 8M + 3S. Not for p = +-q or the identity. */
P_INLINE void point_add_affine(jpoint *r, const jpoint *p, const pfe *qx, const pfe *qy)
{
    pfe z1z1, z1z1z1, u2, s2, h, rr, hh, hhh, v, x3, y3, z3, t;
    pfe_sqr(&z1z1, &p->z);
    pfe_mul(&z1z1z1, &z1z1, &p->z);
    pfe_mul(&u2, qx, &z1z1);
    pfe_mul(&s2, qy, &z1z1z1);
    pfe_sub(&h, &u2, &p->x);
    pfe_sub(&rr, &s2, &p->y);
    pfe_sqr(&hh, &h);
    pfe_mul(&hhh, &hh, &h);
    pfe_mul(&v, &p->x, &hh);
    pfe_sqr(&x3, &rr);
    pfe_sub(&x3, &x3, &hhh);
    pfe_add(&t, &v, &v);
    pfe_sub(&x3, &x3, &t); /* R^2 - H^3 - 2 X1 H^2 */
    pfe_sub(&t, &v, &x3);
    pfe_mul(&y3, &rr, &t);
    pfe_mul(&t, &p->y, &hhh);
    pfe_sub(&y3, &y3, &t); /* R (X1 H^2 - X3) - Y1 H^3 */
    pfe_mul(&z3, &p->z, &h);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

static P_TARGET __attribute__((noinline)) int32_t p256_base_8(uint8_t *results, const uint8_t *scalars, int32_t lanes)
{
    uint64_t words[4][LANES] __attribute__((aligned(64)));
    memset(words, 0, sizeof words);
    for (int k = 0; k < lanes; k++)
    {
        uint64_t w[4];
        for (int i = 0; i < 4; i++)
        {
            uint64_t x = 0;
            for (int j = 0; j < 8; j++)
                x = (x << 8) | scalars[32 * k + 8 * (3 - i) + j];
            w[i] = x;
        }
        reduce_scalar(w);
        for (int i = 0; i < 4; i++)
            words[i][k] = w[i];
        volatile uint64_t *vw = w;
        for (int i = 0; i < 4; i++)
            vw[i] = 0;
    }

    __m512i sw[4];
    for (int i = 0; i < 4; i++)
        sw[i] = _mm512_load_si512((const void *)words[i]);
    pfe one;
    pfe_const(&one, ONE_LIMBS);
    jpoint acc;
    acc.x = one; /* placeholder while acc_zero: its value is never used */
    acc.y = one;
    acc.z = one;
    __mmask8 acc_zero = 0xFF;
    const __m512i nibble_mask = _mm512_set1_epi64(15);
    for (int w = BASE_WINDOWS - 1; w >= 0; w--)
    {
        __m512i nib = _mm512_and_si512(_mm512_srli_epi64(sw[w >> 4], (unsigned)(4 * (w & 15))), nibble_mask);
        pfe sx, sy;
        for (int i = 0; i < NLIMBS; i++)
        {
            sx.v[i] = _mm512_set1_epi64((long long)g_base[w][1][0][i]);
            sy.v[i] = _mm512_set1_epi64((long long)g_base[w][1][1][i]);
        }
        for (int e = 2; e < 16; e++)
        {
            __mmask8 hit = _mm512_cmpeq_epi64_mask(nib, _mm512_set1_epi64(e));
            for (int i = 0; i < NLIMBS; i++)
            {
                sx.v[i] = _mm512_mask_mov_epi64(sx.v[i], hit, _mm512_set1_epi64((long long)g_base[w][e][0][i]));
                sy.v[i] = _mm512_mask_mov_epi64(sy.v[i], hit, _mm512_set1_epi64((long long)g_base[w][e][1][i]));
            }
        }
        const __mmask8 sel_zero = _mm512_cmpeq_epi64_mask(nib, _mm512_setzero_si512());
        jpoint sum;
        point_add_affine(&sum, &acc, &sx, &sy);
        /* Identity accumulator: the sum is the entry (Z = 1); zero window: the sum is the accumulator. */
        pfe_select(&sum.x, acc_zero, &sx);
        pfe_select(&sum.y, acc_zero, &sy);
        pfe_select(&sum.z, acc_zero, &one);
        const __mmask8 keep = sel_zero & (__mmask8)~acc_zero;
        pfe_select(&sum.x, keep, &acc.x);
        pfe_select(&sum.y, keep, &acc.y);
        pfe_select(&sum.z, keep, &acc.z);
        acc = sum;
        acc_zero &= sel_zero;
    }

    uint32_t status = finish_lanes(results, IKEFAST_P256_POINT_BYTES, &acc, acc_zero, 0, lanes);
    volatile uint8_t *vw = (volatile uint8_t *)words;
    for (size_t i = 0; i < sizeof words; i++)
        vw[i] = 0;
    return (int32_t)status;
}

static void build_base_table_once(void)
{
    build_base_table();
}

int32_t IkeFastNative_P256Ifma8(uint8_t *results, const uint8_t *scalars, const uint8_t *points, int32_t lanes)
{
    if (results == NULL || scalars == NULL || points == NULL || lanes < 1 || lanes > LANES)
        return IKEFAST_ECC_E_ARGUMENT;
    if (!IkeFastNative_P256IfmaSupported())
        return IKEFAST_ECC_E_UNSUPPORTED_CPU;
    return p256_8(results, scalars, points, lanes, IKEFAST_P256_BYTES);
}

int32_t IkeFastNative_P256Ifma8Point(uint8_t *results, const uint8_t *scalars, const uint8_t *points, int32_t lanes)
{
    if (results == NULL || scalars == NULL || points == NULL || lanes < 1 || lanes > LANES)
        return IKEFAST_ECC_E_ARGUMENT;
    if (!IkeFastNative_P256IfmaSupported())
        return IKEFAST_ECC_E_UNSUPPORTED_CPU;
    return p256_8(results, scalars, points, lanes, IKEFAST_P256_POINT_BYTES);
}

int32_t IkeFastNative_P256Ifma8Base(uint8_t *results, const uint8_t *scalars, int32_t lanes)
{
    if (results == NULL || scalars == NULL || lanes < 1 || lanes > LANES)
        return IKEFAST_ECC_E_ARGUMENT;
    if (!IkeFastNative_P256IfmaSupported())
        return IKEFAST_ECC_E_UNSUPPORTED_CPU;
    pthread_once(&g_base_once, build_base_table_once);
    return p256_base_8(results, scalars, lanes);
}

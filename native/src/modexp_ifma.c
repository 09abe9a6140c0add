/*
 * Eight-lane constant-time Montgomery exponentiation on AVX-512 IFMA (see ikefast_modexp.h for the contract).
 *
 * Representation: a number x < 2m is n limbs of 52 bits, n = ceil((bits(m) + 2) / 52), so R = 2^(52 n) > 4m.
 * With R > 4m, Montgomery multiplication of two inputs below 2m gives a result below 2m ((2m)^2/R + m < 2m),
 * so no conditional subtraction is needed between multiplications (Walter, "Montgomery exponentiation needs no
 * final subtractions", 1999); one constant-time subtraction happens at the very end.
 *
 * The multiplication is word-by-word CIOS: row i adds a * b[i] and q * m (q = t[0] * (-m^-1) mod 2^52) into a
 * sliding 64-bit accumulator window, so the low limb becomes zero and the window moves up one limb. Each
 * accumulator receives at most 4 (n + 1) products of 52 bits, under 2^62 for n <= 158 (8192-bit moduli), so carries
 * are propagated only once per multiplication. vpmadd52 reads only the low 52 bits of its multiplicands, which is
 * why the un-normalised t[0] still gives the right q.
 */
#include <immintrin.h>
#include <stddef.h>
#include <string.h>
#include "ikefast_modexp.h"

#define IFMA_TARGET __attribute__((target("avx512ifma,avx512vl,avx512f")))
#define IFMA_INLINE static inline __attribute__((always_inline)) IFMA_TARGET

#define LIMB_BITS 52
#define LIMB_MASK ((1ULL << LIMB_BITS) - 1)
#define LANES IKEFAST_MODEXP_LANES
#define MAX_WINDOW 5
#define MAX_LIMBS ((IKEFAST_MODEXP_MAX_MODULUS_BYTES * 8 + 2 + LIMB_BITS - 1) / LIMB_BITS)
#define CONTEXT_MAGIC 0x4d6f6445u /* "EdoM" */

/* A lane-interleaved limb vector: element j is lane j. */
typedef uint64_t limbvec[LANES] __attribute__((aligned(64)));

/*
 * Context layout (all arrays 64-byte aligned, sizes in limbvecs):
 *   header | m[n] (broadcast) | rr[n] (R^2 mod m, broadcast) | one[n] (R mod m, broadcast) | t[2n + 2] |
 *   table[2^MAX_WINDOW][n] | acc[n + 2] | sel[n] | unit[n]
 */
typedef struct
{
    uint32_t magic;
    int32_t limbs;
    int32_t modulus_length;
    int32_t reserved;
    uint64_t k0; /* -m^-1 mod 2^52 */
    uint64_t counters[IKEFAST_MODEXP_COUNTER_COUNT];
} context_header;

#define HEADER_VECS ((sizeof(context_header) + 63) / 64)

static int64_t context_vectors(int32_t limbs)
{
    return (int64_t)HEADER_VECS + 3 * limbs + (2 * limbs + 2) + ((int64_t)1 << MAX_WINDOW) * limbs + 3 * limbs + 2;
}

static int32_t limbs_for(int32_t modulus_length)
{
    return (modulus_length * 8 + 2 + LIMB_BITS - 1) / LIMB_BITS;
}

int64_t IkeFastNative_ModExpIfmaContextSize(int32_t modulusLength)
{
    if (modulusLength < IKEFAST_MODEXP_MIN_MODULUS_BYTES || modulusLength > IKEFAST_MODEXP_MAX_MODULUS_BYTES)
        return IKEFAST_MODEXP_E_MODULUS;
    return context_vectors(limbs_for(modulusLength)) * 64;
}

typedef struct
{
    context_header *h;
    limbvec *m, *rr, *one, *t, *table, *acc, *sel, *unit;
    int n;
} context_view;

static void view_of(void *ctx, context_view *v)
{
    v->h = (context_header *)ctx;
    v->n = v->h->limbs;
    limbvec *p = (limbvec *)ctx + HEADER_VECS;
    int n = v->n;
    v->m = p;
    p += n;
    v->rr = p;
    p += n;
    v->one = p;
    p += n;
    v->t = p;
    p += 2 * n + 2;
    v->table = p;
    p += (1 << MAX_WINDOW) * n;
    v->acc = p; /* n limbs and two zero limbs (ams reads them) */
    p += n + 2;
    v->sel = p;
    p += n;
    v->unit = p;
}

/* Big-endian bytes to n radix-2^52 limbs (scalar, one lane). Public data only (moduli) or per-lane values. */
static void bytes_to_limbs(const uint8_t *in, int32_t length, uint64_t *out, int n, int stride)
{
    if ((length & 7) == 0 && length <= IKEFAST_MODEXP_MAX_MODULUS_BYTES)
    {
        /* Whole 64-bit words (every MODP prime length): limb i is bits [52 i, 52 i + 52) of the little-endian words. */
        const int words = length / 8;
        uint64_t w[IKEFAST_MODEXP_MAX_MODULUS_BYTES / 8 + 2];
        for (int k = 0; k < words; k++)
        {
            uint64_t x;
            memcpy(&x, in + length - 8 * (k + 1), 8);
            w[k] = __builtin_bswap64(x);
        }
        w[words] = 0;
        w[words + 1] = 0;
        for (int i = 0; i < n; i++)
        {
            const int bit = LIMB_BITS * i, k = bit / 64, sh = bit % 64;
            uint64_t v = 0;
            if (k < words)
            {
                v = w[k] >> sh;
                if (sh > 64 - LIMB_BITS)
                    v |= w[k + 1] << (64 - sh);
            }
            out[(size_t)i * stride] = v & LIMB_MASK;
        }
        memset(w, 0, sizeof(w));
        __asm__ __volatile__("" : : "r"(w) : "memory");
        return;
    }
    uint64_t acc = 0;
    int acc_bits = 0, limb = 0;
    for (int32_t i = length - 1; i >= 0; i--)
    {
        acc |= (uint64_t)in[i] << acc_bits;
        acc_bits += 8;
        if (acc_bits >= LIMB_BITS)
        {
            out[(size_t)limb * stride] = acc & LIMB_MASK;
            limb++;
            acc >>= LIMB_BITS;
            acc_bits -= LIMB_BITS;
        }
    }
    for (; limb < n; limb++)
    {
        out[(size_t)limb * stride] = acc;
        acc = 0;
    }
}

/* Normalised limbs (n of them) to big-endian bytes. */
static void limbs_to_bytes(const uint64_t *in, int stride, int n, uint8_t *out, int32_t length)
{
    if ((length & 7) == 0)
    {
        /* Word k is bits [64 k, 64 k + 64): parts of limbs i, i + 1 and i + 2 (i = 64 k / 52). */
        for (int k = 0; k < length / 8; k++)
        {
            const int i = 64 * k / LIMB_BITS, sh = 64 * k - LIMB_BITS * i;
            uint64_t v = i < n ? in[(size_t)i * stride] >> sh : 0;
            if (i + 1 < n)
                v |= in[(size_t)(i + 1) * stride] << (LIMB_BITS - sh);
            if (i + 2 < n && 2 * LIMB_BITS - sh < 64)
                v |= in[(size_t)(i + 2) * stride] << (2 * LIMB_BITS - sh);
            v = __builtin_bswap64(v);
            memcpy(out + length - 8 * (k + 1), &v, 8);
        }
        return;
    }
    uint64_t acc = 0;
    int acc_bits = 0, limb = 0;
    for (int32_t i = length - 1; i >= 0; i--)
    {
        if (acc_bits < 8)
        {
            acc |= in[(size_t)limb * stride] << acc_bits;
            limb++;
            acc_bits += LIMB_BITS;
        }
        out[i] = (uint8_t)acc;
        acc >>= 8;
        acc_bits -= 8;
    }
}

/* Scalar helpers on normalised limb arrays for the one-time precomputation (modulus is public). */
static int geq(const uint64_t *a, const uint64_t *b, int n)
{
    for (int i = n - 1; i >= 0; i--)
        if (a[i] != b[i])
            return a[i] > b[i];
    return 1;
}

static void sub_in_place(uint64_t *a, const uint64_t *b, int n)
{
    uint64_t borrow = 0;
    for (int i = 0; i < n; i++)
    {
        uint64_t d = a[i] - b[i] - borrow;
        borrow = d >> 63;
        a[i] = d & LIMB_MASK;
    }
}

static void double_mod(uint64_t *a, const uint64_t *m, int n)
{
    uint64_t carry = 0;
    for (int i = 0; i < n; i++)
    {
        uint64_t x = (a[i] << 1) | carry;
        carry = x >> LIMB_BITS;
        a[i] = x & LIMB_MASK;
    }
    /* a < m < 2^(52n - 2), so 2a fits in n limbs. */
    if (geq(a, m, n))
        sub_in_place(a, m, n);
}

int32_t IkeFastNative_ModExpIfmaInit(void *ctx, int64_t contextLength, const uint8_t *modulus, int32_t modulusLength)
{
    if (ctx == NULL || modulus == NULL)
        return IKEFAST_MODEXP_E_ARGUMENT;
    int64_t need = IkeFastNative_ModExpIfmaContextSize(modulusLength);
    if (need < 0)
        return (int32_t)need;
    if (contextLength < need || ((uintptr_t)ctx & 63) != 0)
        return IKEFAST_MODEXP_E_CONTEXT;
    if ((modulus[modulusLength - 1] & 1) == 0 || modulus[0] == 0)
        return IKEFAST_MODEXP_E_MODULUS;

    memset(ctx, 0, (size_t)need);
    context_header *h = (context_header *)ctx;
    h->limbs = limbs_for(modulusLength);
    h->modulus_length = modulusLength;
    context_view v;
    view_of(ctx, &v);
    int n = v.n;

    uint64_t m[MAX_LIMBS], x[MAX_LIMBS];
    bytes_to_limbs(modulus, modulusLength, m, n, 1);

    /* -m^-1 mod 2^52 by Newton's iteration (each step doubles the correct low bits: 3, 6, ..., 96). */
    uint64_t inv = m[0];
    for (int i = 0; i < 5; i++)
        inv *= 2 - m[0] * inv;
    h->k0 = (0 - inv) & LIMB_MASK;

    /* R mod m, then R^2 mod m, by doubling (one-time, public data). */
    memset(x, 0, sizeof(x));
    x[0] = 1;
    for (int i = 0; i < LIMB_BITS * n; i++)
        double_mod(x, m, n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < LANES; j++)
            v.one[i][j] = x[i];
    for (int i = 0; i < LIMB_BITS * n; i++)
        double_mod(x, m, n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < LANES; j++)
        {
            v.rr[i][j] = x[i];
            v.m[i][j] = m[i];
            v.unit[i][j] = i == 0 ? 1 : 0;
        }
    h->magic = CONTEXT_MAGIC;
    return IKEFAST_MODEXP_OK;
}

/*
 * The carry out of t0 + lo(m0 q), known before that product: lo(m0 q) = -t0 mod 2^52, so the sum is
 * (t0 >> 52) + 1 limbs when t0's low 52 bits are not zero, else t0 >> 52. Taking it from t0 keeps one
 * multiply-add off the row-to-row critical path.
 */
IFMA_INLINE __m512i carry_of(__m512i t0)
{
    const __m512i mask = _mm512_set1_epi64((long long)LIMB_MASK);
    const __m512i c = _mm512_srli_epi64(t0, LIMB_BITS);
    const __mmask8 nonzero = _mm512_test_epi64_mask(t0, mask);
    return _mm512_mask_add_epi64(c, nonzero, c, _mm512_set1_epi64(1));
}

/* Normalise t[n..2n) into r (the result is below 2m < R: no carry out of the top). */
IFMA_INLINE void normalise_upper(__m512i *r, const __m512i *t, int n)
{
    const __m512i mask = _mm512_set1_epi64((long long)LIMB_MASK);
    __m512i carry = _mm512_setzero_si512();
    for (int j = 0; j < n; j++)
    {
        __m512i y = _mm512_add_epi64(t[n + j], carry);
        carry = _mm512_srli_epi64(y, LIMB_BITS);
        r[j] = _mm512_and_si512(y, mask);
    }
}

/*
 * The reduction digit and slot-0 carry, generic or for a modulus = -1 mod 2^52 (pm1, k0 = 1: every MODP prime).
 * With pm1, q is t itself (vpmadd52 reads only its low 52 bits) and t + (2^52 - 1) q = ((t >> 52) + q) 2^52, so
 * the carry into slot 1 is (t >> 52) + q and the m0 products vanish: no multiply-adds for either.
 */
IFMA_INLINE __m512i q_of(__m512i t, __m512i k0, const int pm1)
{
    return pm1 ? t : _mm512_madd52lo_epu64(_mm512_setzero_si512(), t, k0);
}

IFMA_INLINE __m512i carry_in(__m512i t, const int pm1)
{
    if (pm1)
        return _mm512_add_epi64(_mm512_srli_epi64(t, LIMB_BITS), _mm512_and_si512(t, _mm512_set1_epi64((long long)LIMB_MASK)));
    return carry_of(t);
}

/* hi(m0 q) (already inside carry_in when pm1). */
IFMA_INLINE __m512i m0_hi(__m512i m0, __m512i q, const int pm1)
{
    return pm1 ? _mm512_setzero_si512() : _mm512_madd52hi_epu64(_mm512_setzero_si512(), m0, q);
}

/*
 * r = a * b / R mod m (inputs below 2m, output below 2m, all normalised). r may alias a or b.
 * Rows go in pairs (i, i + 1) so that each accumulator slot is loaded and stored once per eight multiply-adds
 * (memory, not the multipliers, limits a one-row loop). Before a pair, t[i] already holds lo(a[0] b[i]).
 */
IFMA_INLINE void amm(limbvec *r, const limbvec *a, const limbvec *b, const limbvec *restrict m, __m512i k0,
                     limbvec *restrict tv, int n, const int pm1)
{
    const __m512i zero = _mm512_setzero_si512();
    __m512i *t = (__m512i *)tv;
    const __m512i *A = (const __m512i *)a;
    const __m512i *B = (const __m512i *)b;
    const __m512i *M = (const __m512i *)m;
    for (int j = 1; j < 2 * n + 2; j++)
        t[j] = zero;
    t[0] = _mm512_madd52lo_epu64(zero, A[0], B[0]);

    int i = 0;
    for (; i + 1 < n; i += 2)
    {
        __m512i *ti = t + i;
        const __m512i b0 = B[i], b1 = B[i + 1];
        const __m512i q0 = q_of(ti[0], k0, pm1);

        /*
         * Slot i + 1: row i's j = 1 terms and row i + 1's lo(a0 b1); it is then row i + 1's limb 0. The terms that
         * do not need q0 (or q1) are summed first and the q-dependent pair goes into two independent accumulators,
         * which shortens the q0 -> q1 -> next q0 dependency chain.
         */
        __m512i s1 = _mm512_add_epi64(ti[1], carry_in(ti[0], pm1));
        s1 = _mm512_madd52lo_epu64(s1, A[1], b0);
        s1 = _mm512_madd52hi_epu64(s1, A[0], b0);
        s1 = _mm512_madd52lo_epu64(s1, A[0], b1);
        s1 = _mm512_add_epi64(_mm512_madd52lo_epu64(s1, M[1], q0), m0_hi(M[0], q0, pm1));
        const __m512i q1 = q_of(s1, k0, pm1);

        /* Slot i + 2 (j = 2 of row i, j = 1 of row i + 1), plus the next pair's lo(a0 b[i + 2]). */
        __m512i s2 = ti[2];
        if (n > 2)
        {
            s2 = _mm512_madd52lo_epu64(s2, A[2], b0);
            s2 = _mm512_madd52lo_epu64(s2, M[2], q0);
        }
        s2 = _mm512_madd52hi_epu64(s2, A[1], b0);
        s2 = _mm512_madd52lo_epu64(s2, A[1], b1);
        s2 = _mm512_madd52hi_epu64(s2, A[0], b1);
        if (i + 2 < n)
            s2 = _mm512_madd52lo_epu64(s2, A[0], B[i + 2]);
        s2 = _mm512_madd52hi_epu64(s2, M[1], q0);
        s2 = _mm512_add_epi64(s2, carry_in(s1, pm1));
        s2 = _mm512_add_epi64(_mm512_madd52lo_epu64(s2, M[1], q1), m0_hi(M[0], q1, pm1));
        ti[2] = s2;

#pragma GCC unroll 24
        for (int j = 3; j < n; j++)
        {
            __m512i y = ti[j];
            y = _mm512_madd52lo_epu64(y, A[j], b0);
            y = _mm512_madd52hi_epu64(y, A[j - 1], b0);
            y = _mm512_madd52lo_epu64(y, A[j - 1], b1);
            y = _mm512_madd52hi_epu64(y, A[j - 2], b1);
            y = _mm512_madd52lo_epu64(y, M[j], q0);
            y = _mm512_madd52hi_epu64(y, M[j - 1], q0);
            y = _mm512_madd52lo_epu64(y, M[j - 1], q1);
            y = _mm512_madd52hi_epu64(y, M[j - 2], q1);
            ti[j] = y;
        }
        if (n > 2)
        {
            __m512i y = ti[n];
            y = _mm512_madd52hi_epu64(y, A[n - 1], b0);
            y = _mm512_madd52lo_epu64(y, A[n - 1], b1);
            y = _mm512_madd52hi_epu64(y, A[n - 2], b1);
            y = _mm512_madd52hi_epu64(y, M[n - 1], q0);
            y = _mm512_madd52lo_epu64(y, M[n - 1], q1);
            y = _mm512_madd52hi_epu64(y, M[n - 2], q1);
            ti[n] = y;
        }
        ti[n + 1] = _mm512_madd52hi_epu64(_mm512_madd52hi_epu64(ti[n + 1], A[n - 1], b1), M[n - 1], q1);
    }
    if (i < n)
    {
        /* Odd n: one last single row. */
        __m512i *ti = t + i;
        const __m512i bi = B[i];
        const __m512i t0 = ti[0];
        const __m512i q = q_of(t0, k0, pm1);
        __m512i x = _mm512_add_epi64(ti[1], carry_in(t0, pm1));
        x = _mm512_madd52lo_epu64(x, A[1], bi);
        x = _mm512_madd52hi_epu64(x, A[0], bi);
        x = _mm512_madd52lo_epu64(x, M[1], q);
        if (!pm1)
            if (!pm1)
        x = _mm512_madd52hi_epu64(x, M[0], q);
        ti[1] = x;
        for (int j = 2; j < n; j++)
        {
            __m512i y = ti[j];
            y = _mm512_madd52lo_epu64(y, A[j], bi);
            y = _mm512_madd52hi_epu64(y, A[j - 1], bi);
            y = _mm512_madd52lo_epu64(y, M[j], q);
            y = _mm512_madd52hi_epu64(y, M[j - 1], q);
            ti[j] = y;
        }
        ti[n] = _mm512_madd52hi_epu64(_mm512_madd52hi_epu64(ti[n], A[n - 1], bi), M[n - 1], q);
    }
    normalise_upper((__m512i *)r, t, n);
}

/*
 * Register-resident variant of amm for small limb counts known at compile time (N <= REG_MAX_LIMBS): operand
 * scanning, one row per limb of b. The accumulator window acc[0..N] lives in zmm registers for the whole
 * multiplication (fully unrolled, so the window's slide is a register renaming) and every multiplicand comes from
 * memory as the madd's memory operand: no accumulator loads or stores at all, which is what limits the
 * memory-window amm at these sizes. Slot bound as in amm: 4 (N + 1) products of 52 bits plus carries.
 */
/*
 * acc + lo/hi(x * mem) with the multiplicand taken straight from memory: inline asm so the compiler neither hoists
 * the (loop-invariant) a and m limbs into registers nor spills the accumulators to make room for them.
 */
IFMA_INLINE __m512i madd_lo_mem(__m512i acc, __m512i x, const __m512i *mem)
{
    __asm__("vpmadd52luq %2, %1, %0" : "+v"(acc) : "v"(x), "m"(*mem));
    return acc;
}

IFMA_INLINE __m512i madd_hi_mem(__m512i acc, __m512i x, const __m512i *mem)
{
    __asm__("vpmadd52huq %2, %1, %0" : "+v"(acc) : "v"(x), "m"(*mem));
    return acc;
}

#define REG_MAX_LIMBS 20
/* A load the compiler may not merge with an identical one (keeps invariant limbs out of registers, see above). */
IFMA_INLINE __m512i load_once(const __m512i *mem)
{
    __m512i x;
    __asm__ __volatile__("vmovdqa64 %1, %0" : "=v"(x) : "m"(*mem));
    return x;
}

IFMA_INLINE void amm_reg(limbvec *r, const limbvec *a, const limbvec *b, const limbvec *restrict m, __m512i k0,
                         const int N, const int pm1)
{
    const __m512i zero = _mm512_setzero_si512();
    const __m512i mask = _mm512_set1_epi64((long long)LIMB_MASK);
    const __m512i *A = (const __m512i *)a;
    const __m512i *B = (const __m512i *)b;
    const __m512i *M = (const __m512i *)m;
    __m512i acc[REG_MAX_LIMBS + 1];
#pragma GCC unroll 32
    for (int j = 0; j <= N; j++)
        acc[j] = zero;
#pragma GCC unroll 32
    for (int i = 0; i < N; i++)
    {
        const __m512i bi = B[i];
        const __m512i t0 = madd_lo_mem(acc[0], bi, &A[0]);
        __m512i q, s1;
        if (pm1)
        {
            q = t0;
            s1 = _mm512_add_epi64(acc[1], _mm512_add_epi64(_mm512_srli_epi64(t0, LIMB_BITS), _mm512_and_si512(t0, mask)));
            s1 = madd_hi_mem(s1, bi, &A[0]);
            s1 = madd_lo_mem(s1, bi, &A[1]);
            acc[0] = madd_lo_mem(s1, q, &M[1]);
        }
        else
        {
            q = _mm512_madd52lo_epu64(zero, t0, k0);
            s1 = _mm512_add_epi64(acc[1], carry_of(t0));
            s1 = madd_hi_mem(s1, bi, &A[0]);
            s1 = madd_lo_mem(s1, bi, &A[1]);
            s1 = madd_lo_mem(s1, q, &M[1]);
            acc[0] = _mm512_add_epi64(s1, madd_hi_mem(zero, q, &M[0]));
        }
#pragma GCC unroll 32
        for (int j = 2; j < N; j++)
        {
            __m512i y = acc[j];
            y = madd_lo_mem(y, bi, &A[j]);
            y = madd_hi_mem(y, bi, &A[j - 1]);
            y = madd_lo_mem(y, q, &M[j]);
            y = madd_hi_mem(y, q, &M[j - 1]);
            acc[j - 1] = y;
        }
        acc[N - 1] = _mm512_madd52hi_epu64(madd_hi_mem(acc[N], bi, &A[N - 1]), M[N - 1], q);
        acc[N] = zero;
    }
    __m512i *R = (__m512i *)r;
    __m512i carry = zero;
#pragma GCC unroll 32
    for (int j = 0; j < N; j++)
    {
        const __m512i y = _mm512_add_epi64(acc[j], carry);
        carry = _mm512_srli_epi64(y, LIMB_BITS);
        R[j] = _mm512_and_si512(y, mask);
    }
}

/*
 * Register-resident squaring for small compile-time N: the same sliding window as amm_reg, but row i adds only
 * a_i a_j for j >= i (the square once at slot i, the cross products doubled), so the product half costs n^2 + n
 * multiply-adds instead of 2 n^2. The doubling rides on the row multiplier: vpmadd52 sees only 2 a_i mod 2^52,
 * and the lost 2^52 a_j (when bit 51 of a_i, h_i, is set) is a_j added at slot j + 1 under the row's lane mask
 * h_i: one masked add on the integer pipes per cross product, not a multiply-add. Column i is complete when row i
 * starts (its products come from rows <= i / 2), so row i's reduction does not wait for its products. Slot bound:
 * 5 terms of 52 bits per row, N + 1 rows.
 * Unlike amm_reg, each limb a_j and m_j is loaded once into a register (load_once) and used by all its multiply-adds
 * (and the masked add): Zen 5 executes two 512-bit loads per cycle, as many as multiply-adds, so with a memory operand
 * on every multiply-add (and the masked adds) the squaring was load-bound at ~1370 loads for 1180 multiply-adds;
 * now ~630 (measured 710 -> 620 cycles per 20-limb squaring, the multiply-add bound being 590).
 */
IFMA_INLINE void ams_reg(limbvec *r, const limbvec *a, const limbvec *restrict m, __m512i k0, const int N,
                         const int pm1)
{
    const __m512i zero = _mm512_setzero_si512();
    const __m512i mask = _mm512_set1_epi64((long long)LIMB_MASK);
    const __m512i *A = (const __m512i *)a;
    const __m512i *M = (const __m512i *)m;
    const __m512i bit51 = _mm512_set1_epi64((long long)1 << (LIMB_BITS - 1));
    __m512i acc[REG_MAX_LIMBS + 1];
#pragma GCC unroll 32
    for (int j = 0; j <= N; j++)
        acc[j] = zero;
#pragma GCC unroll 32
    for (int i = 0; i < N; i++)
    {
        const __m512i ai = load_once(&A[i]);
        const __m512i ai2 = _mm512_slli_epi64(ai, 1);                 /* vpmadd52 sees 2 a_i mod 2^52 */
        const __mmask8 hi_bit = _mm512_test_epi64_mask(ai, bit51);    /* the lost 2^52 of 2 a_i */
        acc[i] = _mm512_madd52lo_epu64(acc[i], ai, ai);
        acc[i + 1] = _mm512_madd52hi_epu64(acc[i + 1], ai, ai);
#pragma GCC unroll 32
        for (int j = i + 1; j < N; j++)
        {
            const __m512i aj = load_once(&A[j]);
            acc[j] = _mm512_madd52lo_epu64(acc[j], ai2, aj);
            const __m512i h = _mm512_madd52hi_epu64(acc[j + 1], ai2, aj);
            acc[j + 1] = _mm512_mask_add_epi64(h, hi_bit, h, aj);
        }
        const __m512i t0 = acc[0];
        __m512i q, mp;
        if (pm1)
        {
            q = t0; /* as in amm_reg */
            const __m512i s1 = _mm512_add_epi64(acc[1], _mm512_add_epi64(_mm512_srli_epi64(t0, LIMB_BITS), _mm512_and_si512(t0, mask)));
            mp = load_once(&M[1]);
            acc[0] = _mm512_madd52lo_epu64(s1, q, mp);
        }
        else
        {
            q = _mm512_madd52lo_epu64(zero, t0, k0);
            __m512i s1 = _mm512_add_epi64(acc[1], carry_of(t0));
            const __m512i m0 = load_once(&M[0]);
            mp = load_once(&M[1]);
            s1 = _mm512_madd52lo_epu64(s1, q, mp);
            acc[0] = _mm512_add_epi64(s1, _mm512_madd52hi_epu64(zero, q, m0));
        }
#pragma GCC unroll 32
        for (int j = 2; j < N; j++)
        {
            const __m512i mc = load_once(&M[j]);
            acc[j - 1] = _mm512_madd52hi_epu64(_mm512_madd52lo_epu64(acc[j], q, mc), q, mp);
            mp = mc;
        }
        acc[N - 1] = _mm512_madd52hi_epu64(acc[N], q, mp);
        acc[N] = zero;
    }
    __m512i *R = (__m512i *)r;
    __m512i carry = zero;
#pragma GCC unroll 32
    for (int j = 0; j < N; j++)
    {
        const __m512i y = _mm512_add_epi64(acc[j], carry);
        carry = _mm512_srli_epi64(y, LIMB_BITS);
        R[j] = _mm512_and_si512(y, mask);
    }
}

/* One Montgomery reduction row: t[i..i+n] += q m with q = t[i] (-m^-1) mod 2^52, then the carry moves up. */
IFMA_INLINE void reduce_row(__m512i *ti, const __m512i *M, __m512i k0, int n, const int pm1)
{
    const __m512i t0 = ti[0];
    const __m512i q = q_of(t0, k0, pm1);
    __m512i x = _mm512_add_epi64(ti[1], carry_in(t0, pm1));
    x = _mm512_madd52lo_epu64(x, M[1], q);
    if (!pm1)
        x = _mm512_madd52hi_epu64(x, M[0], q);
    ti[1] = x;
    for (int j = 2; j < n; j++)
    {
        __m512i y = ti[j];
        y = _mm512_madd52lo_epu64(y, M[j], q);
        y = _mm512_madd52hi_epu64(y, M[j - 1], q);
        ti[j] = y;
    }
    ti[n] = _mm512_madd52hi_epu64(ti[n], M[n - 1], q);
}

/*
 * r = a^2 / R mod m: the cross products a[i] a[j] (i < j) once, doubled, plus the squares, then the Montgomery
 * reduction: 3n^2 multiply-adds instead of 4n^2. Both phases go two rows at a time (four multiply-adds per
 * accumulator load/store). a must have two zero limbs above a[n-1] (the kernel keeps acc padded).
 * Slot bound: 4n cross terms doubled, 2 squares, 2(n + 1) reduction terms, under 2^62 for n <= 158.
 */
IFMA_INLINE void ams(limbvec *r, const limbvec *a, const limbvec *restrict m, __m512i k0, limbvec *restrict tv, int n,
                     const int pm1)
{
    const __m512i zero = _mm512_setzero_si512();
    __m512i *t = (__m512i *)tv;
    const __m512i *A = (const __m512i *)a;
    const __m512i *M = (const __m512i *)m;
    for (int j = 0; j < 2 * n + 2; j++)
        t[j] = zero;

    /* Cross products, rows (i, i + 1): slot i + j gets lo(a_i a_j), hi(a_i a_j-1), lo(a_i+1 a_j-1), hi(a_i+1 a_j-2). */
    int i = 0;
    for (; i + 2 < n; i += 2)
    {
        __m512i *ti = t + i;
        const __m512i a0 = A[i], a1 = A[i + 1];
        ti[i + 1] = _mm512_madd52lo_epu64(ti[i + 1], a0, A[i + 1]);
        ti[i + 2] = _mm512_madd52hi_epu64(_mm512_madd52lo_epu64(ti[i + 2], a0, A[i + 2]), a0, A[i + 1]);
        {
            __m512i y = ti[i + 3];
            y = _mm512_madd52lo_epu64(y, a0, A[i + 3]);
            y = _mm512_madd52hi_epu64(y, a0, A[i + 2]);
            y = _mm512_madd52lo_epu64(y, a1, A[i + 2]);
            ti[i + 3] = y;
        }
#pragma GCC unroll 24
        for (int j = i + 4; j < n + 2; j++)
        {
            __m512i y = ti[j];
            y = _mm512_madd52lo_epu64(y, a0, A[j]);
            y = _mm512_madd52hi_epu64(y, a0, A[j - 1]);
            y = _mm512_madd52lo_epu64(y, a1, A[j - 1]);
            y = _mm512_madd52hi_epu64(y, a1, A[j - 2]);
            ti[j] = y;
        }
    }
    if (i + 1 < n)
    {
        /* A last single row (i = n - 2). */
        __m512i *ti = t + i;
        ti[i + 1] = _mm512_madd52lo_epu64(ti[i + 1], A[i], A[i + 1]);
        ti[i + 2] = _mm512_madd52hi_epu64(ti[i + 2], A[i], A[i + 1]);
    }
    /* Double, add the squares. */
    for (int k = 0; k < n; k++)
    {
        const __m512i lo = _mm512_slli_epi64(t[2 * k], 1);
        const __m512i hi = _mm512_slli_epi64(t[2 * k + 1], 1);
        t[2 * k] = _mm512_madd52lo_epu64(lo, A[k], A[k]);
        t[2 * k + 1] = _mm512_madd52hi_epu64(hi, A[k], A[k]);
    }
    /* Montgomery reduction, rows in pairs (as in amm without the a b terms). */
    for (i = 0; i + 1 < n; i += 2)
    {
        __m512i *ti = t + i;
        const __m512i q0 = q_of(ti[0], k0, pm1);
        __m512i s1 = _mm512_add_epi64(ti[1], carry_in(ti[0], pm1));
        s1 = _mm512_add_epi64(_mm512_madd52lo_epu64(s1, M[1], q0), m0_hi(M[0], q0, pm1));
        const __m512i q1 = q_of(s1, k0, pm1);
        __m512i s2 = ti[2];
        if (n > 2)
            s2 = _mm512_madd52lo_epu64(s2, M[2], q0);
        s2 = _mm512_madd52hi_epu64(s2, M[1], q0);
        s2 = _mm512_add_epi64(s2, carry_in(s1, pm1));
        s2 = _mm512_add_epi64(_mm512_madd52lo_epu64(s2, M[1], q1), m0_hi(M[0], q1, pm1));
        ti[2] = s2;
#pragma GCC unroll 24
        for (int j = 3; j < n; j++)
        {
            __m512i y = ti[j];
            y = _mm512_madd52lo_epu64(y, M[j], q0);
            y = _mm512_madd52hi_epu64(y, M[j - 1], q0);
            y = _mm512_madd52lo_epu64(y, M[j - 1], q1);
            y = _mm512_madd52hi_epu64(y, M[j - 2], q1);
            ti[j] = y;
        }
        if (n > 2)
        {
            __m512i y = ti[n];
            y = _mm512_madd52hi_epu64(y, M[n - 1], q0);
            y = _mm512_madd52lo_epu64(y, M[n - 1], q1);
            y = _mm512_madd52hi_epu64(y, M[n - 2], q1);
            ti[n] = y;
        }
        ti[n + 1] = _mm512_madd52hi_epu64(ti[n + 1], M[n - 1], q1);
    }
    if (i < n)
        reduce_row(t + i, M, k0, n, pm1);
    normalise_upper((__m512i *)r, t, n);
}

/*
 * Constant-time table read: every entry 0..count-1 is loaded, and each lane keeps the entry equal to its own
 * index, so the memory trace does not depend on the indexes. The pick is acc |= entry & hit (hit: all ones in
 * the lanes whose index is k), one vpternlogq with the entry as its memory operand: cheaper than a merge-masked
 * load per entry and limb, which cost about 10% of a 1024-bit exponentiation.
 */
IFMA_INLINE void table_select(limbvec *restrict out, const limbvec *restrict table, __m512i index, int count, int n)
{
    __m512i *O = (__m512i *)out;
    const __m512i *T = (const __m512i *)table;
    const __m512i ones = _mm512_set1_epi64(-1);
    __m512i hit[1 << MAX_WINDOW];
#pragma GCC unroll 32
    for (int k = 0; k < count; k++)
        hit[k] = _mm512_maskz_mov_epi64(_mm512_cmpeq_epi64_mask(index, _mm512_set1_epi64(k)), ones);
    /* Limb-major so each output limb stays in a register while all entries are read. */
    for (int i = 0; i < n; i++)
    {
        __m512i acc = _mm512_setzero_si512();
#pragma GCC unroll 32
        for (int k = 0; k < count; k++)
            acc = _mm512_ternarylogic_epi64(acc, hit[k], T[(size_t)k * n + i], 0xF8); /* acc | (hit & entry) */
        O[i] = acc;
    }
}

/* table_select with the entry count as a compile-time constant (the common widths), so the scan unrolls and the
 * hit vectors stay in registers. */
IFMA_INLINE void table_select_any(limbvec *restrict out, const limbvec *restrict table, __m512i index, int count, int n)
{
    if (count == 16)
        table_select(out, table, index, 16, n);
    else if (count == 8)
        table_select(out, table, index, 8, n);
    else
        table_select(out, table, index, count, n);
}

/*
 * Window value of bits [bit, bit + width) of each lane's big-endian exponent (positions are public; the window
 * spans at most two bytes, read whole: the memory trace depends on positions only).
 */
static void window_values(uint64_t *out, const uint8_t *exponents, int32_t exponent_length, int32_t lanes,
                          int bit, int width)
{
    const int32_t byte = bit / 8;
    const int shift = bit % 8;
    const uint32_t mask = (1u << width) - 1;
    for (int lane = 0; lane < LANES; lane++)
    {
        uint32_t value = 0;
        if (lane < lanes)
        {
            const uint8_t *e = exponents + (size_t)lane * exponent_length;
            uint32_t bytes = e[exponent_length - 1 - byte];
            if (byte + 1 < exponent_length)
                bytes |= (uint32_t)e[exponent_length - 2 - byte] << 8;
            value = (bytes >> shift) & mask;
        }
        out[lane] = value;
    }
}

static int window_for(int64_t exponent_bits)
{
    /* Cost ~ 2^w table multiplications + bits / w window multiplications + 2^w * bits / w table reads. */
    if (exponent_bits <= 24)
        return 1;
    if (exponent_bits <= 96)
        return 3;
    if (exponent_bits <= 640)
        return 4;
    return 5;
}

/*
 * The multiplication and squaring a body uses: reg is 0 (memory window), REG_ANY (register-resident, small
 * compile-time limb counts), MEM_PM1 / REG_PM1 (the same for a modulus = -1 mod 2^52, i.e. k0 = 1).
 * The register-resident ones are called out of line, so each exists once in the window loop: inlined at every call
 * site, the one-load-per-limb squaring made a MODP-1024 call ~13% slower (68 against 60 us for 8 lanes), likely the
 * size of the fully unrolled copies (not confirmed: this VM exposes no performance counters).
 */
#define DEFINE_REG_OPS(N)                                                                                           \
    static IFMA_TARGET __attribute__((noinline)) void amm_reg_##N(limbvec *r, const limbvec *a, const limbvec *b,    \
                                                                  const limbvec *restrict m, __m512i k0)            \
    {                                                                                                              \
        amm_reg(r, a, b, m, k0, N, 0);                                                                             \
    }                                                                                                              \
    static IFMA_TARGET __attribute__((noinline)) void amm_reg_pm1_##N(limbvec *r, const limbvec *a, const limbvec *b,\
                                                                      const limbvec *restrict m)                    \
    {                                                                                                              \
        amm_reg(r, a, b, m, _mm512_set1_epi64(1), N, 1);                                                           \
    }                                                                                                              \
    static IFMA_TARGET __attribute__((noinline)) void ams_reg_##N(limbvec *r, const limbvec *a,                      \
                                                                  const limbvec *restrict m, __m512i k0)            \
    {                                                                                                              \
        ams_reg(r, a, m, k0, N, 0);                                                                                \
    }                                                                                                              \
    static IFMA_TARGET __attribute__((noinline)) void ams_reg_pm1_##N(limbvec *r, const limbvec *a,                  \
                                                                      const limbvec *restrict m)                    \
    {                                                                                                              \
        ams_reg(r, a, m, _mm512_set1_epi64(1), N, 1);                                                              \
    }
DEFINE_REG_OPS(15)
DEFINE_REG_OPS(20)

/* After leaving the Montgomery domain acc is at most m: subtract m once in every lane, keeping the difference only in
 * lanes where it did not borrow (a mask, never a branch: the lanes' values are secret). scratch holds N limbs. */
IFMA_INLINE void subtract_modulus_once(limbvec *acc, const limbvec *m, limbvec *scratch, const int N)
{
    __m512i *A = (__m512i *)acc;
    const __m512i *M = (const __m512i *)m;
    __m512i *S = (__m512i *)scratch;
    const __m512i mask = _mm512_set1_epi64((long long)LIMB_MASK);
    __m512i borrow = _mm512_setzero_si512();
    for (int i = 0; i < N; i++)
    {
        __m512i d = _mm512_sub_epi64(_mm512_sub_epi64(A[i], M[i]), borrow);
        borrow = _mm512_srli_epi64(d, 63);
        S[i] = _mm512_and_si512(d, mask);
    }
    const __mmask8 no_borrow = _mm512_cmpeq_epi64_mask(borrow, _mm512_setzero_si512());
    for (int i = 0; i < N; i++)
        A[i] = _mm512_mask_mov_epi64(A[i], no_borrow, S[i]);
}

#define REG_ANY 1 /* bit 0: register-resident; bit 1: pm1 */
#define MEM_PM1 2
#define REG_PM1 3
IFMA_INLINE void mont_mul(limbvec *r, const limbvec *a, const limbvec *b, const limbvec *restrict m, __m512i k0,
                          limbvec *restrict tv, const int N, const int reg)
{
    if ((reg & 1) && N == 20)
        (reg & 2) ? amm_reg_pm1_20(r, a, b, m) : amm_reg_20(r, a, b, m, k0);
    else if ((reg & 1) && N == 15)
        (reg & 2) ? amm_reg_pm1_15(r, a, b, m) : amm_reg_15(r, a, b, m, k0);
    else
        amm(r, a, b, m, k0, tv, N, (reg & 2) != 0);
}

IFMA_INLINE void mont_sqr(limbvec *r, const limbvec *a, const limbvec *restrict m, __m512i k0, limbvec *restrict tv,
                          const int N, const int reg)
{
    if ((reg & 1) && N == 20)
        (reg & 2) ? ams_reg_pm1_20(r, a, m) : ams_reg_20(r, a, m, k0);
    else if ((reg & 1) && N == 15)
        (reg & 2) ? ams_reg_pm1_15(r, a, m) : ams_reg_15(r, a, m, k0);
    else
        ams(r, a, m, k0, tv, N, (reg & 2) != 0);
}

/* The exponentiation body for a fixed limb count N (so loops get unrolled/constant-folded). */
IFMA_INLINE void modexp_body(context_view *v, const uint8_t *exponents, int32_t exponent_length, int32_t lanes,
                             const int N, limbvec *tbuf, const int reg)
{
    const __m512i k0 = _mm512_set1_epi64((long long)v->h->k0);
    const int64_t bits = (int64_t)exponent_length * 8;
    const int w = window_for(bits);
    const int entries = 1 << w;
    limbvec *table = v->table;
    uint64_t idx[LANES] __attribute__((aligned(64)));

    /* table[0] = R mod m (Montgomery 1), table[1] = base * R mod m (the base was placed in acc), table[k] = table[k-1] * table[1]. */
    memcpy(table, v->one, sizeof(limbvec) * N);
    mont_mul(table + N, v->acc, v->rr, v->m, k0, tbuf, N, reg);
    /*
     * table[k] = table[k-1] table[1]. (Squaring the even entries, table[2k] = table[k]^2, is cheaper on paper, but in
     * the BenchmarkDotNet process it made whole 1024-bit calls 1.7x slower: 13.6 against 7.9 us per exponentiation,
     * while a C harness saw no change. Unexplained, so not done.)
     */
    for (int k = 2; k < entries; k++)
        mont_mul(table + (size_t)k * N, table + (size_t)(k - 1) * N, table + N, v->m, k0, tbuf, N, reg);
    uint64_t mults = (uint64_t)entries - 1;

    const int64_t windows = (bits + w - 1) / w;
    int64_t pos = (windows - 1) * w;
    window_values(idx, exponents, exponent_length, lanes, (int)pos, (int)(bits - pos));
    table_select_any(v->acc, table, _mm512_load_si512((const void *)idx), entries, N);
    uint64_t reads = (uint64_t)entries;
    for (int64_t win = windows - 2; win >= 0; win--)
    {
        pos = win * w;
        /*
         * The table read does not depend on acc: issued first, it runs while the previous multiplication's last rows
         * and carry chain are still in flight, instead of between the squarings and the multiplication.
         */
        window_values(idx, exponents, exponent_length, lanes, (int)pos, w);
        table_select_any(v->sel, table, _mm512_load_si512((const void *)idx), entries, N);
        for (int s = 0; s < w; s++)
            mont_sqr(v->acc, v->acc, v->m, k0, tbuf, N, reg);
        mont_mul(v->acc, v->acc, v->sel, v->m, k0, tbuf, N, reg);
        mults += (uint64_t)w + 1;
        reads += (uint64_t)entries;
    }

    /* Leave the Montgomery domain: acc * 1 / R is at most m; subtract m once, under a per-lane mask. */
    mont_mul(v->acc, v->acc, v->unit, v->m, k0, tbuf, N, reg);
    mults++;
    subtract_modulus_once(v->acc, v->m, v->sel, N);

    /* The window values are exponent bits: wipe them (the barrier keeps the store). */
    memset(idx, 0, sizeof(idx));
    __asm__ __volatile__("" : : "r"(idx) : "memory");
    v->h->counters[IKEFAST_MODEXP_COUNTER_MULTIPLICATIONS] += mults;
    v->h->counters[IKEFAST_MODEXP_COUNTER_TABLE_READS] += reads;
    v->h->counters[IKEFAST_MODEXP_COUNTER_CALLS]++;
}

/*
 * Small limb counts keep the accumulator window on the stack (the compiler then sees a private array and keeps more
 * of it in registers; measured ~5% faster at 1024 and 2048 bits); it is wiped before returning (the asm barrier
 * keeps the memset from being dropped as a dead store).
 */
#define DEFINE_BODY_STACK(N)                                                                                         \
    static IFMA_TARGET __attribute__((noinline)) void modexp_##N(context_view *v, const uint8_t *e, int32_t el,     \
                                                                 int32_t lanes)                                    \
    {                                                                                                              \
        limbvec tl[2 * N + 2];                                                                                     \
        if (N > REG_MAX_LIMBS)                                                                                     \
            modexp_body(v, e, el, lanes, N, tl, v->h->k0 == 1 ? MEM_PM1 : 0);                                      \
        else if (v->h->k0 == 1) /* public: a property of the modulus */                                            \
            modexp_body(v, e, el, lanes, N, tl, REG_PM1);                                                          \
        else                                                                                                       \
            modexp_body(v, e, el, lanes, N, tl, REG_ANY);                                                          \
        memset(tl, 0, sizeof(tl));                                                                                 \
        __asm__ __volatile__("" : : "r"(tl) : "memory");                                                           \
    }
#define DEFINE_BODY(N)                                                                                               \
    static IFMA_TARGET __attribute__((noinline)) void modexp_##N(context_view *v, const uint8_t *e, int32_t el,     \
                                                                 int32_t lanes)                                    \
    {                                                                                                              \
        if (v->h->k0 == 1) /* public: a property of the modulus */                                                \
            modexp_body(v, e, el, lanes, N, v->t, MEM_PM1);                                                        \
        else                                                                                                       \
            modexp_body(v, e, el, lanes, N, v->t, 0);                                                              \
    }
/* The limb counts of the MODP groups: 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192 bits. */
DEFINE_BODY_STACK(15)
DEFINE_BODY_STACK(20)
DEFINE_BODY_STACK(30)
DEFINE_BODY_STACK(40)
DEFINE_BODY(60)
DEFINE_BODY(79)
DEFINE_BODY(119)
DEFINE_BODY(158)

static IFMA_TARGET __attribute__((noinline)) void modexp_any(context_view *v, const uint8_t *e, int32_t el,
                                                             int32_t lanes)
{
    modexp_body(v, e, el, lanes, v->n, v->t, 0);
}

int32_t IkeFastNative_ModExpIfma8(void *ctx, const uint8_t *bases, const uint8_t *exponents, int32_t exponentLength,
                                  uint8_t *results, int32_t lanes)
{
    if (ctx == NULL || bases == NULL || exponents == NULL || results == NULL || lanes < 1 || lanes > LANES ||
        exponentLength < 1 || exponentLength > (1 << 20))
        return IKEFAST_MODEXP_E_ARGUMENT;
    if (((uintptr_t)ctx & 63) != 0 || ((context_header *)ctx)->magic != CONTEXT_MAGIC)
        return IKEFAST_MODEXP_E_CONTEXT;
    if (!IkeFastNative_ModExpIfmaSupported())
        return IKEFAST_MODEXP_E_UNSUPPORTED_CPU;

    context_view v;
    view_of(ctx, &v);
    const int n = v.n;
    const int32_t len = v.h->modulus_length;

    /* Bases (public values: g, or the peer's KE payload) into acc, lane-interleaved; unused lanes get 1. */
    uint64_t scratch[MAX_LIMBS], modulus_limbs[MAX_LIMBS];
    for (int i = 0; i < n; i++)
        modulus_limbs[i] = v.m[i][0];
    for (int lane = 0; lane < LANES; lane++)
    {
        if (lane < lanes)
        {
            bytes_to_limbs(bases + (size_t)lane * len, len, scratch, n, 1);
        }
        else
        {
            memset(scratch, 0, sizeof(uint64_t) * n);
            scratch[0] = 1;
        }
        if (geq(scratch, modulus_limbs, n))
            return IKEFAST_MODEXP_E_BASE;
        for (int i = 0; i < n; i++)
            v.acc[i][lane] = scratch[i];
    }

    switch (n)
    {
    case 15: modexp_15(&v, exponents, exponentLength, lanes); break;
    case 20: modexp_20(&v, exponents, exponentLength, lanes); break;
    case 30: modexp_30(&v, exponents, exponentLength, lanes); break;
    case 40: modexp_40(&v, exponents, exponentLength, lanes); break;
    case 60: modexp_60(&v, exponents, exponentLength, lanes); break;
    case 79: modexp_79(&v, exponents, exponentLength, lanes); break;
    case 119: modexp_119(&v, exponents, exponentLength, lanes); break;
    case 158: modexp_158(&v, exponents, exponentLength, lanes); break;
    default: modexp_any(&v, exponents, exponentLength, lanes); break;
    }

    for (int lane = 0; lane < lanes; lane++)
        limbs_to_bytes(&v.acc[0][lane], LANES, n, results + (size_t)lane * len, len);

    /* acc, sel and t derive from the exponents: wipe them (the table holds powers of the public bases only). */
    memset(v.acc, 0, sizeof(limbvec) * (size_t)n);
    memset(v.sel, 0, sizeof(limbvec) * (size_t)n);
    memset(v.t, 0, sizeof(limbvec) * (size_t)(2 * n + 2));
    return IKEFAST_MODEXP_OK;
}

int32_t IkeFastNative_ModExpIfmaCounters(const void *ctx, uint64_t *counters, int32_t count)
{
    if (ctx == NULL || counters == NULL || count < 0)
        return IKEFAST_MODEXP_E_ARGUMENT;
    const context_header *h = (const context_header *)ctx;
    if (h->magic != CONTEXT_MAGIC)
        return IKEFAST_MODEXP_E_CONTEXT;
    int32_t k = count < IKEFAST_MODEXP_COUNTER_COUNT ? count : IKEFAST_MODEXP_COUNTER_COUNT;
    for (int32_t i = 0; i < k; i++)
        counters[i] = h->counters[i];
    return k;
}

/*
 * ---------------------------------------------------------------------------------------------------------------
 * Fixed-base exponentiation: key pairs g^x (see ikefast_modexp.h). A comb (Lim and Lee, "More flexible exponentiation
 * with precomputation", CRYPTO '94) with h teeth spaced s bits apart and K tables, covering B = K h s >= 8 *
 * exponentLength bits. Table k, entry d (0 <= d < 2^h) is g^(sum_i d_i 2^(s (h k + i))) in Montgomery form (d_i: bit
 * i of d). Splitting the exponent x into the columns t = 0 .. s - 1,
 *     x = sum_t 2^t sum_k sum_i x[s (h k + i) + t] 2^(s (h k + i)),  so  g^x = prod_t (prod_k T_k[D(k, t)])^(2^t)
 * with the digit D(k, t) = sum_i x[s (h k + i) + t] 2^i, evaluated by Horner from t = s - 1 down: s - 1 squarings and
 * K s - 1 multiplications (the first factor is just selected), plus one to leave the Montgomery domain. K is at most
 * 64, so a 256-bit exponent with 4 teeth has s = 1: 64 multiplications and no squarings, against ~256 squarings and
 * ~80 multiplications for the variable-base kernel above; the full 2048-bit exponent has s = 8 (7 squarings, 512
 * multiplications, against ~2048 + ~410).
 *
 * Constant time: K, s and h are fixed per context from public lengths, so the sequence of operations and memory
 * addresses is the same for every exponent. The digits are computed with shifts and masks at public bit positions
 * (no branch or index on exponent bits). Each table entry is read whole for every multiplication: the 2^h values of
 * limb i are loaded into 2^h / 8 registers and each lane's entry is chosen inside registers by vpermi2q (index bits
 * 0-3) and masked blends (bits 4 and 5), whose timing does not depend on the index values (fixed latency and
 * throughput on every AVX-512 core; no memory address depends on them).
 *
 * Table layout: for table k and limb i, the 2^h entries' limb i are contiguous ((k n + i) 2^h words), so the select
 * reads whole cache lines, 64-byte aligned.
 */
#define BASE_MAGIC 0x65736142u /* "Base" */
#define BASE_MAX_TABLES 64
#define BASE_DEFAULT_TABLE_BYTES (1024 * 1024)
#define BASE_MAX_EXPONENT_WORDS (IKEFAST_MODEXP_MAX_MODULUS_BYTES / 8 + 8)

typedef struct
{
    uint32_t magic;
    int32_t limbs;
    int32_t modulus_length;
    int32_t exponent_length; /* bytes the tables cover (at most) */
    int32_t teeth;           /* h */
    int32_t spacing;         /* s */
    int32_t tables;          /* K */
    int32_t reserved;
    uint64_t k0;
    uint64_t counters[IKEFAST_MODEXP_COUNTER_COUNT];
} base_header;

_Static_assert(sizeof(base_header) <= 64, "base_header fills one vector");

typedef struct
{
    base_header *h;
    limbvec *m, *unit, *t, *acc, *sel, *x, *digits;
    uint64_t *table;
    int n;
} base_view;

static int32_t base_params(int32_t modulusLength, int32_t exponentLength, int32_t teeth, int *h, int *s, int *k)
{
    if (modulusLength < IKEFAST_MODEXP_MIN_MODULUS_BYTES || modulusLength > IKEFAST_MODEXP_MAX_MODULUS_BYTES)
        return IKEFAST_MODEXP_E_MODULUS;
    if (exponentLength < 1 || exponentLength > modulusLength)
        return IKEFAST_MODEXP_E_ARGUMENT;
    if (teeth != 0 && (teeth < IKEFAST_MODEXP_BASE_MIN_TEETH || teeth > IKEFAST_MODEXP_BASE_MAX_TEETH))
        return IKEFAST_MODEXP_E_ARGUMENT;
    const int bits = exponentLength * 8;
    /*
     * Default: the most teeth whose table stays within BASE_DEFAULT_TABLE_BYTES, else 4. Measured per 8-lane call
     * (thread CPU, shared 2-core Zen 5), MODP-2048 with a 256-bit exponent: 4 teeth 55.5 us (342 KiB), 5 teeth
     * 46.9 us (541 KiB), 6 teeth 42.1 us (881 KiB), against 245 us for the variable-base kernel; the same order for
     * every group from 768 to 3072 bits, short and full exponents.
     */
    for (int t = teeth != 0 ? teeth : IKEFAST_MODEXP_BASE_MAX_TEETH;; t--)
    {
        *h = t;
        *s = (bits + t * BASE_MAX_TABLES - 1) / (t * BASE_MAX_TABLES);
        *k = (bits + t * *s - 1) / (t * *s);
        const int64_t table_bytes = (int64_t)*k * limbs_for(modulusLength) * ((int64_t)8 << t);
        if (teeth != 0 || t == IKEFAST_MODEXP_BASE_MIN_TEETH || table_bytes <= BASE_DEFAULT_TABLE_BYTES)
            return IKEFAST_MODEXP_OK;
    }
}

static int64_t base_vectors(int n, int h, int s, int k)
{
    /* header | m[n] | unit[n] | t[2n + 2] | acc, sel, x [n + 2 each] | digits[K s] | table[K n 2^h / 8] */
    return 1 + 2 * (int64_t)n + (2 * n + 2) + 3 * (int64_t)(n + 2) + (int64_t)k * s + (int64_t)k * n * ((1 << h) / 8);
}

int64_t IkeFastNative_ModExpIfmaBaseContextSize(int32_t modulusLength, int32_t exponentLength, int32_t teeth)
{
    int h, s, k;
    const int32_t status = base_params(modulusLength, exponentLength, teeth, &h, &s, &k);
    if (status != IKEFAST_MODEXP_OK)
        return status;
    return base_vectors(limbs_for(modulusLength), h, s, k) * 64;
}

static void base_view_of(void *ctx, base_view *v)
{
    v->h = (base_header *)ctx;
    const int n = v->n = v->h->limbs;
    limbvec *p = (limbvec *)ctx + 1;
    v->m = p;
    p += n;
    v->unit = p;
    p += n;
    v->t = p;
    p += 2 * n + 2;
    v->acc = p;
    p += n + 2;
    v->sel = p;
    p += n + 2;
    v->x = p;
    p += n + 2;
    v->digits = p;
    p += (size_t)v->h->tables * v->h->spacing;
    v->table = (uint64_t *)p;
}

/* Entry d of table k, limb i (all lanes of a vector hold the same public value while the table is built). */
static uint64_t *base_entry_limb(const base_view *v, int k, int i, int d)
{
    return v->table + ((size_t)k * v->n + i) * ((size_t)1 << v->h->teeth) + d;
}

static void base_store(const base_view *v, int k, int d, const limbvec *from)
{
    for (int i = 0; i < v->n; i++)
        *base_entry_limb(v, k, i, d) = from[i][0];
}

static void base_load(const base_view *v, int k, int d, limbvec *to)
{
    for (int i = 0; i < v->n; i++)
    {
        const uint64_t limb = *base_entry_limb(v, k, i, d);
        for (int j = 0; j < LANES; j++)
            to[i][j] = limb;
    }
}

/* The one-time table build (public data only: powers of the public base), all lanes computing the same value. */
static IFMA_TARGET __attribute__((noinline)) void base_build(base_view *v, const uint64_t *rr, const uint64_t *one,
                                                             const uint64_t *g)
{
    const int n = v->n, h = v->h->teeth, s = v->h->spacing, tables = v->h->tables;
    const int pm1 = v->h->k0 == 1;
    const __m512i k0 = _mm512_set1_epi64((long long)v->h->k0);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < LANES; j++)
        {
            v->sel[i][j] = g[i];
            v->x[i][j] = rr[i];
        }
    amm(v->acc, v->sel, v->x, v->m, k0, v->t, n, pm1); /* g R mod m */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < LANES; j++)
            v->x[i][j] = one[i];
    /* T_k[0] = 1 and T_k[2^i] = g^(2^(s (h k + i))): the running power squared s times per tooth. */
    for (int k = 0; k < tables; k++)
    {
        base_store(v, k, 0, v->x);
        for (int i = 0; i < h; i++)
        {
            base_store(v, k, 1 << i, v->acc);
            if (k + 1 < tables || i + 1 < h)
                for (int r = 0; r < s; r++)
                    ams(v->acc, v->acc, v->m, k0, v->t, n, pm1);
        }
    }
    /* T_k[d] = T_k[d without its lowest bit] T_k[lowest bit of d]. */
    for (int k = 0; k < tables; k++)
        for (int d = 3; d < (1 << h); d++)
        {
            if ((d & (d - 1)) == 0)
                continue;
            base_load(v, k, d & (d - 1), v->sel);
            base_load(v, k, d & -d, v->x);
            amm(v->sel, v->sel, v->x, v->m, k0, v->t, n, pm1);
            base_store(v, k, d, v->sel);
        }
    memset(v->acc, 0, sizeof(limbvec) * (size_t)(n + 2));
    memset(v->sel, 0, sizeof(limbvec) * (size_t)(n + 2));
    memset(v->x, 0, sizeof(limbvec) * (size_t)(n + 2));
    memset(v->t, 0, sizeof(limbvec) * (size_t)(2 * n + 2));
}

/* -m^-1 mod 2^52, R mod m and R^2 mod m for the big-endian modulus (public; one-time). */
static void modulus_constants(const uint8_t *modulus, int32_t length, int n, uint64_t *m, uint64_t *k0, uint64_t *one,
                              uint64_t *rr)
{
    bytes_to_limbs(modulus, length, m, n, 1);
    uint64_t inv = m[0];
    for (int i = 0; i < 5; i++)
        inv *= 2 - m[0] * inv;
    *k0 = (0 - inv) & LIMB_MASK;
    memset(one, 0, sizeof(uint64_t) * (size_t)n);
    one[0] = 1;
    for (int i = 0; i < LIMB_BITS * n; i++)
        double_mod(one, m, n);
    memcpy(rr, one, sizeof(uint64_t) * (size_t)n);
    for (int i = 0; i < LIMB_BITS * n; i++)
        double_mod(rr, m, n);
}

int32_t IkeFastNative_ModExpIfmaBaseInit(void *ctx, int64_t contextLength, const uint8_t *modulus, int32_t modulusLength,
                                         const uint8_t *base, int32_t baseLength, int32_t exponentLength, int32_t teeth)
{
    if (ctx == NULL || modulus == NULL || base == NULL || baseLength < 1 || baseLength > modulusLength)
        return IKEFAST_MODEXP_E_ARGUMENT;
    int h, s, k;
    const int32_t status = base_params(modulusLength, exponentLength, teeth, &h, &s, &k);
    if (status != IKEFAST_MODEXP_OK)
        return status;
    const int n = limbs_for(modulusLength);
    const int64_t need = base_vectors(n, h, s, k) * 64;
    if (contextLength < need || ((uintptr_t)ctx & 63) != 0)
        return IKEFAST_MODEXP_E_CONTEXT;
    if ((modulus[modulusLength - 1] & 1) == 0 || modulus[0] == 0)
        return IKEFAST_MODEXP_E_MODULUS;
    if (!IkeFastNative_ModExpIfmaSupported())
        return IKEFAST_MODEXP_E_UNSUPPORTED_CPU;

    uint64_t m[MAX_LIMBS], one[MAX_LIMBS], rr[MAX_LIMBS], g[MAX_LIMBS], k0;
    modulus_constants(modulus, modulusLength, n, m, &k0, one, rr);
    bytes_to_limbs(base, baseLength, g, n, 1);
    if (geq(g, m, n))
        return IKEFAST_MODEXP_E_BASE;

    memset(ctx, 0, (size_t)need);
    base_header *hd = (base_header *)ctx;
    hd->limbs = n;
    hd->modulus_length = modulusLength;
    hd->exponent_length = exponentLength;
    hd->teeth = h;
    hd->spacing = s;
    hd->tables = k;
    hd->k0 = k0;
    base_view v;
    base_view_of(ctx, &v);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < LANES; j++)
        {
            v.m[i][j] = m[i];
            v.unit[i][j] = i == 0 ? 1 : 0;
        }
    base_build(&v, rr, one, g);
    hd->magic = BASE_MAGIC;
    return IKEFAST_MODEXP_OK;
}

/*
 * Every lane's digits D(k, t), stored at digits[t K + k][lane] (unused lanes: 0, entry 1). Bit positions are public;
 * the bits themselves only move through shifts and masks.
 */
static void base_digits(base_view *v, const uint8_t *exponents, int32_t exponent_length, int32_t lanes)
{
    const int h = v->h->teeth, s = v->h->spacing, tables = v->h->tables;
    const uint64_t mask = ((uint64_t)1 << h) - 1;
    uint64_t w[BASE_MAX_EXPONENT_WORDS];
    for (int lane = 0; lane < LANES; lane++)
    {
        memset(w, 0, sizeof(w));
        if (lane < lanes)
        {
            const uint8_t *e = exponents + (size_t)lane * exponent_length;
            for (int32_t j = 0; j < exponent_length; j++)
                w[j / 8] |= (uint64_t)e[exponent_length - 1 - j] << (8 * (j % 8));
        }
        for (int t = 0; t < s; t++)
            for (int k = 0; k < tables; k++)
            {
                uint64_t d = 0;
                if (s == 1)
                {
                    /* The h bits from h k, straight from the words (public positions). */
                    const int p = h * k, q = p / 64, r = p % 64;
                    d = w[q] >> r;
                    if (r + h > 64)
                        d |= w[q + 1] << (64 - r);
                }
                else
                {
                    for (int i = 0; i < h; i++)
                    {
                        const int p = s * (h * k + i) + t;
                        d |= ((w[p / 64] >> (p % 64)) & 1) << i;
                    }
                }
                v->digits[(size_t)t * tables + k][lane] = d & mask;
            }
    }
    memset(w, 0, sizeof(w));
    __asm__ __volatile__("" : : "r"(w) : "memory");
}

/* out = entry idx (per lane) of the table at entries; every entry is loaded (see the constant-time note above). */
IFMA_INLINE void base_select(limbvec *restrict out, const uint64_t *restrict entries, __m512i idx, const int N,
                             const int h)
{
    __m512i *O = (__m512i *)out;
    const __m512i *T = (const __m512i *)entries;
    const int per_limb = (1 << h) / 8;
    const __mmask8 bit4 = _mm512_test_epi64_mask(idx, _mm512_set1_epi64(16));
    const __mmask8 bit5 = _mm512_test_epi64_mask(idx, _mm512_set1_epi64(32));
    for (int i = 0; i < N; i++)
    {
        const __m512i *L = T + (size_t)i * per_limb;
        __m512i r = _mm512_permutex2var_epi64(L[0], idx, L[1]);
        if (h >= 5)
            r = _mm512_mask_blend_epi64(bit4, r, _mm512_permutex2var_epi64(L[2], idx, L[3]));
        if (h == 6)
        {
            __m512i u = _mm512_permutex2var_epi64(L[4], idx, L[5]);
            u = _mm512_mask_blend_epi64(bit4, u, _mm512_permutex2var_epi64(L[6], idx, L[7]));
            r = _mm512_mask_blend_epi64(bit5, r, u);
        }
        O[i] = r;
    }
}

IFMA_INLINE void base_body(base_view *v, const int N, limbvec *tbuf, const int reg, const int h)
{
    const __m512i k0 = _mm512_set1_epi64((long long)v->h->k0);
    const int s = v->h->spacing, tables = v->h->tables;
    const size_t table_words = (size_t)N << h; /* words per table */
    uint64_t mults = 0;
    for (int t = s - 1; t >= 0; t--)
    {
        if (t < s - 1)
        {
            mont_sqr(v->acc, v->acc, v->m, k0, tbuf, N, reg);
            mults++;
        }
        for (int k = 0; k < tables; k++)
        {
            const __m512i idx = _mm512_load_si512((const void *)v->digits[(size_t)t * tables + k]);
            if (t == s - 1 && k == 0)
            {
                base_select(v->acc, v->table, idx, N, h);
                continue;
            }
            base_select(v->sel, v->table + (size_t)k * table_words, idx, N, h);
            mont_mul(v->acc, v->acc, v->sel, v->m, k0, tbuf, N, reg);
            mults++;
        }
    }

    /* Leave the Montgomery domain (acc / R is at most m) and subtract m once under a per-lane mask, as modexp_body. */
    mont_mul(v->acc, v->acc, v->unit, v->m, k0, tbuf, N, reg);
    mults++;
    subtract_modulus_once(v->acc, v->m, v->sel, N);

    v->h->counters[IKEFAST_MODEXP_COUNTER_MULTIPLICATIONS] += mults;
    v->h->counters[IKEFAST_MODEXP_COUNTER_TABLE_READS] += ((uint64_t)tables * s) << h;
    v->h->counters[IKEFAST_MODEXP_COUNTER_CALLS]++;
}

IFMA_INLINE void base_body_teeth(base_view *v, const int N, limbvec *tbuf, const int reg)
{
    /* The teeth are public (a context property). */
    if (v->h->teeth == 4)
        base_body(v, N, tbuf, reg, 4);
    else if (v->h->teeth == 5)
        base_body(v, N, tbuf, reg, 5);
    else
        base_body(v, N, tbuf, reg, 6);
}

#define DEFINE_BASE_STACK(N)                                                                                         \
    static IFMA_TARGET __attribute__((noinline)) void base_##N(base_view *v)                                       \
    {                                                                                                              \
        limbvec tl[2 * N + 2];                                                                                     \
        if (N > REG_MAX_LIMBS)                                                                                     \
            base_body_teeth(v, N, tl, v->h->k0 == 1 ? MEM_PM1 : 0);                                                \
        else if (v->h->k0 == 1)                                                                                    \
            base_body_teeth(v, N, tl, REG_PM1);                                                                    \
        else                                                                                                       \
            base_body_teeth(v, N, tl, REG_ANY);                                                                    \
        memset(tl, 0, sizeof(tl));                                                                                 \
        __asm__ __volatile__("" : : "r"(tl) : "memory");                                                           \
    }
#define DEFINE_BASE(N)                                                                                               \
    static IFMA_TARGET __attribute__((noinline)) void base_##N(base_view *v)                                       \
    {                                                                                                              \
        base_body_teeth(v, N, v->t, v->h->k0 == 1 ? MEM_PM1 : 0);                                                  \
    }
DEFINE_BASE_STACK(15)
DEFINE_BASE_STACK(20)
DEFINE_BASE_STACK(30)
DEFINE_BASE_STACK(40)
DEFINE_BASE(60)
DEFINE_BASE(79)
DEFINE_BASE(119)
DEFINE_BASE(158)

static IFMA_TARGET __attribute__((noinline)) void base_any(base_view *v)
{
    base_body_teeth(v, v->n, v->t, 0);
}

int32_t IkeFastNative_ModExpIfmaBase8(void *ctx, const uint8_t *exponents, int32_t exponentLength, uint8_t *results,
                                      int32_t lanes)
{
    if (ctx == NULL || exponents == NULL || results == NULL || lanes < 1 || lanes > LANES || exponentLength < 1)
        return IKEFAST_MODEXP_E_ARGUMENT;
    if (((uintptr_t)ctx & 63) != 0 || ((base_header *)ctx)->magic != BASE_MAGIC)
        return IKEFAST_MODEXP_E_CONTEXT;
    if (exponentLength > ((base_header *)ctx)->exponent_length)
        return IKEFAST_MODEXP_E_ARGUMENT;
    if (!IkeFastNative_ModExpIfmaSupported())
        return IKEFAST_MODEXP_E_UNSUPPORTED_CPU;

    base_view v;
    base_view_of(ctx, &v);
    base_digits(&v, exponents, exponentLength, lanes);
    switch (v.n)
    {
    case 15: base_15(&v); break;
    case 20: base_20(&v); break;
    case 30: base_30(&v); break;
    case 40: base_40(&v); break;
    case 60: base_60(&v); break;
    case 79: base_79(&v); break;
    case 119: base_119(&v); break;
    case 158: base_158(&v); break;
    default: base_any(&v); break;
    }

    const int32_t len = v.h->modulus_length;
    for (int lane = 0; lane < lanes; lane++)
        limbs_to_bytes(&v.acc[0][lane], LANES, v.n, results + (size_t)lane * len, len);

    /* acc, sel, t and the digits derive from the exponents: wipe them (the table holds powers of the base only). */
    memset(v.acc, 0, sizeof(limbvec) * (size_t)(v.n + 2));
    memset(v.sel, 0, sizeof(limbvec) * (size_t)(v.n + 2));
    memset(v.t, 0, sizeof(limbvec) * (size_t)(2 * v.n + 2));
    memset(v.digits, 0, sizeof(limbvec) * (size_t)v.h->tables * v.h->spacing);
    __asm__ __volatile__("" : : "r"(v.digits) : "memory");
    return IKEFAST_MODEXP_OK;
}

int32_t IkeFastNative_ModExpIfmaBaseCounters(const void *ctx, uint64_t *counters, int32_t count)
{
    if (ctx == NULL || counters == NULL || count < 0)
        return IKEFAST_MODEXP_E_ARGUMENT;
    const base_header *h = (const base_header *)ctx;
    if (h->magic != BASE_MAGIC)
        return IKEFAST_MODEXP_E_CONTEXT;
    int32_t k = count < IKEFAST_MODEXP_COUNTER_COUNT ? count : IKEFAST_MODEXP_COUNTER_COUNT;
    for (int32_t i = 0; i < k; i++)
        counters[i] = h->counters[i];
    return k;
}

/*
 * Multi-lane Montgomery modular exponentiation (Diffie-Hellman over the MODP groups of RFC 2409 section 6 and
 * RFC 3526) on AVX-512 IFMA: eight independent exponentiations, one per 64-bit lane of a 512-bit register, all
 * sharing one odd modulus. Limbs are radix 2^52 (vpmadd52luq / vpmadd52huq); limb i of lane j is stored at
 * [i * 8 + j] ("lane-interleaved"), so one vector holds limb i of every lane.
 *
 * Constant time: the exponent is scanned with a fixed window whose width depends only on the (public) exponent
 * length; every table entry is read for every window and the wanted one is picked with a per-lane mask, so the
 * instruction and memory trace is the same for every exponent value.
 */
#ifndef IKEFAST_MODEXP_H
#define IKEFAST_MODEXP_H

#include <stdint.h>
#include "ikefast_native.h"

/* Status codes (negative: nothing was written to the outputs). */
#define IKEFAST_MODEXP_OK 0
#define IKEFAST_MODEXP_E_UNSUPPORTED_CPU (-1) /* no AVX-512 F/VL/IFMA (or the OS does not save zmm state) */
#define IKEFAST_MODEXP_E_ARGUMENT (-2)        /* null pointer, bad length or lane count */
#define IKEFAST_MODEXP_E_MODULUS (-3)         /* even modulus, or too small/large */
#define IKEFAST_MODEXP_E_BASE (-4)            /* a base is not below the modulus */
#define IKEFAST_MODEXP_E_CONTEXT (-5)         /* context buffer too small, misaligned or not initialised */

/* Bits of IkeFastNative_CpuFeatures(). */
#define IKEFAST_CPU_AVX2 (1u << 0)
#define IKEFAST_CPU_AVX512F (1u << 1)
#define IKEFAST_CPU_AVX512VL (1u << 2)
#define IKEFAST_CPU_AVX512IFMA (1u << 3)
#define IKEFAST_CPU_BMI2 (1u << 4)
#define IKEFAST_CPU_ADX (1u << 5)

/* Number of lanes of one IkeFastNative_ModExpIfma8 call. */
#define IKEFAST_MODEXP_LANES 8
/* Modulus sizes accepted: 64 .. 8192 bits (MODP group 1 is 768, group 18 is 8192). */
#define IKEFAST_MODEXP_MAX_MODULUS_BYTES 1024
#define IKEFAST_MODEXP_MIN_MODULUS_BYTES 8

/* Counters kept in a context (for the constant-time test: they must not depend on exponent values). */
#define IKEFAST_MODEXP_COUNTER_MULTIPLICATIONS 0 /* Montgomery multiplications (squarings included) */
#define IKEFAST_MODEXP_COUNTER_TABLE_READS 1     /* table entries read (all of them, every window) */
#define IKEFAST_MODEXP_COUNTER_CALLS 2           /* ModExpIfma8 calls that computed something */
#define IKEFAST_MODEXP_COUNTER_COUNT 3

/* CPU features this library detects at run time (IKEFAST_CPU_* bits). */
IKEFAST_EXPORT uint32_t IkeFastNative_CpuFeatures(void);

/* 1 when IkeFastNative_ModExpIfma8 can run on this CPU, else 0. */
IKEFAST_EXPORT int32_t IkeFastNative_ModExpIfmaSupported(void);

/*
 * Bytes of a context for a modulus of modulusLength bytes (or a negative status). The caller allocates it
 * 64-byte aligned, keeps it for the life of the group and frees it; no allocation happens inside the library.
 * A context carries its own scratch space, so one context serves one thread at a time.
 */
IKEFAST_EXPORT int64_t IkeFastNative_ModExpIfmaContextSize(int32_t modulusLength);

/* Prepares ctx for the odd big-endian modulus (precomputes -m^-1 mod 2^52, R mod m and R^2 mod m). */
IKEFAST_EXPORT int32_t IkeFastNative_ModExpIfmaInit(
    void *ctx, int64_t contextLength, const uint8_t *modulus, int32_t modulusLength);

/*
 * results[k] = bases[k] ^ exponents[k] mod m for k < lanes (1..8). Every base, and every result, is a
 * big-endian number of exactly modulusLength bytes, lane k at offset k * modulusLength; every exponent is a
 * big-endian number of exactly exponentLength bytes (pad shorter ones with leading zeros: the work depends on
 * exponentLength, never on the exponent value). Bases must be below the modulus. Unused lanes cost the same as
 * used ones.
 */
IKEFAST_EXPORT int32_t IkeFastNative_ModExpIfma8(
    void *ctx, const uint8_t *bases, const uint8_t *exponents, int32_t exponentLength, uint8_t *results,
    int32_t lanes);

/* Copies the context's IKEFAST_MODEXP_COUNTER_* values to counters[0..count) and returns how many it copied. */
IKEFAST_EXPORT int32_t IkeFastNative_ModExpIfmaCounters(const void *ctx, uint64_t *counters, int32_t count);

/*
 * Fixed-base exponentiation (key pairs g^x, g = 2 for every MODP group) with precomputed powers of the base: a comb
 * (Lim-Lee) of `tables` tables of 2^teeth entries, teeth spaced `spacing` bits apart, covering 8 * exponentLength
 * bits. For a 256-bit exponent and 4 teeth: 64 tables, no squarings, 64 multiplications (the variable-base kernel
 * needs about 256 squarings and 80 multiplications). The table is built once per context (milliseconds) and read whole
 * on every multiplication: the entry is chosen inside registers (vpermi2q), so the memory trace does not depend on
 * the exponents.
 */
#define IKEFAST_MODEXP_BASE_MIN_TEETH 4
#define IKEFAST_MODEXP_BASE_MAX_TEETH 6

/*
 * Bytes of a fixed-base context for a modulus of modulusLength bytes and exponents of up to exponentLength bytes
 * (teeth 4..6, or 0 for the default), or a negative status. Allocate it 64-byte aligned, as for the other context.
 */
IKEFAST_EXPORT int64_t IkeFastNative_ModExpIfmaBaseContextSize(int32_t modulusLength, int32_t exponentLength, int32_t teeth);

/*
 * Prepares ctx for the odd big-endian modulus and the big-endian base (below the modulus, at most modulusLength
 * bytes) and builds the comb tables for exponents of up to exponentLength bytes (teeth as above). Needs IFMA.
 */
IKEFAST_EXPORT int32_t IkeFastNative_ModExpIfmaBaseInit(
    void *ctx, int64_t contextLength, const uint8_t *modulus, int32_t modulusLength, const uint8_t *base,
    int32_t baseLength, int32_t exponentLength, int32_t teeth);

/*
 * results[k] = base ^ exponents[k] mod m for k < lanes (1..8); every exponent is big-endian of exponentLength bytes
 * (at most the context's; the work depends on the context's length, never on exponent values), every result
 * big-endian of modulusLength bytes.
 */
IKEFAST_EXPORT int32_t IkeFastNative_ModExpIfmaBase8(
    void *ctx, const uint8_t *exponents, int32_t exponentLength, uint8_t *results, int32_t lanes);

/* As IkeFastNative_ModExpIfmaCounters, for a fixed-base context. */
IKEFAST_EXPORT int32_t IkeFastNative_ModExpIfmaBaseCounters(const void *ctx, uint64_t *counters, int32_t count);

#endif

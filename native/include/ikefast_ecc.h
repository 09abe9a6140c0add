/*
 * Multi-lane elliptic-curve Diffie-Hellman on AVX-512 IFMA: eight independent scalar multiplications per call,
 * one per 64-bit lane of a 512-bit register. Field elements are five radix-2^52 limbs (vpmadd52luq /
 * vpmadd52huq); limb i of every lane sits in one vector.
 *
 * Constant time: the scalar bits only select lanes through masks (conditional swaps); the instruction and memory
 * trace is the same for every scalar and point value.
 */
#ifndef IKEFAST_ECC_H
#define IKEFAST_ECC_H

#include <stdint.h>
#include "ikefast_native.h"

/* Status codes (negative: nothing was written). */
#define IKEFAST_ECC_E_UNSUPPORTED_CPU (-1) /* no AVX-512 F/VL/IFMA (or the OS does not save zmm state) */
#define IKEFAST_ECC_E_ARGUMENT (-2)        /* null pointer or lane count outside 1..8 */

/* Lanes of one call. */
#define IKEFAST_ECC_LANES 8
/* Bytes of an X25519 scalar, u-coordinate and shared secret (RFC 7748 section 5). */
#define IKEFAST_X25519_BYTES 32

/* 1 when IkeFastNative_X25519Ifma8 can run on this CPU, else 0. */
IKEFAST_EXPORT int32_t IkeFastNative_X25519IfmaSupported(void);

/*
 * X25519 (RFC 7748 section 5) for `lanes` (1..8) independent inputs: results[32*k] = X25519(scalars[32*k],
 * points[32*k]). Scalars are clamped and the top bit of each u-coordinate is masked as RFC 7748 prescribes;
 * non-canonical u values are accepted. Returns a bit mask (bit k = lane k) of lanes whose result is all zeros
 * (a low-order peer point, which RFC 7748 section 6.1 / RFC 8031 section 2.3 require the caller to reject), or a
 * negative status. Buffers may not overlap.
 */
IKEFAST_EXPORT int32_t IkeFastNative_X25519Ifma8(
    uint8_t *results, const uint8_t *scalars, const uint8_t *points, int32_t lanes);

/*
 * Key pairs: results[32*k] = X25519(scalars[32*k], 9), the public value of a clamped scalar, bit-identical to
 * IkeFastNative_X25519Ifma8 with u = 9, by a fixed-base comb on the birationally equivalent edwards25519 (a 30 KiB
 * table of multiples of the base point built at the first call; 64 mixed additions instead of 255 ladder steps).
 * Returns the mask of all-zero results (never set for a clamped scalar) or a negative status.
 */
IKEFAST_EXPORT int32_t IkeFastNative_X25519Ifma8Base(uint8_t *results, const uint8_t *scalars, int32_t lanes);

/* Bytes of a P-256 scalar and coordinate, and of an uncompressed point x || y (RFC 5903 section 7). */
#define IKEFAST_P256_BYTES 32
#define IKEFAST_P256_POINT_BYTES 64

/* 1 when IkeFastNative_P256Ifma8 can run on this CPU, else 0. */
IKEFAST_EXPORT int32_t IkeFastNative_P256IfmaSupported(void);

/*
 * ECDH on NIST P-256 (secp256r1; IKE group 19, RFC 5903) for `lanes` (1..8) independent inputs: results[32*k] =
 * the big-endian x-coordinate of scalars[32*k] * points[64*k], where a scalar is 32 big-endian bytes and a point
 * is x || y (32 big-endian bytes each). Complete projective formulas (Renes-Costello-Batina 2016, a = -3) and a
 * fixed 4-bit window with a full-table masked select: no exceptional cases, constant time.
 * Returns a mask or a negative status: bit k (0..7) = lane k's result is the point at infinity (scalar 0 mod n);
 * bit 8 + k = lane k's point is invalid (a coordinate >= p, or not on the curve: RFC 6989 section 2.3 requires
 * the caller to reject it). Result bytes of flagged lanes are zero. Buffers may not overlap.
 */
IKEFAST_EXPORT int32_t IkeFastNative_P256Ifma8(
    uint8_t *results, const uint8_t *scalars, const uint8_t *points, int32_t lanes);

/*
 * As IkeFastNative_P256Ifma8, but results[64*k] is the whole affine point x || y (32 big-endian bytes each): a key
 * pair's public value d G (RFC 5903 section 7: the KE payload is x || y) computed on the same lanes as the shared
 * secrets. Flagged lanes get 64 zero bytes.
 */
IKEFAST_EXPORT int32_t IkeFastNative_P256Ifma8Point(
    uint8_t *results, const uint8_t *scalars, const uint8_t *points, int32_t lanes);

/*
 * Key pairs: results[64*k] = scalars[32*k] * G as x || y, by a fixed-base comb (a 80 KiB table of multiples of G
 * built at the first call; about 3x fewer field multiplications than IkeFastNative_P256Ifma8Point with G). Returns
 * the infinity mask (bit k: scalar 0 mod n, 64 zero bytes) or a negative status.
 */
IKEFAST_EXPORT int32_t IkeFastNative_P256Ifma8Base(uint8_t *results, const uint8_t *scalars, int32_t lanes);

#endif

/*
 * SHA-1 and SHA-256 compression functions on the x86 SHA extensions (SHA-NI), for the IKEv1 PRFs
 * (HMAC-SHA1 / HMAC-SHA2-256, RFC 2104 / RFC 4868). .NET 10 has no SHA intrinsics and its HMAC goes through
 * OpenSSL with a context set-up per call; these kernels let the managed HMAC keep ipad/opad midstates and pay
 * only for the compressions. Only whole 64-byte blocks: padding and HMAC are done by the caller
 * (src/Ike.Fast/Crypto/Sha32Hasher.cs). The caller checks CPUID for SHA/SSE4.1 before calling.
 * Structure follows FIPS 180-4 §6.1.2 / §6.2.2 with the message schedule done by SHA1MSG1/2, SHA256MSG1/2.
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "ikefast_native.h"

#define IKEFAST_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* Exports (declared here rather than in the shared header; called through function pointers resolved by
 * src/Ike.Fast/Crypto/Interop/ShaNative.cs). state: 8 words (SHA-256) or 5 words (SHA-1), FIPS 180-4 order. */
IKEFAST_EXPORT void IkeFastNative_Sha256CompressShaNi(uint32_t *state, const uint8_t *data, size_t blocks);
IKEFAST_EXPORT void IkeFastNative_Sha1CompressShaNi(uint32_t *state, const uint8_t *data, size_t blocks);

static const uint32_t k256[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/*
 * Four SHA-256 rounds (group i of 16). w[] holds message groups i..i+3 in rotation; group i+1 is finished with
 * SHA256MSG2 here (i = 3..14) and group i+3 started with SHA256MSG1 (i = 1..12).
 */
#define SHA256_GROUP(i)                                                                     \
    do {                                                                                    \
        if ((i) < 4) {                                                                      \
            w[(i) % 4] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * (i))), bswap); \
        }                                                                                   \
        msg = _mm_add_epi32(w[(i) % 4], _mm_load_si128((const __m128i *)&k256[4 * (i)]));   \
        state1 = _mm_sha256rnds2_epu32(state1, state0, msg);                                \
        if ((i) >= 3 && (i) <= 14) {                                                        \
            tmp = _mm_alignr_epi8(w[(i) % 4], w[((i) + 3) % 4], 4);                          \
            w[((i) + 1) % 4] = _mm_add_epi32(w[((i) + 1) % 4], tmp);                         \
            w[((i) + 1) % 4] = _mm_sha256msg2_epu32(w[((i) + 1) % 4], w[(i) % 4]);            \
        }                                                                                   \
        msg = _mm_shuffle_epi32(msg, 0x0E);                                                 \
        state0 = _mm_sha256rnds2_epu32(state0, state1, msg);                                \
        if ((i) >= 1 && (i) <= 12) {                                                        \
            w[((i) + 3) % 4] = _mm_sha256msg1_epu32(w[((i) + 3) % 4], w[(i) % 4]);            \
        }                                                                                   \
    } while (0)

IKEFAST_SHA_TARGET
void IkeFastNative_Sha256CompressShaNi(uint32_t *state, const uint8_t *data, size_t blocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i state0, state1, msg, tmp, abef, cdgh;
    __m128i w[4];

    /* The rounds instruction wants the state as ABEF / CDGH. */
    tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1);   /* CDAB */
    state1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B); /* EFGH */
    state0 = _mm_alignr_epi8(tmp, state1, 8);                                      /* ABEF */
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);                                   /* CDGH */

    while (blocks-- > 0) {
        abef = state0;
        cdgh = state1;
        SHA256_GROUP(0);  SHA256_GROUP(1);  SHA256_GROUP(2);  SHA256_GROUP(3);
        SHA256_GROUP(4);  SHA256_GROUP(5);  SHA256_GROUP(6);  SHA256_GROUP(7);
        SHA256_GROUP(8);  SHA256_GROUP(9);  SHA256_GROUP(10); SHA256_GROUP(11);
        SHA256_GROUP(12); SHA256_GROUP(13); SHA256_GROUP(14); SHA256_GROUP(15);
        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
        data += 64;
    }

    tmp = _mm_shuffle_epi32(state0, 0x1B);       /* FEBA */
    state1 = _mm_shuffle_epi32(state1, 0xB1);    /* DCHG */
    state0 = _mm_blend_epi16(tmp, state1, 0xF0); /* DCBA */
    state1 = _mm_alignr_epi8(state1, tmp, 8);    /* HGFE */
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}

/*
 * Four SHA-1 rounds (group i of 20, round function i / 5). e[0]/e[1] alternate as the "E" input; the message
 * schedule W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) is spread over SHA1MSG1, XOR and SHA1MSG2.
 */
#define SHA1_GROUP(i)                                                                       \
    do {                                                                                    \
        if ((i) < 4) {                                                                      \
            w[(i) % 4] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * (i))), bswap); \
        }                                                                                   \
        if ((i) == 0) {                                                                     \
            e[0] = _mm_add_epi32(e[0], w[0]);                                               \
        } else {                                                                            \
            e[(i) % 2] = _mm_sha1nexte_epu32(e[(i) % 2], w[(i) % 4]);                        \
        }                                                                                   \
        e[((i) + 1) % 2] = abcd;                                                            \
        if ((i) >= 3 && (i) <= 18) {                                                        \
            w[((i) + 1) % 4] = _mm_sha1msg2_epu32(w[((i) + 1) % 4], w[(i) % 4]);              \
        }                                                                                   \
        abcd = _mm_sha1rnds4_epu32(abcd, e[(i) % 2], (i) / 5);                              \
        if ((i) >= 1 && (i) <= 16) {                                                        \
            w[((i) + 3) % 4] = _mm_sha1msg1_epu32(w[((i) + 3) % 4], w[(i) % 4]);              \
        }                                                                                   \
        if ((i) >= 2 && (i) <= 17) {                                                        \
            w[((i) + 2) % 4] = _mm_xor_si128(w[((i) + 2) % 4], w[(i) % 4]);                  \
        }                                                                                   \
    } while (0)

IKEFAST_SHA_TARGET
void IkeFastNative_Sha1CompressShaNi(uint32_t *state, const uint8_t *data, size_t blocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
    __m128i abcd, abcd_save, e_save;
    __m128i w[4], e[2];

    abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)state), 0x1B);
    e[0] = _mm_set_epi32((int)state[4], 0, 0, 0);
    e[1] = _mm_setzero_si128();

    while (blocks-- > 0) {
        abcd_save = abcd;
        e_save = e[0];
        SHA1_GROUP(0);  SHA1_GROUP(1);  SHA1_GROUP(2);  SHA1_GROUP(3);  SHA1_GROUP(4);
        SHA1_GROUP(5);  SHA1_GROUP(6);  SHA1_GROUP(7);  SHA1_GROUP(8);  SHA1_GROUP(9);
        SHA1_GROUP(10); SHA1_GROUP(11); SHA1_GROUP(12); SHA1_GROUP(13); SHA1_GROUP(14);
        SHA1_GROUP(15); SHA1_GROUP(16); SHA1_GROUP(17); SHA1_GROUP(18); SHA1_GROUP(19);
        e[0] = _mm_sha1nexte_epu32(e[0], e_save);
        abcd = _mm_add_epi32(abcd, abcd_save);
        data += 64;
    }

    _mm_storeu_si128((__m128i *)state, _mm_shuffle_epi32(abcd, 0x1B));
    state[4] = (uint32_t)_mm_extract_epi32(e[0], 3);
}

/*
 * libikefast_native XFRM shim: a thin layer over a NETLINK_XFRM socket (SAs, SPIs, policies, kernel events) and the
 * two per-socket options an IKE daemon needs (UDP encapsulation on the NAT-T port, IPsec policy bypass).
 *
 * Conventions (mirrored by src/Ike.Native/Interop/Interop.Xfrm*.cs, keep layouts in sync):
 *  - every function returns 0 or a negative errno (kernel refusals are passed through unchanged, shim checks use
 *    -EINVAL for bad parameters, -ENOSPC for a too-small caller buffer, -EAGAIN for "no event pending");
 *  - addresses are 16-byte arrays in network order (IPv4 in the first 4 bytes), ports and SPIs in host order;
 *  - the Build functions write one complete netlink message (nlmsg_seq = nlmsg_pid = 0) into a caller buffer and
 *    send nothing; IkeFastNative_XfrmTransact numbers and sends a buffer of such messages in one sendmsg.
 */
#ifndef IKEFAST_XFRM_H
#define IKEFAST_XFRM_H

#include <stddef.h>
#include <stdint.h>

#include "ikefast_native.h"

/* Encryption transforms, mapped to the kernel's crypto API names in xfrm.c. */
enum
{
    IKEFAST_XFRM_ENC_NONE = 0,
    IKEFAST_XFRM_ENC_AES_CBC = 1,     /* cbc(aes), RFC 3602 */
    IKEFAST_XFRM_ENC_3DES_CBC = 2,    /* cbc(des3_ede), RFC 2451 */
    IKEFAST_XFRM_ENC_AES_CTR = 3,     /* rfc3686(ctr(aes)), key || 4-byte nonce */
    IKEFAST_XFRM_ENC_AES_GCM_16 = 4,  /* rfc4106(gcm(aes)), AEAD, key || 4-byte salt, 128-bit ICV */
    IKEFAST_XFRM_ENC_NULL = 5,        /* ecb(cipher_null), RFC 2410 */
};

/* Integrity transforms (XFRMA_ALG_AUTH_TRUNC with the RFC truncation). */
enum
{
    IKEFAST_XFRM_AUTH_NONE = 0,
    IKEFAST_XFRM_AUTH_HMAC_SHA1_96 = 1,      /* hmac(sha1), RFC 2404 */
    IKEFAST_XFRM_AUTH_HMAC_SHA256_128 = 2,   /* hmac(sha256), RFC 4868 */
    IKEFAST_XFRM_AUTH_HMAC_SHA384_192 = 3,   /* hmac(sha384), RFC 4868 */
    IKEFAST_XFRM_AUTH_HMAC_SHA512_256 = 4,   /* hmac(sha512), RFC 4868 */
    IKEFAST_XFRM_AUTH_HMAC_MD5_96 = 5,       /* hmac(md5), RFC 2403 */
};

/* Event kinds returned by IkeFastNative_XfrmParseEvent / ReceiveEvent. */
enum
{
    IKEFAST_XFRM_EVENT_NONE = 0,
    IKEFAST_XFRM_EVENT_ACQUIRE = 1,
    IKEFAST_XFRM_EVENT_SOFT_EXPIRE = 2,
    IKEFAST_XFRM_EVENT_HARD_EXPIRE = 3,
    IKEFAST_XFRM_EVENT_OTHER = 4, /* a message of another type (e.g. XFRM_MSG_NEWSA notification): skipped */
};

/* Multicast groups for IkeFastNative_XfrmOpen (the legacy XFRMGRP_* bit values). */
#define IKEFAST_XFRM_GROUP_ACQUIRE 1u
#define IKEFAST_XFRM_GROUP_EXPIRE 2u

typedef struct IkeFastXfrmSelector
{
    uint8_t dst[16];
    uint8_t src[16];
    uint16_t dport;
    uint16_t dport_mask;
    uint16_t sport;
    uint16_t sport_mask;
    uint16_t family;       /* AF_INET, AF_INET6, or 0 for "any" */
    uint8_t prefixlen_d;
    uint8_t prefixlen_s;
    uint8_t proto;         /* upper-layer protocol, 0 = any */
    uint8_t reserved[3];
    int32_t ifindex;
    uint32_t reserved_user; /* sent as 0 */
} IkeFastXfrmSelector;     /* 56 bytes */

typedef struct IkeFastXfrmLifetime
{
    uint64_t soft_byte_limit;      /* 0 = unlimited (sent as XFRM_INF) */
    uint64_t hard_byte_limit;
    uint64_t soft_packet_limit;
    uint64_t hard_packet_limit;
    uint64_t soft_add_expires_seconds; /* 0 = none */
    uint64_t hard_add_expires_seconds;
    uint64_t soft_use_expires_seconds;
    uint64_t hard_use_expires_seconds;
} IkeFastXfrmLifetime;     /* 64 bytes */

typedef struct IkeFastXfrmSaParams
{
    uint8_t dst[16];
    uint8_t src[16];
    uint32_t spi;
    uint32_t reqid;
    uint16_t family;
    uint8_t proto;          /* IPPROTO_ESP (50) or IPPROTO_AH (51) */
    uint8_t mode;           /* XFRM_MODE_TRANSPORT (0) or XFRM_MODE_TUNNEL (1) */
    uint32_t replay_window; /* packets; > 32 is sent as XFRMA_REPLAY_ESN_VAL */
    uint8_t flags;          /* XFRM_STATE_* (NOECN, DECAP_DSCP, ...) */
    uint8_t enc_alg;        /* IKEFAST_XFRM_ENC_* */
    uint8_t auth_alg;       /* IKEFAST_XFRM_AUTH_* */
    uint8_t reserved0;
    uint16_t encap_type;    /* 0 = none, 2 = UDP_ENCAP_ESPINUDP (RFC 3948) */
    uint16_t encap_sport;
    uint16_t encap_dport;
    uint16_t reserved1;
    uint32_t enc_key_len;   /* bytes */
    uint32_t auth_key_len;  /* bytes */
    uint32_t reserved2;
    const uint8_t *enc_key;
    const uint8_t *auth_key;
    IkeFastXfrmSelector sel;
    IkeFastXfrmLifetime lifetime;
    uint8_t encap_oa[16];   /* encap_oa of XFRMA_ENCAP: the peer's NAT-OA (RFC 3947 section 5.2), zero if none */
} IkeFastXfrmSaParams;

typedef struct IkeFastXfrmTemplate
{
    uint8_t dst[16];
    uint8_t src[16];
    uint32_t spi;
    uint32_t reqid;
    uint16_t family;
    uint8_t proto;
    uint8_t mode;
    uint8_t optional;       /* 1 = "level use" */
    uint8_t reserved[3];
} IkeFastXfrmTemplate;     /* 48 bytes */

typedef struct IkeFastXfrmPolicyParams
{
    IkeFastXfrmSelector sel;
    uint32_t priority;
    uint32_t index;
    uint8_t dir;            /* XFRM_POLICY_IN (0), OUT (1), FWD (2) */
    uint8_t action;         /* XFRM_POLICY_ALLOW (0), BLOCK (1) */
    uint8_t flags;
    uint8_t template_count; /* 0..4 */
    IkeFastXfrmTemplate templates[4];
} IkeFastXfrmPolicyParams;

typedef struct IkeFastXfrmEvent
{
    uint32_t kind;          /* IKEFAST_XFRM_EVENT_* */
    uint32_t spi;           /* EXPIRE: the SA's SPI */
    uint32_t reqid;         /* EXPIRE: the SA's reqid; ACQUIRE: the first template's reqid */
    uint32_t acquire_seq;   /* ACQUIRE: to be echoed in the SA so the kernel matches the larval state */
    uint32_t policy_index;  /* ACQUIRE: the triggering policy */
    uint16_t family;
    uint8_t proto;
    uint8_t mode;
    uint8_t policy_dir;
    uint8_t reserved[3];
    uint8_t dst[16];
    uint8_t src[16];
    IkeFastXfrmSelector sel;
} IkeFastXfrmEvent;

typedef struct IkeFastXfrm IkeFastXfrm;

/* Opens a NETLINK_XFRM socket, inside the network namespace at netns_path when not NULL (needs CAP_SYS_ADMIN;
 * the calling thread's namespace is restored before returning), subscribed to the IKEFAST_XFRM_GROUP_* in groups. */
IKEFAST_EXPORT int32_t IkeFastNative_XfrmOpen(const char *netns_path, uint32_t groups, IkeFastXfrm **out);
IKEFAST_EXPORT void IkeFastNative_XfrmClose(IkeFastXfrm *xfrm);
IKEFAST_EXPORT int32_t IkeFastNative_XfrmGetFd(const IkeFastXfrm *xfrm);

/* Message builders: return the message length (> 0) or a negative errno. */
IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildSa(const IkeFastXfrmSaParams *sa, int32_t update, uint8_t *buf, int32_t cap);
IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildDeleteSa(const uint8_t *dst, const uint8_t *src, uint16_t family,
                                                      uint8_t proto, uint32_t spi, uint8_t *buf, int32_t cap);
IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildAllocSpi(const uint8_t *dst, const uint8_t *src, uint16_t family,
                                                      uint8_t proto, uint8_t mode, uint32_t reqid, uint32_t acquire_seq,
                                                      uint32_t min, uint32_t max, uint8_t *buf, int32_t cap);
IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildPolicy(const IkeFastXfrmPolicyParams *policy, int32_t update, uint8_t *buf, int32_t cap);
IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildDeletePolicy(const IkeFastXfrmSelector *sel, uint8_t dir, uint8_t *buf, int32_t cap);
/* XFRM_MSG_GETPOLICY (get != 0; answered with the policy, as `ip xfrm policy get`) or XFRM_MSG_DELPOLICY (acked) of
 * the policy with the kernel's index (index != 0; sel may be NULL: the kernel finds it in its index hash, and a
 * delete does not prune the selector tree) or with the selector sel in direction dir (index == 0). */
IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildPolicyId(const IkeFastXfrmSelector *sel, uint8_t dir, uint32_t index, int32_t get,
                                                      uint8_t *buf, int32_t cap);

/* IkeFastNative_XfrmTransact flags. BARRIER: the messages go without NLM_F_ACK and one NLMSG_NOOP with
 * NLM_F_REQUEST | NLM_F_ACK follows them in the same datagram, so a batch costs the kernel one ack instead of one per
 * message. netlink_rcv_skb (net/netlink/af_netlink.c) handles the messages of a datagram in order and answers an
 * error whether or not NLM_F_ACK was asked for; a control type (< NLMSG_MIN_TYPE) is not dispatched but acked when
 * NLM_F_ACK is set. So the NOOP's ack comes after every error of the batch: a message with no error by then
 * succeeded. */
#define IKEFAST_XFRM_TRANSACT_BARRIER 1
/* The barrier message: a bare struct nlmsghdr. */
#define IKEFAST_XFRM_BARRIER_SIZE 16

/* The first step of IkeFastNative_XfrmTransact, exported for tests: numbers the count messages in buf from first_seq
 * (nlmsg_seq; nlmsg_pid 0) and sets states[i] to what completes message i: 1 its ack (NLM_F_ACK), 2 its answer (no
 * NLM_F_ACK: a GET, ALLOCSPI), 3 the barrier (BARRIER: NLM_F_ACK cleared). With BARRIER, barrier (IKEFAST_XFRM_BARRIER_SIZE
 * bytes) receives the NLMSG_NOOP (sequence first_seq + count). Returns 0, or -EINVAL for a malformed buffer (then zeroed). */
IKEFAST_EXPORT int32_t IkeFastNative_XfrmNumberBatch(uint8_t *buf, int32_t len, int32_t count, uint32_t first_seq, int32_t flags,
                                                    uint8_t *barrier, int32_t *states);

/* Numbers the count messages in buf (nlmsg_seq), sends them in one sendmsg, collects each message's outcome into
 * errors[i] (0 or negative errno), then zeroes buf (it may hold keys). A message with NLM_F_ACK completes with its
 * ack; one without (a GET, ALLOCSPI) with its answer or an error; with IKEFAST_XFRM_TRANSACT_BARRIER in flags, the
 * acked messages are sent without NLM_F_ACK and complete with the barrier's ack unless an error names them first.
 * When values is not NULL, values[i] receives what an answer carries (0 if none): a policy's index
 * (XFRM_MSG_NEWPOLICY), an SA's SPI in host order (XFRM_MSG_NEWSA). The answers are read with recvmmsg, up to 16 per
 * system call. Returns 0 when the exchange itself worked (individual refusals are in errors), or a negative errno for
 * a socket failure. */
IKEFAST_EXPORT int32_t IkeFastNative_XfrmTransact(IkeFastXfrm *xfrm, uint8_t *buf, int32_t len, int32_t count, int32_t *errors,
                                                 uint32_t *values, int32_t flags);

/* Allocates an SPI in [min, max] (XFRM_MSG_ALLOCSPI; creates a larval SA the later NEWSA/UPDSA replaces). */
IKEFAST_EXPORT int32_t IkeFastNative_XfrmAllocSpi(IkeFastXfrm *xfrm, const uint8_t *dst, const uint8_t *src, uint16_t family,
                                                 uint8_t proto, uint8_t mode, uint32_t reqid, uint32_t acquire_seq,
                                                 uint32_t min, uint32_t max, uint32_t *spi);

/* Parses the first netlink message in buf as an event; *consumed is set to its aligned length. */
IKEFAST_EXPORT int32_t IkeFastNative_XfrmParseEvent(const uint8_t *buf, int32_t len, IkeFastXfrmEvent *event, int32_t *consumed);

/* Receives the next event without blocking longer than timeout_ms (0 = poll, -1 = wait); -EAGAIN when none. */
IKEFAST_EXPORT int32_t IkeFastNative_XfrmReceiveEvent(IkeFastXfrm *xfrm, int32_t timeout_ms, IkeFastXfrmEvent *event);

/* UDP_ENCAP = UDP_ENCAP_ESPINUDP on the NAT-T socket (RFC 3948). */
IKEFAST_EXPORT int32_t IkeFastNative_SetUdpEncap(int32_t fd);

/* Per-socket IPsec policy bypass (IP_XFRM_POLICY / IPV6_XFRM_POLICY, action allow, in and out) so IKE traffic is
 * never caught by the policies it negotiates. family is AF_INET or AF_INET6 (the socket's). */
IKEFAST_EXPORT int32_t IkeFastNative_SetIpsecBypass(int32_t fd, int32_t family);

#endif

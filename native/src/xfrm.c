/*
 * NETLINK_XFRM shim: socket lifetime (optionally in another network namespace), SA/policy message builders whose
 * output is byte-identical to iproute2's for the same request (tests/Ike.Fast.Tests/Native/Xfrm compares them),
 * batched transactions (N messages in one sendmsg, acks matched by sequence number) and kernel event parsing.
 * Message layouts: include/uapi/linux/xfrm.h; netlink framing: include/uapi/linux/netlink.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include "ikefast_xfrm.h"

_Static_assert(sizeof(IkeFastXfrmSelector) == 56, "IkeFastXfrmSelector layout is shared with managed code");
_Static_assert(sizeof(IkeFastXfrmLifetime) == 64, "IkeFastXfrmLifetime layout is shared with managed code");
_Static_assert(sizeof(IkeFastXfrmSaParams) == 224, "IkeFastXfrmSaParams layout is shared with managed code");
_Static_assert(sizeof(IkeFastXfrmTemplate) == 48, "IkeFastXfrmTemplate layout is shared with managed code");
_Static_assert(sizeof(IkeFastXfrmPolicyParams) == 260, "IkeFastXfrmPolicyParams layout is shared with managed code");
_Static_assert(sizeof(IkeFastXfrmEvent) == 116, "IkeFastXfrmEvent layout is shared with managed code");

/* Acks and events are small; 32 KiB holds a full datagram of either (the kernel never merges beyond its page). */
#define XFRM_RX_BUFFER 32768
/* A transaction's answers: one netlink datagram each (acks ~36 bytes with NETLINK_CAP_ACK, a policy or SA ~300-700),
 * read XFRM_RX_SLOTS per recvmmsg into slices of the receive buffer. */
#define XFRM_RX_SLOTS 16
#define XFRM_RX_SLOT_SIZE (XFRM_RX_BUFFER / XFRM_RX_SLOTS)
/* Socket buffers: room for a batch of ~16k policy messages or ~8k SA messages and their acks. */
#define XFRM_SOCKET_BUFFER (4 * 1024 * 1024)
/* How long a transaction waits for the kernel's acks before giving up (the kernel answers synchronously). */
#define XFRM_ACK_TIMEOUT_SECONDS 5

struct IkeFastXfrm
{
    int fd;
    uint32_t seq;
    int32_t rx_len;
    int32_t rx_off;
    uint8_t rx[XFRM_RX_BUFFER] __attribute__((aligned(8)));
};

/* ---- socket lifetime ------------------------------------------------------------------------------------------- */

IKEFAST_EXPORT int32_t IkeFastNative_XfrmOpen(const char *netns_path, uint32_t groups, IkeFastXfrm **out)
{
    if (out == NULL)
        return -EINVAL;
    *out = NULL;

    int own = -1, target = -1, fd, err = 0;
    if (netns_path != NULL)
    {
        target = open(netns_path, O_RDONLY | O_CLOEXEC);
        if (target < 0)
            return -errno;
        /* thread-self: setns changes only the calling thread, so that is the namespace to come back to. */
        own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (own < 0)
        {
            err = -errno;
            close(target);
            return err;
        }
        if (setns(target, CLONE_NEWNET) < 0)
        {
            err = -errno;
            close(target);
            close(own);
            return err;
        }
    }

    /* A socket stays in the namespace it was created in, whatever the thread does afterwards. */
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
    if (fd < 0)
        err = -errno;

    if (netns_path != NULL)
    {
        int restored = setns(own, CLONE_NEWNET);
        int restore_err = errno;
        close(own);
        close(target);
        if (restored < 0)
        {
            if (fd >= 0)
                close(fd);
            return -restore_err;
        }
    }
    if (fd < 0)
        return err;

    struct sockaddr_nl local = {.nl_family = AF_NETLINK, .nl_groups = groups};
    int one = 1;
    struct timeval timeout = {.tv_sec = XFRM_ACK_TIMEOUT_SECONDS};
    /* NETLINK_CAP_ACK: error acks must not echo the request back, since the request may carry keys. */
    if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
        setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0)
    {
        err = -errno;
        close(fd);
        return err;
    }

    /* A batch goes out in one datagram, which netlink refuses when longer than the send buffer, and its acks all
     * queue on the receive buffer before we read any: raise both (the FORCE forms need CAP_NET_ADMIN, which an XFRM
     * user has anyway; without it the plain forms are capped by net.core.[rw]mem_max). Best effort. */
    int size = XFRM_SOCKET_BUFFER;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));

    IkeFastXfrm *xfrm = calloc(1, sizeof(*xfrm));
    if (xfrm == NULL)
    {
        close(fd);
        return -ENOMEM;
    }
    xfrm->fd = fd;
    *out = xfrm;
    return 0;
}

IKEFAST_EXPORT void IkeFastNative_XfrmClose(IkeFastXfrm *xfrm)
{
    if (xfrm == NULL)
        return;
    close(xfrm->fd);
    explicit_bzero(xfrm, sizeof(*xfrm));
    free(xfrm);
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmGetFd(const IkeFastXfrm *xfrm)
{
    return xfrm == NULL ? -EINVAL : xfrm->fd;
}

/* ---- message building ------------------------------------------------------------------------------------------ */

typedef struct
{
    uint8_t *buf;
    int32_t cap;
    int32_t len;
    int32_t err;
} builder;

/* Starts a message: nlmsghdr followed by a fixed header of header_len bytes, all zero (as iproute2's `req = {}`). */
static void *begin(builder *b, uint8_t *buf, int32_t cap, uint16_t type, uint16_t flags, size_t header_len)
{
    b->buf = buf;
    b->cap = cap;
    b->err = 0;
    b->len = (int32_t)NLMSG_LENGTH(header_len);
    if (buf == NULL || cap < (int32_t)NLMSG_SPACE(header_len))
    {
        b->err = -ENOSPC;
        return NULL;
    }
    memset(buf, 0, NLMSG_SPACE(header_len));
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    h->nlmsg_type = type;
    h->nlmsg_flags = flags;
    return NLMSG_DATA(h);
}

/* Appends an attribute with payload_len bytes of zeroed payload and returns the payload (padding zeroed too). */
static void *add_attr(builder *b, uint16_t type, size_t payload_len)
{
    if (b->err != 0)
        return NULL;
    int32_t at = (int32_t)NLMSG_ALIGN(b->len);
    int32_t space = (int32_t)NLA_ALIGN(NLA_HDRLEN + payload_len);
    if (at + space > b->cap)
    {
        b->err = -ENOSPC;
        return NULL;
    }
    memset(b->buf + b->len, 0, (size_t)(at + space - b->len));
    struct nlattr *a = (struct nlattr *)(b->buf + at);
    a->nla_len = (uint16_t)(NLA_HDRLEN + payload_len);
    a->nla_type = type;
    b->len = at + space;
    return (uint8_t *)a + NLA_HDRLEN;
}

static int32_t finish(builder *b)
{
    if (b->err != 0)
    {
        /* A partly built SA message may already hold a key. */
        if (b->buf != NULL && b->len > 0 && b->len <= b->cap)
            explicit_bzero(b->buf, (size_t)b->len);
        return b->err;
    }
    ((struct nlmsghdr *)b->buf)->nlmsg_len = (uint32_t)b->len;
    return b->len;
}

static void put_selector(struct xfrm_selector *k, const IkeFastXfrmSelector *s)
{
    memcpy(&k->daddr, s->dst, 16);
    memcpy(&k->saddr, s->src, 16);
    k->dport = htons(s->dport);
    k->dport_mask = htons(s->dport_mask);
    k->sport = htons(s->sport);
    k->sport_mask = htons(s->sport_mask);
    k->family = s->family;
    k->prefixlen_d = s->prefixlen_d;
    k->prefixlen_s = s->prefixlen_s;
    k->proto = s->proto;
    k->ifindex = s->ifindex;
}

static void get_selector(IkeFastXfrmSelector *s, const struct xfrm_selector *k)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->dst, &k->daddr, 16);
    memcpy(s->src, &k->saddr, 16);
    s->dport = ntohs(k->dport);
    s->dport_mask = ntohs(k->dport_mask);
    s->sport = ntohs(k->sport);
    s->sport_mask = ntohs(k->sport_mask);
    s->family = k->family;
    s->prefixlen_d = k->prefixlen_d;
    s->prefixlen_s = k->prefixlen_s;
    s->proto = k->proto;
    s->ifindex = k->ifindex;
}

/* 0 in the managed lifetime means "no limit", which the kernel spells XFRM_INF for the counters. */
static uint64_t limit(uint64_t v)
{
    return v == 0 ? XFRM_INF : v;
}

typedef struct
{
    const char *name;
    int aead;
    uint32_t icv_bits;
    uint8_t key_lengths[3];
} enc_info;

static const enc_info *enc_lookup(uint8_t alg)
{
    /* Key lengths in bytes include the RFC 3686 nonce / RFC 4106 salt the kernel expects appended to the key. */
    static const enc_info table[] = {
        [IKEFAST_XFRM_ENC_AES_CBC] = {"cbc(aes)", 0, 0, {16, 24, 32}},
        [IKEFAST_XFRM_ENC_3DES_CBC] = {"cbc(des3_ede)", 0, 0, {24, 24, 24}},
        [IKEFAST_XFRM_ENC_AES_CTR] = {"rfc3686(ctr(aes))", 0, 0, {20, 28, 36}},
        [IKEFAST_XFRM_ENC_AES_GCM_16] = {"rfc4106(gcm(aes))", 1, 128, {20, 28, 36}},
        [IKEFAST_XFRM_ENC_NULL] = {"ecb(cipher_null)", 0, 0, {0, 0, 0}},
    };
    if (alg == IKEFAST_XFRM_ENC_NONE || alg >= sizeof(table) / sizeof(table[0]))
        return NULL;
    return &table[alg];
}

typedef struct
{
    const char *name;
    uint32_t trunc_bits;
    uint32_t key_length;
} auth_info;

static const auth_info *auth_lookup(uint8_t alg)
{
    /* Truncations: RFC 2404 (96), RFC 4868 section 2.3 (half the output), RFC 2403 (96). */
    static const auth_info table[] = {
        [IKEFAST_XFRM_AUTH_HMAC_SHA1_96] = {"hmac(sha1)", 96, 20},
        [IKEFAST_XFRM_AUTH_HMAC_SHA256_128] = {"hmac(sha256)", 128, 32},
        [IKEFAST_XFRM_AUTH_HMAC_SHA384_192] = {"hmac(sha384)", 192, 48},
        [IKEFAST_XFRM_AUTH_HMAC_SHA512_256] = {"hmac(sha512)", 256, 64},
        [IKEFAST_XFRM_AUTH_HMAC_MD5_96] = {"hmac(md5)", 96, 16},
    };
    if (alg == IKEFAST_XFRM_AUTH_NONE || alg >= sizeof(table) / sizeof(table[0]))
        return NULL;
    return &table[alg];
}

static int valid_family(uint16_t family)
{
    return family == AF_INET || family == AF_INET6;
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildSa(const IkeFastXfrmSaParams *sa, int32_t update, uint8_t *buf, int32_t cap)
{
    if (sa == NULL || !valid_family(sa->family) || (sa->proto != IPPROTO_ESP && sa->proto != IPPROTO_AH) ||
        sa->mode > XFRM_MODE_TUNNEL || sa->replay_window > 4096)
        return -EINVAL;

    const enc_info *enc = enc_lookup(sa->enc_alg);
    const auth_info *auth = auth_lookup(sa->auth_alg);
    if (sa->enc_alg != IKEFAST_XFRM_ENC_NONE && enc == NULL)
        return -EINVAL;
    if (sa->auth_alg != IKEFAST_XFRM_AUTH_NONE && auth == NULL)
        return -EINVAL;
    if (sa->proto == IPPROTO_ESP && enc == NULL)
        return -EINVAL; /* RFC 4303: ESP always has a cipher (ecb(cipher_null) for integrity only) */
    if (sa->proto == IPPROTO_AH && (enc != NULL || auth == NULL))
        return -EINVAL;
    if (enc != NULL && enc->aead && auth != NULL)
        return -EINVAL; /* RFC 4106 section 8.1: the AEAD provides integrity */
    if (enc != NULL && sa->enc_key_len != enc->key_lengths[0] && sa->enc_key_len != enc->key_lengths[1] &&
        sa->enc_key_len != enc->key_lengths[2])
        return -EINVAL;
    if (auth != NULL && sa->auth_key_len != auth->key_length)
        return -EINVAL;
    if ((sa->enc_key_len != 0 && sa->enc_key == NULL) || (sa->auth_key_len != 0 && sa->auth_key == NULL))
        return -EINVAL;

    builder b;
    struct xfrm_usersa_info *info = begin(&b, buf, cap, update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA,
                                          NLM_F_REQUEST | NLM_F_ACK, sizeof(*info));
    if (info == NULL)
        return b.err;

    put_selector(&info->sel, &sa->sel);
    memcpy(&info->id.daddr, sa->dst, 16);
    info->id.spi = htonl(sa->spi);
    info->id.proto = sa->proto;
    memcpy(&info->saddr, sa->src, 16);
    info->lft.soft_byte_limit = limit(sa->lifetime.soft_byte_limit);
    info->lft.hard_byte_limit = limit(sa->lifetime.hard_byte_limit);
    info->lft.soft_packet_limit = limit(sa->lifetime.soft_packet_limit);
    info->lft.hard_packet_limit = limit(sa->lifetime.hard_packet_limit);
    info->lft.soft_add_expires_seconds = sa->lifetime.soft_add_expires_seconds;
    info->lft.hard_add_expires_seconds = sa->lifetime.hard_add_expires_seconds;
    info->lft.soft_use_expires_seconds = sa->lifetime.soft_use_expires_seconds;
    info->lft.hard_use_expires_seconds = sa->lifetime.hard_use_expires_seconds;
    info->reqid = sa->reqid;
    info->family = sa->family;
    info->mode = sa->mode;
    info->flags = sa->flags;
    /* The legacy replay state is a 32-bit bitmap; wider windows and ESN (RFC 4304) need XFRMA_REPLAY_ESN_VAL, and
     * then this field must be 0 (verify_replay in net/xfrm/xfrm_user.c). */
    int esn_replay = sa->replay_window > 32 || (sa->flags & XFRM_STATE_ESN) != 0;
    info->replay_window = esn_replay ? 0 : (uint8_t)sa->replay_window;

    /* Attribute order = iproute2's for "enc|aead ... auth-trunc ... encap ..." on its command line. */
    if (enc != NULL && enc->aead)
    {
        struct xfrm_algo_aead *alg = add_attr(&b, XFRMA_ALG_AEAD, sizeof(*alg) + sa->enc_key_len);
        if (alg != NULL)
        {
            strncpy(alg->alg_name, enc->name, sizeof(alg->alg_name) - 1);
            alg->alg_key_len = sa->enc_key_len * 8;
            alg->alg_icv_len = enc->icv_bits;
            memcpy(alg->alg_key, sa->enc_key, sa->enc_key_len);
        }
    }
    else if (enc != NULL)
    {
        struct xfrm_algo *alg = add_attr(&b, XFRMA_ALG_CRYPT, sizeof(*alg) + sa->enc_key_len);
        if (alg != NULL)
        {
            strncpy(alg->alg_name, enc->name, sizeof(alg->alg_name) - 1);
            alg->alg_key_len = sa->enc_key_len * 8;
            if (sa->enc_key_len != 0)
                memcpy(alg->alg_key, sa->enc_key, sa->enc_key_len);
        }
    }
    if (auth != NULL)
    {
        struct xfrm_algo_auth *alg = add_attr(&b, XFRMA_ALG_AUTH_TRUNC, sizeof(*alg) + sa->auth_key_len);
        if (alg != NULL)
        {
            strncpy(alg->alg_name, auth->name, sizeof(alg->alg_name) - 1);
            alg->alg_key_len = sa->auth_key_len * 8;
            alg->alg_trunc_len = auth->trunc_bits;
            memcpy(alg->alg_key, sa->auth_key, sa->auth_key_len);
        }
    }
    if (sa->encap_type != 0)
    {
        /* RFC 3948: ESP in UDP. encap_oa is the peer's original address (NAT-OA, RFC 3947 section 5.2), meant for
         * transport-mode checksum fix-up (RFC 3948 section 3.1.2); zero when the peer sent none (tunnel mode). */
        struct xfrm_encap_tmpl *encap = add_attr(&b, XFRMA_ENCAP, sizeof(*encap));
        if (encap != NULL)
        {
            encap->encap_type = sa->encap_type;
            encap->encap_sport = htons(sa->encap_sport);
            encap->encap_dport = htons(sa->encap_dport);
            memcpy(&encap->encap_oa, sa->encap_oa, sizeof(sa->encap_oa));
        }
    }
    if (esn_replay)
    {
        /* Without the bitmap words, as iproute2 sends it: the kernel accepts exactly sizeof(*replay) and
         * allocates the zeroed bitmap itself (xfrm_alloc_replay_state_esn). */
        uint32_t words = (sa->replay_window + 31) / 32;
        struct xfrm_replay_state_esn *replay = add_attr(&b, XFRMA_REPLAY_ESN_VAL, sizeof(*replay));
        if (replay != NULL)
        {
            replay->bmp_len = words;
            replay->replay_window = sa->replay_window;
        }
    }
    return finish(&b);
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildDeleteSa(const uint8_t *dst, const uint8_t *src, uint16_t family,
                                                      uint8_t proto, uint32_t spi, uint8_t *buf, int32_t cap)
{
    if (dst == NULL || !valid_family(family))
        return -EINVAL;
    builder b;
    struct xfrm_usersa_id *id = begin(&b, buf, cap, XFRM_MSG_DELSA, NLM_F_REQUEST | NLM_F_ACK, sizeof(*id));
    if (id == NULL)
        return b.err;
    memcpy(&id->daddr, dst, 16);
    id->spi = htonl(spi);
    id->family = family;
    id->proto = proto;
    if (src != NULL)
    {
        void *saddr = add_attr(&b, XFRMA_SRCADDR, sizeof(xfrm_address_t));
        if (saddr != NULL)
            memcpy(saddr, src, 16);
    }
    return finish(&b);
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildAllocSpi(const uint8_t *dst, const uint8_t *src, uint16_t family,
                                                      uint8_t proto, uint8_t mode, uint32_t reqid, uint32_t acquire_seq,
                                                      uint32_t min, uint32_t max, uint8_t *buf, int32_t cap)
{
    if (dst == NULL || src == NULL || !valid_family(family) || min > max || mode > XFRM_MODE_TUNNEL)
        return -EINVAL;
    builder b;
    /* No NLM_F_ACK: the kernel answers with the new (larval) SA, as for iproute2's `ip xfrm state allocspi`. */
    struct xfrm_userspi_info *spi = begin(&b, buf, cap, XFRM_MSG_ALLOCSPI, NLM_F_REQUEST, sizeof(*spi));
    if (spi == NULL)
        return b.err;
    memcpy(&spi->info.id.daddr, dst, 16);
    spi->info.id.proto = proto;
    memcpy(&spi->info.saddr, src, 16);
    spi->info.family = family;
    spi->info.mode = mode;
    spi->info.reqid = reqid;
    spi->info.seq = acquire_seq;
    /* Lifetimes stay 0 (iproute2 sends them so too): the kernel ignores them for ALLOCSPI's larval SA. */
    spi->min = min;
    spi->max = max;
    return finish(&b);
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildPolicy(const IkeFastXfrmPolicyParams *policy, int32_t update, uint8_t *buf, int32_t cap)
{
    if (policy == NULL || policy->dir > XFRM_POLICY_FWD || policy->action > XFRM_POLICY_BLOCK ||
        policy->template_count > 4)
        return -EINVAL;
    builder b;
    struct xfrm_userpolicy_info *info = begin(&b, buf, cap, update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY,
                                              NLM_F_REQUEST | NLM_F_ACK, sizeof(*info));
    if (info == NULL)
        return b.err;
    put_selector(&info->sel, &policy->sel);
    info->lft.soft_byte_limit = XFRM_INF;
    info->lft.hard_byte_limit = XFRM_INF;
    info->lft.soft_packet_limit = XFRM_INF;
    info->lft.hard_packet_limit = XFRM_INF;
    info->priority = policy->priority;
    info->index = policy->index;
    info->dir = policy->dir;
    info->action = policy->action;
    info->flags = policy->flags;

    if (policy->template_count != 0)
    {
        struct xfrm_user_tmpl *tmpl = add_attr(&b, XFRMA_TMPL, sizeof(*tmpl) * policy->template_count);
        for (uint8_t i = 0; tmpl != NULL && i < policy->template_count; i++)
        {
            const IkeFastXfrmTemplate *t = &policy->templates[i];
            if (!valid_family(t->family) || t->mode > XFRM_MODE_TUNNEL)
                return -EINVAL;
            memcpy(&tmpl[i].id.daddr, t->dst, 16);
            tmpl[i].id.spi = htonl(t->spi);
            tmpl[i].id.proto = t->proto;
            tmpl[i].family = t->family;
            memcpy(&tmpl[i].saddr, t->src, 16);
            tmpl[i].reqid = t->reqid;
            tmpl[i].mode = t->mode;
            tmpl[i].optional = t->optional;
            /* Any algorithm: the SA, not the policy, decides (iproute2 and strongSwan send all ones too). */
            tmpl[i].aalgos = ~0u;
            tmpl[i].ealgos = ~0u;
            tmpl[i].calgos = ~0u;
        }
    }
    return finish(&b);
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildDeletePolicy(const IkeFastXfrmSelector *sel, uint8_t dir, uint8_t *buf, int32_t cap)
{
    if (sel == NULL || dir > XFRM_POLICY_FWD)
        return -EINVAL;
    builder b;
    struct xfrm_userpolicy_id *id = begin(&b, buf, cap, XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK, sizeof(*id));
    if (id == NULL)
        return b.err;
    put_selector(&id->sel, sel);
    id->dir = dir;
    return finish(&b);
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmBuildPolicyId(const IkeFastXfrmSelector *sel, uint8_t dir, uint32_t index, int32_t get,
                                                      uint8_t *buf, int32_t cap)
{
    if ((sel == NULL && index == 0) || dir > XFRM_POLICY_FWD)
        return -EINVAL;
    builder b;
    /* iproute2's `ip xfrm policy get` asks without NLM_F_ACK (the answer is the policy); its delete is acked. */
    struct xfrm_userpolicy_id *id = begin(&b, buf, cap, get ? XFRM_MSG_GETPOLICY : XFRM_MSG_DELPOLICY,
                                          get ? NLM_F_REQUEST : NLM_F_REQUEST | NLM_F_ACK, sizeof(*id));
    if (id == NULL)
        return b.err;
    if (index != 0)
    {
        /* The kernel looks the index up alone; the family is iproute2's default (bytes as `ip xfrm policy delete
         * dir D index N`). */
        id->index = index;
        id->sel.family = sel != NULL && sel->family != 0 ? sel->family : AF_INET;
    }
    else
        put_selector(&id->sel, sel);
    id->dir = dir;
    return finish(&b);
}

/* ---- transactions ---------------------------------------------------------------------------------------------- */

static int32_t send_buffer(IkeFastXfrm *xfrm, uint8_t *buf, int32_t len)
{
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    struct iovec iov = {.iov_base = buf, .iov_len = (size_t)len};
    struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof(kernel), .msg_iov = &iov, .msg_iovlen = 1};
    ssize_t sent;
    do
        sent = sendmsg(xfrm->fd, &msg, 0);
    while (sent < 0 && errno == EINTR);
    int32_t err = sent < 0 ? -errno : (sent != len ? -EIO : 0);
    /* The buffer may hold SA keys; they are in the kernel now. */
    explicit_bzero(buf, (size_t)len);
    return err;
}

static ssize_t receive(IkeFastXfrm *xfrm, int flags)
{
    ssize_t n;
    do
        n = recv(xfrm->fd, xfrm->rx, sizeof(xfrm->rx), flags);
    while (n < 0 && errno == EINTR);
    return n;
}

/* What an answer carries for the caller: a policy's index, an SA's SPI (ALLOCSPI); 0 for anything else. */
static uint32_t answer_value(const struct nlmsghdr *h)
{
    if (h->nlmsg_type == XFRM_MSG_NEWPOLICY && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_userpolicy_info)))
        return ((const struct xfrm_userpolicy_info *)NLMSG_DATA(h))->index;
    if (h->nlmsg_type == XFRM_MSG_NEWSA && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_usersa_info)))
        return ntohl(((const struct xfrm_usersa_info *)NLMSG_DATA(h))->id.spi);
    return 0;
}

_Static_assert(IKEFAST_XFRM_BARRIER_SIZE == NLMSG_HDRLEN, "the barrier is a bare netlink header");

/* What completes a message of a transaction (states[i] while it is pending; then its errno or 0). */
enum
{
    WAIT_ACK = 1,     /* its own ack (NLM_F_ACK) */
    WAIT_ANSWER = 2,  /* its answer (a GET, ALLOCSPI: no NLM_F_ACK) */
    WAIT_BARRIER = 3, /* the barrier's ack, unless an error names it first */
};

IKEFAST_EXPORT int32_t IkeFastNative_XfrmNumberBatch(uint8_t *buf, int32_t len, int32_t count, uint32_t first_seq, int32_t flags,
                                                    uint8_t *barrier, int32_t *states)
{
    if (buf == NULL || len <= 0)
        return -EINVAL;
    int with_barrier = (flags & IKEFAST_XFRM_TRANSACT_BARRIER) != 0;
    if (states == NULL || count <= 0 || (with_barrier && barrier == NULL))
    {
        explicit_bzero(buf, (size_t)len);
        return -EINVAL;
    }
    int32_t off = 0;
    for (int32_t i = 0; i < count; i++)
    {
        struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
        if (len - off < (int32_t)NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN || (int64_t)h->nlmsg_len > (int64_t)(len - off))
        {
            explicit_bzero(buf, (size_t)len);
            return -EINVAL;
        }
        h->nlmsg_seq = first_seq + (uint32_t)i;
        h->nlmsg_pid = 0;
        off += (int32_t)NLMSG_ALIGN(h->nlmsg_len);
        if ((h->nlmsg_flags & NLM_F_ACK) == 0)
            states[i] = WAIT_ANSWER;
        else if (with_barrier)
        {
            /* The kernel still answers a refusal (netlink_rcv_skb acks whenever err != 0): only success is silent. */
            h->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
            states[i] = WAIT_BARRIER;
        }
        else
            states[i] = WAIT_ACK;
    }
    if (with_barrier)
    {
        struct nlmsghdr noop = {
            .nlmsg_len = NLMSG_HDRLEN,
            .nlmsg_type = NLMSG_NOOP,
            .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
            .nlmsg_seq = first_seq + (uint32_t)count,
        };
        memcpy(barrier, &noop, sizeof(noop));
    }
    return 0;
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmTransact(IkeFastXfrm *xfrm, uint8_t *buf, int32_t len, int32_t count, int32_t *errors,
                                                 uint32_t *values, int32_t flags)
{
    if (buf == NULL || len <= 0)
        return -EINVAL;
    if (xfrm == NULL || errors == NULL || count <= 0)
    {
        explicit_bzero(buf, (size_t)len);
        return -EINVAL;
    }

    /* Number the messages; errors[i] > 0 marks "no outcome yet" (the WAIT_* state). A malformed buffer is zeroed all
     * the same. */
    uint32_t first = xfrm->seq + 1;
    uint8_t barrier[NLMSG_HDRLEN] __attribute__((aligned(4)));
    int32_t err = IkeFastNative_XfrmNumberBatch(buf, len, count, first, flags, barrier, errors);
    if (err != 0)
        return err;
    int with_barrier = (flags & IKEFAST_XFRM_TRANSACT_BARRIER) != 0;
    if (values != NULL)
        memset(values, 0, (size_t)count * sizeof(*values));
    xfrm->seq += (uint32_t)count + (with_barrier ? 1u : 0u);
    xfrm->rx_len = xfrm->rx_off = 0;

    /* One datagram: the messages, then the barrier (netlink copies the iovecs into one skb). */
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    struct iovec out[2] = {{.iov_base = buf, .iov_len = (size_t)len}, {.iov_base = barrier, .iov_len = sizeof(barrier)}};
    struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof(kernel), .msg_iov = out, .msg_iovlen = with_barrier ? 2 : 1};
    ssize_t want = (ssize_t)len + (with_barrier ? (ssize_t)sizeof(barrier) : 0);
    ssize_t sent;
    do
        sent = sendmsg(xfrm->fd, &msg, 0);
    while (sent < 0 && errno == EINTR);
    err = sent < 0 ? -errno : (sent != want ? -EIO : 0);
    /* The buffer may hold SA keys; they are in the kernel now. */
    explicit_bzero(buf, (size_t)len);
    if (err != 0)
        return err;

    /* The kernel handles the whole batch inside sendmsg, so every answer is queued by now: one recvmmsg usually
     * collects them all (MSG_WAITFORONE: block for the first only, subject to SO_RCVTIMEO). */
    struct mmsghdr msgs[XFRM_RX_SLOTS];
    struct iovec iov[XFRM_RX_SLOTS];
    int32_t pending = 0;
    for (int32_t i = 0; i < count; i++)
        pending += errors[i] != WAIT_BARRIER;
    int waiting_barrier = with_barrier;
    uint32_t barrier_index = (uint32_t)count;
    while (pending > 0 || waiting_barrier)
    {
        memset(msgs, 0, sizeof(msgs));
        for (int s = 0; s < XFRM_RX_SLOTS; s++)
        {
            iov[s].iov_base = xfrm->rx + (size_t)s * XFRM_RX_SLOT_SIZE;
            iov[s].iov_len = XFRM_RX_SLOT_SIZE;
            msgs[s].msg_hdr.msg_iov = &iov[s];
            msgs[s].msg_hdr.msg_iovlen = 1;
        }
        int n;
        do
            n = recvmmsg(xfrm->fd, msgs, XFRM_RX_SLOTS, MSG_WAITFORONE, NULL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return -errno; /* EAGAIN here = SO_RCVTIMEO expired; ENOBUFS = an answer was dropped (outcome unknown) */
        for (int s = 0; s < n; s++)
        {
            /* A truncated datagram still has its headers (a slot holds any answer of ours). */
            size_t left = msgs[s].msg_len < XFRM_RX_SLOT_SIZE ? msgs[s].msg_len : XFRM_RX_SLOT_SIZE;
            for (struct nlmsghdr *h = (struct nlmsghdr *)iov[s].iov_base; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
            {
                uint32_t index = h->nlmsg_seq - first;
                if (index == barrier_index && waiting_barrier && h->nlmsg_type == NLMSG_ERROR)
                {
                    /* Every answer of the batch came before this one: what is still waiting for the barrier succeeded,
                     * a GET still without its answer got none. */
                    waiting_barrier = 0;
                    for (int32_t i = 0; i < count; i++)
                    {
                        if (errors[i] == WAIT_BARRIER)
                            errors[i] = 0;
                        else if (errors[i] > 0)
                        {
                            errors[i] = -EIO;
                            pending--;
                        }
                    }
                    continue;
                }
                if (index >= (uint32_t)count || errors[index] <= 0)
                    continue; /* a multicast event, a stale answer, or one already complete */
                if (h->nlmsg_type == NLMSG_ERROR)
                {
                    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                        continue;
                    int32_t state = errors[index];
                    errors[index] = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
                    if (state != WAIT_BARRIER)
                        pending--;
                }
                else
                {
                    if (values != NULL)
                        values[index] = answer_value(h);
                    if (errors[index] == WAIT_ANSWER)
                    {
                        errors[index] = 0;
                        pending--;
                    }
                }
            }
        }
    }
    return 0;
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmAllocSpi(IkeFastXfrm *xfrm, const uint8_t *dst, const uint8_t *src, uint16_t family,
                                                 uint8_t proto, uint8_t mode, uint32_t reqid, uint32_t acquire_seq,
                                                 uint32_t min, uint32_t max, uint32_t *spi)
{
    if (xfrm == NULL || spi == NULL)
        return -EINVAL;
    uint8_t buf[NLMSG_SPACE(sizeof(struct xfrm_userspi_info))] __attribute__((aligned(8)));
    int32_t len = IkeFastNative_XfrmBuildAllocSpi(dst, src, family, proto, mode, reqid, acquire_seq, min, max, buf, sizeof(buf));
    if (len < 0)
        return len;
    uint32_t seq = ++xfrm->seq;
    ((struct nlmsghdr *)buf)->nlmsg_seq = seq;
    xfrm->rx_len = xfrm->rx_off = 0;
    int32_t err = send_buffer(xfrm, buf, len);
    if (err != 0)
        return err;
    for (;;)
    {
        ssize_t n = receive(xfrm, 0);
        if (n < 0)
            return -errno;
        size_t left = (size_t)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)xfrm->rx; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
        {
            if (h->nlmsg_seq != seq)
                continue;
            if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)))
            {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                return e->error != 0 ? e->error : -EIO;
            }
            if (h->nlmsg_type == XFRM_MSG_NEWSA && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_usersa_info)))
            {
                const struct xfrm_usersa_info *info = NLMSG_DATA(h);
                *spi = ntohl(info->id.spi);
                return 0;
            }
        }
    }
}

/* ---- events ---------------------------------------------------------------------------------------------------- */

IKEFAST_EXPORT int32_t IkeFastNative_XfrmParseEvent(const uint8_t *buf, int32_t len, IkeFastXfrmEvent *event, int32_t *consumed)
{
    if (buf == NULL || event == NULL || consumed == NULL)
        return -EINVAL;
    memset(event, 0, sizeof(*event));
    *consumed = 0;
    /* Copy the header: the caller's buffer need not be aligned. */
    struct nlmsghdr h;
    if (len < (int32_t)NLMSG_HDRLEN)
        return -EINVAL;
    memcpy(&h, buf, sizeof(h));
    if (h.nlmsg_len < NLMSG_HDRLEN || (int64_t)h.nlmsg_len > len)
        return -EINVAL;
    int32_t aligned = (int32_t)NLMSG_ALIGN(h.nlmsg_len);
    *consumed = aligned > len ? len : aligned;
    const uint8_t *payload = buf + NLMSG_HDRLEN;
    size_t payload_len = h.nlmsg_len - NLMSG_HDRLEN;

    if (h.nlmsg_type == XFRM_MSG_EXPIRE)
    {
        struct xfrm_user_expire e;
        if (payload_len < sizeof(e))
            return -EINVAL;
        memcpy(&e, payload, sizeof(e));
        event->kind = e.hard ? IKEFAST_XFRM_EVENT_HARD_EXPIRE : IKEFAST_XFRM_EVENT_SOFT_EXPIRE;
        event->spi = ntohl(e.state.id.spi);
        event->reqid = e.state.reqid;
        event->family = e.state.family;
        event->proto = e.state.id.proto;
        event->mode = e.state.mode;
        memcpy(event->dst, &e.state.id.daddr, 16);
        memcpy(event->src, &e.state.saddr, 16);
        get_selector(&event->sel, &e.state.sel);
        return 0;
    }
    if (h.nlmsg_type == XFRM_MSG_ACQUIRE)
    {
        struct xfrm_user_acquire a;
        size_t fixed = NLMSG_ALIGN(sizeof(a));
        if (payload_len < sizeof(a))
            return -EINVAL;
        memcpy(&a, payload, sizeof(a));
        event->kind = IKEFAST_XFRM_EVENT_ACQUIRE;
        event->acquire_seq = a.seq;
        event->policy_index = a.policy.index;
        event->policy_dir = a.policy.dir;
        event->proto = a.id.proto;
        event->family = a.sel.family;
        memcpy(event->dst, &a.id.daddr, 16);
        memcpy(event->src, &a.saddr, 16);
        get_selector(&event->sel, &a.sel);
        /* The first template says which SA the kernel wants: its reqid, mode and outer family. */
        for (size_t at = fixed; at + NLA_HDRLEN <= payload_len;)
        {
            struct nlattr attr;
            memcpy(&attr, payload + at, sizeof(attr));
            if (attr.nla_len < NLA_HDRLEN || at + attr.nla_len > payload_len)
                break;
            if ((attr.nla_type & NLA_TYPE_MASK) == XFRMA_TMPL && attr.nla_len >= NLA_HDRLEN + sizeof(struct xfrm_user_tmpl))
            {
                struct xfrm_user_tmpl t;
                memcpy(&t, payload + at + NLA_HDRLEN, sizeof(t));
                event->reqid = t.reqid;
                event->mode = t.mode;
                event->family = t.family;
                break;
            }
            at += NLA_ALIGN(attr.nla_len);
        }
        return 0;
    }
    event->kind = IKEFAST_XFRM_EVENT_OTHER;
    return 0;
}

IKEFAST_EXPORT int32_t IkeFastNative_XfrmReceiveEvent(IkeFastXfrm *xfrm, int32_t timeout_ms, IkeFastXfrmEvent *event)
{
    if (xfrm == NULL || event == NULL)
        return -EINVAL;
    for (;;)
    {
        while (xfrm->rx_off < xfrm->rx_len)
        {
            int32_t consumed;
            int32_t err = IkeFastNative_XfrmParseEvent(xfrm->rx + xfrm->rx_off, xfrm->rx_len - xfrm->rx_off, event, &consumed);
            if (err != 0 || consumed <= 0)
            {
                xfrm->rx_off = xfrm->rx_len = 0; /* truncated datagram: drop the rest */
                break;
            }
            xfrm->rx_off += consumed;
            if (event->kind != IKEFAST_XFRM_EVENT_OTHER)
                return 0;
        }
        struct pollfd p = {.fd = xfrm->fd, .events = POLLIN};
        int ready;
        do
            ready = poll(&p, 1, timeout_ms);
        while (ready < 0 && errno == EINTR);
        if (ready < 0)
            return -errno;
        if (ready == 0)
            return -EAGAIN;
        ssize_t n = receive(xfrm, MSG_DONTWAIT);
        if (n < 0)
            return -errno; /* ENOBUFS: the kernel dropped events because we were too slow */
        xfrm->rx_len = (int32_t)n;
        xfrm->rx_off = 0;
    }
}

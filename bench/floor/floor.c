/*
 * bench/floor/floor.c: the kernel's floor per IKEv1 handshake in the race harness (issue #8).
 *
 * What a responder cannot avoid per Main Mode PSK + Quick Mode handshake, with no crypto and no protocol: receive the
 * initiator's datagrams (MM1, MM3, MM5, QM1, QM3, and the two Informational Deletes when a peer recycles), send the
 * four answers (MM2, MM4, MM6, QM2) at their real sizes, and install the IPsec SA pair and its policies through
 * NETLINK_XFRM as IkeFast's XfrmSaInstaller does (NEWSA in + out, NEWPOLICY out/in/fwd with chosen indexes; on a
 * peer's Delete: DELSA x2 and DELPOLICY x3 by index, one removal in 64 by selector). The netlink messages are built by
 * IkeFast's own native builders (native/src/xfrm.c, compiled in), so they are byte for byte what `ikefast serve`
 * sends; under the harness's LD_PRELOAD shim the NEWSA/DELSA become NLMSG_NOOP exactly as in the race.
 *
 *   floor responder --listen ADDR [--mode dgram|xfrm|both] [--batch N] [--sizes MM2,MM4,MM6,QM2] [--count N]
 *                   [--warmup N] [--peers N] [--first ADDR] [--xfrm-batch handshake|receive] [--xfrm-ack yes|no|barrier]
 *                   [--breakdown yes]
 *   floor initiator --target ADDR --first ADDR [--peers N] [--inflight N] [--count N] [--warmup N]
 *                   [--sizes MM1,MM3,MM5,QM1,QM3,DEL1,DEL2] [--batch N]
 *   floor sizes FILE.pcap        UDP payload sizes of each handshake message in a capture (most common value)
 *   floor selftest               the pcap reader and message classifier on built-in captures
 *
 * The responder is one thread; it measures its own CPU (getrusage: utime + stime of the process, what bench/race.sh
 * reads from /proc/PID/stat, at microsecond resolution) from the warm-up's last handshake to the last one, and prints
 * one line of key=value figures. Mode xfrm needs no initiator: it installs and removes pairs for --peers peers in
 * turn, as the race's churn does. The initiator is a dumb replayer: --inflight handshakes at once over --peers source
 * addresses (IP_PKTINFO on one socket bound to port 500), a 16-byte header in each datagram (kind, peer, handshake
 * number) and zeros up to the real size; it retransmits after 200 ms without an answer.
 *
 * The responder's UDP socket carries IkeFast's per-socket IPsec bypass policy (native/src/xfrm_socket.c), as every
 * socket of `ikefast serve` does, so its datagrams skip the SPD lookup that the installed policies would cost.
 *
 * Build (bench/floor/floor.sh does it): cc -O2 -Wall -Wextra -Werror -Inative/include -o floor bench/floor/floor.c
 * native/src/xfrm.c native/src/xfrm_socket.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ikefast_xfrm.h"

/* ---- message kinds ------------------------------------------------------------------------------------------------ */

enum kind
{
    K_MM1, K_MM2, K_MM3, K_MM4, K_MM5, K_MM6, K_QM1, K_QM2, K_QM3, K_DEL1, K_DEL2, K_COUNT
};
static const char *const kind_names[K_COUNT] = {"mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "qm1", "qm2", "qm3", "del1", "del2"};
/* What the initiator sends and what the responder answers to each (-1: no answer). */
static const int initiator_kinds[] = {K_MM1, K_MM3, K_MM5, K_QM1, K_QM3, K_DEL1, K_DEL2};
#define INITIATOR_KINDS 7
static const int responder_kinds[] = {K_MM2, K_MM4, K_MM6, K_QM2};
#define RESPONDER_KINDS 4

static int answer_of(int kind)
{
    switch (kind)
    {
    case K_MM1: return K_MM2;
    case K_MM3: return K_MM4;
    case K_MM5: return K_MM6;
    case K_QM1: return K_QM2;
    default: return -1;
    }
}

/* The initiator's next message after an answer (-1: the handshake is complete after QM3). */
static int next_of(int answer)
{
    switch (answer)
    {
    case K_MM2: return K_MM3;
    case K_MM4: return K_MM5;
    case K_MM6: return K_QM1;
    case K_QM2: return K_QM3;
    default: return -1;
    }
}

/* Datagram header: magic, kind, peer, handshake number; zeros follow up to the message's real size. */
#define FLOOR_MAGIC 0x464c5231u /* "FLR1" */
#define HEADER_SIZE 16
#define MAX_DATAGRAM 2048
#define MAX_PEERS 4096
#define MAX_BATCH 64

struct header
{
    uint32_t magic;
    uint32_t kind;
    uint32_t peer;
    uint32_t seq;
};

static int parse_sizes(const char *text, int *sizes, int count)
{
    const char *p = text;
    for (int i = 0; i < count; i++)
    {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < HEADER_SIZE || v > MAX_DATAGRAM)
            return -1;
        sizes[i] = (int)v;
        if (i + 1 < count)
        {
            if (*end != ',')
                return -1;
            p = end + 1;
        }
        else if (*end != '\0')
            return -1;
    }
    return 0;
}

/* ---- pcap reading: UDP payload sizes per handshake message ----------------------------------------------------- */

#define ISAKMP_HEADER 28
#define EXCH_MAIN 2
#define EXCH_INFO 5
#define EXCH_QUICK 32

struct sa_track
{
    uint8_t icookie[8];
    int used;
    uint32_t initiator_addr, responder_addr;
    uint16_t initiator_port;
    int mm_i, mm_r, info_i;
    uint32_t qm_id[4];
    int qm_i[4];
    int qm_r[4];
    int qm_count;
};

#define TRACK_SLOTS 65536
#define SIZE_VALUES 32

struct size_histogram
{
    int value[SIZE_VALUES];
    int count[SIZE_VALUES];
    int distinct;
};

struct classifier
{
    struct sa_track *tracks;
    struct size_histogram hist[K_COUNT];
    int datagrams;
    int ike;
};

static void hist_add(struct size_histogram *h, int size)
{
    for (int i = 0; i < h->distinct; i++)
    {
        if (h->value[i] == size)
        {
            h->count[i]++;
            return;
        }
    }
    if (h->distinct < SIZE_VALUES)
    {
        h->value[h->distinct] = size;
        h->count[h->distinct++] = 1;
    }
}

/* The most common size (the smallest of equally common ones), 0 if never seen. */
static int hist_mode(const struct size_histogram *h)
{
    int best = -1;
    for (int i = 0; i < h->distinct; i++)
    {
        if (best < 0 || h->count[i] > h->count[best] || (h->count[i] == h->count[best] && h->value[i] < h->value[best]))
            best = i;
    }
    return best < 0 ? 0 : h->value[best];
}

static struct sa_track *track_find(struct classifier *c, const uint8_t *icookie, int create)
{
    uint32_t hash = 2166136261u;
    for (int i = 0; i < 8; i++)
        hash = (hash ^ icookie[i]) * 16777619u;
    for (uint32_t probe = 0; probe < TRACK_SLOTS; probe++)
    {
        struct sa_track *t = &c->tracks[(hash + probe) & (TRACK_SLOTS - 1)];
        if (!t->used)
        {
            if (!create)
                return NULL;
            memset(t, 0, sizeof(*t));
            t->used = 1;
            memcpy(t->icookie, icookie, 8);
            return t;
        }
        if (memcmp(t->icookie, icookie, 8) == 0)
            return t;
    }
    return NULL;
}

/* One UDP datagram of IKE (port 500, or 4500 after the non-ESP marker). Main Mode messages count per side in the
 * order seen; Quick Mode per message ID; Informationals from the initiator are the Deletes of a recycled peer. */
static void classify(struct classifier *c, uint32_t src, uint32_t dst, uint16_t sport, const uint8_t *p, size_t len,
                     size_t udp_len)
{
    static const uint8_t zero[8];
    c->datagrams++;
    if (len < ISAKMP_HEADER)
        return;
    const uint8_t *icookie = p, *rcookie = p + 8;
    uint8_t exch = p[18];
    uint32_t msgid = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
    struct sa_track *t = track_find(c, icookie, memcmp(rcookie, zero, 8) == 0);
    if (t == NULL)
        return; /* an SA whose first message is not in the capture */
    if (t->mm_i == 0 && t->mm_r == 0 && t->initiator_port == 0)
    {
        t->initiator_addr = src;
        t->responder_addr = dst;
        t->initiator_port = sport;
    }
    c->ike++;
    /* By address; by port only when both ends share one (loopback). After a NAT-T port float (500 -> 4500) the
     * initiator's port changes, so the port alone would not do. */
    int from_initiator = t->initiator_addr != t->responder_addr ? src == t->initiator_addr : sport == t->initiator_port;
    int kind = -1;
    if (exch == EXCH_MAIN)
    {
        /* A side that sends again before the other answered retransmits its last message. */
        if (from_initiator)
            kind = t->mm_i > t->mm_r ? (int)(K_MM1 + 2 * (t->mm_i - 1)) : t->mm_i < 3 ? (int)(K_MM1 + 2 * t->mm_i++) : -1;
        else
            kind = t->mm_r >= t->mm_i ? (t->mm_r > 0 ? (int)(K_MM2 + 2 * (t->mm_r - 1)) : -1)
                                      : t->mm_r < 3 ? (int)(K_MM2 + 2 * t->mm_r++) : -1;
    }
    else if (exch == EXCH_QUICK)
    {
        int q = 0;
        while (q < t->qm_count && t->qm_id[q] != msgid)
            q++;
        if (q == t->qm_count)
        {
            if (t->qm_count == 4)
                return;
            t->qm_id[t->qm_count++] = msgid;
            t->qm_i[q] = 0;
            t->qm_r[q] = 0;
        }
        if (from_initiator)
        {
            if (t->qm_i[q] == 1 && !t->qm_r[q])
                kind = K_QM1; /* retransmitted */
            else
                kind = t->qm_i[q] < 2 ? (t->qm_i[q]++ == 0 ? K_QM1 : K_QM3) : -1;
        }
        else
        {
            t->qm_r[q] = 1;
            kind = K_QM2;
        }
    }
    else if (exch == EXCH_INFO && from_initiator)
        kind = t->info_i < 2 ? (int)(K_DEL1 + t->info_i++) : -1;
    if (kind >= 0)
        hist_add(&c->hist[kind], (int)udp_len);
}

static uint32_t rd32(const uint8_t *p, int swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

/* Classic pcap (microsecond or nanosecond, either byte order), link types Ethernet, raw IPv4, Linux SLL and SLL2. */
static int pcap_classify(const uint8_t *buf, size_t len, struct classifier *c)
{
    if (len < 24)
        return -1;
    uint32_t magic;
    memcpy(&magic, buf, 4);
    int swap;
    if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du)
        swap = 0;
    else if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u)
        swap = 1;
    else
        return -1;
    uint32_t link = rd32(buf + 20, swap);
    size_t off = 24;
    while (off + 16 <= len)
    {
        uint32_t caplen = rd32(buf + off + 8, swap);
        off += 16;
        if (caplen > len - off)
            return -1;
        const uint8_t *f = buf + off;
        size_t n = caplen, l2;
        uint16_t ethertype;
        off += caplen;
        switch (link)
        {
        case 1: /* Ethernet, one optional 802.1Q tag */
            if (n < 14)
                continue;
            l2 = 14;
            ethertype = (uint16_t)(f[12] << 8 | f[13]);
            if (ethertype == 0x8100 && n >= 18)
            {
                l2 = 18;
                ethertype = (uint16_t)(f[16] << 8 | f[17]);
            }
            break;
        case 101: /* raw IP */
            l2 = 0;
            ethertype = 0x0800;
            break;
        case 113: /* Linux cooked (SLL) */
            if (n < 16)
                continue;
            l2 = 16;
            ethertype = (uint16_t)(f[14] << 8 | f[15]);
            break;
        case 276: /* Linux cooked v2 (SLL2) */
            if (n < 20)
                continue;
            l2 = 20;
            ethertype = (uint16_t)(f[0] << 8 | f[1]);
            break;
        default:
            return -1;
        }
        if (ethertype != 0x0800 || n < l2 + 20)
            continue;
        const uint8_t *ip = f + l2;
        size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
        size_t total = (size_t)(ip[2] << 8 | ip[3]);
        if ((ip[0] >> 4) != 4 || ip[9] != 17 || ihl < 20 || total > n - l2 || total < ihl + 8)
            continue;
        if ((ip[6] & 0x3f) != 0 || ip[7] != 0)
            continue; /* fragments: IKE on the race's veth never fragments */
        const uint8_t *udp = ip + ihl;
        uint16_t sport = (uint16_t)(udp[0] << 8 | udp[1]), dport = (uint16_t)(udp[2] << 8 | udp[3]);
        size_t ulen = (size_t)(udp[4] << 8 | udp[5]);
        if (ulen < 8 || ulen > total - ihl)
            continue;
        const uint8_t *payload = udp + 8;
        size_t plen = ulen - 8;
        uint32_t src, dst;
        memcpy(&src, ip + 12, 4);
        memcpy(&dst, ip + 16, 4);
        if (sport == 4500 || dport == 4500)
        {
            if (plen < 4 || payload[0] | payload[1] | payload[2] | payload[3])
                continue; /* ESP in UDP or a keepalive */
            /* The size counted is the UDP payload, marker included: what the sockets carry. */
            classify(c, src, dst, sport, payload + 4, plen - 4, plen);
        }
        else if (sport == 500 || dport == 500)
            classify(c, src, dst, sport, payload, plen, plen);
    }
    return 0;
}

static int classifier_init(struct classifier *c)
{
    memset(c, 0, sizeof(*c));
    c->tracks = calloc(TRACK_SLOTS, sizeof(struct sa_track));
    return c->tracks == NULL ? -1 : 0;
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL)
    {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        uint8_t *grown = realloc(buf, cap * 2);
        if (grown == NULL)
        {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (buf == NULL || err)
    {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static int cmd_sizes(int argc, char **argv)
{
    if (argc != 1)
    {
        fprintf(stderr, "usage: floor sizes FILE.pcap\n");
        return 2;
    }
    uint8_t *buf;
    size_t len;
    struct classifier c;
    if (read_file(argv[0], &buf, &len) != 0 || classifier_init(&c) != 0)
    {
        fprintf(stderr, "floor: cannot read %s\n", argv[0]);
        return 1;
    }
    int rc = pcap_classify(buf, len, &c);
    free(buf);
    if (rc != 0)
    {
        fprintf(stderr, "floor: %s is not a classic pcap file this reader knows\n", argv[0]);
        free(c.tracks);
        return 1;
    }
    for (int k = 0; k < K_COUNT; k++)
        printf("%s%s=%d", k ? " " : "", kind_names[k], hist_mode(&c.hist[k]));
    printf("\n");
    free(c.tracks);
    return hist_mode(&c.hist[K_MM1]) == 0 ? 1 : 0;
}

/* ---- CPU ---------------------------------------------------------------------------------------------------------- */

static int64_t cpu_us(int64_t *user, int64_t *sys)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    *user = (int64_t)r.ru_utime.tv_sec * 1000000 + r.ru_utime.tv_usec;
    *sys = (int64_t)r.ru_stime.tv_sec * 1000000 + r.ru_stime.tv_usec;
    return *user + *sys;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- XFRM: IkeFast's install and removal of one pair ---------------------------------------------------------- */

#define PRIORITY_BASE 0x49460000u
#define PRIORITY_SPAN 0x10000u
#define POLICY_INDEX_BASE 0x80000000u
#define SLOT_MASK 0x0fffffffu
#define PRUNE_EVERY 64
#define XFRM_BATCH_BYTES (1 << 20)
#define XFRM_BATCH_MESSAGES 2048

struct pair
{
    int installed;
    uint32_t seq;
    uint32_t spi_in, spi_out, reqid, slot;
};

struct xfrm_state
{
    IkeFastXfrm *socket;
    uint8_t *buf;
    int32_t len;
    int32_t count;
    int32_t errors[XFRM_BATCH_MESSAGES];
    uint8_t local[16];
    uint32_t next_spi, next_reqid, next_slot;
    uint64_t removals;
    uint64_t transactions;
    uint64_t messages;
    uint64_t failures;
    uint64_t not_found; /* removals of what was not there: 0 unless an install silently did not happen */
    int no_ack;
    uint32_t next_seq;
};

static const uint8_t enc_key[16] = {1, 2, 3};
static const uint8_t auth_key[32] = {4, 5, 6};

static void v4(uint8_t out[16], uint32_t addr_be)
{
    memset(out, 0, 16);
    memcpy(out, &addr_be, 4);
}

static void selector(IkeFastXfrmSelector *s, int outbound, const uint8_t *peer)
{
    /* local_ts 10.0.0.0/16, remote_ts dynamic (the peer's /32): bench/race/ikefast.json.in */
    memset(s, 0, sizeof(*s));
    uint8_t net[16];
    v4(net, htonl(0x0a000000u));
    s->family = AF_INET;
    memcpy(outbound ? s->src : s->dst, net, 16);
    memcpy(outbound ? s->dst : s->src, peer, 16);
    if (outbound)
    {
        s->prefixlen_s = 16;
        s->prefixlen_d = 32;
    }
    else
    {
        s->prefixlen_s = 32;
        s->prefixlen_d = 16;
    }
}

static int xfrm_add(struct xfrm_state *x, int32_t n)
{
    if (n <= 0)
        return -1;
    x->len += n;
    x->count++;
    return 0;
}

static void xfrm_sa(struct xfrm_state *x, const uint8_t *peer, int inbound, const struct pair *p)
{
    IkeFastXfrmSaParams sa;
    memset(&sa, 0, sizeof(sa));
    memcpy(sa.src, inbound ? peer : x->local, 16);
    memcpy(sa.dst, inbound ? x->local : peer, 16);
    sa.spi = inbound ? p->spi_in : p->spi_out;
    sa.reqid = p->reqid;
    sa.family = AF_INET;
    sa.proto = IPPROTO_ESP;
    sa.mode = XFRM_MODE_TUNNEL;
    sa.replay_window = 32;
    sa.enc_alg = IKEFAST_XFRM_ENC_AES_CBC;
    sa.auth_alg = IKEFAST_XFRM_AUTH_HMAC_SHA256_128;
    sa.enc_key_len = sizeof(enc_key);
    sa.auth_key_len = sizeof(auth_key);
    sa.enc_key = enc_key;
    sa.auth_key = auth_key;
    /* charon's default child lifetime (1 h) with IkeFast's soft margin (XfrmChildSa.Lifetime). */
    sa.lifetime.hard_add_expires_seconds = 3600;
    sa.lifetime.soft_add_expires_seconds = 3240 + 30;
    xfrm_add(x, IkeFastNative_XfrmBuildSa(&sa, 0, x->buf + x->len, XFRM_BATCH_BYTES - x->len));
}

static void xfrm_policy(struct xfrm_state *x, const uint8_t *peer, uint8_t dir, const struct pair *p)
{
    IkeFastXfrmPolicyParams pol;
    memset(&pol, 0, sizeof(pol));
    int outbound = dir == XFRM_POLICY_OUT;
    selector(&pol.sel, outbound, peer);
    pol.priority = PRIORITY_BASE + (PRIORITY_SPAN - 1 - (pol.sel.prefixlen_s + pol.sel.prefixlen_d));
    pol.index = POLICY_INDEX_BASE | p->slot << 3 | dir;
    pol.dir = dir;
    pol.action = XFRM_POLICY_ALLOW;
    pol.template_count = 1;
    IkeFastXfrmTemplate *t = &pol.templates[0];
    memcpy(t->src, outbound ? x->local : peer, 16);
    memcpy(t->dst, outbound ? peer : x->local, 16);
    t->family = AF_INET;
    t->proto = IPPROTO_ESP;
    t->mode = XFRM_MODE_TUNNEL;
    t->reqid = p->reqid;
    xfrm_add(x, IkeFastNative_XfrmBuildPolicy(&pol, 0, x->buf + x->len, XFRM_BATCH_BYTES - x->len));
}

/* XfrmSaInstaller.TryInstallCore: inbound SA, outbound SA, policies out, in, fwd (tunnel), chosen indexes. */
static void xfrm_queue_install(struct xfrm_state *x, const uint8_t *peer, struct pair *p)
{
    p->spi_in = x->next_spi++;
    p->spi_out = x->next_spi++;
    p->reqid = 0x49460001u + (x->next_reqid++ % 0xfffe);
    p->slot = x->next_slot++ & SLOT_MASK;
    xfrm_sa(x, peer, 1, p);
    xfrm_sa(x, peer, 0, p);
    xfrm_policy(x, peer, XFRM_POLICY_OUT, p);
    xfrm_policy(x, peer, XFRM_POLICY_IN, p);
    xfrm_policy(x, peer, XFRM_POLICY_FWD, p);
}

/* XfrmSaInstaller.Remove: both SAs, then the policies by index (by selector every PRUNE_EVERY-th removal). */
static void xfrm_queue_remove(struct xfrm_state *x, const uint8_t *peer, const struct pair *p)
{
    int32_t cap;
    cap = XFRM_BATCH_BYTES - x->len;
    xfrm_add(x, IkeFastNative_XfrmBuildDeleteSa(x->local, peer, AF_INET, IPPROTO_ESP, p->spi_in, x->buf + x->len, cap));
    cap = XFRM_BATCH_BYTES - x->len;
    xfrm_add(x, IkeFastNative_XfrmBuildDeleteSa(peer, x->local, AF_INET, IPPROTO_ESP, p->spi_out, x->buf + x->len, cap));
    int prune = ++x->removals % PRUNE_EVERY == 0;
    static const uint8_t dirs[3] = {XFRM_POLICY_OUT, XFRM_POLICY_IN, XFRM_POLICY_FWD};
    for (int i = 0; i < 3; i++)
    {
        IkeFastXfrmSelector sel;
        selector(&sel, dirs[i] == XFRM_POLICY_OUT, peer);
        uint32_t index = prune ? 0 : (POLICY_INDEX_BASE | p->slot << 3 | dirs[i]);
        cap = XFRM_BATCH_BYTES - x->len;
        xfrm_add(x, IkeFastNative_XfrmBuildPolicyId(&sel, dirs[i], index, 0, x->buf + x->len, cap));
    }
}

/* Without NLM_F_ACK (--xfrm-ack no): one sendmsg, and the kernel answers only refusals (netlink_rcv_skb acks an error
 * whatever the flag), which are drained without waiting. A daemon would match them to its messages by sequence
 * number; here they are counted. The best case for the kernel: no ack skb per message, no receive call. */
static int xfrm_flush_noack(struct xfrm_state *x)
{
    int fd = IkeFastNative_XfrmGetFd(x->socket);
    int off = 0;
    for (int i = 0; i < x->count; i++)
    {
        struct nlmsghdr *h = (struct nlmsghdr *)(x->buf + off);
        h->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
        h->nlmsg_seq = ++x->next_seq;
        off += (int)NLMSG_ALIGN(h->nlmsg_len);
    }
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    struct iovec iov = {.iov_base = x->buf, .iov_len = (size_t)x->len};
    struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof(kernel), .msg_iov = &iov, .msg_iovlen = 1};
    ssize_t sent = sendmsg(fd, &msg, 0);
    x->transactions++;
    x->messages += (uint64_t)x->count;
    x->len = x->count = 0;
    if (sent < 0)
    {
        fprintf(stderr, "floor: XFRM sendmsg: %s\n", strerror(errno));
        return -1;
    }
    static uint8_t rx[16384] __attribute__((aligned(8)));
    ssize_t n;
    while ((n = recv(fd, rx, sizeof(rx), MSG_DONTWAIT)) > 0)
    {
        size_t left = (size_t)n;
        for (const struct nlmsghdr *h = (const struct nlmsghdr *)rx; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
        {
            if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)))
            {
                int error = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
                if (error == -ENOENT)
                    x->not_found++;
                else if (error != 0 && x->failures++ < 5)
                    fprintf(stderr, "floor: XFRM message seq %u refused: %s\n", h->nlmsg_seq, strerror(-error));
            }
        }
    }
    return 0;
}

/* One sendmsg of everything queued, the acks read with recvmmsg (IkeFastNative_XfrmTransact). */
static int xfrm_flush(struct xfrm_state *x)
{
    if (x->count == 0)
        return 0;
    if (x->no_ack == 1)
        return xfrm_flush_noack(x);
    /* --xfrm-ack barrier: serve's way since the xfrmbatch change (messages without NLM_F_ACK, one acked NOOP after). */
    int32_t rc = IkeFastNative_XfrmTransact(x->socket, x->buf, x->len, x->count, x->errors, NULL,
                                            x->no_ack == 2 && x->count > 1 ? IKEFAST_XFRM_TRANSACT_BARRIER : 0);
    x->transactions++;
    x->messages += (uint64_t)x->count;
    if (rc != 0)
    {
        fprintf(stderr, "floor: XFRM transaction failed: %s\n", strerror(-rc));
        x->len = x->count = 0;
        return -1;
    }
    for (int i = 0; i < x->count; i++)
    {
        if (x->errors[i] == -ENOENT)
            x->not_found++;
        else if (x->errors[i] != 0)
        {
            if (x->failures++ < 5)
                fprintf(stderr, "floor: XFRM message %d of %d refused: %s\n", i, x->count, strerror(-x->errors[i]));
        }
    }
    x->len = x->count = 0;
    return 0;
}

static int xfrm_open(struct xfrm_state *x, uint32_t local_be, int no_ack)
{
    memset(x, 0, sizeof(*x));
    x->no_ack = no_ack;
    v4(x->local, local_be);
    x->next_spi = 0x10000000u + ((uint32_t)getpid() << 12);
    x->next_slot = (uint32_t)getpid() << 8;
    x->buf = aligned_alloc(8, XFRM_BATCH_BYTES);
    if (x->buf == NULL)
        return -ENOMEM;
    return IkeFastNative_XfrmOpen(NULL, 0, &x->socket);
}

/* ---- responder ---------------------------------------------------------------------------------------------------- */

enum mode
{
    MODE_DGRAM = 1,
    MODE_XFRM = 2,
    MODE_BOTH = 3
};

struct options
{
    int mode;
    int batch;
    int count, warmup, peers, inflight;
    int xfrm_per_receive; /* 1: one XFRM transaction per receive batch; 0: one per install or removal */
    int no_ack;           /* 1: XFRM messages without NLM_F_ACK (only refusals are answered); 2: one acked barrier per batch */
    int breakdown;        /* 1: thread CPU time per receive, send and XFRM call (adds its own cost) */
    uint32_t addr_be;     /* responder: listen; initiator: target */
    uint32_t first_be;    /* the first synthetic peer address */
    int sizes[K_COUNT];
};

static int parse_addr(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = a.s_addr;
    return 0;
}

static uint32_t peer_addr_be(const struct options *o, uint32_t peer)
{
    return htonl(ntohl(o->first_be) + peer);
}

/* Thread CPU time (ns): with --breakdown, read around each receive, send and XFRM transaction. Its own system calls
 * add to the total, so breakdown runs are reported apart. */
static int64_t thread_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct measure
{
    int breakdown;
    int64_t recv_ns, send_ns, xfrm_ns;
    int64_t recv0, send0, xfrm0;
    int64_t t0_user, t0_sys, t0_ns;
    uint64_t recv_calls, send_calls, datagrams_in, datagrams_out;
    uint64_t r0, s0, di0, do0, x0, m0;
};

static void measure_start(struct measure *m, const struct xfrm_state *x)
{
    cpu_us(&m->t0_user, &m->t0_sys);
    m->t0_ns = now_ns();
    m->r0 = m->recv_calls;
    m->s0 = m->send_calls;
    m->di0 = m->datagrams_in;
    m->do0 = m->datagrams_out;
    m->x0 = x != NULL ? x->transactions : 0;
    m->m0 = x != NULL ? x->messages : 0;
    m->recv0 = m->recv_ns;
    m->send0 = m->send_ns;
    m->xfrm0 = m->xfrm_ns;
}

static void measure_print(const struct measure *m, const struct options *o, const struct xfrm_state *x)
{
    int64_t user, sys;
    cpu_us(&user, &sys);
    double n = o->count;
    double wall = (double)(now_ns() - m->t0_ns) / 1e9;
    static const char *const modes[] = {"", "dgram", "xfrm", "both"};
    printf("mode=%s batch=%d xfrm_batch=%s xfrm_ack=%s handshakes=%d us_per_handshake=%.2f user_us=%.2f sys_us=%.2f "
           "recv_calls=%.2f send_calls=%.2f datagrams_in=%.2f datagrams_out=%.2f xfrm_transactions=%.3f "
           "xfrm_messages=%.2f handshakes_per_s=%.0f xfrm_failures=%llu xfrm_not_found=%llu\n",
           modes[o->mode], o->batch, o->xfrm_per_receive ? "receive" : "handshake", o->no_ack == 1 ? "no" : o->no_ack == 2 ? "barrier" : "yes", o->count,
           (double)(user - m->t0_user + sys - m->t0_sys) / n, (double)(user - m->t0_user) / n,
           (double)(sys - m->t0_sys) / n, (double)(m->recv_calls - m->r0) / n, (double)(m->send_calls - m->s0) / n,
           (double)(m->datagrams_in - m->di0) / n, (double)(m->datagrams_out - m->do0) / n,
           x != NULL ? (double)(x->transactions - m->x0) / n : 0.0, x != NULL ? (double)(x->messages - m->m0) / n : 0.0,
           n / wall, x != NULL ? (unsigned long long)x->failures : 0ULL, x != NULL ? (unsigned long long)x->not_found : 0ULL);
    if (m->breakdown)
        printf("breakdown: recv_us=%.2f send_us=%.2f xfrm_us=%.2f\n", (double)(m->recv_ns - m->recv0) / n / 1000.0,
               (double)(m->send_ns - m->send0) / n / 1000.0, (double)(m->xfrm_ns - m->xfrm0) / n / 1000.0);
    fflush(stdout);
}

/* Mode xfrm: the kernel work of the race's churn alone: peer h % peers recycles (its pair removed) and installs. */
static int run_xfrm_only(const struct options *o)
{
    struct xfrm_state x;
    int rc = xfrm_open(&x, o->addr_be, o->no_ack);
    if (rc != 0)
    {
        fprintf(stderr, "floor: NETLINK_XFRM: %s\n", strerror(-rc));
        return 1;
    }
    struct pair *pairs = calloc((size_t)o->peers, sizeof(*pairs));
    struct measure m = {0};
    int total = o->warmup + o->count, per = o->xfrm_per_receive ? o->batch : 1;
    for (int h = 0; h < total; h++)
    {
        if (h == o->warmup)
        {
            if (xfrm_flush(&x) != 0)
                return 1;
            measure_start(&m, &x);
        }
        uint8_t peer[16];
        struct pair *p = &pairs[h % o->peers];
        v4(peer, peer_addr_be(o, (uint32_t)(h % o->peers)));
        if (p->installed)
        {
            xfrm_queue_remove(&x, peer, p);
            if (per == 1 && xfrm_flush(&x) != 0)
                return 1;
        }
        xfrm_queue_install(&x, peer, p);
        p->installed = 1;
        if ((per == 1 || (h + 1) % per == 0) && xfrm_flush(&x) != 0)
            return 1;
    }
    if (xfrm_flush(&x) != 0)
        return 1;
    measure_print(&m, o, &x);
    /* Leave the namespace clean: every pair still installed. */
    for (int i = 0; i < o->peers; i++)
    {
        if (pairs[i].installed)
        {
            uint8_t peer[16];
            v4(peer, peer_addr_be(o, (uint32_t)i));
            xfrm_queue_remove(&x, peer, &pairs[i]);
            if (x.count > XFRM_BATCH_MESSAGES - 8)
                xfrm_flush(&x);
        }
    }
    xfrm_flush(&x);
    IkeFastNative_XfrmClose(x.socket);
    free(pairs);
    return x.failures == 0 ? 0 : 1;
}

static int udp_socket(uint32_t addr_be, int port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int size = 4 << 20, one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = {.s_addr = addr_be}};
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
    {
        close(fd);
        return -1;
    }
    return fd;
}

static const uint8_t zeros[MAX_DATAGRAM];

static int run_responder(const struct options *o)
{
    if (o->mode == MODE_XFRM)
        return run_xfrm_only(o);
    int fd = udp_socket(o->addr_be, 500);
    if (fd < 0)
    {
        perror("floor: bind UDP 500");
        return 1;
    }
    /* As IkeSocket does on every IKE socket: a per-socket policy bypass, so each datagram skips the SPD lookup. */
    int bypass = IkeFastNative_SetIpsecBypass(fd, AF_INET);
    if (bypass != 0)
    {
        fprintf(stderr, "floor: IPsec bypass policy: %s\n", strerror(-bypass));
        return 1;
    }
    struct timeval idle = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
    struct xfrm_state x;
    struct xfrm_state *xp = NULL;
    if (o->mode & MODE_XFRM)
    {
        int rc = xfrm_open(&x, o->addr_be, o->no_ack);
        if (rc != 0)
        {
            fprintf(stderr, "floor: NETLINK_XFRM: %s\n", strerror(-rc));
            return 1;
        }
        xp = &x;
    }
    struct pair *pairs = calloc(MAX_PEERS, sizeof(*pairs));
    struct measure m = {0};
    m.breakdown = o->breakdown;
    int batch = o->batch < 1 ? 1 : o->batch > MAX_BATCH ? MAX_BATCH : o->batch;

    struct header rx_hdr[MAX_BATCH];
    uint8_t rx_body[MAX_BATCH][MAX_DATAGRAM];
    /* An answer is one contiguous buffer (header, then zeros) sent as one iovec: the harness's shim inspects a
     * single-iovec sendmsg by its content only, and would ask the kernel twice (getsockopt) about a multi-iovec one. */
    static uint8_t tx_buf[MAX_BATCH][MAX_DATAGRAM] __attribute__((aligned(8)));
    struct sockaddr_in rx_from[MAX_BATCH], tx_to[MAX_BATCH];
    struct iovec rx_iov[MAX_BATCH][2], tx_iov[MAX_BATCH];
    struct mmsghdr rx[MAX_BATCH], tx[MAX_BATCH];
    memset(rx, 0, sizeof(rx));
    memset(tx, 0, sizeof(tx));
    for (int i = 0; i < MAX_BATCH; i++)
    {
        rx_iov[i][0] = (struct iovec){&rx_hdr[i], HEADER_SIZE};
        rx_iov[i][1] = (struct iovec){rx_body[i], MAX_DATAGRAM - HEADER_SIZE};
        tx_iov[i] = (struct iovec){tx_buf[i], HEADER_SIZE};
    }

    int completed = 0, total = o->warmup + o->count;
    if (o->warmup == 0)
        measure_start(&m, xp);
    while (completed < total)
    {
        for (int i = 0; i < batch; i++)
        {
            rx[i].msg_hdr = (struct msghdr){.msg_name = &rx_from[i], .msg_namelen = sizeof(rx_from[i]), .msg_iov = rx_iov[i], .msg_iovlen = 2};
        }
        int n;
        int64_t t = m.breakdown ? thread_ns() : 0;
        if (batch == 1)
        {
            ssize_t r = recvmsg(fd, &rx[0].msg_hdr, 0);
            n = r < 0 ? -1 : 1;
            if (r >= 0)
                rx[0].msg_len = (unsigned)r;
        }
        else
            n = recvmmsg(fd, rx, (unsigned)batch, MSG_WAITFORONE, NULL);
        if (m.breakdown)
            m.recv_ns += thread_ns() - t;
        m.recv_calls++;
        if (n < 0)
        {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "floor: responder receive: %s after %d of %d handshakes\n",
                    errno == EAGAIN ? "idle for 5 s" : strerror(errno), completed, total);
            return 1;
        }
        m.datagrams_in += (uint64_t)n;
        int out = 0;
        for (int i = 0; i < n; i++)
        {
            const struct header *h = &rx_hdr[i];
            if (rx[i].msg_len < HEADER_SIZE || h->magic != FLOOR_MAGIC || h->peer >= MAX_PEERS || h->kind >= K_COUNT)
                continue;
            struct pair *p = &pairs[h->peer];
            int answer = answer_of((int)h->kind);
            if (answer >= 0)
            {
                struct header answer_header = {FLOOR_MAGIC, (uint32_t)answer, h->peer, h->seq};
                memcpy(tx_buf[out], &answer_header, HEADER_SIZE);
                tx_to[out] = rx_from[i];
                tx_iov[out].iov_len = (size_t)o->sizes[answer];
                tx[out].msg_hdr = (struct msghdr){.msg_name = &tx_to[out], .msg_namelen = sizeof(tx_to[out]), .msg_iov = &tx_iov[out], .msg_iovlen = 1};
                if (batch == 1)
                {
                    t = m.breakdown ? thread_ns() : 0;
                    if (sendmsg(fd, &tx[out].msg_hdr, 0) < 0)
                        perror("floor: responder send");
                    if (m.breakdown)
                        m.send_ns += thread_ns() - t;
                    m.send_calls++;
                    m.datagrams_out++;
                }
                else
                    out++;
            }
            else if (h->kind == K_QM3 && !(p->installed && p->seq == h->seq))
            {
                /* The handshake is complete: install its pair (a retransmitted QM3 installs nothing). */
                if (xp != NULL)
                {
                    uint8_t peer[16];
                    v4(peer, rx_from[i].sin_addr.s_addr);
                    xfrm_queue_install(xp, peer, p);
                    t = m.breakdown ? thread_ns() : 0;
                    if (!o->xfrm_per_receive && xfrm_flush(xp) != 0)
                        return 1;
                    if (m.breakdown)
                        m.xfrm_ns += thread_ns() - t;
                }
                p->installed = 1;
                p->seq = h->seq;
                completed++;
                if (completed == o->warmup)
                {
                    if (xp != NULL && xfrm_flush(xp) != 0)
                        return 1;
                    measure_start(&m, xp);
                }
            }
            else if (h->kind == K_DEL1 && p->installed && p->seq == h->seq)
            {
                /* The peer deletes its IPsec SA (it recycles): the pair and its policies go. */
                if (xp != NULL)
                {
                    uint8_t peer[16];
                    v4(peer, rx_from[i].sin_addr.s_addr);
                    xfrm_queue_remove(xp, peer, p);
                    t = m.breakdown ? thread_ns() : 0;
                    if (!o->xfrm_per_receive && xfrm_flush(xp) != 0)
                        return 1;
                    if (m.breakdown)
                        m.xfrm_ns += thread_ns() - t;
                }
                p->installed = 0;
            }
        }
        if (out > 0)
        {
            t = m.breakdown ? thread_ns() : 0;
            int sent = 0;
            while (sent < out)
            {
                int r = sendmmsg(fd, tx + sent, (unsigned)(out - sent), 0);
                m.send_calls++;
                if (r < 0)
                {
                    if (errno == EINTR)
                        continue;
                    perror("floor: responder sendmmsg");
                    break;
                }
                sent += r;
            }
            m.datagrams_out += (uint64_t)sent;
            if (m.breakdown)
                m.send_ns += thread_ns() - t;
        }
        t = m.breakdown ? thread_ns() : 0;
        if (xp != NULL && xfrm_flush(xp) != 0)
            return 1;
        if (m.breakdown)
            m.xfrm_ns += thread_ns() - t;
    }
    measure_print(&m, o, xp);
    if (xp != NULL)
    {
        for (int i = 0; i < MAX_PEERS; i++)
        {
            if (pairs[i].installed)
            {
                uint8_t peer[16];
                v4(peer, peer_addr_be(o, (uint32_t)i));
                xfrm_queue_remove(xp, peer, &pairs[i]);
                if (xp->count > XFRM_BATCH_MESSAGES - 8)
                    xfrm_flush(xp);
            }
        }
        xfrm_flush(xp);
        IkeFastNative_XfrmClose(xp->socket);
    }
    free(pairs);
    close(fd);
    return xp != NULL && xp->failures != 0 ? 1 : 0;
}

/* ---- initiator (the dumb replayer in ns a) --------------------------------------------------------------------- */

struct flight
{
    int active;
    uint32_t peer, seq;
    int last_kind;
    int64_t sent_ms;
};

struct peer_state
{
    int busy;
    int established;
    uint32_t seq;
};

struct sender
{
    int fd;
    int n;
    struct header hdr[MAX_BATCH * 4];
    struct sockaddr_in to[MAX_BATCH * 4];
    struct iovec iov[MAX_BATCH * 4][2];
    char cmsg[MAX_BATCH * 4][CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct mmsghdr msgs[MAX_BATCH * 4];
    uint64_t datagrams;
};

static void sender_flush(struct sender *s)
{
    int sent = 0;
    while (sent < s->n)
    {
        int r = sendmmsg(s->fd, s->msgs + sent, (unsigned)(s->n - sent), 0);
        if (r < 0)
        {
            if (errno == EINTR)
                continue;
            perror("floor: initiator sendmmsg");
            break;
        }
        sent += r;
    }
    s->datagrams += (uint64_t)sent;
    s->n = 0;
}

/* Queues one datagram from the peer's own address (IP_PKTINFO) to the responder. */
static void sender_queue(struct sender *s, const struct options *o, uint32_t peer, uint32_t seq, int kind)
{
    if (s->n == MAX_BATCH * 4)
        sender_flush(s);
    int i = s->n++;
    s->hdr[i] = (struct header){FLOOR_MAGIC, (uint32_t)kind, peer, seq};
    s->to[i] = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(500), .sin_addr = {.s_addr = o->addr_be}};
    s->iov[i][0] = (struct iovec){&s->hdr[i], HEADER_SIZE};
    s->iov[i][1] = (struct iovec){(void *)zeros, (size_t)(o->sizes[kind] - HEADER_SIZE)};
    memset(s->cmsg[i], 0, sizeof(s->cmsg[i]));
    s->msgs[i].msg_hdr = (struct msghdr){.msg_name = &s->to[i], .msg_namelen = sizeof(s->to[i]), .msg_iov = s->iov[i],
                                         .msg_iovlen = 2, .msg_control = s->cmsg[i], .msg_controllen = sizeof(s->cmsg[i])};
    struct cmsghdr *c = CMSG_FIRSTHDR(&s->msgs[i].msg_hdr);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    struct in_pktinfo *pi = (struct in_pktinfo *)CMSG_DATA(c);
    pi->ipi_spec_dst.s_addr = peer_addr_be(o, peer);
}

static int run_initiator(const struct options *o)
{
    static struct sender s;
    s.fd = udp_socket(htonl(INADDR_ANY), 500);
    if (s.fd < 0)
    {
        perror("floor: initiator bind UDP 500");
        return 1;
    }
    struct timeval tick = {.tv_usec = 50000};
    setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
    int inflight = o->inflight > MAX_BATCH ? MAX_BATCH : o->inflight;
    struct flight fl[MAX_BATCH];
    memset(fl, 0, sizeof(fl));
    struct peer_state *peers = calloc((size_t)o->peers, sizeof(*peers));
    int total = o->warmup + o->count, started = 0, completed = 0, next_peer = 0;
    uint32_t seq = 1;
    uint64_t retransmits = 0;
    int64_t start_ms = now_ms(), deadline = start_ms + 120000;

    struct header rx_hdr[MAX_BATCH];
    uint8_t rx_body[MAX_BATCH][MAX_DATAGRAM];
    struct iovec rx_iov[MAX_BATCH][2];
    struct mmsghdr rx[MAX_BATCH];
    for (int i = 0; i < MAX_BATCH; i++)
    {
        rx_iov[i][0] = (struct iovec){&rx_hdr[i], HEADER_SIZE};
        rx_iov[i][1] = (struct iovec){rx_body[i], MAX_DATAGRAM - HEADER_SIZE};
    }

    while (completed < total)
    {
        int64_t now = now_ms();
        if (now > deadline)
        {
            fprintf(stderr, "floor: initiator gave up after 120 s: %d of %d handshakes\n", completed, total);
            return 1;
        }
        /* Start handshakes into free flights: the next free peer; a peer with an established pair deletes it first
         * (an IPsec Delete and an ISAKMP Delete, as the loadtest does when it recycles a peer). */
        for (int f = 0; f < inflight && started < total; f++)
        {
            if (fl[f].active)
                continue;
            int tries = 0;
            while (peers[next_peer].busy && tries++ < o->peers)
                next_peer = (next_peer + 1) % o->peers;
            if (peers[next_peer].busy)
                break;
            struct peer_state *p = &peers[next_peer];
            if (p->established)
            {
                sender_queue(&s, o, (uint32_t)next_peer, p->seq, K_DEL1);
                sender_queue(&s, o, (uint32_t)next_peer, p->seq, K_DEL2);
                p->established = 0;
            }
            p->busy = 1;
            fl[f] = (struct flight){1, (uint32_t)next_peer, seq++, K_MM1, now};
            sender_queue(&s, o, fl[f].peer, fl[f].seq, K_MM1);
            started++;
            next_peer = (next_peer + 1) % o->peers;
        }
        sender_flush(&s);

        for (int i = 0; i < inflight; i++)
            rx[i].msg_hdr = (struct msghdr){.msg_iov = rx_iov[i], .msg_iovlen = 2};
        int n;
        if (o->batch == 1)
        {
            ssize_t r = recvmsg(s.fd, &rx[0].msg_hdr, 0);
            n = r < 0 ? -1 : 1;
            if (r >= 0)
                rx[0].msg_len = (unsigned)r;
        }
        else
            n = recvmmsg(s.fd, rx, (unsigned)inflight, MSG_WAITFORONE, NULL);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
        {
            perror("floor: initiator receive");
            return 1;
        }
        now = now_ms();
        for (int i = 0; i < n; i++)
        {
            const struct header *h = &rx_hdr[i];
            if (rx[i].msg_len < HEADER_SIZE || h->magic != FLOOR_MAGIC || h->kind >= K_COUNT)
                continue;
            int f = 0;
            while (f < inflight && !(fl[f].active && fl[f].peer == h->peer && fl[f].seq == h->seq))
                f++;
            if (f == inflight || next_of((int)h->kind) != fl[f].last_kind + 2)
                continue; /* stale, or an answer to a retransmission already answered */
            int next = next_of((int)h->kind);
            sender_queue(&s, o, fl[f].peer, fl[f].seq, next);
            fl[f].last_kind = next;
            fl[f].sent_ms = now;
            if (next == K_QM3)
            {
                /* The initiator's side is done with QM3 (no answer): the peer is established. */
                struct peer_state *p = &peers[fl[f].peer];
                p->busy = 0;
                p->established = 1;
                p->seq = fl[f].seq;
                fl[f].active = 0;
                completed++;
            }
        }
        /* Retransmit what waits for an answer for more than 200 ms. */
        for (int f = 0; f < inflight; f++)
        {
            if (fl[f].active && now - fl[f].sent_ms > 200)
            {
                sender_queue(&s, o, fl[f].peer, fl[f].seq, fl[f].last_kind);
                fl[f].sent_ms = now;
                retransmits++;
            }
        }
        sender_flush(&s);
    }
    double secs = (double)(now_ms() - start_ms) / 1000.0;
    printf("initiator: handshakes=%d seconds=%.2f handshakes_per_s=%.0f retransmits=%llu datagrams_out=%llu\n", total,
           secs, total / (secs > 0 ? secs : 1), (unsigned long long)retransmits, (unsigned long long)s.datagrams);
    free(peers);
    close(s.fd);
    return 0;
}

/* ---- self-test ------------------------------------------------------------------------------------------------------ */

static int failures;
#define CHECK(cond)                                                                                                     \
    do                                                                                                                  \
    {                                                                                                                   \
        if (!(cond))                                                                                                    \
        {                                                                                                               \
            fprintf(stderr, "selftest: %s:%d: %s\n", __FILE__, __LINE__, #cond);                                        \
            failures++;                                                                                                 \
        }                                                                                                               \
    } while (0)

/* Appends one Ethernet/IPv4/UDP record carrying an ISAKMP header and `len` bytes of UDP payload in all. */
static size_t put_record(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t icookie[8],
                         int responder_cookie, uint8_t exch, uint32_t msgid, int len, int nat_t)
{
    int udp_payload = len + (nat_t ? 4 : 0);
    int frame = 14 + 20 + 8 + udp_payload;
    uint8_t *r = out;
    memset(r, 0, 16);
    memcpy(r + 8, &frame, 4);
    memcpy(r + 12, &frame, 4);
    uint8_t *f = r + 16;
    memset(f, 0, (size_t)frame);
    f[12] = 0x08;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((20 + 8 + udp_payload) >> 8);
    ip[3] = (uint8_t)(20 + 8 + udp_payload);
    ip[9] = 17;
    memcpy(ip + 12, &src, 4);
    memcpy(ip + 16, &dst, 4);
    uint8_t *udp = ip + 20;
    udp[0] = (uint8_t)(sport >> 8);
    udp[1] = (uint8_t)sport;
    udp[2] = (uint8_t)(dport >> 8);
    udp[3] = (uint8_t)dport;
    udp[4] = (uint8_t)((8 + udp_payload) >> 8);
    udp[5] = (uint8_t)(8 + udp_payload);
    uint8_t *ike = udp + 8 + (nat_t ? 4 : 0);
    memcpy(ike, icookie, 8);
    if (responder_cookie)
        memset(ike + 8, 0xab, 8);
    ike[17] = 0x10;
    ike[18] = exch;
    ike[20] = (uint8_t)(msgid >> 24);
    ike[21] = (uint8_t)(msgid >> 16);
    ike[22] = (uint8_t)(msgid >> 8);
    ike[23] = (uint8_t)msgid;
    return 16 + (size_t)frame;
}

static int cmd_selftest(void)
{
    /* Two handshakes of the same sizes, one with a retransmitted MM3 (counted again: the mode still wins), one
     * recycled peer's Deletes, a NAT-T handshake on 4500 after MM4, and noise (an ESP-in-UDP packet, a foreign SA). */
    static const int size[K_COUNT] = {270, 270, 124, 124, 92, 92, 172, 172, 60, 76, 92};
    static uint8_t cap[1 << 16];
    uint32_t i_addr = htonl(0xc000020a), r_addr = htonl(0xc0000202), i2 = htonl(0xc000020b);
    size_t n = 24;
    uint32_t magic = 0xa1b2c3d4u, link = 1, snap = 65535;
    uint16_t major = 2, minor = 4;
    memcpy(cap, &magic, 4);
    memcpy(cap + 4, &major, 2);
    memcpy(cap + 6, &minor, 2);
    memcpy(cap + 16, &snap, 4);
    memcpy(cap + 20, &link, 4);
    for (int hs = 0; hs < 3; hs++)
    {
        uint8_t ck[8] = {1, 2, 3, 4, 5, 6, 7, (uint8_t)hs};
        uint32_t ia = hs == 1 ? i2 : i_addr;
        int natt = hs == 2;
        uint16_t port = 500;
        n += put_record(cap + n, ia, r_addr, port, port, ck, 0, EXCH_MAIN, 0, size[K_MM1], 0);
        n += put_record(cap + n, r_addr, ia, port, port, ck, 1, EXCH_MAIN, 0, size[K_MM2], 0);
        n += put_record(cap + n, ia, r_addr, port, port, ck, 1, EXCH_MAIN, 0, size[K_MM3], 0);
        if (hs == 0)
            n += put_record(cap + n, ia, r_addr, port, port, ck, 1, EXCH_MAIN, 0, size[K_MM3], 0); /* retransmission */
        n += put_record(cap + n, r_addr, ia, port, port, ck, 1, EXCH_MAIN, 0, size[K_MM4], 0);
        if (natt)
            port = 4500;
        n += put_record(cap + n, ia, r_addr, port, port, ck, 1, EXCH_MAIN, 0, size[K_MM5], natt);
        n += put_record(cap + n, r_addr, ia, port, port, ck, 1, EXCH_MAIN, 0, size[K_MM6], natt);
        n += put_record(cap + n, ia, r_addr, port, port, ck, 1, EXCH_QUICK, 0x11223344u, size[K_QM1], natt);
        n += put_record(cap + n, r_addr, ia, port, port, ck, 1, EXCH_QUICK, 0x11223344u, size[K_QM2], natt);
        n += put_record(cap + n, ia, r_addr, port, port, ck, 1, EXCH_QUICK, 0x11223344u, size[K_QM3], natt);
        if (hs == 1)
        {
            n += put_record(cap + n, ia, r_addr, port, port, ck, 1, EXCH_INFO, 0x55u, size[K_DEL1], 0);
            n += put_record(cap + n, ia, r_addr, port, port, ck, 1, EXCH_INFO, 0x66u, size[K_DEL2], 0);
        }
    }
    uint8_t foreign[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    n += put_record(cap + n, r_addr, i_addr, 500, 500, foreign, 1, EXCH_MAIN, 0, 400, 0); /* first message missing */
    size_t esp = n;
    n += put_record(cap + n, i_addr, r_addr, 4500, 4500, foreign, 1, EXCH_MAIN, 0, 300, 1);
    cap[esp + 16 + 14 + 20 + 8] = 0x01; /* not the non-ESP marker: ESP in UDP */

    struct classifier c;
    CHECK(classifier_init(&c) == 0);
    CHECK(pcap_classify(cap, n, &c) == 0);
    for (int k = 0; k < K_COUNT; k++)
    {
        if (hist_mode(&c.hist[k]) != size[k])
        {
            fprintf(stderr, "selftest: %s: got %d, want %d\n", kind_names[k], hist_mode(&c.hist[k]), size[k]);
            failures++;
        }
    }
    CHECK(c.hist[K_MM1].count[0] == 3);
    CHECK(c.hist[K_MM3].count[0] == 4);
    CHECK(c.hist[K_DEL1].count[0] == 1);
    CHECK(c.datagrams == 31);
    free(c.tracks);

    /* Byte-swapped and nanosecond headers read the same; a truncated record or an unknown magic is refused. */
    uint32_t swapped = 0xd4c3b2a1u;
    memcpy(cap, &swapped, 4);
    CHECK(classifier_init(&c) == 0);
    CHECK(pcap_classify(cap, n, &c) == -1); /* every other field is now read byte-swapped: the first caplen is huge */
    free(c.tracks);
    memcpy(cap, &magic, 4);
    CHECK(classifier_init(&c) == 0);
    CHECK(pcap_classify(cap, n - 1, &c) == -1);
    free(c.tracks);
    uint32_t bad = 0x0a0d0d0au; /* pcapng */
    memcpy(cap, &bad, 4);
    CHECK(classifier_init(&c) == 0);
    CHECK(pcap_classify(cap, n, &c) == -1);
    free(c.tracks);

    /* Sizes on the command line. */
    int s[4];
    CHECK(parse_sizes("270,124,92,172", s, 4) == 0 && s[0] == 270 && s[3] == 172);
    CHECK(parse_sizes("270,124,92", s, 4) == -1);
    CHECK(parse_sizes("270,124,92,172,1", s, 4) == -1);
    CHECK(parse_sizes("8,124,92,172", s, 4) == -1);
    CHECK(parse_sizes("270,124,92,99999", s, 4) == -1);

    /* The handshake's script: every initiator message but QM3 and the Deletes is answered, and each answer leads to
     * the initiator's next message. */
    CHECK(answer_of(K_MM1) == K_MM2 && answer_of(K_QM1) == K_QM2 && answer_of(K_QM3) == -1 && answer_of(K_DEL1) == -1);
    CHECK(next_of(K_MM2) == K_MM3 && next_of(K_MM6) == K_QM1 && next_of(K_QM2) == K_QM3 && next_of(K_MM1) == -1);

    /* The XFRM messages: IkeFast's builders accept what the tool asks for (5 per install, 5 per removal). */
    struct xfrm_state x;
    memset(&x, 0, sizeof(x));
    x.buf = aligned_alloc(8, XFRM_BATCH_BYTES);
    v4(x.local, r_addr);
    struct pair p = {0};
    uint8_t peer[16];
    v4(peer, i_addr);
    xfrm_queue_install(&x, peer, &p);
    CHECK(x.count == 5);
    const struct nlmsghdr *nh = (const struct nlmsghdr *)x.buf;
    CHECK(nh->nlmsg_type == XFRM_MSG_NEWSA);
    int off = 0, policies = 0;
    for (int i = 0; i < x.count; i++)
    {
        nh = (const struct nlmsghdr *)(x.buf + off);
        if (nh->nlmsg_type == XFRM_MSG_NEWPOLICY)
        {
            const struct xfrm_userpolicy_info *pi = NLMSG_DATA(nh);
            CHECK((pi->index & 7) == pi->dir && (pi->index & POLICY_INDEX_BASE) != 0);
            policies++;
        }
        off += (int)NLMSG_ALIGN(nh->nlmsg_len);
    }
    CHECK(policies == 3 && off == x.len);
    x.len = x.count = 0;
    for (int r = 1; r <= PRUNE_EVERY; r++)
    {
        xfrm_queue_remove(&x, peer, &p);
        CHECK(x.count == 5);
        const struct nlmsghdr *third = (const struct nlmsghdr *)x.buf;
        for (int i = 0; i < 2; i++)
            third = (const struct nlmsghdr *)((const uint8_t *)third + NLMSG_ALIGN(third->nlmsg_len));
        const struct xfrm_userpolicy_id *id = NLMSG_DATA(third);
        CHECK(third->nlmsg_type == XFRM_MSG_DELPOLICY);
        CHECK(r == PRUNE_EVERY ? id->index == 0 && id->sel.prefixlen_s == 16 : id->index != 0);
        x.len = x.count = 0;
    }
    free(x.buf);

    if (failures == 0)
        printf("floor selftest: 1 passed, 0 failed\n");
    else
        printf("floor selftest: 0 passed, 1 failed (%d checks)\n", failures);
    return failures == 0 ? 0 : 1;
}

/* ---- command line --------------------------------------------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: floor responder|initiator|sizes|selftest ... (see the comment at the top of floor.c)\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *cmd = argv[1];
    if (strcmp(cmd, "sizes") == 0)
        return cmd_sizes(argc - 2, argv + 2);
    if (strcmp(cmd, "selftest") == 0)
        return cmd_selftest();
    int responder = strcmp(cmd, "responder") == 0;
    if (!responder && strcmp(cmd, "initiator") != 0)
        return usage();

    struct options o = {.mode = MODE_BOTH, .batch = 32, .count = 2000, .warmup = 200, .peers = 240, .inflight = 32,
                        .xfrm_per_receive = -1};
    /* The race's mm-psk-31 sizes by default (bench/floor/sizes.tsv). */
    static const int default_sizes[K_COUNT] = {228, 228, 172, 172, 92, 92, 188, 188, 76, 92, 108};
    memcpy(o.sizes, default_sizes, sizeof(o.sizes));
    parse_addr("192.0.2.2", &o.addr_be);
    parse_addr("192.0.2.10", &o.first_be);
    for (int i = 2; i < argc; i++)
    {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL)
            return usage();
        i++;
        if (strcmp(a, "--mode") == 0)
            o.mode = strcmp(v, "dgram") == 0 ? MODE_DGRAM : strcmp(v, "xfrm") == 0 ? MODE_XFRM : strcmp(v, "both") == 0 ? MODE_BOTH : 0;
        else if (strcmp(a, "--batch") == 0)
            o.batch = atoi(v);
        else if (strcmp(a, "--count") == 0)
            o.count = atoi(v);
        else if (strcmp(a, "--warmup") == 0)
            o.warmup = atoi(v);
        else if (strcmp(a, "--peers") == 0)
            o.peers = atoi(v);
        else if (strcmp(a, "--inflight") == 0)
            o.inflight = atoi(v);
        else if (strcmp(a, "--xfrm-batch") == 0)
            o.xfrm_per_receive = strcmp(v, "receive") == 0 ? 1 : strcmp(v, "handshake") == 0 ? 0 : -2;
        else if (strcmp(a, "--breakdown") == 0)
            o.breakdown = strcmp(v, "yes") == 0;
        else if (strcmp(a, "--xfrm-ack") == 0)
            o.no_ack = strcmp(v, "no") == 0 ? 1 : strcmp(v, "yes") == 0 ? 0 : strcmp(v, "barrier") == 0 ? 2 : -1;
        else if (strcmp(a, "--listen") == 0 || strcmp(a, "--target") == 0)
        {
            if (parse_addr(v, &o.addr_be) != 0)
                return usage();
        }
        else if (strcmp(a, "--first") == 0)
        {
            if (parse_addr(v, &o.first_be) != 0)
                return usage();
        }
        else if (strcmp(a, "--sizes") == 0)
        {
            int tmp[INITIATOR_KINDS];
            if (responder)
            {
                if (parse_sizes(v, tmp, RESPONDER_KINDS) != 0)
                    return usage();
                for (int k = 0; k < RESPONDER_KINDS; k++)
                    o.sizes[responder_kinds[k]] = tmp[k];
            }
            else
            {
                if (parse_sizes(v, tmp, INITIATOR_KINDS) != 0)
                    return usage();
                for (int k = 0; k < INITIATOR_KINDS; k++)
                    o.sizes[initiator_kinds[k]] = tmp[k];
            }
        }
        else
            return usage();
    }
    if (o.xfrm_per_receive == -1)
        o.xfrm_per_receive = o.batch > 1;
    if (o.mode == 0 || o.xfrm_per_receive < 0 || o.no_ack < 0 || o.batch < 1 || o.batch > MAX_BATCH || o.count < 1 || o.warmup < 0 ||
        o.peers < 1 || o.peers > MAX_PEERS || o.inflight < 1 || o.inflight > o.peers)
        return usage();
    return responder ? run_responder(&o) : run_initiator(&o);
}

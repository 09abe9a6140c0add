/* Batched UDP I/O for the daemon's shards: see native/include/ikefast_udp.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>

#include "ikefast_udp.h"

_Static_assert(sizeof(ikefast_udp_slot) == 64, "ikefast_udp_slot is mirrored by a 64-byte managed struct");

/* Room for one IP_PKTINFO or IPV6_PKTINFO control message. */
#define CONTROL_SIZE CMSG_SPACE(sizeof(struct in6_pktinfo) > sizeof(struct in_pktinfo) ? sizeof(struct in6_pktinfo) : sizeof(struct in_pktinfo))

IKEFAST_EXPORT int32_t IkeFastNative_UdpReceiveBatch(int32_t fd, ikefast_udp_slot *slots, int32_t count)
{
    if (count <= 0 || count > IKEFAST_UDP_MAX_BATCH)
        return -EINVAL;

    struct mmsghdr messages[IKEFAST_UDP_MAX_BATCH];
    struct iovec vectors[IKEFAST_UDP_MAX_BATCH];
    struct sockaddr_storage names[IKEFAST_UDP_MAX_BATCH];
    union { struct cmsghdr align; uint8_t bytes[CONTROL_SIZE]; } controls[IKEFAST_UDP_MAX_BATCH];

    for (int i = 0; i < count; i++)
    {
        vectors[i].iov_base = slots[i].buffer;
        vectors[i].iov_len = (size_t)slots[i].capacity;
        memset(&messages[i], 0, sizeof(messages[i]));
        messages[i].msg_hdr.msg_name = &names[i];
        messages[i].msg_hdr.msg_namelen = sizeof(names[i]);
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_control = controls[i].bytes;
        messages[i].msg_hdr.msg_controllen = sizeof(controls[i].bytes);
    }

    int received;
    do
        received = recvmmsg(fd, messages, (unsigned int)count, MSG_DONTWAIT, NULL);
    while (received < 0 && errno == EINTR);
    if (received < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;

    for (int i = 0; i < received; i++)
    {
        ikefast_udp_slot *slot = &slots[i];
        struct msghdr *header = &messages[i].msg_hdr;
        slot->length = (int32_t)messages[i].msg_len;
        slot->flags = (header->msg_flags & MSG_TRUNC) ? 1 : 0;
        memset(slot->local, 0, sizeof(slot->local));
        memset(slot->remote, 0, sizeof(slot->remote));
        slot->scope_id = 0;
        if (names[i].ss_family == AF_INET6)
        {
            const struct sockaddr_in6 *from = (const struct sockaddr_in6 *)&names[i];
            memcpy(slot->remote, &from->sin6_addr, 16);
            slot->remote_port = ntohs(from->sin6_port);
            slot->scope_id = from->sin6_scope_id;
            slot->family = 6;
        }
        else
        {
            const struct sockaddr_in *from = (const struct sockaddr_in *)&names[i];
            memcpy(slot->remote, &from->sin_addr, 4);
            slot->remote_port = ntohs(from->sin_port);
            slot->family = 4;
        }

        /* The destination address, so a wildcard socket still knows which local address was asked for. */
        for (struct cmsghdr *c = CMSG_FIRSTHDR(header); c != NULL; c = CMSG_NXTHDR(header, c))
        {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
            {
                struct in_pktinfo info;
                memcpy(&info, CMSG_DATA(c), sizeof(info));
                memcpy(slot->local, &info.ipi_addr, 4);
            }
            else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
            {
                struct in6_pktinfo info;
                memcpy(&info, CMSG_DATA(c), sizeof(info));
                memcpy(slot->local, &info.ipi6_addr, 16);
            }
        }
    }

    return received;
}

IKEFAST_EXPORT int32_t IkeFastNative_UdpSendBatch(int32_t fd, const ikefast_udp_slot *slots, int32_t count)
{
    if (count <= 0 || count > IKEFAST_UDP_MAX_BATCH)
        return -EINVAL;

    struct mmsghdr messages[IKEFAST_UDP_MAX_BATCH];
    struct iovec vectors[IKEFAST_UDP_MAX_BATCH];
    struct sockaddr_storage names[IKEFAST_UDP_MAX_BATCH];
    union { struct cmsghdr align; uint8_t bytes[CONTROL_SIZE]; } controls[IKEFAST_UDP_MAX_BATCH];
    static const uint8_t zero[16];

    for (int i = 0; i < count; i++)
    {
        const ikefast_udp_slot *slot = &slots[i];
        struct msghdr *header = &messages[i].msg_hdr;
        memset(&messages[i], 0, sizeof(messages[i]));
        memset(&names[i], 0, sizeof(names[i]));
        vectors[i].iov_base = slot->buffer;
        vectors[i].iov_len = (size_t)slot->length;
        header->msg_iov = &vectors[i];
        header->msg_iovlen = 1;
        header->msg_name = &names[i];
        int has_source = memcmp(slot->local, zero, slot->family == 6 ? 16 : 4) != 0;
        if (slot->family == 6)
        {
            struct sockaddr_in6 *to = (struct sockaddr_in6 *)&names[i];
            to->sin6_family = AF_INET6;
            to->sin6_port = htons(slot->remote_port);
            to->sin6_scope_id = slot->scope_id;
            memcpy(&to->sin6_addr, slot->remote, 16);
            header->msg_namelen = sizeof(*to);
            if (has_source)
            {
                /* The reply leaves from the address the request came to (wildcard sockets). */
                header->msg_control = controls[i].bytes;
                header->msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
                struct cmsghdr *c = CMSG_FIRSTHDR(header);
                c->cmsg_level = IPPROTO_IPV6;
                c->cmsg_type = IPV6_PKTINFO;
                c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
                struct in6_pktinfo info;
                memset(&info, 0, sizeof(info));
                memcpy(&info.ipi6_addr, slot->local, 16);
                memcpy(CMSG_DATA(c), &info, sizeof(info));
            }
        }
        else
        {
            struct sockaddr_in *to = (struct sockaddr_in *)&names[i];
            to->sin_family = AF_INET;
            to->sin_port = htons(slot->remote_port);
            memcpy(&to->sin_addr, slot->remote, 4);
            header->msg_namelen = sizeof(*to);
            if (has_source)
            {
                header->msg_control = controls[i].bytes;
                header->msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
                struct cmsghdr *c = CMSG_FIRSTHDR(header);
                c->cmsg_level = IPPROTO_IP;
                c->cmsg_type = IP_PKTINFO;
                c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
                struct in_pktinfo info;
                memset(&info, 0, sizeof(info));
                memcpy(&info.ipi_spec_dst, slot->local, 4);
                memcpy(CMSG_DATA(c), &info, sizeof(info));
            }
        }
    }

    int sent;
    do
        sent = sendmmsg(fd, messages, (unsigned int)count, MSG_DONTWAIT);
    while (sent < 0 && errno == EINTR);
    return sent < 0 ? -errno : sent;
}

IKEFAST_EXPORT int32_t IkeFastNative_UdpWait(const int32_t *fds, int32_t nfds, int32_t timeout_ms, uint64_t *ready_mask)
{
    if (nfds <= 0 || nfds > 64)
        return -EINVAL;

    struct pollfd polls[64];
    for (int i = 0; i < nfds; i++)
    {
        polls[i].fd = fds[i];
        polls[i].events = POLLIN;
        polls[i].revents = 0;
    }

    int ready = poll(polls, (nfds_t)nfds, timeout_ms);
    if (ready < 0)
        return errno == EINTR ? 0 : -errno;

    uint64_t mask = 0;
    for (int i = 0; i < nfds; i++)
    {
        if (polls[i].revents != 0)
            mask |= (uint64_t)1 << i;
    }

    *ready_mask = mask;
    return ready;
}

IKEFAST_EXPORT int32_t IkeFastNative_UdpReceiveQueueFill(int32_t fd)
{
    /* SO_MEMINFO: bytes the receive queue holds against its limit; what the kernel drops on when full. */
    uint32_t info[SK_MEMINFO_VARS];
    socklen_t length = sizeof(info);
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &length) < 0)
        return -errno;
    if (length < sizeof(uint32_t) * (SK_MEMINFO_RCVBUF + 1) || info[SK_MEMINFO_RCVBUF] == 0)
        return 0;
    uint64_t permille = (uint64_t)info[SK_MEMINFO_RMEM_ALLOC] * 1000 / info[SK_MEMINFO_RCVBUF];
    return permille > 1000 ? 1000 : (int32_t)permille;
}

IKEFAST_EXPORT int32_t IkeFastNative_UdpSetReusePort(int32_t fd)
{
    int one = 1;
    return setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ? -errno : 0;
}

/* The peer-address hash (Sharding/ShardSteering.cs computes the same): word multiplier 2^32 / golden ratio (odd), then
 * MurmurHash3's 32-bit finaliser, whose two odd multipliers and three shifts make every input bit reach every output
 * bit (without it only the low 17 bits of an address would decide among a power-of-two number of shards). */
#define IKEFAST_STEERING_MULTIPLIER 0x9E3779B1u
#define IKEFAST_STEERING_FINAL1 0x85EBCA6Bu
#define IKEFAST_STEERING_FINAL2 0xC2B2AE35u

/* Offsets of the source address in the IP header (RFC 791 section 3.1, RFC 8200 section 3). */
#define IPV4_SOURCE_OFFSET 12
#define IPV6_SOURCE_OFFSET 8

/* The longest program: 4 words x 4 instructions, 2 for the seed, 11 for the finaliser, modulo and return. */
#define IKEFAST_STEERING_MAX_PROGRAM 32

IKEFAST_EXPORT int32_t IkeFastNative_UdpAttachAddressSteering(int32_t fd, int32_t ipv6, int32_t shards, uint64_t seed)
{
    if (shards <= 0)
        return -EINVAL;

    /* The program returns the index of the socket in the SO_REUSEPORT group (bind order = shard number) from the
     * datagram's source address alone, never its port: a peer that floats from 500 to 4500 (RFC 3947 section 4) or
     * whose NAT picks a new port keeps its shard, and every Phase 1 of one peer (reauthentication, a crossing rekey,
     * INITIAL-CONTACT) meets the SAs of the others. The program sees the UDP payload at offset 0; SKF_NET_OFF reaches
     * back to the IP header. Hash (ShardSteering.ShardOfAddress): h = low 32 bits of the seed; over the address's
     * big-endian words h = (h ^ w) * M; h ^= high 32 bits of the seed; then the finaliser h ^= h >> 16; h *= F1;
     * h ^= h >> 13; h *= F2; h ^= h >> 16; shard = h mod shards. The seed is drawn per start and patched into the
     * program's constants here, so a sender cannot aim a flood at one shard by choosing source addresses. A group holds
     * one family (IPV6_V6ONLY), so each socket gets the program for its own. A failed load makes the program return 0. */
    const uint32_t net = (uint32_t)SKF_NET_OFF;
    const uint32_t words = ipv6 ? 4 : 1;
    const uint32_t source = net + (ipv6 ? IPV6_SOURCE_OFFSET : IPV4_SOURCE_OFFSET);
    struct sock_filter code[IKEFAST_STEERING_MAX_PROGRAM];
    unsigned short n = 0;
    code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, source);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, (uint32_t)seed);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, IKEFAST_STEERING_MULTIPLIER);
    for (uint32_t w = 1; w < words; w++)
    {
        code[n++] = (struct sock_filter)BPF_STMT(BPF_MISC | BPF_TAX, 0);
        code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, source + (4 * w));
        code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0);
        code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, IKEFAST_STEERING_MULTIPLIER);
    }

    code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, (uint32_t)(seed >> 32));
    const uint32_t shifts[3] = { 16, 13, 16 };
    const uint32_t multipliers[2] = { IKEFAST_STEERING_FINAL1, IKEFAST_STEERING_FINAL2 };
    for (int round = 0; round < 3; round++)
    {
        /* h ^= h >> shift (X keeps h while A shifts), then the multiply of the first two rounds. */
        code[n++] = (struct sock_filter)BPF_STMT(BPF_MISC | BPF_TAX, 0);
        code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, shifts[round]);
        code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0);
        if (round < 2)
            code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, multipliers[round]);
    }

    code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, (uint32_t)shards);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
    struct sock_fprog program = { .len = n, .filter = code };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof(program)) < 0 ? -errno : 0;
}

IKEFAST_EXPORT int32_t IkeFastNative_EventCreate(void)
{
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

IKEFAST_EXPORT int32_t IkeFastNative_EventSignal(int32_t fd)
{
    uint64_t one = 1;
    return write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN ? -errno : 0;
}

IKEFAST_EXPORT int32_t IkeFastNative_EventDrain(int32_t fd)
{
    uint64_t value;
    return read(fd, &value, sizeof(value)) < 0 && errno != EAGAIN ? -errno : 0;
}

IKEFAST_EXPORT int32_t IkeFastNative_EventClose(int32_t fd)
{
    return close(fd) < 0 ? -errno : 0;
}

/* Batched UDP I/O for the daemon's shards (native/src/udp_batch.c): recvmmsg/sendmmsg with the local address
 * (IP_PKTINFO / IPV6_RECVPKTINFO), SO_REUSEPORT with a classic-BPF program that steers by the ISAKMP initiator
 * cookie, and an eventfd to wake a shard waiting in poll. Every function returns >= 0 or a negative errno. */
#ifndef IKEFAST_UDP_H
#define IKEFAST_UDP_H

#include <stdint.h>
#include "ikefast_native.h"

/* Most datagrams one call moves; the managed side never asks for more. */
#define IKEFAST_UDP_MAX_BATCH 64

/* One datagram of a batch (64 bytes, mirrored by Ike.Native.Udp.UdpSlot). Addresses are in network byte order,
 * IPv4 in the first four bytes; ports in host order. */
typedef struct ikefast_udp_slot
{
    uint8_t *buffer;     /* in: where the payload is read from / written to (pinned by the caller) */
    int32_t capacity;    /* in (receive): room at buffer */
    int32_t length;      /* out (receive) / in (send): payload length */
    uint8_t local[16];   /* out (receive): destination address from PKTINFO; in (send): source address, zero = any */
    uint8_t remote[16];  /* out (receive): sender; in (send): destination */
    uint16_t local_port; /* unused by the library (the caller knows its socket's port) */
    uint16_t remote_port;
    uint16_t family;     /* 4 or 6 */
    uint16_t flags;      /* out (receive): 1 = truncated */
    uint32_t scope_id;   /* IPv6 scope of remote */
    uint32_t reserved;
} ikefast_udp_slot;

IKEFAST_EXPORT int32_t IkeFastNative_UdpReceiveBatch(int32_t fd, ikefast_udp_slot *slots, int32_t count);
IKEFAST_EXPORT int32_t IkeFastNative_UdpSendBatch(int32_t fd, const ikefast_udp_slot *slots, int32_t count);
IKEFAST_EXPORT int32_t IkeFastNative_UdpWait(const int32_t *fds, int32_t nfds, int32_t timeout_ms, uint64_t *ready_mask);
/* How full the socket's receive queue is, in thousandths of its limit (SO_MEMINFO). */
IKEFAST_EXPORT int32_t IkeFastNative_UdpReceiveQueueFill(int32_t fd);
IKEFAST_EXPORT int32_t IkeFastNative_UdpSetReusePort(int32_t fd);
/* SO_ATTACH_REUSEPORT_CBPF: the socket of the group is picked by a seeded hash of the datagram's source address. */
IKEFAST_EXPORT int32_t IkeFastNative_UdpAttachAddressSteering(int32_t fd, int32_t ipv6, int32_t shards, uint64_t seed);
IKEFAST_EXPORT int32_t IkeFastNative_EventCreate(void);
IKEFAST_EXPORT int32_t IkeFastNative_EventSignal(int32_t fd);
IKEFAST_EXPORT int32_t IkeFastNative_EventDrain(int32_t fd);
IKEFAST_EXPORT int32_t IkeFastNative_EventClose(int32_t fd);

#endif

/*
 * xfrm-shim: LD_PRELOAD library that lets an IKE daemon (strongSwan charon, Libreswan pluto) complete Quick
 * Mode on a kernel that has CONFIG_XFRM but no ESP/AH/IPComp.
 *
 * Why: on such a kernel XFRM_MSG_NEWSA/UPDSA for proto esp fail with EPROTONOSUPPORT ("Requested type not
 * found"), so both daemons abort Quick Mode right after the exchange ("unable to add SAD entry" / "netlink
 * response for Add SA ... Protocol not supported"). IKE on the wire is what the interop tests check, not the
 * ESP data plane, so the SA install is made a no-op:
 *
 *   every netlink message of type XFRM_MSG_NEWSA, XFRM_MSG_UPDSA or XFRM_MSG_DELSA that the process sends on a
 *   NETLINK_XFRM socket is rewritten into NLMSG_NOOP, keeping nlmsg_len, nlmsg_seq, nlmsg_pid and nlmsg_flags.
 *
 * The kernel's netlink_rcv_skb() does not dispatch control types (< NLMSG_MIN_TYPE) and, because NLM_F_ACK is
 * kept, answers with an NLMSG_ERROR whose error is 0: the daemon sees "SA added" with the sequence number it
 * expects. Everything else (XFRM_MSG_ALLOCSPI, policies, GETSA) reaches the kernel unchanged.
 *
 * Wrapped: sendmsg, send, sendto, write (charon uses sendto/send; pluto writes its requests with write()).
 * A cheap content check comes first (a netlink header of one of the three types at the start of the buffer),
 * and only then getsockopt(SO_DOMAIN/SO_PROTOCOL) confirms the descriptor is a NETLINK_XFRM socket, so the
 * wrappers cost nothing for ordinary I/O.
 *
 * Optional: XFRM_SHIM_LOG=/path appends one line per rewritten message (for debugging the harness).
 *
 * Build: gcc -shared -fPIC -O2 -Wall -Wextra -o xfrm-shim.so shim.c -ldl
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);
typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);

static sendmsg_fn real_sendmsg;
static send_fn real_send;
static sendto_fn real_sendto;
static write_fn real_write;

static void *resolve(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (p == NULL)
		abort(); /* no libc symbol to forward to: nothing sensible can be done */
	return p;
}

static int is_rewritten_type(uint16_t type)
{
	return type == XFRM_MSG_NEWSA || type == XFRM_MSG_UPDSA || type == XFRM_MSG_DELSA;
}

/* Any message in the buffer that the shim must rewrite? Walks the nlmsghdr chain without trusting it. */
static int needs_rewrite(const void *buf, size_t len)
{
	const struct nlmsghdr *h = buf;
	size_t left = len;
	if (buf == NULL)
		return 0;
	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (is_rewritten_type(h->nlmsg_type))
			return 1;
	}
	return 0;
}

static int is_xfrm_socket(int fd)
{
	int domain = 0, protocol = -1;
	socklen_t sl = sizeof(domain);
	int saved = errno; /* getsockopt on a non-socket must not leak ENOTSOCK into the caller's errno */
	int ok = getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &sl) == 0 && domain == AF_NETLINK;
	if (ok) {
		sl = sizeof(protocol);
		ok = getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &sl) == 0 && protocol == NETLINK_XFRM;
	}
	errno = saved;
	return ok;
}

static const char *type_name(uint16_t type)
{
	switch (type) {
	case XFRM_MSG_NEWSA: return "NEWSA";
	case XFRM_MSG_UPDSA: return "UPDSA";
	case XFRM_MSG_DELSA: return "DELSA";
	default: return "?";
	}
}

static void log_rewrite(const struct nlmsghdr *h)
{
	const char *path = getenv("XFRM_SHIM_LOG");
	char line[160];
	int fd, n;
	uint32_t spi = 0;
	if (path == NULL || *path == '\0')
		return;
	/* NEWSA/UPDSA carry xfrm_usersa_info, DELSA carries xfrm_usersa_id: both start with the SPI where it is. */
	if (h->nlmsg_type == XFRM_MSG_DELSA && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_usersa_id)))
		spi = ((const struct xfrm_usersa_id *)NLMSG_DATA(h))->spi;
	else if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_usersa_info)))
		spi = ((const struct xfrm_usersa_info *)NLMSG_DATA(h))->id.spi;
	n = snprintf(line, sizeof(line), "pid=%d %s -> NOOP seq=%u flags=0x%x spi=0x%08x\n", (int)getpid(),
		     type_name(h->nlmsg_type), h->nlmsg_seq, h->nlmsg_flags, (unsigned)ntohl(spi));
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (real_write == NULL)
		real_write = (write_fn)resolve("write");
	if (real_write(fd, line, (size_t)n) < 0) {
		/* best effort only */
	}
	close(fd);
}

/* Rewrites in place (buf is the shim's own copy). */
static void rewrite(void *buf, size_t len)
{
	struct nlmsghdr *h = buf;
	size_t left = len;
	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (is_rewritten_type(h->nlmsg_type)) {
			log_rewrite(h);
			h->nlmsg_type = NLMSG_NOOP; /* flags (NLM_F_REQUEST|NLM_F_ACK) kept: kernel acks with 0 */
		}
	}
}

/* Copies a caller's buffer, rewrites it, sends it with `how`; returns the caller's length on success. */
static ssize_t send_copy(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
			 socklen_t tolen, int use_write)
{
	void *copy = malloc(len);
	ssize_t r;
	if (copy == NULL) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(copy, buf, len);
	rewrite(copy, len);
	if (use_write)
		r = real_write(fd, copy, len);
	else
		r = real_sendto(fd, copy, len, flags, to, tolen);
	free(copy);
	return r;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
	if (real_sendto == NULL)
		real_sendto = (sendto_fn)resolve("sendto");
	if (needs_rewrite(buf, len) && is_xfrm_socket(fd))
		return send_copy(fd, buf, len, flags, to, tolen, 0);
	return real_sendto(fd, buf, len, flags, to, tolen);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	if (real_send == NULL)
		real_send = (send_fn)resolve("send");
	if (needs_rewrite(buf, len) && is_xfrm_socket(fd)) {
		if (real_sendto == NULL)
			real_sendto = (sendto_fn)resolve("sendto");
		return send_copy(fd, buf, len, flags, NULL, 0, 0);
	}
	return real_send(fd, buf, len, flags);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	if (real_write == NULL)
		real_write = (write_fn)resolve("write");
	if (len >= sizeof(struct nlmsghdr) && needs_rewrite(buf, len) && is_xfrm_socket(fd))
		return send_copy(fd, buf, len, 0, NULL, 0, 1);
	return real_write(fd, buf, len);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	size_t total = 0, off = 0, i;
	unsigned char *flat;
	struct iovec iov;
	struct msghdr copy;
	ssize_t r;

	if (real_sendmsg == NULL)
		real_sendmsg = (sendmsg_fn)resolve("sendmsg");
	if (msg == NULL || msg->msg_iovlen == 0 || msg->msg_iov == NULL)
		return real_sendmsg(fd, msg, flags);
	/* Fast path: a single iovec (what charon and pluto send) is inspected before the socket check. */
	if (msg->msg_iovlen == 1 && !needs_rewrite(msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len))
		return real_sendmsg(fd, msg, flags);
	if (!is_xfrm_socket(fd))
		return real_sendmsg(fd, msg, flags);

	/* Netlink messages may be split across iovecs: flatten, rewrite, send as one iovec. */
	for (i = 0; i < msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	flat = malloc(total ? total : 1);
	if (flat == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < msg->msg_iovlen; i++) {
		memcpy(flat + off, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
		off += msg->msg_iov[i].iov_len;
	}
	rewrite(flat, total);
	iov.iov_base = flat;
	iov.iov_len = total;
	copy = *msg;
	copy.msg_iov = &iov;
	copy.msg_iovlen = 1;
	r = real_sendmsg(fd, &copy, flags);
	free(flat);
	return r;
}

/*
 * Socket options an IKE daemon sets on its own UDP sockets: UDP encapsulation of ESP on the NAT-T port
 * (RFC 3948) and a per-socket policy bypass so IKE packets are never caught by the IPsec policies they negotiate.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/xfrm.h>
#include <netinet/in.h>

#include "ikefast_xfrm.h"

/* From linux/udp.h (not included: it clashes with netinet/in.h on some libcs). */
#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif
#ifndef IP_XFRM_POLICY
#define IP_XFRM_POLICY 17
#endif
#ifndef IPV6_XFRM_POLICY
#define IPV6_XFRM_POLICY 35
#endif

IKEFAST_EXPORT int32_t IkeFastNative_SetUdpEncap(int32_t fd)
{
    /* RFC 3948 section 2.2: the kernel then strips the non-ESP marker and hands ESP-in-UDP to xfrm. */
    int type = UDP_ENCAP_ESPINUDP;
    return setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) < 0 ? -errno : 0;
}

IKEFAST_EXPORT int32_t IkeFastNative_SetIpsecBypass(int32_t fd, int32_t family)
{
    int level, option;
    if (family == AF_INET)
    {
        level = IPPROTO_IP;
        option = IP_XFRM_POLICY;
    }
    else if (family == AF_INET6)
    {
        level = IPPROTO_IPV6;
        option = IPV6_XFRM_POLICY;
    }
    else
        return -EINVAL;

    /* A socket policy with no template and action allow overrides every SPD policy for this socket. */
    struct xfrm_userpolicy_info policy;
    memset(&policy, 0, sizeof(policy));
    policy.action = XFRM_POLICY_ALLOW;
    policy.sel.family = (uint16_t)family;
    policy.dir = XFRM_POLICY_IN;
    if (setsockopt(fd, level, option, &policy, sizeof(policy)) < 0)
        return -errno;
    policy.dir = XFRM_POLICY_OUT;
    if (setsockopt(fd, level, option, &policy, sizeof(policy)) < 0)
        return -errno;
    return 0;
}

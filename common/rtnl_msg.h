/* SPDX-License-Identifier: MIT */
#ifndef MT6D_RTNL_MSG_H
#define MT6D_RTNL_MSG_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The route-netlink requests of rtnl.c, built without a socket: each builder writes one
 * complete request (NLM_F_REQUEST | NLM_F_ACK, sequence number @seq) at @buf, which is
 * @len bytes long and aligned to NLMSG_ALIGNTO, and returns its nlmsg_len; -EMSGSIZE when
 * it does not fit, with nothing written past @len.
 */

/*
 * Protocol number stamped on the routes we install.  The kernel does not interpret values
 * above RTPROT_STATIC, so it lets `ip -6 route show proto 109` list exactly our routes, lets a
 * restarted daemon find what a crashed one left behind, and makes RTM_DELROUTE match only our
 * routes (the kernel compares the protocol when it is non-zero).  109 is 0x6d, 'm'; it is not
 * in iproute2's rt_protos registry.
 */
#define MT6D_RTPROT 109

/* RTM_NEWADDR, create or replace: IFA_F_NODAD | IFA_F_NOPREFIXROUTE and the lifetimes. */
int mt6d_rtnl_msg_addr_set(void *buf, size_t len, uint32_t seq, int ifindex,
			   const struct in6_addr *addr, uint8_t plen, uint32_t valid_lft,
			   uint32_t preferred_lft) __attribute__((warn_unused_result));
int mt6d_rtnl_msg_addr_del(void *buf, size_t len, uint32_t seq, int ifindex,
			   const struct in6_addr *addr, uint8_t plen)
	__attribute__((warn_unused_result));
/* RTM_GETADDR dump of every IPv6 address (the kernel does not filter by interface). */
int mt6d_rtnl_msg_addr_dump(void *buf, size_t len, uint32_t seq)
	__attribute__((warn_unused_result));

/* Unicast device route in the main table, ours (MT6D_RTPROT). */
int mt6d_rtnl_msg_route_set(void *buf, size_t len, uint32_t seq, int ifindex,
			    const struct in6_addr *dst, uint8_t plen)
	__attribute__((warn_unused_result));
int mt6d_rtnl_msg_route_del(void *buf, size_t len, uint32_t seq, int ifindex,
			    const struct in6_addr *dst, uint8_t plen)
	__attribute__((warn_unused_result));

/*
 * A route of ours in the main table, "@dst/@plen via @gw dev @oif metric @metric" (@gw ::
 * for none), expiring after @expires seconds (0: never); created or replaced.
 */
int mt6d_rtnl_msg_route_via_set(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst,
				uint8_t plen, const struct in6_addr *gw, int oif, uint32_t metric,
				uint32_t expires) __attribute__((warn_unused_result));
int mt6d_rtnl_msg_route_via_del(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst,
				uint8_t plen, uint32_t metric) __attribute__((warn_unused_result));
/* RTM_GETROUTE dump of every IPv6 route. */
int mt6d_rtnl_msg_route_dump(void *buf, size_t len, uint32_t seq)
	__attribute__((warn_unused_result));
/* RTM_GETROUTE for the single address @dst (out of device @oif, 0: any): the route taken. */
int mt6d_rtnl_msg_route_get(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst,
			    int oif) __attribute__((warn_unused_result));

/* The AnyIP route, "local @dst/@plen dev @lo" in the local table; @expires 0: never. */
int mt6d_rtnl_msg_local_route_set(void *buf, size_t len, uint32_t seq, int lo,
				  const struct in6_addr *dst, uint8_t plen, uint32_t expires)
	__attribute__((warn_unused_result));
int mt6d_rtnl_msg_local_route_del(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst,
				  uint8_t plen) __attribute__((warn_unused_result));
/* RTM_GETROUTE with RTM_F_FIB_MATCH for the single address @dst. */
int mt6d_rtnl_msg_local_route_get(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst)
	__attribute__((warn_unused_result));

/* RTM_NEWLINK setting IFF_UP, and IFLA_MTU when @mtu != 0. */
int mt6d_rtnl_msg_link_up(void *buf, size_t len, uint32_t seq, int ifindex, unsigned int mtu)
	__attribute__((warn_unused_result));

#endif

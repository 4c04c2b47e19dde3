/* SPDX-License-Identifier: MIT */
#ifndef MT6D_RTNL_REPLY_H
#define MT6D_RTNL_REPLY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "rtnl.h"

/*
 * The reading half of rtnl.c, without a socket: the reply to one request, taken in from each
 * buffer recv() returned, and the parsers of the data messages rtnl.c's requests get back.
 * rtnl.c feeds every read to it; test/fuzz/fuzz_rtnl.c feeds its input the same way.
 */

/* Called for each data message of a reply; non-zero stops the calls and is returned. */
typedef int (*mt6d_rtnl_msg_cb)(const struct nlmsghdr *nlh, void *data);

struct mt6d_rtnl_reply {
	uint32_t seq, portid; /* the request's, and our socket's */
	mt6d_rtnl_msg_cb cb;
	void *data;
	int ret;   /* first callback result or kernel error */
	bool intr; /* a message had NLM_F_DUMP_INTR */
	bool done; /* ack, error or NLMSG_DONE seen */
};

void mt6d_rtnl_reply_init(struct mt6d_rtnl_reply *r, uint32_t seq, uint32_t portid,
			  mt6d_rtnl_msg_cb cb, void *data);
/*
 * Takes the messages in @buf (@len bytes, one read, aligned to NLMSG_ALIGNTO) until the
 * reply is done; messages of other requests are skipped. Read again while !r->done.
 */
void mt6d_rtnl_reply_feed(struct mt6d_rtnl_reply *r, const void *buf, size_t len);
/*
 * The outcome of a done reply: the first non-zero callback result or the kernel's -errno,
 * else 0; -EINTR when the dump was interrupted (the callbacks saw an inconsistent view).
 */
int mt6d_rtnl_reply_result(const struct mt6d_rtnl_reply *r);

/*
 * A dump of IPv6 addresses: each RTM_NEWADDR of @ifindex (0: any) and, with @global_only,
 * of global scope, parsed and passed to @cb. -EBADMSG for a message too short or with an
 * attribute of the wrong size, or without an address.
 */
struct mt6d_rtnl_addr_walk {
	int ifindex;
	bool global_only;
	mt6d_rtnl_addr_cb cb;
	void *data;
};

int mt6d_rtnl_addr_msg(const struct nlmsghdr *nlh, void *walk);

/*
 * Whether @a names its link's /64: a /64 that is neither temporary nor failed DAD, not a
 * unique local one (fc00::/7 is not routed across the internet), and not one of mt6d's
 * hashed addresses. Those are added with IFA_F_NODAD | IFA_F_NOPREFIXROUTE
 * (mt6d_rtnl_addr_set()) and stay on a link's old /64 for a while after it was renumbered;
 * an operator's address added with both flags is taken for one of them.
 */
bool mt6d_rtnl_addr_names_prefix(const struct mt6d_rtnl_addr *a);

/*
 * The callback of mt6d_rtnl_find_global_prefix(): 1, with the /64 of @a in *@prefix (a
 * struct in6_addr), when @a names its link's /64.
 */
int mt6d_rtnl_prefix_pick(const struct mt6d_rtnl_addr *a, void *prefix);

/*
 * The callback of mt6d_rtnl_follow_prefix(): whether an address still names @cur's /64,
 * and whether a preferred one does; the first other /64 a preferred address names, else
 * the first other one named at all.
 */
struct mt6d_rtnl_follow {
	struct in6_addr cur;
	bool kept, kept_preferred, found, first_preferred;
	struct in6_addr first;
};

int mt6d_rtnl_prefix_follow(const struct mt6d_rtnl_addr *a, void *follow);

/*
 * The answer to a route lookup (RTM_F_FIB_MATCH) for an address of @dst/@plen: whether it
 * is our local route for exactly that prefix, and its remaining lifetime in seconds
 * (0: none).
 */
struct mt6d_rtnl_local_route {
	struct in6_addr dst;
	uint8_t plen;
	bool ours;
	uint32_t expires;
};

int mt6d_rtnl_local_route_msg(const struct nlmsghdr *nlh, void *local_route);

/* The answer to a route lookup for one address: the device and gateway (:: for none). */
struct mt6d_rtnl_route_via {
	bool found; /* a unicast route */
	int oif;
	struct in6_addr gw;
};

int mt6d_rtnl_route_via_msg(const struct nlmsghdr *nlh, void *route_via);

/*
 * The callback of a route dump for mt6d_rtnl_route_gateway(): of the main table's unicast
 * routes out of @oif that are not ours (MT6D_RTPROT) and hold @dst, the longest prefix,
 * then the lowest metric, and its gateway (:: when on-link).
 */
struct mt6d_rtnl_route_pick {
	struct in6_addr dst;
	int oif;
	bool found;
	unsigned int plen;
	uint32_t metric;
	struct in6_addr gw;
};

int mt6d_rtnl_route_pick_msg(const struct nlmsghdr *nlh, void *route_pick);

#endif

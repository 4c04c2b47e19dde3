// SPDX-License-Identifier: MIT
/*
 * Route netlink requests (IPv6 addresses, routes, link state) over one libmnl socket.
 *
 * Every request carries its own sequence number and NLM_F_ACK, and is answered before the
 * next one is sent: the reply ends with the ack (NLMSG_ERROR, error 0 or -errno) or, for a
 * dump, with NLMSG_DONE.  The requests themselves are built by rtnl_msg.c, so the unit tests
 * read the bytes sent here, and the replies read by rtnl_reply.c, which the fuzzer feeds.
 * No logging here: callers get -errno and decide.
 */
#include "rtnl.h"
#include "rtnl_msg.h"
#include "rtnl_reply.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

/*
 * The kernel sizes dump skbs after the largest buffer we have passed to recvmsg(), and at
 * least NLMSG_GOODSIZE (< 8 KiB), so 32 KiB never truncates (libmnl's MNL_SOCKET_DUMP_SIZE).
 */
#define RTNL_RX_SIZE 32768
/* A request is a header plus a few fixed-size attributes: under 128 bytes. */
#define RTNL_TX_SIZE 256

struct mt6d_rtnl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	char tx[RTNL_TX_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	char rx[RTNL_RX_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
};

int mt6d_rtnl_open(struct mt6d_rtnl **out)
{
	struct mt6d_rtnl *nl;
	int one = 1;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mt6d_rtnl_close(nl);
		return ret;
	}
	/* Errors need not echo our request back; best effort, older kernels lack it. */
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	*out = nl;
	return 0;
}

void mt6d_rtnl_close(struct mt6d_rtnl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

/* The sequence number of the next request; 0 is skipped. */
static uint32_t next_seq(struct mt6d_rtnl *nl)
{
	if (++nl->seq == 0)
		nl->seq = 1;
	return nl->seq;
}

/*
 * Sends the request a builder of rtnl_msg.c has put in nl->tx (@len: its result, passed on
 * when negative) and reads its whole reply.  libmnl's mnl_cb_run() is not used because it
 * returns at the first NLM_F_DUMP_INTR message or stopping callback, leaving the rest of
 * the dump queued for the next request to trip on; here a reply is always read to its end.
 */
static int rtnl_talk(struct mt6d_rtnl *nl, int len, mt6d_rtnl_msg_cb cb, void *data)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->tx;
	struct mt6d_rtnl_reply r;
	ssize_t n;

	if (len < 0)
		return len;
	mt6d_rtnl_reply_init(&r, nlh->nlmsg_seq, nl->portid, cb, data);
	if (mnl_socket_sendto(nl->sock, nl->tx, (size_t)len) < 0)
		return -errno;
	while (!r.done) {
		n = mnl_socket_recvfrom(nl->sock, nl->rx, sizeof(nl->rx));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno; /* ENOBUFS: replies were lost, the caller resyncs */
		mt6d_rtnl_reply_feed(&r, nl->rx, (size_t)n);
	}
	return mt6d_rtnl_reply_result(&r);
}

int mt6d_rtnl_addr_set(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *addr, uint8_t plen,
		       uint32_t valid_lft, uint32_t preferred_lft)
{
	int len = mt6d_rtnl_msg_addr_set(nl->tx, sizeof(nl->tx), next_seq(nl), ifindex, addr, plen,
					 valid_lft, preferred_lft);

	return rtnl_talk(nl, len, NULL, NULL);
}

int mt6d_rtnl_addr_del(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *addr, uint8_t plen)
{
	int len = mt6d_rtnl_msg_addr_del(nl->tx, sizeof(nl->tx), next_seq(nl), ifindex, addr, plen);

	return rtnl_talk(nl, len, NULL, NULL);
}

static int addr_walk(struct mt6d_rtnl *nl, struct mt6d_rtnl_addr_walk *w)
{
	int len = mt6d_rtnl_msg_addr_dump(nl->tx, sizeof(nl->tx), next_seq(nl));

	return rtnl_talk(nl, len, mt6d_rtnl_addr_msg, w);
}

int mt6d_rtnl_addr_dump(struct mt6d_rtnl *nl, int ifindex, mt6d_rtnl_addr_cb cb, void *data)
{
	struct mt6d_rtnl_addr_walk w = { .ifindex = ifindex, .cb = cb, .data = data };

	return addr_walk(nl, &w);
}

int mt6d_rtnl_find_global_prefix(struct mt6d_rtnl *nl, int ifindex, struct in6_addr *prefix)
{
	struct in6_addr p;
	struct mt6d_rtnl_addr_walk w = {
		.ifindex = ifindex, .global_only = true, .cb = mt6d_rtnl_prefix_pick, .data = &p
	};
	int ret = addr_walk(nl, &w);

	if (ret < 0)
		return ret;
	if (ret == 0)
		return -ENOENT;
	*prefix = p;
	return 0;
}

int mt6d_rtnl_follow_prefix(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *cur,
			    struct in6_addr *prefix)
{
	struct mt6d_rtnl_follow f;
	struct mt6d_rtnl_addr_walk w = {
		.ifindex = ifindex, .global_only = true, .cb = mt6d_rtnl_prefix_follow, .data = &f
	};
	int ret = -EINTR;

	/* A dump interrupted by a concurrent change (a renumbering is one) is taken again. */
	for (int i = 0; i < 4 && ret == -EINTR; i++) {
		f = (struct mt6d_rtnl_follow){ .cur = *cur };
		ret = addr_walk(nl, &w);
	}
	if (ret < 0)
		return ret;
	/* A preferred address names the /64 now; a deprecated one only while none does. */
	if (f.kept_preferred || !f.found || (f.kept && !f.first_preferred)) {
		*prefix = *cur;
		return 0;
	}
	*prefix = f.first;
	return 1;
}

int mt6d_rtnl_route_set(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *dst, uint8_t plen)
{
	int len = mt6d_rtnl_msg_route_set(nl->tx, sizeof(nl->tx), next_seq(nl), ifindex, dst, plen);

	return rtnl_talk(nl, len, NULL, NULL);
}

int mt6d_rtnl_route_del(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *dst, uint8_t plen)
{
	int len = mt6d_rtnl_msg_route_del(nl->tx, sizeof(nl->tx), next_seq(nl), ifindex, dst, plen);

	return rtnl_talk(nl, len, NULL, NULL);
}

int mt6d_rtnl_local_route_set(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen,
			      uint32_t expires)
{
	unsigned int lo = if_nametoindex("lo");
	int len;

	if (!lo)
		return -ENODEV;
	len = mt6d_rtnl_msg_local_route_set(nl->tx, sizeof(nl->tx), next_seq(nl), (int)lo, dst,
					    plen, expires);
	return rtnl_talk(nl, len, NULL, NULL);
}

int mt6d_rtnl_local_route_del(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen)
{
	int len = mt6d_rtnl_msg_local_route_del(nl->tx, sizeof(nl->tx), next_seq(nl), dst, plen);

	return rtnl_talk(nl, len, NULL, NULL);
}

/*
 * Asks the kernel which route an address of the prefix resolves to (RTM_GETROUTE with
 * RTM_F_FIB_MATCH returns the matching FIB entry itself, not a clone): one lookup, whatever
 * the size of the routing tables.
 */
int mt6d_rtnl_local_route_get(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen,
			      uint32_t *expires)
{
	struct mt6d_rtnl_local_route lr = { .dst = *dst, .plen = plen };
	int ret = mt6d_rtnl_msg_local_route_get(nl->tx, sizeof(nl->tx), next_seq(nl), dst);

	ret = rtnl_talk(nl, ret, mt6d_rtnl_local_route_msg, &lr);
	/* No route at all for the address: the lookup says unreachable. */
	if (ret == -ENETUNREACH || ret == -EHOSTUNREACH)
		return -ENOENT;
	if (ret < 0)
		return ret;
	if (!lr.ours)
		return -ENOENT;
	if (expires)
		*expires = lr.expires;
	return 0;
}

int mt6d_rtnl_route_lookup(struct mt6d_rtnl *nl, const struct in6_addr *dst, int *oif,
			   struct in6_addr *gw)
{
	struct mt6d_rtnl_route_via via = { 0 };
	int ret = mt6d_rtnl_msg_route_get(nl->tx, sizeof(nl->tx), next_seq(nl), dst, *oif);

	ret = rtnl_talk(nl, ret, mt6d_rtnl_route_via_msg, &via);
	if (ret == -ENETUNREACH || ret == -EHOSTUNREACH)
		return -ENOENT;
	if (ret < 0)
		return ret;
	if (!via.found || (*oif > 0 && via.oif != *oif))
		return -ENOENT;
	*oif = via.oif;
	*gw = via.gw;
	return 0;
}

int mt6d_rtnl_route_gateway(struct mt6d_rtnl *nl, const struct in6_addr *dst, int oif,
			    struct in6_addr *gw)
{
	struct mt6d_rtnl_route_pick pk;
	int ret = -EINTR;

	for (int i = 0; i < 4 && ret == -EINTR; i++) {
		pk = (struct mt6d_rtnl_route_pick){ .dst = *dst, .oif = oif };
		ret = rtnl_talk(nl, mt6d_rtnl_msg_route_dump(nl->tx, sizeof(nl->tx), next_seq(nl)),
				mt6d_rtnl_route_pick_msg, &pk);
	}
	if (ret < 0)
		return ret;
	if (!pk.found)
		return -ENOENT;
	*gw = pk.gw;
	return 0;
}

int mt6d_rtnl_route_via_set(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen,
			    const struct in6_addr *gw, int oif, uint32_t metric, uint32_t expires)
{
	int len = mt6d_rtnl_msg_route_via_set(nl->tx, sizeof(nl->tx), next_seq(nl), dst, plen, gw,
					      oif, metric, expires);

	return rtnl_talk(nl, len, NULL, NULL);
}

int mt6d_rtnl_route_via_del(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen,
			    uint32_t metric)
{
	int len = mt6d_rtnl_msg_route_via_del(nl->tx, sizeof(nl->tx), next_seq(nl), dst, plen,
					      metric);

	return rtnl_talk(nl, len, NULL, NULL);
}

int mt6d_rtnl_link_up(struct mt6d_rtnl *nl, int ifindex, unsigned int mtu)
{
	int len = mt6d_rtnl_msg_link_up(nl->tx, sizeof(nl->tx), next_seq(nl), ifindex, mtu);

	return rtnl_talk(nl, len, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * Route netlink requests (IPv6 addresses, routes, link state) over one libmnl socket.
 *
 * Every request carries its own sequence number and NLM_F_ACK, and is answered before the
 * next one is sent: the reply ends with the ack (NLMSG_ERROR, error 0 or -errno) or, for a
 * dump, with NLMSG_DONE.  The requests themselves are built by rtnl_msg.c, so the unit tests
 * read the bytes sent here.  No logging here: callers get -errno and decide.
 */
#include "rtnl.h"
#include "rtnl_msg.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

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

/* Called for each data message of a reply; non-zero stops the calls and is returned. */
typedef int (*rtnl_msg_cb)(const struct nlmsghdr *nlh, void *data);

struct reply {
	uint32_t seq;
	rtnl_msg_cb cb;
	void *data;
	int ret;   /* first callback result or kernel error */
	bool intr; /* a message had NLM_F_DUMP_INTR */
	bool done; /* ack, error or NLMSG_DONE seen */
};

struct attr_policy {
	enum mnl_attr_data_type type; /* MNL_TYPE_UNSPEC: attribute not read */
	size_t len;		      /* exact payload length, 0: the type's own */
};

struct attr_table {
	const struct nlattr **tb;
	const struct attr_policy *policy;
	uint16_t max;
};

/* Kept as a table: the repo's LLVM-based clang-format would indent it with spaces. */
/* clang-format off */
static const struct attr_policy ifa_policy[IFA_MAX + 1] = {
	[IFA_ADDRESS]	= { MNL_TYPE_BINARY, sizeof(struct in6_addr) },
	[IFA_LOCAL]	= { MNL_TYPE_BINARY, sizeof(struct in6_addr) },
	[IFA_CACHEINFO]	= { MNL_TYPE_BINARY, sizeof(struct ifa_cacheinfo) },
	[IFA_FLAGS]	= { MNL_TYPE_U32, 0 },
};
/* clang-format on */

struct addr_walk {
	int ifindex;	  /* 0: every interface */
	bool global_only; /* only RT_SCOPE_UNIVERSE */
	mt6d_rtnl_addr_cb cb;
	void *data;
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

static int msg_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return -EBADMSG;
	/* 0 is the ack; some subsystems have been seen to send positive errnos. */
	return err->error > 0 ? -err->error : err->error;
}

static int msg_done(const struct nlmsghdr *nlh)
{
	const int *err = mnl_nlmsg_get_payload(nlh);

	/* A dump that failed half way reports -errno here; old kernels send no payload. */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return 0;
	return *err > 0 ? -*err : *err;
}

static void reply_msg(struct reply *r, const struct nlmsghdr *nlh)
{
	int ret = 0;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->intr = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		return;
	case NLMSG_ERROR:
		r->done = true;
		ret = msg_error(nlh);
		break;
	case NLMSG_DONE:
		r->done = true;
		ret = msg_done(nlh);
		break;
	default:
		/* Once a callback has stopped, the rest is only drained. */
		if (r->cb && r->ret == 0)
			ret = r->cb(nlh, r->data);
		break;
	}
	if (r->ret == 0)
		r->ret = ret;
}

static void reply_parse(struct reply *r, const void *buf, int len, uint32_t portid)
{
	const struct nlmsghdr *nlh = buf;

	for (; !r->done && mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		/* Leftovers of a request we gave up on (recv error) are not ours. */
		if (nlh->nlmsg_seq != r->seq || !mnl_nlmsg_portid_ok(nlh, portid))
			continue;
		reply_msg(r, nlh);
	}
}

/*
 * Sends the request a builder of rtnl_msg.c has put in nl->tx (@len: its result, passed on
 * when negative) and reads its whole reply.  libmnl's mnl_cb_run() is not used because it
 * returns at the first NLM_F_DUMP_INTR message or stopping callback, leaving the rest of
 * the dump queued for the next request to trip on; here a reply is always read to its end.
 */
static int rtnl_talk(struct mt6d_rtnl *nl, int len, rtnl_msg_cb cb, void *data)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->tx;
	struct reply r = { .cb = cb, .data = data };
	ssize_t n;

	if (len < 0)
		return len;
	r.seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(nl->sock, nl->tx, (size_t)len) < 0)
		return -errno;
	while (!r.done) {
		n = mnl_socket_recvfrom(nl->sock, nl->rx, sizeof(nl->rx));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno; /* ENOBUFS: replies were lost, the caller resyncs */
		reply_parse(&r, nl->rx, (int)n, nl->portid);
	}
	/* The callbacks saw an inconsistent view: whatever they decided, dump again. */
	if (r.intr)
		return -EINTR;
	return r.ret;
}

static int attr_collect(const struct nlattr *attr, void *data)
{
	const struct attr_table *t = data;
	const struct attr_policy *p;
	uint16_t type = mnl_attr_get_type(attr);
	int ret;

	/* Attributes newer than our headers are skipped, not fatal. */
	if (mnl_attr_type_valid(attr, t->max) < 0)
		return MNL_CB_OK;
	p = &t->policy[type];
	if (p->type == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (p->len)
		ret = mnl_attr_validate2(attr, p->type, p->len);
	else
		ret = mnl_attr_validate(attr, p->type);
	if (ret < 0)
		return MNL_CB_ERROR;
	t->tb[type] = attr;
	return MNL_CB_OK;
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

static int addr_parse(const struct nlmsghdr *nlh, const struct ifaddrmsg *ifa,
		      struct mt6d_rtnl_addr *a)
{
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	struct attr_table t = { .tb = tb, .policy = ifa_policy, .max = IFA_MAX };
	const struct nlattr *addr;
	const struct ifa_cacheinfo *ci;

	if (mnl_attr_parse(nlh, sizeof(*ifa), attr_collect, &t) < 0)
		return -EBADMSG;
	/* With a peer, IFA_ADDRESS is the peer and IFA_LOCAL ours (iproute2 reads it so). */
	addr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!addr)
		return -EBADMSG;
	memset(a, 0, sizeof(*a));
	memcpy(&a->addr, mnl_attr_get_payload(addr), sizeof(a->addr));
	a->plen = ifa->ifa_prefixlen;
	a->ifindex = (int)ifa->ifa_index;
	a->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	a->valid_lft = UINT32_MAX;
	a->preferred_lft = UINT32_MAX;
	if (tb[IFA_CACHEINFO]) {
		ci = mnl_attr_get_payload(tb[IFA_CACHEINFO]);
		a->valid_lft = ci->ifa_valid;
		a->preferred_lft = ci->ifa_prefered;
	}
	return 0;
}

static int addr_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct addr_walk *w = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct mt6d_rtnl_addr a;
	int ret;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	if (ifa->ifa_family != AF_INET6)
		return 0;
	if (w->ifindex && ifa->ifa_index != (uint32_t)w->ifindex)
		return 0;
	if (w->global_only && ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;
	ret = addr_parse(nlh, ifa, &a);
	if (ret)
		return ret;
	return w->cb(&a, w->data);
}

static int addr_walk(struct mt6d_rtnl *nl, struct addr_walk *w)
{
	int len = mt6d_rtnl_msg_addr_dump(nl->tx, sizeof(nl->tx), next_seq(nl));

	return rtnl_talk(nl, len, addr_msg_cb, w);
}

int mt6d_rtnl_addr_dump(struct mt6d_rtnl *nl, int ifindex, mt6d_rtnl_addr_cb cb, void *data)
{
	struct addr_walk w = { .ifindex = ifindex, .cb = cb, .data = data };

	return addr_walk(nl, &w);
}

static int prefix_cb(const struct mt6d_rtnl_addr *a, void *data)
{
	struct in6_addr *prefix = data;

	/*
	 * Privacy addresses share the /64 but are not the host's own; a failed DAD says the
	 * address is unusable.  A tentative one already names the right prefix, and skipping
	 * it would make a start at boot race with DAD.
	 */
	if (a->plen != 64 || (a->flags & (IFA_F_TEMPORARY | IFA_F_DADFAILED)))
		return 0;
	memcpy(prefix->s6_addr, a->addr.s6_addr, 8);
	memset(prefix->s6_addr + 8, 0, 8);
	return 1;
}

int mt6d_rtnl_find_global_prefix(struct mt6d_rtnl *nl, int ifindex, struct in6_addr *prefix)
{
	struct in6_addr p;
	struct addr_walk w = {
		.ifindex = ifindex, .global_only = true, .cb = prefix_cb, .data = &p
	};
	int ret = addr_walk(nl, &w);

	if (ret < 0)
		return ret;
	if (ret == 0)
		return -ENOENT;
	*prefix = p;
	return 0;
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

/* clang-format off */
static const struct attr_policy rt_policy[RTA_MAX + 1] = {
	[RTA_DST]	= { MNL_TYPE_BINARY, sizeof(struct in6_addr) },
	[RTA_TABLE]	= { MNL_TYPE_U32, 0 },
	[RTA_CACHEINFO]	= { MNL_TYPE_BINARY, sizeof(struct rta_cacheinfo) },
};
/* clang-format on */

struct local_route {
	struct in6_addr dst;
	uint8_t plen;
	bool ours;
	uint32_t expires;
};

static int local_route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = { NULL };
	struct attr_table t = { .tb = tb, .policy = rt_policy, .max = RTA_MAX };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct local_route *lr = data;
	const struct rta_cacheinfo *ci;
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm) ||
	    mnl_attr_parse(nlh, sizeof(*rtm), attr_collect, &t) < 0)
		return -EBADMSG;
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	lr->ours = rtm->rtm_family == AF_INET6 && rtm->rtm_type == RTN_LOCAL &&
		   rtm->rtm_protocol == MT6D_RTPROT && table == RT_TABLE_LOCAL &&
		   rtm->rtm_dst_len == lr->plen && tb[RTA_DST] &&
		   !memcmp(mnl_attr_get_payload(tb[RTA_DST]), &lr->dst, sizeof(lr->dst));
	/* rta_expires is in clock ticks of USER_HZ (100 per second); 0: no expiry. */
	if (lr->ours && tb[RTA_CACHEINFO]) {
		ci = mnl_attr_get_payload(tb[RTA_CACHEINFO]);
		lr->expires = ci->rta_expires ? (uint32_t)(ci->rta_expires + 99) / 100 : 0;
	}
	return 0;
}

/*
 * Asks the kernel which route an address of the prefix resolves to (RTM_GETROUTE with
 * RTM_F_FIB_MATCH returns the matching FIB entry itself, not a clone): one lookup, whatever
 * the size of the routing tables.
 */
int mt6d_rtnl_local_route_get(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen,
			      uint32_t *expires)
{
	struct local_route lr = { .dst = *dst, .plen = plen };
	int ret = mt6d_rtnl_msg_local_route_get(nl->tx, sizeof(nl->tx), next_seq(nl), dst);

	ret = rtnl_talk(nl, ret, local_route_cb, &lr);
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

int mt6d_rtnl_link_up(struct mt6d_rtnl *nl, int ifindex, unsigned int mtu)
{
	int len = mt6d_rtnl_msg_link_up(nl->tx, sizeof(nl->tx), next_seq(nl), ifindex, mtu);

	return rtnl_talk(nl, len, NULL, NULL);
}

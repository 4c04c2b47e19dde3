// SPDX-License-Identifier: MIT
/*
 * Replies to route netlink requests, read without a socket (rtnl_reply.h): the messages
 * of one reply, and the address and route messages in it, every attribute validated
 * against a policy before it is read.
 */
#include "rtnl_reply.h"
#include "nlmsg.h"
#include "rtnl_msg.h"

#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

/* Kept as a table: the repo's LLVM-based clang-format would indent it with spaces. */
/* clang-format off */
static const struct mt6d_nlattr_policy ifa_policy[IFA_MAX + 1] = {
	[IFA_ADDRESS]	= { MNL_TYPE_BINARY, sizeof(struct in6_addr) },
	[IFA_LOCAL]	= { MNL_TYPE_BINARY, sizeof(struct in6_addr) },
	[IFA_CACHEINFO]	= { MNL_TYPE_BINARY, sizeof(struct ifa_cacheinfo) },
	[IFA_FLAGS]	= { MNL_TYPE_U32, 0 },
};
/* clang-format on */

static int msg_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return -EBADMSG;
	/* 0 is the ack. */
	return mt6d_nlmsg_errno(err->error);
}

static int msg_done(const struct nlmsghdr *nlh)
{
	const int *err = mnl_nlmsg_get_payload(nlh);

	/* A dump that failed half way reports -errno here; old kernels send no payload. */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return 0;
	return mt6d_nlmsg_errno(*err);
}

static void reply_msg(struct mt6d_rtnl_reply *r, const struct nlmsghdr *nlh)
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

void mt6d_rtnl_reply_init(struct mt6d_rtnl_reply *r, uint32_t seq, uint32_t portid,
			  mt6d_rtnl_msg_cb cb, void *data)
{
	*r = (struct mt6d_rtnl_reply){ .seq = seq, .portid = portid, .cb = cb, .data = data };
}

void mt6d_rtnl_reply_feed(struct mt6d_rtnl_reply *r, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;

	for (; !r->done && mt6d_nlmsg_ok(nlh, len); nlh = mt6d_nlmsg_next(nlh, &len)) {
		/* Leftovers of a request we gave up on (recv error) are not ours. */
		if (nlh->nlmsg_seq != r->seq || !mnl_nlmsg_portid_ok(nlh, r->portid))
			continue;
		reply_msg(r, nlh);
	}
}

int mt6d_rtnl_reply_result(const struct mt6d_rtnl_reply *r)
{
	/* The callbacks saw an inconsistent view: whatever they decided, dump again. */
	if (r->intr)
		return -EINTR;
	return r->ret;
}

static int addr_parse(const struct nlmsghdr *nlh, const struct ifaddrmsg *ifa,
		      struct mt6d_rtnl_addr *a)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct nlattr *addr;
	const struct ifa_cacheinfo *ci;

	if (mt6d_nlattr_parse(nlh, sizeof(*ifa), ifa_policy, IFA_MAX, tb) < 0)
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

int mt6d_rtnl_addr_msg(const struct nlmsghdr *nlh, void *walk)
{
	const struct mt6d_rtnl_addr_walk *w = walk;
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

bool mt6d_rtnl_addr_names_prefix(const struct mt6d_rtnl_addr *a)
{
	const uint32_t ours = IFA_F_NODAD | IFA_F_NOPREFIXROUTE;

	/*
	 * Privacy addresses share the /64 but are not the host's own; a failed DAD says the
	 * address is unusable.  A tentative one already names the right prefix, and skipping
	 * it would make a start at boot race with DAD.
	 */
	return a->plen == 64 && !(a->flags & (IFA_F_TEMPORARY | IFA_F_DADFAILED)) &&
	       (a->flags & ours) != ours && (a->addr.s6_addr[0] & 0xfe) != 0xfc;
}

int mt6d_rtnl_prefix_pick(const struct mt6d_rtnl_addr *a, void *data)
{
	struct in6_addr *prefix = data;

	if (!mt6d_rtnl_addr_names_prefix(a))
		return 0;
	memcpy(prefix->s6_addr, a->addr.s6_addr, 8);
	memset(prefix->s6_addr + 8, 0, 8);
	return 1;
}

int mt6d_rtnl_prefix_follow(const struct mt6d_rtnl_addr *a, void *data)
{
	struct mt6d_rtnl_follow *f = data;
	bool preferred = !(a->flags & IFA_F_DEPRECATED);

	if (!mt6d_rtnl_addr_names_prefix(a))
		return 0;
	if (!memcmp(a->addr.s6_addr, f->cur.s6_addr, 8)) {
		f->kept = true;
		f->kept_preferred |= preferred;
		return 0;
	}
	if (!f->found || (preferred && !f->first_preferred)) {
		memcpy(f->first.s6_addr, a->addr.s6_addr, 8);
		memset(f->first.s6_addr + 8, 0, 8);
		f->found = true;
		f->first_preferred = preferred;
	}
	return 0;
}

/* clang-format off */
static const struct mt6d_nlattr_policy rt_policy[RTA_MAX + 1] = {
	[RTA_DST]	= { MNL_TYPE_BINARY, sizeof(struct in6_addr) },
	[RTA_TABLE]	= { MNL_TYPE_U32, 0 },
	[RTA_CACHEINFO]	= { MNL_TYPE_BINARY, sizeof(struct rta_cacheinfo) },
	[RTA_GATEWAY]	= { MNL_TYPE_BINARY, sizeof(struct in6_addr) },
	[RTA_OIF]	= { MNL_TYPE_U32, 0 },
	[RTA_PRIORITY]	= { MNL_TYPE_U32, 0 },
};
/* clang-format on */

int mt6d_rtnl_route_via_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct mt6d_rtnl_route_via *via = data;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (mt6d_nlattr_parse(nlh, sizeof(*rtm), rt_policy, RTA_MAX, tb) < 0)
		return -EBADMSG;
	if (rtm->rtm_family != AF_INET6 || rtm->rtm_type != RTN_UNICAST || !tb[RTA_OIF])
		return 0;
	via->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	memset(&via->gw, 0, sizeof(via->gw));
	if (tb[RTA_GATEWAY])
		memcpy(&via->gw, mnl_attr_get_payload(tb[RTA_GATEWAY]), sizeof(via->gw));
	via->found = true;
	return 0;
}

int mt6d_rtnl_route_pick_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct mt6d_rtnl_route_pick *pk = data;
	struct in6_addr net = { 0 };
	uint32_t table, metric;
	unsigned int plen;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	/* The parse checks the message holds a whole rtmsg: read it only after. */
	if (mt6d_nlattr_parse(nlh, sizeof(*rtm), rt_policy, RTA_MAX, tb) < 0)
		return -EBADMSG;
	plen = rtm->rtm_dst_len;
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (rtm->rtm_family != AF_INET6 || rtm->rtm_type != RTN_UNICAST || table != RT_TABLE_MAIN ||
	    rtm->rtm_protocol == MT6D_RTPROT || !tb[RTA_OIF] ||
	    (int)mnl_attr_get_u32(tb[RTA_OIF]) != pk->oif || plen > 128)
		return 0;
	if (tb[RTA_DST])
		memcpy(&net, mnl_attr_get_payload(tb[RTA_DST]), sizeof(net));
	/* @dst lies in the route's prefix: its first plen bits match. */
	for (unsigned int b = 0; b < plen; b++)
		if ((net.s6_addr[b / 8] ^ pk->dst.s6_addr[b / 8]) & (0x80 >> (b % 8)))
			return 0;
	metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	if (pk->found && (plen < pk->plen || (plen == pk->plen && metric >= pk->metric)))
		return 0;
	pk->found = true;
	pk->plen = plen;
	pk->metric = metric;
	memset(&pk->gw, 0, sizeof(pk->gw));
	if (tb[RTA_GATEWAY])
		memcpy(&pk->gw, mnl_attr_get_payload(tb[RTA_GATEWAY]), sizeof(pk->gw));
	return 0;
}

int mt6d_rtnl_local_route_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct mt6d_rtnl_local_route *lr = data;
	const struct rta_cacheinfo *ci;
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (mt6d_nlattr_parse(nlh, sizeof(*rtm), rt_policy, RTA_MAX, tb) < 0)
		return -EBADMSG;
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	lr->ours = rtm->rtm_family == AF_INET6 && rtm->rtm_type == RTN_LOCAL &&
		   rtm->rtm_protocol == MT6D_RTPROT && table == RT_TABLE_LOCAL &&
		   rtm->rtm_dst_len == lr->plen && tb[RTA_DST] &&
		   !memcmp(mnl_attr_get_payload(tb[RTA_DST]), &lr->dst, sizeof(lr->dst));
	if (!lr->ours || !tb[RTA_CACHEINFO])
		return 0;
	/*
	 * rta_expires is in clock ticks of USER_HZ (100 per second), up to INT_MAX; 0: no
	 * expiry. Below 0 the route has expired and the kernel is about to remove it: it is
	 * as good as gone.
	 */
	ci = mnl_attr_get_payload(tb[RTA_CACHEINFO]);
	if (ci->rta_expires < 0)
		lr->ours = false;
	else
		lr->expires = (uint32_t)(((int64_t)ci->rta_expires + 99) / 100);
	return 0;
}

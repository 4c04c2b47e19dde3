// SPDX-License-Identifier: MIT
/*
 * Route netlink requests as bytes: what rtnl.c sends, built into a caller's buffer so that
 * the unit tests read exactly what the kernel would.  Every write is bounded by the buffer
 * (libmnl's *_check variants); nothing here talks to the kernel.
 */
#include "rtnl_msg.h"

#include <errno.h>
#include <net/if.h>
#include <stdbool.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

/* A request header and its family header, zeroed; NULL when they do not fit in @len. */
static struct nlmsghdr *msg_start(void *buf, size_t len, uint32_t seq, uint16_t type,
				  uint16_t flags, size_t extra)
{
	struct nlmsghdr *nlh;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(extra))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	/* Every request is acked, so rtnl.c's reader always sees its end (ack or error). */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, extra);
	return nlh;
}

static int msg_end(const struct nlmsghdr *nlh, bool fits)
{
	return fits ? (int)nlh->nlmsg_len : -EMSGSIZE;
}

static struct nlmsghdr *addr_msg(void *buf, size_t len, uint32_t seq, uint16_t type, uint16_t flags,
				 int ifindex, const struct in6_addr *addr, uint8_t plen, bool *fits)
{
	struct nlmsghdr *nlh = msg_start(buf, len, seq, type, flags, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa;

	if (!nlh)
		return NULL;
	ifa = mnl_nlmsg_get_payload(nlh);
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	/* IFA_LOCAL equal to IFA_ADDRESS: no point-to-point peer. */
	*fits = mnl_attr_put_check(nlh, len, IFA_LOCAL, sizeof(*addr), addr) &&
		mnl_attr_put_check(nlh, len, IFA_ADDRESS, sizeof(*addr), addr);
	return nlh;
}

/*
 * On an existing address, NLM_F_REPLACE makes the kernel update flags and lifetimes in place
 * (inet6_addr_modify); the prefix length of an existing address is kept as it was.
 */
int mt6d_rtnl_msg_addr_set(void *buf, size_t len, uint32_t seq, int ifindex,
			   const struct in6_addr *addr, uint8_t plen, uint32_t valid_lft,
			   uint32_t preferred_lft)
{
	struct ifa_cacheinfo ci = { .ifa_prefered = preferred_lft, .ifa_valid = valid_lft };
	struct nlmsghdr *nlh;
	bool fits = false;

	nlh = addr_msg(buf, len, seq, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifindex, addr,
		       plen, &fits);
	if (!nlh)
		return -EMSGSIZE;
	/* NOPREFIXROUTE does not fit ifa_flags' 8 bits; IFA_FLAGS overrides that field. */
	fits = fits &&
	       mnl_attr_put_u32_check(nlh, len, IFA_FLAGS, IFA_F_NODAD | IFA_F_NOPREFIXROUTE) &&
	       mnl_attr_put_check(nlh, len, IFA_CACHEINFO, sizeof(ci), &ci);
	return msg_end(nlh, fits);
}

int mt6d_rtnl_msg_addr_del(void *buf, size_t len, uint32_t seq, int ifindex,
			   const struct in6_addr *addr, uint8_t plen)
{
	struct nlmsghdr *nlh;
	bool fits = false;

	nlh = addr_msg(buf, len, seq, RTM_DELADDR, 0, ifindex, addr, plen, &fits);
	if (!nlh)
		return -EMSGSIZE;
	return msg_end(nlh, fits);
}

/* NLM_F_ACK on a dump is harmless: the kernel answers a dump with NLMSG_DONE only. */
int mt6d_rtnl_msg_addr_dump(void *buf, size_t len, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	nlh = msg_start(buf, len, seq, RTM_GETADDR, NLM_F_DUMP, sizeof(struct ifaddrmsg));
	if (!nlh)
		return -EMSGSIZE;
	ifa = mnl_nlmsg_get_payload(nlh);
	ifa->ifa_family = AF_INET6;
	return msg_end(nlh, true);
}

/* An IPv6 route message of ours to DST/PLEN in @table, of @rtype and @scope. */
static struct nlmsghdr *route_msg(void *buf, size_t len, uint32_t seq, uint16_t type,
				  uint16_t flags, uint8_t table, uint8_t scope, uint8_t rtype,
				  const struct in6_addr *dst, uint8_t plen, bool *fits)
{
	struct nlmsghdr *nlh = msg_start(buf, len, seq, type, flags, sizeof(struct rtmsg));
	struct rtmsg *rtm;

	if (!nlh)
		return NULL;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = table;
	rtm->rtm_protocol = MT6D_RTPROT;
	rtm->rtm_scope = scope;
	rtm->rtm_type = rtype;
	*fits = mnl_attr_put_check(nlh, len, RTA_DST, sizeof(*dst), dst);
	return nlh;
}

/*
 * A device route in the main table with the kernel's default IPv6 metric (1024).  The
 * kernel reports every IPv6 route with scope universe and ignores rtm_scope on input.
 */
static int route_req(void *buf, size_t len, uint32_t seq, uint16_t type, uint16_t flags,
		     int ifindex, const struct in6_addr *dst, uint8_t plen)
{
	struct nlmsghdr *nlh;
	bool fits = false;

	nlh = route_msg(buf, len, seq, type, flags, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, RTN_UNICAST,
			dst, plen, &fits);
	if (!nlh)
		return -EMSGSIZE;
	fits = fits && mnl_attr_put_u32_check(nlh, len, RTA_OIF, (uint32_t)ifindex);
	return msg_end(nlh, fits);
}

int mt6d_rtnl_msg_route_set(void *buf, size_t len, uint32_t seq, int ifindex,
			    const struct in6_addr *dst, uint8_t plen)
{
	return route_req(buf, len, seq, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ifindex, dst,
			 plen);
}

int mt6d_rtnl_msg_route_del(void *buf, size_t len, uint32_t seq, int ifindex,
			    const struct in6_addr *dst, uint8_t plen)
{
	return route_req(buf, len, seq, RTM_DELROUTE, 0, ifindex, dst, plen);
}

int mt6d_rtnl_msg_route_via_set(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst,
				uint8_t plen, const struct in6_addr *gw, int oif, uint32_t metric,
				uint32_t expires)
{
	struct nlmsghdr *nlh;
	bool fits = false;

	nlh = route_msg(buf, len, seq, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, RT_TABLE_MAIN,
			RT_SCOPE_UNIVERSE, RTN_UNICAST, dst, plen, &fits);
	if (!nlh)
		return -EMSGSIZE;
	if (!IN6_IS_ADDR_UNSPECIFIED(gw))
		fits = fits && mnl_attr_put_check(nlh, len, RTA_GATEWAY, sizeof(*gw), gw);
	fits = fits && mnl_attr_put_u32_check(nlh, len, RTA_OIF, (uint32_t)oif);
	fits = fits && mnl_attr_put_u32_check(nlh, len, RTA_PRIORITY, metric);
	if (expires)
		fits = fits && mnl_attr_put_u32_check(nlh, len, RTA_EXPIRES, expires);
	return msg_end(nlh, fits);
}

int mt6d_rtnl_msg_route_via_del(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst,
				uint8_t plen, uint32_t metric)
{
	struct nlmsghdr *nlh;
	bool fits = false;

	nlh = route_msg(buf, len, seq, RTM_DELROUTE, 0, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE,
			RTN_UNICAST, dst, plen, &fits);
	if (!nlh)
		return -EMSGSIZE;
	fits = fits && mnl_attr_put_u32_check(nlh, len, RTA_PRIORITY, metric);
	return msg_end(nlh, fits);
}

int mt6d_rtnl_msg_route_dump(void *buf, size_t len, uint32_t seq)
{
	struct nlmsghdr *nlh =
		msg_start(buf, len, seq, RTM_GETROUTE, NLM_F_DUMP, sizeof(struct rtmsg));
	struct rtmsg *rtm;

	if (!nlh)
		return -EMSGSIZE;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = AF_INET6;
	return msg_end(nlh, true);
}

int mt6d_rtnl_msg_route_get(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst,
			    int oif)
{
	struct nlmsghdr *nlh = msg_start(buf, len, seq, RTM_GETROUTE, 0, sizeof(struct rtmsg));
	struct rtmsg *rtm;
	bool fits;

	if (!nlh)
		return -EMSGSIZE;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	fits = mnl_attr_put_check(nlh, len, RTA_DST, sizeof(*dst), dst);
	if (oif > 0)
		fits = fits && mnl_attr_put_u32_check(nlh, len, RTA_OIF, (uint32_t)oif);
	return msg_end(nlh, fits);
}

/*
 * The AnyIP route, "local DST/PLEN dev lo" in the local table: every address of the prefix is
 * then this host's own without being on any interface (what `ip -6 route add local P/64 dev lo`
 * installs). IPv6 routes can carry an expiry (RTA_EXPIRES, seconds), like the addresses of
 * interface mode: one left behind by a daemon that is never restarted goes away by itself.
 */
static struct nlmsghdr *local_route_msg(void *buf, size_t len, uint32_t seq, uint16_t type,
					uint16_t flags, const struct in6_addr *dst, uint8_t plen,
					bool *fits)
{
	return route_msg(buf, len, seq, type, flags, RT_TABLE_LOCAL, RT_SCOPE_HOST, RTN_LOCAL, dst,
			 plen, fits);
}

int mt6d_rtnl_msg_local_route_set(void *buf, size_t len, uint32_t seq, int lo,
				  const struct in6_addr *dst, uint8_t plen, uint32_t expires)
{
	struct nlmsghdr *nlh;
	bool fits = false;

	nlh = local_route_msg(buf, len, seq, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, dst, plen,
			      &fits);
	if (!nlh)
		return -EMSGSIZE;
	fits = fits && mnl_attr_put_u32_check(nlh, len, RTA_OIF, (uint32_t)lo);
	if (expires)
		fits = fits && mnl_attr_put_u32_check(nlh, len, RTA_EXPIRES, expires);
	return msg_end(nlh, fits);
}

int mt6d_rtnl_msg_local_route_del(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst,
				  uint8_t plen)
{
	struct nlmsghdr *nlh;
	bool fits = false;

	nlh = local_route_msg(buf, len, seq, RTM_DELROUTE, 0, dst, plen, &fits);
	if (!nlh)
		return -EMSGSIZE;
	return msg_end(nlh, fits);
}

/*
 * RTM_F_FIB_MATCH makes the kernel return the matching FIB entry itself, not a clone, so
 * its table, type, protocol and prefix length say whether it is our local route.
 */
int mt6d_rtnl_msg_local_route_get(void *buf, size_t len, uint32_t seq, const struct in6_addr *dst)
{
	struct nlmsghdr *nlh = msg_start(buf, len, seq, RTM_GETROUTE, 0, sizeof(struct rtmsg));
	struct rtmsg *rtm;

	if (!nlh)
		return -EMSGSIZE;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	return msg_end(nlh, mnl_attr_put_check(nlh, len, RTA_DST, sizeof(*dst), dst));
}

int mt6d_rtnl_msg_link_up(void *buf, size_t len, uint32_t seq, int ifindex, unsigned int mtu)
{
	struct nlmsghdr *nlh = msg_start(buf, len, seq, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi;
	bool fits = true;

	if (!nlh)
		return -EMSGSIZE;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = IFF_UP;
	if (mtu)
		fits = mnl_attr_put_u32_check(nlh, len, IFLA_MTU, mtu);
	return msg_end(nlh, fits);
}

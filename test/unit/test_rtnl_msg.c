// SPDX-License-Identifier: MIT
/*
 * The route-netlink requests of common/rtnl.c, byte for byte and without a kernel: each
 * builder's output is parsed back with libmnl and every header field and attribute the
 * kernel reads is compared with what rtnl.h promises.  Too small a buffer must fail with
 * -EMSGSIZE and leave every byte past its end alone.
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "rtnl_msg.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUF_SIZE 512
#define SENTINEL 0xa5
#define SEQ 0x01020304u
#define IFINDEX 7
#define LO 1

/* Larger than any attribute type the requests use (IFA_MAX, RTA_MAX, IFLA_MAX). */
#define ATTR_MAX 128

/* 2001:db8:1:2:dead:beef:0:42 */
/* clang-format off */
static const struct in6_addr addr = {
	.s6_addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0x42}};
/* clang-format on */

static char buf[BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));

/* The attributes after the family header: each type at most once, covering the payload. */
struct attrs {
	const struct nlattr *tb[ATTR_MAX + 1];
	int count;
	int bad; /* out of range or repeated */
	size_t bytes;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *at = data;
	uint16_t type = mnl_attr_get_type(attr);

	at->count++;
	at->bytes += MNL_ALIGN(attr->nla_len);
	if (type > ATTR_MAX || at->tb[type]) {
		at->bad++;
		return MNL_CB_OK;
	}
	at->tb[type] = attr;
	return MNL_CB_OK;
}

static void fill(void)
{
	memset(buf, SENTINEL, sizeof(buf));
}

/*
 * The checks every request passes: the returned length is the header's, aligned, one whole
 * message; type, flags and sequence number exact; port id 0 (the kernel's to fill).
 * Collects the attributes after a family header of @extra bytes into @at.
 */
static const struct nlmsghdr *check_msg(int ret, uint16_t type, uint16_t flags, size_t extra,
					struct attrs *at)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

	memset(at, 0, sizeof(*at));
	CHECK(ret > 0, "builder returned %d", ret);
	if (ret <= 0)
		return NULL;
	CHECK(nlh->nlmsg_len == (uint32_t)ret, "nlmsg_len %u, returned %d", nlh->nlmsg_len, ret);
	CHECK(MNL_ALIGN((size_t)ret) == (size_t)ret, "length %d not aligned", ret);
	CHECK(mnl_nlmsg_ok(nlh, ret), "not one whole message");
	CHECK(nlh->nlmsg_type == type, "nlmsg_type %u, want %u", nlh->nlmsg_type, type);
	CHECK(nlh->nlmsg_flags == flags, "nlmsg_flags %#x, want %#x", nlh->nlmsg_flags, flags);
	CHECK(nlh->nlmsg_seq == SEQ, "nlmsg_seq %#x", nlh->nlmsg_seq);
	CHECK(nlh->nlmsg_pid == 0, "nlmsg_pid %u", nlh->nlmsg_pid);
	CHECK(mnl_nlmsg_get_payload_len(nlh) >= extra, "payload shorter than the family header");
	CHECK(mnl_attr_parse(nlh, (unsigned int)extra, attr_cb, at) == MNL_CB_OK,
	      "attributes parse");
	CHECK(at->bad == 0, "%d attributes repeated or out of range", at->bad);
	CHECK(at->bytes == nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(extra),
	      "attributes cover %zu of %zu payload bytes", at->bytes,
	      (size_t)(nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(extra)));
	return nlh;
}

static void check_in6(const struct attrs *at, uint16_t type, const char *name)
{
	const struct nlattr *a = at->tb[type];

	CHECK(a && mnl_attr_validate2(a, MNL_TYPE_BINARY, sizeof(addr)) == 0,
	      "%s present, 16 bytes", name);
	if (a)
		CHECK(!memcmp(mnl_attr_get_payload(a), &addr, sizeof(addr)), "%s bytes", name);
}

static void check_u32(const struct attrs *at, uint16_t type, uint32_t want, const char *name)
{
	const struct nlattr *a = at->tb[type];

	CHECK(a && mnl_attr_validate(a, MNL_TYPE_U32) == 0, "%s present, u32", name);
	if (a)
		CHECK(mnl_attr_get_u32(a) == want, "%s %u, want %u", name, mnl_attr_get_u32(a),
		      want);
}

static void check_ifaddrmsg(const struct nlmsghdr *nlh, uint8_t plen)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

	CHECK(ifa->ifa_family == AF_INET6, "ifa_family %u", ifa->ifa_family);
	CHECK(ifa->ifa_prefixlen == plen, "ifa_prefixlen %u", ifa->ifa_prefixlen);
	/* The 8-bit field stays 0: IFA_FLAGS carries the flags, NOPREFIXROUTE among them. */
	CHECK(ifa->ifa_flags == 0, "ifa_flags %#x", ifa->ifa_flags);
	CHECK(ifa->ifa_scope == RT_SCOPE_UNIVERSE, "ifa_scope %u", ifa->ifa_scope);
	CHECK(ifa->ifa_index == IFINDEX, "ifa_index %u", ifa->ifa_index);
}

static void addr_set_case(uint32_t valid, uint32_t preferred)
{
	struct attrs at;
	const struct nlmsghdr *nlh;
	const struct ifa_cacheinfo *ci;
	int ret;

	fill();
	ret = mt6d_rtnl_msg_addr_set(buf, sizeof(buf), SEQ, IFINDEX, &addr, 64, valid, preferred);
	nlh = check_msg(ret, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
			sizeof(struct ifaddrmsg), &at);
	if (!nlh)
		return;
	check_ifaddrmsg(nlh, 64);
	CHECK(at.count == 4, "%d attributes, want IFA_LOCAL, IFA_ADDRESS, IFA_FLAGS, IFA_CACHEINFO",
	      at.count);
	check_in6(&at, IFA_LOCAL, "IFA_LOCAL");
	check_in6(&at, IFA_ADDRESS, "IFA_ADDRESS");
	check_u32(&at, IFA_FLAGS, IFA_F_NODAD | IFA_F_NOPREFIXROUTE, "IFA_FLAGS");
	CHECK(at.tb[IFA_CACHEINFO] &&
		      mnl_attr_validate2(at.tb[IFA_CACHEINFO], MNL_TYPE_BINARY, sizeof(*ci)) == 0,
	      "IFA_CACHEINFO present, %zu bytes", sizeof(*ci));
	if (!at.tb[IFA_CACHEINFO])
		return;
	ci = mnl_attr_get_payload(at.tb[IFA_CACHEINFO]);
	CHECK(ci->ifa_valid == valid, "ifa_valid %u, want %u", ci->ifa_valid, valid);
	CHECK(ci->ifa_prefered == preferred, "ifa_prefered %u, want %u", ci->ifa_prefered,
	      preferred);
	CHECK(ci->cstamp == 0 && ci->tstamp == 0, "timestamps zero");
}

static void case_addr_set(void)
{
	addr_set_case(30, 20);
}

/* preferred 0: deprecated, not chosen as source; UINT32_MAX: forever. */
static void case_addr_set_deprecated(void)
{
	addr_set_case(UINT32_MAX, 0);
}

static void case_addr_del(void)
{
	struct attrs at;
	const struct nlmsghdr *nlh;
	int ret;

	fill();
	ret = mt6d_rtnl_msg_addr_del(buf, sizeof(buf), SEQ, IFINDEX, &addr, 128);
	nlh = check_msg(ret, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, sizeof(struct ifaddrmsg), &at);
	if (!nlh)
		return;
	check_ifaddrmsg(nlh, 128);
	CHECK(at.count == 2, "%d attributes, want IFA_LOCAL and IFA_ADDRESS", at.count);
	check_in6(&at, IFA_LOCAL, "IFA_LOCAL");
	check_in6(&at, IFA_ADDRESS, "IFA_ADDRESS");
}

static void case_addr_dump(void)
{
	static const struct ifaddrmsg zero = { .ifa_family = AF_INET6 };
	struct attrs at;
	const struct nlmsghdr *nlh;
	int ret;

	fill();
	ret = mt6d_rtnl_msg_addr_dump(buf, sizeof(buf), SEQ);
	nlh = check_msg(ret, RTM_GETADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
			sizeof(struct ifaddrmsg), &at);
	if (!nlh)
		return;
	CHECK(nlh->nlmsg_len == NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
	      "header and ifaddrmsg only");
	CHECK(!memcmp(mnl_nlmsg_get_payload(nlh), &zero, sizeof(zero)),
	      "ifaddrmsg: AF_INET6, all else zero");
	CHECK(at.count == 0, "%d attributes, want none", at.count);
}

static void check_rtmsg(const struct nlmsghdr *nlh, uint8_t table, uint8_t scope, uint8_t type,
			uint8_t plen)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	CHECK(rtm->rtm_family == AF_INET6, "rtm_family %u", rtm->rtm_family);
	CHECK(rtm->rtm_dst_len == plen, "rtm_dst_len %u", rtm->rtm_dst_len);
	CHECK(rtm->rtm_src_len == 0 && rtm->rtm_tos == 0, "no source prefix, no tos");
	CHECK(rtm->rtm_table == table, "rtm_table %u, want %u", rtm->rtm_table, table);
	CHECK(rtm->rtm_protocol == MT6D_RTPROT, "rtm_protocol %u, want %u", rtm->rtm_protocol,
	      MT6D_RTPROT);
	CHECK(rtm->rtm_scope == scope, "rtm_scope %u, want %u", rtm->rtm_scope, scope);
	CHECK(rtm->rtm_type == type, "rtm_type %u, want %u", rtm->rtm_type, type);
	CHECK(rtm->rtm_flags == 0, "rtm_flags %#x", rtm->rtm_flags);
}

static void route_case(bool set)
{
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | (set ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	struct attrs at;
	const struct nlmsghdr *nlh;
	int ret;

	fill();
	ret = set ? mt6d_rtnl_msg_route_set(buf, sizeof(buf), SEQ, IFINDEX, &addr, 48)
		  : mt6d_rtnl_msg_route_del(buf, sizeof(buf), SEQ, IFINDEX, &addr, 48);
	nlh = check_msg(ret, set ? RTM_NEWROUTE : RTM_DELROUTE, flags, sizeof(struct rtmsg), &at);
	if (!nlh)
		return;
	check_rtmsg(nlh, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, RTN_UNICAST, 48);
	CHECK(at.count == 2, "%d attributes, want RTA_DST and RTA_OIF", at.count);
	check_in6(&at, RTA_DST, "RTA_DST");
	check_u32(&at, RTA_OIF, IFINDEX, "RTA_OIF");
}

static void case_route_set(void)
{
	route_case(true);
}

static void case_route_del(void)
{
	route_case(false);
}

static void local_route_set_case(uint32_t expires)
{
	struct attrs at;
	const struct nlmsghdr *nlh;
	int ret;

	fill();
	ret = mt6d_rtnl_msg_local_route_set(buf, sizeof(buf), SEQ, LO, &addr, 64, expires);
	nlh = check_msg(ret, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
			sizeof(struct rtmsg), &at);
	if (!nlh)
		return;
	/* "local P/64 dev lo table local": what `ip -6 route add local` sends. */
	check_rtmsg(nlh, RT_TABLE_LOCAL, RT_SCOPE_HOST, RTN_LOCAL, 64);
	check_in6(&at, RTA_DST, "RTA_DST");
	check_u32(&at, RTA_OIF, LO, "RTA_OIF");
	if (expires) {
		CHECK(at.count == 3, "%d attributes, want RTA_DST, RTA_OIF, RTA_EXPIRES", at.count);
		check_u32(&at, RTA_EXPIRES, expires, "RTA_EXPIRES");
	} else {
		CHECK(at.count == 2, "%d attributes, want RTA_DST and RTA_OIF", at.count);
		CHECK(!at.tb[RTA_EXPIRES], "no RTA_EXPIRES when the route does not expire");
	}
}

static void case_local_route_set(void)
{
	local_route_set_case(90);
}

static void case_local_route_set_forever(void)
{
	local_route_set_case(0);
}

static void case_local_route_del(void)
{
	struct attrs at;
	const struct nlmsghdr *nlh;
	int ret;

	fill();
	ret = mt6d_rtnl_msg_local_route_del(buf, sizeof(buf), SEQ, &addr, 64);
	nlh = check_msg(ret, RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, sizeof(struct rtmsg), &at);
	if (!nlh)
		return;
	/* Type, table and protocol make the kernel delete our local route and nothing else. */
	check_rtmsg(nlh, RT_TABLE_LOCAL, RT_SCOPE_HOST, RTN_LOCAL, 64);
	CHECK(at.count == 1, "%d attributes, want RTA_DST", at.count);
	check_in6(&at, RTA_DST, "RTA_DST");
}

static void case_local_route_get(void)
{
	struct attrs at;
	const struct nlmsghdr *nlh;
	const struct rtmsg *rtm;
	int ret;

	fill();
	ret = mt6d_rtnl_msg_local_route_get(buf, sizeof(buf), SEQ, &addr);
	/* A lookup, not a dump: no NLM_F_DUMP. */
	nlh = check_msg(ret, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, sizeof(struct rtmsg), &at);
	if (!nlh)
		return;
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK(rtm->rtm_family == AF_INET6, "rtm_family %u", rtm->rtm_family);
	CHECK(rtm->rtm_dst_len == 128, "rtm_dst_len %u, want 128", rtm->rtm_dst_len);
	CHECK(rtm->rtm_flags == RTM_F_FIB_MATCH, "rtm_flags %#x, want RTM_F_FIB_MATCH",
	      rtm->rtm_flags);
	CHECK(rtm->rtm_table == RT_TABLE_UNSPEC && rtm->rtm_type == RTN_UNSPEC &&
		      rtm->rtm_protocol == 0 && rtm->rtm_scope == 0,
	      "table, type, protocol, scope left to the lookup");
	CHECK(at.count == 1, "%d attributes, want RTA_DST", at.count);
	check_in6(&at, RTA_DST, "RTA_DST");
}

static void link_up_case(unsigned int mtu)
{
	struct attrs at;
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifi;
	int ret;

	fill();
	ret = mt6d_rtnl_msg_link_up(buf, sizeof(buf), SEQ, IFINDEX, mtu);
	nlh = check_msg(ret, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, sizeof(struct ifinfomsg), &at);
	if (!nlh)
		return;
	ifi = mnl_nlmsg_get_payload(nlh);
	CHECK(ifi->ifi_family == AF_UNSPEC, "ifi_family %u", ifi->ifi_family);
	CHECK(ifi->ifi_index == IFINDEX, "ifi_index %d", ifi->ifi_index);
	CHECK(ifi->ifi_type == 0, "ifi_type %u", ifi->ifi_type);
	/* Only IFF_UP changes: the other flags of the link are left as they are. */
	CHECK(ifi->ifi_change == IFF_UP, "ifi_change %#x, want IFF_UP", ifi->ifi_change);
	CHECK(ifi->ifi_flags == IFF_UP, "ifi_flags %#x, want IFF_UP", ifi->ifi_flags);
	if (mtu) {
		CHECK(at.count == 1, "%d attributes, want IFLA_MTU", at.count);
		check_u32(&at, IFLA_MTU, mtu, "IFLA_MTU");
	} else {
		CHECK(at.count == 0, "%d attributes, want none", at.count);
	}
}

static void case_link_up_mtu(void)
{
	link_up_case(1420);
}

static void case_link_up(void)
{
	link_up_case(0);
}

/* Each builder with its largest message, for the buffer-size cases. */
static int b_addr_set(void *b, size_t len)
{
	return mt6d_rtnl_msg_addr_set(b, len, SEQ, IFINDEX, &addr, 64, 30, 20);
}

static int b_addr_del(void *b, size_t len)
{
	return mt6d_rtnl_msg_addr_del(b, len, SEQ, IFINDEX, &addr, 64);
}

static int b_addr_dump(void *b, size_t len)
{
	return mt6d_rtnl_msg_addr_dump(b, len, SEQ);
}

static int b_route_set(void *b, size_t len)
{
	return mt6d_rtnl_msg_route_set(b, len, SEQ, IFINDEX, &addr, 64);
}

static int b_route_del(void *b, size_t len)
{
	return mt6d_rtnl_msg_route_del(b, len, SEQ, IFINDEX, &addr, 64);
}

static int b_local_route_set(void *b, size_t len)
{
	return mt6d_rtnl_msg_local_route_set(b, len, SEQ, LO, &addr, 64, 90);
}

static int b_local_route_del(void *b, size_t len)
{
	return mt6d_rtnl_msg_local_route_del(b, len, SEQ, &addr, 64);
}

static int b_local_route_get(void *b, size_t len)
{
	return mt6d_rtnl_msg_local_route_get(b, len, SEQ, &addr);
}

static int b_link_up(void *b, size_t len)
{
	return mt6d_rtnl_msg_link_up(b, len, SEQ, IFINDEX, 1420);
}

/* clang-format off */
static const struct builder {
	const char *name;
	int (*build)(void *b, size_t len);
} builders[] = {
	{"addr_set", b_addr_set},
	{"addr_del", b_addr_del},
	{"addr_dump", b_addr_dump},
	{"route_set", b_route_set},
	{"route_del", b_route_del},
	{"local_route_set", b_local_route_set},
	{"local_route_del", b_local_route_del},
	{"local_route_get", b_local_route_get},
	{"link_up", b_link_up},
};
/* clang-format on */

static bool untouched_from(size_t from)
{
	for (size_t i = from; i < sizeof(buf); i++)
		if ((unsigned char)buf[i] != SENTINEL)
			return false;
	return true;
}

/*
 * Every length short of the message fails with -EMSGSIZE without writing past it; the
 * exact length succeeds.
 */
static void case_short_buffer(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(builders); i++) {
		const struct builder *b = &builders[i];
		int need, ret;

		fill();
		need = b->build(buf, sizeof(buf));
		CHECK(need > 0 && (size_t)need < sizeof(buf), "%s: %d bytes", b->name, need);
		if (need <= 0 || (size_t)need >= sizeof(buf))
			continue;
		for (size_t len = 0; len < (size_t)need; len++) {
			fill();
			ret = b->build(buf, len);
			CHECK(ret == -EMSGSIZE, "%s into %zu of %d bytes: %d, want -EMSGSIZE",
			      b->name, len, need, ret);
			CHECK(untouched_from(len), "%s into %zu bytes wrote past the end", b->name,
			      len);
		}
		fill();
		ret = b->build(buf, (size_t)need);
		CHECK(ret == need, "%s into exactly %d bytes: %d", b->name, need, ret);
		CHECK(untouched_from((size_t)need), "%s wrote past its message", b->name);
	}
}

/* clang-format off */
static const struct test {
	const char *name;
	void (*run)(void);
} tests[] = {
	{"addr_set: RTM_NEWADDR create|replace, NODAD|NOPREFIXROUTE, lifetimes", case_addr_set},
	{"addr_set: deprecated (preferred 0), valid forever", case_addr_set_deprecated},
	{"addr_del: RTM_DELADDR, local and address", case_addr_del},
	{"addr_dump: RTM_GETADDR dump of AF_INET6", case_addr_dump},
	{"route_set: RTM_NEWROUTE main table, unicast, proto 109, oif", case_route_set},
	{"route_del: RTM_DELROUTE main table, unicast, proto 109, oif", case_route_del},
	{"local_route_set: RTN_LOCAL in table local, dev lo, expires", case_local_route_set},
	{"local_route_set: no expiry, no RTA_EXPIRES", case_local_route_set_forever},
	{"local_route_del: RTM_DELROUTE of our local route", case_local_route_del},
	{"local_route_get: RTM_GETROUTE /128 with RTM_F_FIB_MATCH", case_local_route_get},
	{"link_up: IFF_UP with IFLA_MTU", case_link_up_mtu},
	{"link_up: IFF_UP, MTU unchanged", case_link_up},
	{"short buffers: -EMSGSIZE, nothing written past the end", case_short_buffer},
};
/* clang-format on */

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		int failed = check_failed;

		tests[i].run();
		printf("%s - %s\n", check_failed == failed ? "ok  " : "FAIL", tests[i].name);
	}
	return check_done();
}

// SPDX-License-Identifier: MIT
/*
 * Route netlink replies read without a kernel (common/rtnl_reply.c): replies written here
 * byte by byte as the kernel writes them, and the ways a reply may lie about itself: a
 * message longer than the read (libmnl 1.0.4's mnl_nlmsg_ok() takes a length above
 * INT_MAX for one that fits), an error code no errno has, a route whose expiry has passed.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "rtnl_msg.h"
#include "rtnl_reply.h"

#define SEQ 11
#define PORTID 77
#define IFINDEX 3

/* 2001:db8:1:1::5 and its /64 */
/* clang-format off */
static const struct in6_addr addr = {
	.s6_addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5}};
static const struct in6_addr prefix = {
	.s6_addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1}};
/* clang-format on */

struct read_buf {
	char b[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len;
};

static struct nlmsghdr *put_msg(struct read_buf *r, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->b + r->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORTID;
	return nlh;
}

static void end_msg(struct read_buf *r, struct nlmsghdr *nlh)
{
	r->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void put_addr(struct read_buf *r, uint32_t ifindex, uint32_t flags)
{
	struct nlmsghdr *nlh = put_msg(r, RTM_NEWADDR, NLM_F_MULTI);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct ifa_cacheinfo ci = { .ifa_prefered = 100, .ifa_valid = 200 };

	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 64;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
	mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	end_msg(r, nlh);
}

static void put_status(struct read_buf *r, uint16_t type, int err)
{
	struct nlmsghdr *nlh = put_msg(r, type, 0);
	int *code = mnl_nlmsg_put_extra_header(nlh, type == NLMSG_ERROR ? sizeof(struct nlmsgerr)
									: sizeof(int));

	*code = err;
	end_msg(r, nlh);
}

struct seen {
	struct mt6d_rtnl_addr a;
	int n;
};

static int seen_cb(const struct mt6d_rtnl_addr *a, void *data)
{
	struct seen *s = data;

	s->a = *a;
	s->n++;
	return 0;
}

static int dump(const struct read_buf *r, struct seen *s)
{
	struct mt6d_rtnl_addr_walk w = { .ifindex = IFINDEX, .cb = seen_cb, .data = s };
	struct mt6d_rtnl_reply reply;

	memset(s, 0, sizeof(*s));
	mt6d_rtnl_reply_init(&reply, SEQ, PORTID, mt6d_rtnl_addr_msg, &w);
	mt6d_rtnl_reply_feed(&reply, r->b, r->len);
	return reply.done ? mt6d_rtnl_reply_result(&reply) : 1;
}

static void test_addr_dump(void)
{
	struct read_buf r = { .len = 0 };
	struct seen s;
	int ret;

	put_addr(&r, IFINDEX + 1, 0);
	put_addr(&r, IFINDEX, IFA_F_NODAD);
	put_status(&r, NLMSG_DONE, 0);
	ret = dump(&r, &s);
	CHECK(ret == 0 && s.n == 1, "dump: %d, %d address(es) of interface %d", ret, s.n, IFINDEX);
	CHECK(!memcmp(&s.a.addr, &addr, sizeof(addr)) && s.a.plen == 64 &&
		      s.a.flags == IFA_F_NODAD && s.a.valid_lft == 200 && s.a.preferred_lft == 100,
	      "the address as the kernel wrote it");
}

/* A header that claims more than the read holds ends the read: nothing past it is taken. */
static void test_length_past_read(void)
{
	const uint32_t lengths[] = { 0x80000010u, UINT32_MAX, 1024 };

	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		struct read_buf r = { .len = 0 };
		struct seen s;
		int ret;

		put_addr(&r, IFINDEX, 0);
		((struct nlmsghdr *)r.b)->nlmsg_len = lengths[i];
		put_status(&r, NLMSG_DONE, 0);
		ret = dump(&r, &s);
		CHECK(ret == 1 && s.n == 0, "nlmsg_len %#x: %d, %d address(es)", lengths[i], ret,
		      s.n);
	}
}

/*
 * A message whose nlmsg_len stops 2 bytes short of its last attribute, the address, at the
 * end of the read: the address is not read, so there is none (-EBADMSG). With the whole
 * length the same bytes give the address: the positive control.
 */
static void test_attr_past_message(void)
{
	for (int cut = 0; cut <= 2; cut += 2) {
		struct read_buf r = { .len = 0 };
		struct nlmsghdr *nlh = put_msg(&r, RTM_NEWADDR, NLM_F_MULTI);
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		struct mt6d_rtnl_addr_walk w = { .cb = seen_cb };
		struct mt6d_rtnl_reply rr;
		struct seen s = { .n = 0 };
		int ret;

		ifa->ifa_family = AF_INET6;
		ifa->ifa_prefixlen = 64;
		ifa->ifa_index = IFINDEX;
		mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
		nlh->nlmsg_len -= cut;
		w.data = &s;
		mt6d_rtnl_reply_init(&rr, SEQ, PORTID, mt6d_rtnl_addr_msg, &w);
		mt6d_rtnl_reply_feed(&rr, r.b, nlh->nlmsg_len);
		ret = mt6d_rtnl_reply_result(&rr);
		CHECK(cut ? ret == -EBADMSG && s.n == 0 : ret == 0 && s.n == 1,
		      "nlmsg_len %u bytes short of the address: %d, %d address(es)", cut, ret, s.n);
	}
}

/* Error codes: -errno as the kernel sends it, positive ones negated, others refused. */
static void test_error_codes(void)
{
	const struct {
		uint16_t type;
		int code, want;
	} cases[] = {
		{ NLMSG_ERROR, 0, 0 },
		{ NLMSG_ERROR, -ENOENT, -ENOENT },
		{ NLMSG_ERROR, EEXIST, -EEXIST },
		{ NLMSG_ERROR, INT_MIN, -EPROTO },
		{ NLMSG_ERROR, -4096, -EPROTO },
		{ NLMSG_DONE, -EINTR, -EINTR },
		{ NLMSG_DONE, INT_MIN, -EPROTO },
		{ NLMSG_DONE, 1 << 20, -EPROTO },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct read_buf r = { .len = 0 };
		struct seen s;
		int ret;

		put_status(&r, cases[i].type, cases[i].code);
		ret = dump(&r, &s);
		CHECK(ret == cases[i].want, "%s %d: %d (want %d)",
		      cases[i].type == NLMSG_ERROR ? "NLMSG_ERROR" : "NLMSG_DONE", cases[i].code,
		      ret, cases[i].want);
	}
}

/* Our local route for 2001:db8:1:1::/64 with @expires ticks of USER_HZ left (0: none). */
static int local_route(int32_t expires, struct mt6d_rtnl_local_route *lr)
{
	struct read_buf r = { .len = 0 };
	struct nlmsghdr *nlh = put_msg(&r, RTM_NEWROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct rta_cacheinfo ci = { .rta_expires = expires };
	struct mt6d_rtnl_reply reply;

	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 64;
	rtm->rtm_table = RT_TABLE_LOCAL;
	rtm->rtm_protocol = MT6D_RTPROT;
	rtm->rtm_type = RTN_LOCAL;
	mnl_attr_put(nlh, RTA_DST, sizeof(prefix), &prefix);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_LOCAL);
	mnl_attr_put(nlh, RTA_CACHEINFO, sizeof(ci), &ci);
	end_msg(&r, nlh);
	put_status(&r, NLMSG_ERROR, 0);
	*lr = (struct mt6d_rtnl_local_route){ .dst = prefix, .plen = 64 };
	mt6d_rtnl_reply_init(&reply, SEQ, PORTID, mt6d_rtnl_local_route_msg, lr);
	mt6d_rtnl_reply_feed(&reply, r.b, r.len);
	return reply.done ? mt6d_rtnl_reply_result(&reply) : 1;
}

static void test_local_route_expiry(void)
{
	const struct {
		int32_t ticks;
		bool ours;
		uint32_t seconds;
	} cases[] = {
		{ 0, true, 0 },
		{ 1, true, 1 },
		{ 250, true, 3 },
		{ INT32_MAX, true, 21474837 },
		/* expired, not yet removed: as good as gone */
		{ -1, false, 0 },
		{ -100000, false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mt6d_rtnl_local_route lr;
		int ret = local_route(cases[i].ticks, &lr);

		CHECK(ret == 0 && lr.ours == cases[i].ours &&
			      (!lr.ours || lr.expires == cases[i].seconds),
		      "rta_expires %d: %d, ours %d, %u s (want %d, %u s)", cases[i].ticks, ret,
		      lr.ours, lr.expires, cases[i].ours, cases[i].seconds);
	}
}

int main(void)
{
	test_addr_dump();
	test_length_past_read();
	test_attr_past_message();
	test_error_codes();
	test_local_route_expiry();
	return check_done();
}

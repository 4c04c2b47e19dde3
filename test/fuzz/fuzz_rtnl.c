// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the route netlink replies the daemons read (common/rtnl_reply.c):
 * the reply loop of rtnl.c with the callbacks its requests use, an address dump (for
 * mt6d_rtnl_addr_dump() and mt6d_rtnl_find_global_prefix()), two route lookups
 * (mt6d_rtnl_local_route_get(), mt6d_rtnl_route_lookup()) and a route dump
 * (mt6d_rtnl_route_gateway()).
 *
 * The input: a byte choosing the request (modulo 5: address dump, global prefix, local
 * route lookup, route lookup out of a device, route dump), a byte of interface index to filter on
 * (0: any) and one of how many addresses the dump's callback takes before it stops (0: never), then
 * the kernel's reads (fuzz_nlread.h: each a buffer of its own size, ending with its last whole
 * message unless its length's top bit says otherwise), fed one by one until the reply is done, as
 * rtnl_talk() reads them. The request's sequence number is 7, the socket's port id 4242.
 *
 * Checks besides the sanitizers': a callback sees only what the request asked for (the
 * filtered interface) and never runs again once it has stopped the walk or the reply is
 * done; a reply's outcome is 0, a callback's own result or -errno; a prefix found is a /64
 * with its host half zero.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "fuzz_nlread.h"
#include "rtnl_reply.h"

#define SEQ 7
#define PORTID 4242

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { REQ_ADDRS, REQ_PREFIX, REQ_ROUTE, REQ_VIA, REQ_PICK, REQ_MAX };

struct walk {
	struct mt6d_rtnl_reply *reply;
	int ifindex;
	unsigned int stop_after, seen;
	bool stopped;
	struct in6_addr prefix;
};

static int addr_cb(const struct mt6d_rtnl_addr *a, void *data)
{
	struct walk *w = data;

	if (w->stopped || w->reply->done || (w->ifindex && a->ifindex != w->ifindex))
		abort();
	if (++w->seen == w->stop_after) {
		w->stopped = true;
		return 1;
	}
	return 0;
}

/* mt6d_rtnl_prefix_pick(), watched: once it picked, nothing more reaches it. */
static int prefix_cb(const struct mt6d_rtnl_addr *a, void *data)
{
	struct walk *w = data;
	int ret;

	if (w->stopped || w->reply->done || (w->ifindex && a->ifindex != w->ifindex))
		abort();
	ret = mt6d_rtnl_prefix_pick(a, &w->prefix);
	if (ret)
		w->stopped = true;
	return ret;
}

/* Feeds each read of the input until the reply is done or the input ends. */
static void feed(struct mt6d_rtnl_reply *r, struct fuzz_input *in)
{
	uint8_t *buf;
	size_t len;

	while (!r->done && (buf = fuzz_nl_read(in, &len))) {
		mt6d_rtnl_reply_feed(r, buf, len);
		free(buf);
	}
}

static void check_result(int ret, int max)
{
	if (ret > max || ret < -4095)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t req = fuzz_u8(&in) % REQ_MAX;
	struct mt6d_rtnl_reply r;
	struct walk w = { .reply = &r, .ifindex = fuzz_u8(&in), .stop_after = fuzz_u8(&in) };
	struct mt6d_rtnl_addr_walk aw = { .ifindex = w.ifindex, .data = &w };
	struct mt6d_rtnl_local_route lr = { .plen = 64 };
	struct mt6d_rtnl_route_via via = { 0 };
	struct mt6d_rtnl_route_pick pick = { 0 };
	int ret;

	switch (req) {
	case REQ_ADDRS:
		aw.cb = addr_cb;
		mt6d_rtnl_reply_init(&r, SEQ, PORTID, mt6d_rtnl_addr_msg, &aw);
		feed(&r, &in);
		check_result(mt6d_rtnl_reply_result(&r), 1);
		break;
	case REQ_PREFIX:
		aw.global_only = true;
		aw.cb = prefix_cb;
		mt6d_rtnl_reply_init(&r, SEQ, PORTID, mt6d_rtnl_addr_msg, &aw);
		feed(&r, &in);
		ret = mt6d_rtnl_reply_result(&r);
		check_result(ret, 1);
		if (ret == 1 && (!w.stopped || w.prefix.s6_addr32[2] || w.prefix.s6_addr32[3]))
			abort();
		break;
	case REQ_VIA:
		mt6d_rtnl_reply_init(&r, SEQ, PORTID, mt6d_rtnl_route_via_msg, &via);
		feed(&r, &in);
		check_result(mt6d_rtnl_reply_result(&r), 0);
		break;
	case REQ_PICK:
		pick.oif = w.ifindex;
		mt6d_rtnl_reply_init(&r, SEQ, PORTID, mt6d_rtnl_route_pick_msg, &pick);
		feed(&r, &in);
		check_result(mt6d_rtnl_reply_result(&r), 0);
		if (pick.found && pick.plen > 128)
			abort();
		break;
	default:
		/* 2001:db8:1:1::/64, as anyip.c asks for it */
		lr.dst.s6_addr[0] = 0x20;
		lr.dst.s6_addr[1] = 0x01;
		lr.dst.s6_addr[2] = 0x0d;
		lr.dst.s6_addr[3] = 0xb8;
		lr.dst.s6_addr[5] = lr.dst.s6_addr[7] = 1;
		mt6d_rtnl_reply_init(&r, SEQ, PORTID, mt6d_rtnl_local_route_msg, &lr);
		feed(&r, &in);
		check_result(mt6d_rtnl_reply_result(&r), 0);
		break;
	}
	return 0;
}

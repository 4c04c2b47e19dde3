// SPDX-License-Identifier: MIT
/*
 * The kill switch's transaction (addrmgr/guard/guard_killswitch.c), built without a socket and
 * read back with libnftnl: the inet table replaced whole (add, delete, add), its counter,
 * chains at forward and output with four rules per route each. Then the rules are run, as
 * the kernel would run them (payload, bitwise, cmp, range, meta, objref, immediate), on
 * packets a gateway forwards or sends, to show which ones are dropped:
 *
 *   hostA -> hostB (a peer route)          out of the uplink: drop    into TUN: pass
 *   uplink address -> hostB (host mode, TUN gone)   out of the uplink: drop
 *   hostA -> the internet                  out of the uplink: pass
 *   hostB -> hostA (from TUN)              to the LAN: pass     out of the uplink: drop
 *   ICMPv6 error quoting hostA <-> hostB   to the LAN: pass     out of the uplink: drop
 *   echo request carrying hostB's address as data, IPv4 with those bytes: pass
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "check.h"
#include "guard_killswitch.h"
#include "nft.h"

#define MAX_RULES 64

struct batch {
	struct nftnl_rule *rule[MAX_RULES];
	char rule_chain[MAX_RULES][32];
	size_t n_rules;
	uint16_t type[MAX_RULES * 2];
	uint8_t family[MAX_RULES * 2];
	size_t n_msgs;
	uint32_t hook_fwd, hook_out; /* hook numbers seen for the two chains, ~0: none */
};

static void read_batch(struct mt6d_nft_batch *b, struct batch *out)
{
	const struct nlmsghdr *nlh;
	const void *buf;
	size_t len;
	int rest;

	memset(out, 0, sizeof(*out));
	out->hook_fwd = out->hook_out = ~0u;
	if (mt6d_nft_batch_finish(b, &buf, &len) < 0)
		return;
	rest = (int)len;
	for (nlh = buf; mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
		const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
		uint16_t type = nlh->nlmsg_type & 0xff;

		if (nlh->nlmsg_type >> 8 != NFNL_SUBSYS_NFTABLES ||
		    out->n_msgs == sizeof(out->type) / sizeof(out->type[0]))
			continue;
		out->type[out->n_msgs] = type;
		out->family[out->n_msgs++] = nfg->nfgen_family;
		if (type == NFT_MSG_NEWCHAIN) {
			struct nftnl_chain *c = nftnl_chain_alloc();

			if (c && nftnl_chain_nlmsg_parse(nlh, c) == 0) {
				const char *name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
				uint32_t hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);

				if (!strcmp(name, "killswitch-fwd"))
					out->hook_fwd = hook;
				else if (!strcmp(name, "killswitch-out"))
					out->hook_out = hook;
			}
			nftnl_chain_free(c);
		} else if (type == NFT_MSG_NEWRULE && out->n_rules < MAX_RULES) {
			struct nftnl_rule *r = nftnl_rule_alloc();

			if (r && nftnl_rule_nlmsg_parse(nlh, r) == 0) {
				snprintf(out->rule_chain[out->n_rules], 32, "%s",
					 nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
				out->rule[out->n_rules++] = r;
			} else {
				nftnl_rule_free(r);
			}
		}
	}
}

static void free_batch(struct batch *bt)
{
	for (size_t i = 0; i < bt->n_rules; i++)
		nftnl_rule_free(bt->rule[i]);
}

/* A packet as a chain sees it. */
struct pkt {
	uint8_t nfproto, l4proto;
	char oif[IFNAMSIZ];
	uint8_t net[40]; /* network header */
	uint8_t th[80];	 /* transport header and on */
	size_t th_len;
};

/* Runs one rule: true when it ends in a drop verdict. */
static bool rule_drops(struct nftnl_rule *r, const struct pkt *p)
{
	uint8_t reg[32][16] = { { 0 } };
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	bool drop = false, go = true;

	while (go && it && (e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		uint32_t len = 0;

		if (!strcmp(name, "meta")) {
			uint8_t *d = reg[nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG)];

			switch (nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY)) {
			case NFT_META_NFPROTO:
				d[0] = p->nfproto;
				break;
			case NFT_META_L4PROTO:
				d[0] = p->l4proto;
				break;
			case NFT_META_OIFNAME:
				memcpy(d, p->oif, IFNAMSIZ);
				break;
			default:
				go = false; /* unknown here: the test fails below */
				drop = true;
			}
		} else if (!strcmp(name, "payload")) {
			uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
			uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
			uint32_t n = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
			const uint8_t *src = base == NFT_PAYLOAD_NETWORK_HEADER ? p->net : p->th;
			size_t have =
				base == NFT_PAYLOAD_NETWORK_HEADER ? sizeof(p->net) : p->th_len;

			/* Past the packet's end, the kernel breaks out of the rule. */
			if (off + n > have || n > 16)
				go = false;
			else
				memcpy(reg[nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG)],
				       src + off, n);
		} else if (!strcmp(name, "bitwise")) {
			const uint8_t *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);
			uint8_t *s = reg[nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG)];
			uint8_t *d = reg[nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG)];

			for (uint32_t i = 0; i < len && i < 16; i++)
				d[i] = s[i] & mask[i];
		} else if (!strcmp(name, "cmp")) {
			const void *data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
			const uint8_t *s = reg[nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG)];
			bool eq = !memcmp(s, data, len);

			go = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP) == NFT_CMP_EQ ? eq : !eq;
		} else if (!strcmp(name, "range")) {
			const uint8_t *from = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &len);
			const uint8_t *to = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &len);
			uint8_t v = reg[nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG)][0];

			go = v >= from[0] && v <= to[0];
		} else if (!strcmp(name, "immediate")) {
			drop = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) == NF_DROP;
			go = false;
		} else if (strcmp(name, "objref")) {
			drop = true; /* an expression this interpreter does not know */
			go = false;
		}
	}
	nftnl_expr_iter_destroy(it);
	return drop;
}

/* Whether chain @chain drops @p. */
static bool drops(const struct batch *bt, const char *chain, const struct pkt *p)
{
	for (size_t i = 0; i < bt->n_rules; i++)
		if (!strcmp(bt->rule_chain[i], chain) && rule_drops(bt->rule[i], p))
			return true;
	return false;
}

static void ip6(struct pkt *p, const char *src, const char *dst, uint8_t proto, const char *oif)
{
	memset(p, 0, sizeof(*p));
	p->nfproto = NFPROTO_IPV6;
	p->l4proto = proto;
	snprintf(p->oif, sizeof(p->oif), "%s", oif);
	p->net[0] = 0x60;
	p->net[6] = proto;
	inet_pton(AF_INET6, src, p->net + 8);
	inet_pton(AF_INET6, dst, p->net + 24);
	p->th_len = proto == IPPROTO_UDP ? 8 : sizeof(p->th);
}

/* An ICMPv6 message of @type quoting a packet @qsrc -> @qdst. */
static void icmp6(struct pkt *p, const char *src, const char *dst, uint8_t type, const char *qsrc,
		  const char *qdst, const char *oif)
{
	ip6(p, src, dst, IPPROTO_ICMPV6, oif);
	p->th[0] = type;
	p->th[8] = 0x60;
	p->th[8 + 6] = IPPROTO_UDP;
	inet_pton(AF_INET6, qsrc, p->th + 16);
	inet_pton(AF_INET6, qdst, p->th + 32);
}

#define HOSTA "fd00:a::2"
#define GWA_LAN "fd00:a::1"
#define HOSTB "fd00:b::2"
#define HOSTB2 "fd00:bb:0:5::7" /* in fd00:bb::/48 */
#define UPLINK_ADDR "2001:db8:1:1::1"
#define INTERNET "2001:db8:99::2"

static const struct mt6d_prefix routes[] = {
	{ .addr = { { { 0xfd, 0, 0, 0xb } } }, .len = 64 },
	{ .addr = { { { 0xfd, 0, 0, 0xbb } } }, .len = 48 },
};

static void test_packets(const struct batch *bt, const char *chain)
{
	struct pkt p;

	ip6(&p, HOSTA, HOSTB, IPPROTO_UDP, "inet0");
	CHECK(drops(bt, chain, &p), "%s: hostA -> hostB out of the uplink: dropped", chain);
	ip6(&p, HOSTA, HOSTB2, IPPROTO_TCP, "lan1");
	CHECK(drops(bt, chain, &p), "%s: hostA -> second route by another link: dropped", chain);
	ip6(&p, HOSTA, HOSTB, IPPROTO_UDP, "mt6d0");
	CHECK(!drops(bt, chain, &p), "%s: hostA -> hostB into TUN: passes", chain);
	ip6(&p, UPLINK_ADDR, HOSTB, IPPROTO_ICMPV6, "inet0");
	CHECK(drops(bt, chain, &p), "%s: uplink address -> hostB (TUN gone): dropped", chain);
	ip6(&p, HOSTA, INTERNET, IPPROTO_UDP, "inet0");
	CHECK(!drops(bt, chain, &p), "%s: hostA -> the internet: passes", chain);
	ip6(&p, "fd00:b:0:1::2", INTERNET, IPPROTO_UDP, "inet0");
	CHECK(!drops(bt, chain, &p), "%s: outside the /64 route: passes", chain);
	ip6(&p, HOSTB, HOSTA, IPPROTO_UDP, "lan0");
	CHECK(!drops(bt, chain, &p), "%s: hostB -> hostA to the LAN: passes", chain);
	ip6(&p, HOSTB, HOSTA, IPPROTO_UDP, "inet0");
	CHECK(drops(bt, chain, &p), "%s: hostB -> hostA out of the uplink: dropped", chain);

	icmp6(&p, GWA_LAN, HOSTA, 2, HOSTA, HOSTB, "lan0");
	CHECK(!drops(bt, chain, &p), "%s: packet too big to hostA, on the LAN: passes", chain);
	icmp6(&p, UPLINK_ADDR, INTERNET, 1, HOSTA, HOSTB, "inet0");
	CHECK(drops(bt, chain, &p),
	      "%s: error quoting a packet to hostB, out of the uplink: "
	      "dropped",
	      chain);
	icmp6(&p, UPLINK_ADDR, INTERNET, 3, HOSTB2, HOSTA, "inet0");
	CHECK(drops(bt, chain, &p),
	      "%s: error quoting a packet from the second route, out of the "
	      "uplink: dropped",
	      chain);
	icmp6(&p, UPLINK_ADDR, INTERNET, 4, HOSTA, INTERNET, "inet0");
	CHECK(!drops(bt, chain, &p), "%s: error quoting other traffic: passes", chain);
	icmp6(&p, UPLINK_ADDR, INTERNET, 128, HOSTB, HOSTB, "inet0");
	CHECK(!drops(bt, chain, &p), "%s: echo request with hostB's address as data: passes",
	      chain);
	p.th_len = 20; /* an error cut short: the quoted address is not there to load */
	p.th[0] = 1;
	CHECK(!drops(bt, chain, &p), "%s: a short error: passes", chain);

	/* IPv4 through the inet chain: bytes 8..40 may look like anything. */
	ip6(&p, HOSTA, HOSTB, IPPROTO_UDP, "inet0");
	p.nfproto = NFPROTO_IPV4;
	p.net[0] = 0x45;
	CHECK(!drops(bt, chain, &p), "%s: IPv4 with hostB's bytes at IPv6's offsets: passes",
	      chain);
}

int main(void)
{
	struct guard_killswitch_params kp = {
		.name = "site",
		.tun_dev = "mt6d0",
		.uplinks = { "inet0" },
		.n_uplinks = 1,
		.routes = routes,
		.n_routes = 2,
	};
	struct mt6d_nft_batch *b;
	struct batch bt;
	size_t fwd = 0, out = 0;

	CHECK(mt6d_nft_batch_new(NULL, &b) == 0, "batch");
	CHECK(guard_killswitch_build(b, &kp) == 0, "guard_killswitch_build");
	read_batch(b, &bt);
	mt6d_nft_batch_free(b);

	CHECK(bt.n_msgs >= 6 && bt.type[0] == NFT_MSG_NEWTABLE && bt.type[1] == NFT_MSG_DELTABLE &&
		      bt.type[2] == NFT_MSG_NEWTABLE && bt.type[3] == NFT_MSG_NEWOBJ,
	      "add table, delete table, add table, counter (%zu messages)", bt.n_msgs);
	for (size_t i = 1; i < bt.n_msgs - 1; i++)
		CHECK(bt.family[i] == NFPROTO_INET, "message %zu: family %u, want inet", i,
		      bt.family[i]);
	CHECK(bt.hook_fwd == NF_INET_FORWARD && bt.hook_out == NF_INET_LOCAL_OUT,
	      "chains at forward (%u) and output (%u)", bt.hook_fwd, bt.hook_out);
	for (size_t i = 0; i < bt.n_rules; i++) {
		fwd += !strcmp(bt.rule_chain[i], "killswitch-fwd");
		out += !strcmp(bt.rule_chain[i], "killswitch-out");
	}
	CHECK(fwd == 8 && out == 8, "4 rules per route and chain: %zu and %zu", fwd, out);
	test_packets(&bt, "killswitch-fwd");
	test_packets(&bt, "killswitch-out");
	free_batch(&bt);
	return check_done();
}

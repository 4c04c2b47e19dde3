// SPDX-License-Identifier: MIT
/*
 * The guard's nf_tables features, one transaction each (see guard_probe.h):
 *
 *   add table ip6 mt6d.probe.PID.N (NLM_F_EXCL)
 *   ... the sets and counters the feature needs, a base chain, one rule using it ...
 *   delete table ip6 mt6d.probe.PID.N
 *
 * The kernel checks every expression when the rule is added, loading its module on demand
 * (it replays the transaction after the load); a kind it still does not know ends the
 * transaction with ENOENT (EOPNOTSUPP for an exthdr operation it lacks), and nothing of it
 * is applied. A transaction that succeeds adds the table and deletes it at once: the
 * rules are never active.
 */
#include "guard_probe.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "guard_rules.h"
#include "nft.h"
#include "nftctr.h"

#define PROBE_TABLE_FMT "mt6d.probe.%ld.%u"
#define PROBE_CHAIN "probe"
#define PROBE_TIMEOUT_MS 60000
#define NFT_TYPE_IP6ADDR 8
#define IP6_DADDR_OFF 24

struct pb {
	struct mt6d_nft_batch *b;
	const char *table;
	const struct guard_table_params *p;
	struct nftnl_rule *r;
	int err;
};

typedef void (*probe_fn)(struct pb *pb);

static void table_msg(struct pb *pb, uint16_t type, uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh = t ? mt6d_nft_batch_msg(pb->b, type, NFPROTO_IPV6, flags) : NULL;

	if (nlh) {
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, pb->table);
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_IPV6);
		nftnl_table_nlmsg_build_payload(nlh, t);
	} else {
		pb->err = -ENOMEM;
	}
	nftnl_table_free(t);
}

/* A base chain "probe" on @hook, as the guard's (policy accept). */
static void base_chain(struct pb *pb, uint32_t hook)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh =
		c ? mt6d_nft_batch_msg(pb->b, NFT_MSG_NEWCHAIN, NFPROTO_IPV6, NLM_F_CREATE) : NULL;

	if (nlh) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, pb->table);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, PROBE_CHAIN);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_IPV6);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		nftnl_chain_nlmsg_build_payload(nlh, c);
	} else {
		pb->err = -ENOMEM;
	}
	nftnl_chain_free(c);
}

/* A set of IPv6 addresses with timeouts, as the guard's; one element in it. */
static void set(struct pb *pb, const char *name, uint32_t flags, uint32_t id)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct in6_addr a = IN6ADDR_LOOPBACK_INIT;
	struct nlmsghdr *nlh = NULL;

	if (s && e) {
		nftnl_set_set_str(s, NFTNL_SET_TABLE, pb->table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, name);
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_IPV6);
		nftnl_set_set_u32(s, NFTNL_SET_ID, id);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_TYPE_IP6ADDR);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sizeof(a));
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
		nlh = mt6d_nft_batch_msg(pb->b, NFT_MSG_NEWSET, NFPROTO_IPV6, NLM_F_CREATE);
	}
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &a, sizeof(a));
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, PROBE_TIMEOUT_MS);
		nftnl_set_elem_add(s, e);
		e = NULL;
		nlh = mt6d_nft_batch_msg(pb->b, NFT_MSG_NEWSETELEM, NFPROTO_IPV6, NLM_F_CREATE);
		if (nlh)
			nftnl_set_elems_nlmsg_build_payload(nlh, s);
	}
	if (!nlh)
		pb->err = -ENOMEM;
	if (e)
		nftnl_set_elem_free(e);
	nftnl_set_free(s);
}

static void counter_obj(struct pb *pb, const char *name)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nlmsghdr *nlh =
		o ? mt6d_nft_batch_msg(pb->b, NFT_MSG_NEWOBJ, NFPROTO_IPV6, NLM_F_CREATE) : NULL;

	if (nlh) {
		nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, pb->table);
		nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
		nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, NFPROTO_IPV6);
		nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
		nftnl_obj_nlmsg_build_payload(nlh, o);
	} else {
		pb->err = -ENOMEM;
	}
	nftnl_obj_free(o);
}

static struct nftnl_expr *ex(struct pb *pb, const char *name)
{
	struct nftnl_expr *e = pb->r ? nftnl_expr_alloc(name) : NULL;

	if (e)
		nftnl_rule_add_expr(pb->r, e);
	else
		pb->err = -ENOMEM;
	return e;
}

static void payload(struct pb *pb, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = ex(pb, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
}

static void daddr(struct pb *pb)
{
	payload(pb, NFT_PAYLOAD_NETWORK_HEADER, IP6_DADDR_OFF, 16, NFT_REG_1);
}

static void rule_begin(struct pb *pb)
{
	pb->r = nftnl_rule_alloc();
	if (!pb->r)
		pb->err = -ENOMEM;
}

static void rule_end(struct pb *pb)
{
	struct nlmsghdr *nlh = NULL;

	if (pb->r && !pb->err) {
		nftnl_rule_set_str(pb->r, NFTNL_RULE_TABLE, pb->table);
		nftnl_rule_set_str(pb->r, NFTNL_RULE_CHAIN, PROBE_CHAIN);
		nftnl_rule_set_u32(pb->r, NFTNL_RULE_FAMILY, NFPROTO_IPV6);
		nlh = mt6d_nft_batch_msg(pb->b, NFT_MSG_NEWRULE, NFPROTO_IPV6,
					 NLM_F_APPEND | NLM_F_CREATE);
		if (nlh)
			nftnl_rule_nlmsg_build_payload(nlh, pb->r);
		else
			pb->err = -ENOMEM;
	}
	nftnl_rule_free(pb->r);
	pb->r = NULL;
}

/* --- one function per feature: what it adds between the table and its deletion --- */

static void try_base(struct pb *pb)
{
	base_chain(pb, NF_INET_PRE_ROUTING);
}

static void try_sets(struct pb *pb)
{
	set(pb, "t", NFT_SET_TIMEOUT, 1);
	set(pb, "e", NFT_SET_TIMEOUT | NFT_SET_EVAL, 2);
}

static void try_counter(struct pb *pb)
{
	counter_obj(pb, "c");
}

static void try_payload(struct pb *pb)
{
	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	daddr(pb);
	payload(pb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 4, NFT_REG_2);
	rule_end(pb);
}

static void try_cmp(struct pb *pb)
{
	uint8_t v = IPPROTO_SCTP;
	struct nftnl_expr *e;

	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	payload(pb, NFT_PAYLOAD_NETWORK_HEADER, 6, 1, NFT_REG_2);
	e = ex(pb, "cmp");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_2);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &v, 1);
	}
	rule_end(pb);
}

static void try_bitwise(struct pb *pb)
{
	static const struct in6_addr mask = { { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						  0xff } } },
				     zero;
	struct nftnl_expr *e;

	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	daddr(pb);
	e = ex(pb, "bitwise");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 16);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 16);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, 16);
	}
	rule_end(pb);
}

static void try_range(struct pb *pb)
{
	uint8_t from = 133, to = 137;
	struct nftnl_expr *e;

	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	payload(pb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_2);
	e = ex(pb, "range");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_2);
		nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
		nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &from, 1);
		nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &to, 1);
	}
	rule_end(pb);
}

/* meta l4proto as in the guard, meta oifname as in the kill switch (an output chain). */
static void try_meta(struct pb *pb)
{
	static const uint32_t keys[][2] = { { NFT_META_L4PROTO, NFT_REG_2 },
					    { NFT_META_OIFNAME, NFT_REG_1 } };

	base_chain(pb, NF_INET_LOCAL_OUT);
	rule_begin(pb);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct nftnl_expr *e = ex(pb, "meta");

		if (!e)
			break;
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, keys[i][0]);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, keys[i][1]);
	}
	rule_end(pb);
}

static void try_lookup(struct pb *pb)
{
	struct nftnl_expr *e;

	set(pb, "t", NFT_SET_TIMEOUT, 1);
	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	daddr(pb);
	e = ex(pb, "lookup");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "t");
	}
	rule_end(pb);
}

static void try_dynset(struct pb *pb)
{
	struct nftnl_expr *e;

	set(pb, "e", NFT_SET_TIMEOUT | NFT_SET_EVAL, 1);
	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	daddr(pb);
	e = ex(pb, "dynset");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
		nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, "e");
		nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT, PROBE_TIMEOUT_MS);
	}
	rule_end(pb);
}

static void exthdr(struct pb *pb, uint32_t op, uint8_t type)
{
	struct nftnl_expr *e;

	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	e = ex(pb, "exthdr");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OP, op);
		nftnl_expr_set_u8(e, NFTNL_EXPR_EXTHDR_TYPE, type);
		nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OFFSET, 0);
		nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_LEN, 1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_FLAGS, NFT_EXTHDR_F_PRESENT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_DREG, NFT_REG_2);
	}
	rule_end(pb);
}

static void try_exthdr_sctp(struct pb *pb)
{
	exthdr(pb, NFT_EXTHDR_OP_SCTP, 0 /* DATA */);
}

static void try_exthdr_frag(struct pb *pb)
{
	exthdr(pb, NFT_EXTHDR_OP_IPV6, IPPROTO_FRAGMENT);
}

static void try_fib(struct pb *pb)
{
	struct nftnl_expr *e;

	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	e = ex(pb, "fib");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_2);
	}
	rule_end(pb);
}

static void try_objref(struct pb *pb)
{
	struct nftnl_expr *e;

	counter_obj(pb, "c");
	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	e = ex(pb, "objref");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
		nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, "c");
	}
	rule_end(pb);
}

static void try_immediate(struct pb *pb)
{
	struct nftnl_expr *e;

	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	e = ex(pb, "immediate");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	}
	rule_end(pb);
}

/* The guard's own sets, counters and rules (guard_rules.c), all of them. */
static void try_rules(struct pb *pb)
{
	static const char *const sets[GUARD_NSETS] = { "local", "peer", "retired", "evidence" };
	int ret;

	counter_obj(pb, MT6D_GUARD_CTR_DROPPED);
	counter_obj(pb, MT6D_GUARD_CTR_TRIPWIRE);
	for (int s = 0; s < GUARD_NSETS; s++)
		set(pb, sets[s], NFT_SET_TIMEOUT | (s == GUARD_EVIDENCE ? NFT_SET_EVAL : 0),
		    (uint32_t)s + 1);
	if (pb->err)
		return;
	ret = guard_rules_build(pb->b, pb->table, pb->p);
	if (ret < 0)
		pb->err = ret;
}

enum { NEED_ALWAYS, NEED_INTERFACE };

static const struct probe_kind {
	const char *name, *noun, *module, *use;
	int need;
	probe_fn fn;
} kinds[] = {
	{ "nf_tables", "nf_tables itself (tables, base chains)", "nf_tables",
	  "the guard's table and chains", NEED_ALWAYS, try_base },
	{ "sets", "nf_tables sets with timeouts", "nf_tables",
	  "sets local, peer, retired, evidence", NEED_ALWAYS, try_sets },
	{ "counter", "nf_tables named counter objects", "nf_tables",
	  "counters dropped and tripwire", NEED_ALWAYS, try_counter },
	{ "payload", "nf_tables expression \"payload\"", "nf_tables",
	  "addresses, SCTP ports, ICMPv6 type", NEED_ALWAYS, try_payload },
	{ "cmp", "nf_tables expression \"cmp\"", "nf_tables", "comparisons", NEED_ALWAYS, try_cmp },
	{ "bitwise", "nf_tables expression \"bitwise\"", "nf_tables", "prefix matches", NEED_ALWAYS,
	  try_bitwise },
	{ "range", "nf_tables expression \"range\"", "nf_tables", "ICMPv6 types 1-4 and 133-137",
	  NEED_ALWAYS, try_range },
	{ "meta", "nf_tables expression \"meta\"", "nf_tables",
	  "meta l4proto, kill switch's oifname", NEED_ALWAYS, try_meta },
	{ "lookup", "nf_tables expression \"lookup\"", "nf_tables", "@local, @peer, @retired",
	  NEED_ALWAYS, try_lookup },
	{ "dynset", "nf_tables expression \"dynset\"", "nf_tables", "update @evidence", NEED_ALWAYS,
	  try_dynset },
	{ "exthdr-sctp", "nf_tables expression \"exthdr\" for SCTP chunks", "nf_tables",
	  "sctp chunk data/heartbeat exists", NEED_ALWAYS, try_exthdr_sctp },
	{ "exthdr-frag", "nf_tables expression \"exthdr\" for IPv6 extension headers", "nf_tables",
	  "exthdr frag exists", NEED_ALWAYS, try_exthdr_frag },
	{ "fib", "nf_tables expression \"fib\"", "nft_fib_ipv6", "fib daddr type (interface mode)",
	  NEED_INTERFACE, try_fib },
	{ "objref", "nf_tables expression \"objref\"", "nft_objref",
	  "counter name dropped/tripwire", NEED_ALWAYS, try_objref },
	{ "immediate", "nf_tables expression \"immediate\"", "nf_tables",
	  "accept and drop verdicts", NEED_ALWAYS, try_immediate },
	/* Last: tried only when everything else the configuration needs passed. */
	{ "rules", "the guard's rules as a whole", NULL, "the guard's table as installed",
	  NEED_ALWAYS, try_rules },
};

_Static_assert(sizeof(kinds) / sizeof(kinds[0]) <= GUARD_PROBE_MAX, "GUARD_PROBE_MAX");

void guard_probe_init(struct guard_probe *pr, const struct guard_table_params *p)
{
	memset(pr, 0, sizeof(*pr));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct probe_kind *k = &kinds[i];
		struct guard_probe_item *it = &pr->item[pr->n++];

		*it = (struct guard_probe_item){
			.name = k->name, .noun = k->noun, .module = k->module, .use = k->use
		};
		it->needed = k->need == NEED_ALWAYS || !p->anyip;
	}
}

/* One transaction: the table (only if no such table exists), @fn's part, its deletion. */
static int try_one(struct mt6d_nft *nft, const struct guard_table_params *p, probe_fn fn,
		   char *detail, size_t len)
{
	static unsigned int seq;
	char table[64];
	int ret;

	for (int attempt = 0; attempt < 8; attempt++) {
		struct pb pb = { .table = table, .p = p };

		snprintf(table, sizeof(table), PROBE_TABLE_FMT, (long)getpid(), ++seq);
		ret = mt6d_nft_batch_new(nft, &pb.b);
		if (ret < 0)
			return ret;
		table_msg(&pb, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
		fn(&pb);
		table_msg(&pb, NFT_MSG_DELTABLE, 0);
		ret = pb.err ? pb.err : mt6d_nft_batch_commit(nft, pb.b, detail, len);
		mt6d_nft_batch_free(pb.b);
		/* Someone's table of that very name: leave it, take the next name. */
		if (ret != -EEXIST)
			return ret;
	}
	return ret;
}

int guard_probe_run(struct guard_probe *pr, const struct guard_table_params *p)
{
	struct mt6d_nft *nft;
	int ret;

	guard_probe_init(pr, p);
	ret = mt6d_nft_open(&nft);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < pr->n; i++) {
		struct guard_probe_item *it = &pr->item[i];

		if (kinds[i].fn == try_rules && guard_probe_failed(pr)) {
			snprintf(it->detail, sizeof(it->detail), "a feature above is missing");
			continue;
		}
		it->err = try_one(nft, p, kinds[i].fn, it->detail, sizeof(it->detail));
		it->tried = true;
		/* Not allowed to try: nothing to say about the kernel. */
		if (i == 0 && it->err == -EPERM) {
			ret = -EPERM;
			break;
		}
		/* No tables at all: the rest cannot be tried. */
		if (i == 0 && it->err) {
			for (size_t j = 1; j < pr->n; j++)
				snprintf(pr->item[j].detail, sizeof(pr->item[j].detail),
					 "nf_tables itself failed");
			break;
		}
	}
	mt6d_nft_close(nft);
	return ret;
}

bool guard_probe_lacks(const struct guard_probe_item *it)
{
	return it->tried && it->module && (it->err == -ENOENT || it->err == -EOPNOTSUPP);
}

static bool failed(const struct guard_probe_item *it)
{
	return it->needed && it->tried && it->err;
}

size_t guard_probe_failed(const struct guard_probe *pr)
{
	size_t n = 0;

	for (size_t i = 0; i < pr->n; i++)
		n += failed(&pr->item[i]);
	return n;
}

/* Appends to @buf at *@off, never past @len, always terminated. */
static void put(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n < len - *off ? (size_t)n : len - *off - 1;
}

size_t guard_probe_reason(const struct guard_probe *pr, char *buf, size_t len)
{
	size_t off = 0, lacks = 0, other = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < pr->n; i++) {
		const struct guard_probe_item *it = &pr->item[i];

		if (!failed(it) || !guard_probe_lacks(it))
			continue;
		put(buf, len, &off, "%s%s (module %s)", lacks ? ", " : "the kernel lacks ",
		    it->noun, it->module);
		lacks++;
	}
	for (size_t i = 0; i < pr->n; i++) {
		const struct guard_probe_item *it = &pr->item[i];

		if (!failed(it) || guard_probe_lacks(it))
			continue;
		put(buf, len, &off, "%sthe kernel refuses %s: %s", lacks || other ? "; " : "",
		    it->noun, strerror(-it->err));
		if (it->detail[0])
			put(buf, len, &off, " (%s)", it->detail);
		other++;
	}
	return lacks + other;
}

void guard_probe_line(const struct guard_probe_item *it, char *buf, size_t len)
{
	if (!it->tried)
		snprintf(buf, len, "%-5s %-13s not tried: %s", "-", it->name, it->detail);
	else if (!it->err)
		snprintf(buf, len, "%-5s %-13s %s", "ok", it->name, it->use);
	else if (guard_probe_lacks(it))
		snprintf(buf, len, "%-5s %-13s missing: the kernel lacks %s (module %s)%s",
			 it->needed ? "FAIL" : "WARN", it->name, it->noun, it->module,
			 it->needed ? "" : "; not used by this configuration");
	else
		snprintf(buf, len, "%-5s %-13s refused: %s%s%s%s", it->needed ? "FAIL" : "WARN",
			 it->name, strerror(-it->err), it->detail[0] ? " (" : "", it->detail,
			 it->detail[0] ? ")" : "");
}

// SPDX-License-Identifier: MIT
/* One builder per nf_tables feature the guard uses (see guard_probe.c). */
#include "guard_probe_feat.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "guard_rules.h"
#include "nftctr.h"

#define PROBE_TIMEOUT_MS 60000
#define IP6_DADDR_OFF 24

/* Keeps the first error of the transaction's parts. */
static void keep(struct pb *pb, int ret)
{
	if (ret < 0 && !pb->err)
		pb->err = ret;
}

void probe_table_msg(struct pb *pb, uint16_t type, uint16_t flags)
{
	keep(pb, guard_expr_table(pb->b, pb->table, NFPROTO_IPV6, type, flags));
}

/* A base chain "probe" on @hook, as the guard's (policy accept). */
static void base_chain(struct pb *pb, uint32_t hook)
{
	keep(pb, guard_expr_chain(pb->b, pb->table, NFPROTO_IPV6, PROBE_CHAIN, hook, 0));
}

/* A set with timeouts keyed as the guard's set @kind (an address or a port pair); one
 * element in it. */
static void set(struct pb *pb, const char *name, enum guard_set kind, uint32_t flags, uint32_t id)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	uint32_t klen = (uint32_t)guard_set_key_len(kind);
	struct in6_addr a =
		klen == sizeof(a) ? (struct in6_addr)IN6ADDR_LOOPBACK_INIT : guard_port_key(1, 1);
	struct nlmsghdr *nlh = NULL;

	if (s && e) {
		nftnl_set_set_str(s, NFTNL_SET_TABLE, pb->table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, name);
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_IPV6);
		nftnl_set_set_u32(s, NFTNL_SET_ID, id);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, guard_set_key_type(kind));
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, klen);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
		nlh = mt6d_nft_batch_msg(pb->b, NFT_MSG_NEWSET, NFPROTO_IPV6, NLM_F_CREATE);
	}
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &a, klen);
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
	keep(pb, guard_expr_counter_obj(pb->b, pb->table, NFPROTO_IPV6, name, 0));
}

/* A new expression @name appended to the rule; NULL (and the error kept) without one. */
static struct nftnl_expr *ex(struct pb *pb, const char *name)
{
	struct nftnl_expr *e = pb->rb.r ? guard_expr_alloc(&pb->rb, name) : NULL;

	guard_expr_add(&pb->rb, e);
	if (!e)
		keep(pb, -ENOMEM);
	return e;
}

static void payload(struct pb *pb, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	if (pb->rb.r)
		guard_expr_payload(&pb->rb, base, off, len, dreg);
}

static void daddr(struct pb *pb)
{
	payload(pb, NFT_PAYLOAD_NETWORK_HEADER, IP6_DADDR_OFF, 16, NFT_REG_1);
}

static void rule_begin(struct pb *pb)
{
	keep(pb, guard_expr_rule_begin(&pb->rb));
}

static void rule_end(struct pb *pb)
{
	if (pb->rb.r)
		keep(pb, guard_expr_emit(pb->b, pb->table, PROBE_CHAIN, &pb->rb));
}

/* --- one function per feature: what it adds between the table and its deletion --- */

void try_base(struct pb *pb)
{
	base_chain(pb, NF_INET_PRE_ROUTING);
}

void try_sets(struct pb *pb)
{
	set(pb, "t", GUARD_LOCAL, NFT_SET_TIMEOUT, 1);
	set(pb, "e", GUARD_EVIDENCE, NFT_SET_TIMEOUT | NFT_SET_EVAL, 2);
	set(pb, "p", GUARD_PORTS, NFT_SET_TIMEOUT, 3);
}

void try_counter(struct pb *pb)
{
	counter_obj(pb, "c");
}

void try_payload(struct pb *pb)
{
	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	daddr(pb);
	payload(pb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 4, NFT_REG_2);
	rule_end(pb);
}

void try_cmp(struct pb *pb)
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

void try_bitwise(struct pb *pb)
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

void try_range(struct pb *pb)
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
void try_meta(struct pb *pb)
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

/* An address in set "t", and a port pair (a concatenation) in set "p". */
void try_lookup(struct pb *pb)
{
	struct nftnl_expr *e;

	set(pb, "t", GUARD_LOCAL, NFT_SET_TIMEOUT, 1);
	set(pb, "p", GUARD_PORTS, NFT_SET_TIMEOUT, 2);
	base_chain(pb, NF_INET_PRE_ROUTING);
	rule_begin(pb);
	daddr(pb);
	e = ex(pb, "lookup");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "t");
	}
	payload(pb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG32_04);
	payload(pb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_05);
	e = ex(pb, "lookup");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG32_04);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "p");
	}
	rule_end(pb);
}

void try_dynset(struct pb *pb)
{
	struct nftnl_expr *e;

	set(pb, "e", GUARD_EVIDENCE, NFT_SET_TIMEOUT | NFT_SET_EVAL, 1);
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

void try_exthdr_sctp(struct pb *pb)
{
	exthdr(pb, NFT_EXTHDR_OP_SCTP, 0 /* DATA */);
}

void try_exthdr_frag(struct pb *pb)
{
	exthdr(pb, NFT_EXTHDR_OP_IPV6, IPPROTO_FRAGMENT);
}

void try_fib(struct pb *pb)
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

void try_objref(struct pb *pb)
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

void try_immediate(struct pb *pb)
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
void try_rules(struct pb *pb)
{
	int ret;

	counter_obj(pb, MT6D_GUARD_CTR_DROPPED);
	counter_obj(pb, MT6D_GUARD_CTR_TRIPWIRE);
	for (int s = 0; s < GUARD_NSETS; s++)
		set(pb, guard_set_name((enum guard_set)s), (enum guard_set)s,
		    NFT_SET_TIMEOUT | (s == GUARD_EVIDENCE ? NFT_SET_EVAL : 0), (uint32_t)s + 1);
	if (pb->err)
		return;
	ret = guard_rules_build(pb->b, pb->table, pb->p);
	if (ret < 0)
		pb->err = ret;
}

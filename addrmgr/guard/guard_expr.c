// SPDX-License-Identifier: MIT
/* Expression helpers for the guard's rules (see guard_expr.h). */
#include "guard_expr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/table.h>

#define IP6_SADDR_OFF GUARD_IP6_SADDR_OFF
#define IP6_DADDR_OFF GUARD_IP6_DADDR_OFF

struct nftnl_expr *guard_expr_alloc(struct rb *rb, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (!e)
		rb->err = -ENOMEM;
	return e;
}

void guard_expr_add(struct rb *rb, struct nftnl_expr *e)
{
	if (e)
		nftnl_rule_add_expr(rb->r, e);
}

void guard_expr_payload(struct rb *rb, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = guard_expr_alloc(rb, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	guard_expr_add(rb, e);
}

void guard_expr_cmp(struct rb *rb, uint32_t sreg, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = guard_expr_alloc(rb, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	guard_expr_add(rb, e);
}

void guard_expr_range(struct rb *rb, uint32_t sreg, uint8_t from, uint8_t to)
{
	struct nftnl_expr *e = guard_expr_alloc(rb, "range");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &from, 1);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &to, 1);
	guard_expr_add(rb, e);
}

void guard_expr_meta(struct rb *rb, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = guard_expr_alloc(rb, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	guard_expr_add(rb, e);
}

void guard_expr_lookup(struct rb *rb, const char *set, uint32_t sreg)
{
	struct nftnl_expr *e = guard_expr_alloc(rb, "lookup");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	guard_expr_add(rb, e);
}

void guard_expr_counter(struct rb *rb, const char *name)
{
	struct nftnl_expr *e = guard_expr_alloc(rb, "objref");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
	guard_expr_add(rb, e);
}

void guard_expr_verdict(struct rb *rb, int v)
{
	struct nftnl_expr *e = guard_expr_alloc(rb, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	guard_expr_add(rb, e);
}

/* The address at @base + @off, masked to @net's length, equals @net's (register 1). */
void guard_expr_addr_in(struct rb *rb, uint32_t base, uint32_t off, const struct mt6d_prefix *net)
{
	struct in6_addr mask = { 0 }, want = net->addr;
	struct nftnl_expr *e;

	for (unsigned int i = 0; i < 16; i++) {
		unsigned int bits = net->len > i * 8 ? net->len - i * 8 : 0;

		mask.s6_addr[i] = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		want.s6_addr[i] &= mask.s6_addr[i];
	}
	guard_expr_payload(rb, base, off, 16, NFT_REG_1);
	e = guard_expr_alloc(rb, "bitwise");
	if (e) {
		static const struct in6_addr zero;

		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 16);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 16);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, 16);
		guard_expr_add(rb, e);
	}
	guard_expr_cmp(rb, NFT_REG_1, NFT_CMP_EQ, &want, 16);
}

void guard_expr_daddr_local_set(struct rb *rb)
{
	guard_expr_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, IP6_DADDR_OFF, 16, NFT_REG_1);
	guard_expr_lookup(rb, "local", NFT_REG_1);
}

void guard_expr_l4proto(struct rb *rb, uint8_t proto)
{
	guard_expr_meta(rb, NFT_META_L4PROTO, NFT_REG_2);
	guard_expr_cmp(rb, NFT_REG_2, NFT_CMP_EQ, &proto, 1);
}

int guard_expr_emit(struct mt6d_nft_batch *b, const char *table, const char *chain, struct rb *rb)
{
	struct nlmsghdr *nlh;
	int ret = rb->err;

	if (!ret) {
		nftnl_rule_set_str(rb->r, NFTNL_RULE_TABLE, table);
		nftnl_rule_set_str(rb->r, NFTNL_RULE_CHAIN, chain);
		nftnl_rule_set_u32(rb->r, NFTNL_RULE_FAMILY, rb->family);
		nlh = mt6d_nft_batch_msg(b, NFT_MSG_NEWRULE, rb->family,
					 NLM_F_APPEND | NLM_F_CREATE);
		if (nlh)
			nftnl_rule_nlmsg_build_payload(nlh, rb->r);
		else
			ret = -ENOMEM;
	}
	nftnl_rule_free(rb->r);
	rb->r = NULL;
	return ret;
}

int guard_expr_rule_begin(struct rb *rb)
{
	rb->err = 0;
	rb->family = NFPROTO_IPV6;
	rb->r = nftnl_rule_alloc();
	return rb->r ? 0 : -ENOMEM;
}

int guard_expr_chain(struct mt6d_nft_batch *b, const char *table, uint16_t family, const char *name,
		     uint32_t hook, int32_t prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, family);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = mt6d_nft_batch_msg(b, NFT_MSG_NEWCHAIN, family, NLM_F_CREATE);
	if (nlh)
		nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	return nlh ? 0 : -ENOMEM;
}

int guard_expr_table(struct mt6d_nft_batch *b, const char *table, uint16_t family, uint16_t type,
		     uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
	nlh = mt6d_nft_batch_msg(b, type, family, flags);
	if (nlh)
		nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return nlh ? 0 : -ENOMEM;
}

int guard_expr_counter_obj(struct mt6d_nft_batch *b, const char *table, uint16_t family,
			   const char *name, uint64_t pkts)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nlmsghdr *nlh;

	if (!o)
		return -ENOMEM;
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, family);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_PKTS, pkts);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_BYTES, 0);
	nlh = mt6d_nft_batch_msg(b, NFT_MSG_NEWOBJ, family, NLM_F_CREATE);
	if (nlh)
		nftnl_obj_nlmsg_build_payload(nlh, o);
	nftnl_obj_free(o);
	return nlh ? 0 : -ENOMEM;
}

// SPDX-License-Identifier: MIT
/*
 * The guard table's life cycle and contents: built whole in one transaction, elements
 * added and removed in transactions, read back with dumps. See guard_table.h and
 * guard_rules.c.
 */
#include "guard_table.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "guard_expr.h"
#include "guard_reply.h"
#include "guard_rules.h"
#include "nft.h"
#include "nftctr.h"

/*
 * nft's datatype numbers, so that `nft list` prints the sets' keys: ipv6_addr, and
 * inet_service . inet_service (a concatenation's type is its parts' shifted in by 6 bits).
 */
#define NFT_TYPE_IP6ADDR 8
#define NFT_TYPE_INET_SERVICE 13
#define NFT_TYPE_CONCAT_BITS 6

struct guard_table {
	struct mt6d_nft *nft;
	struct guard_table_params p;
	char table[MT6D_NAME_MAX + sizeof(MT6D_GUARD_TABLE_PREFIX)];
};

static const char *const set_names[GUARD_NSETS] = {
	[GUARD_LOCAL] = "local",     [GUARD_PEER] = "peer",
	[GUARD_RETIRED] = "retired", [GUARD_EVIDENCE] = "evidence",
	[GUARD_PORTS] = "ports",     [GUARD_RETIRED_PORTS] = "retired-ports",
};

static bool is_port_set(enum guard_set s)
{
	return s == GUARD_PORTS || s == GUARD_RETIRED_PORTS;
}

struct in6_addr guard_port_key(uint16_t peer_port, uint16_t local_port)
{
	struct in6_addr k = { 0 };
	uint16_t be[2] = { htons(peer_port), htons(local_port) };

	memcpy(&k.s6_addr[0], &be[0], 2);
	memcpy(&k.s6_addr[4], &be[1], 2);
	return k;
}

size_t guard_set_key_len(enum guard_set s)
{
	return is_port_set(s) ? 8 : sizeof(struct in6_addr);
}

uint32_t guard_set_key_type(enum guard_set s)
{
	return is_port_set(s)
		       ? NFT_TYPE_INET_SERVICE << NFT_TYPE_CONCAT_BITS | NFT_TYPE_INET_SERVICE
		       : NFT_TYPE_IP6ADDR;
}

const char *guard_set_name(enum guard_set s)
{
	return s < GUARD_NSETS ? set_names[s] : "?";
}

const char *guard_table_name(const struct guard_table *g)
{
	return g->table;
}

int guard_table_open(struct guard_table **out, const struct guard_table_params *p)
{
	struct guard_table *g = calloc(1, sizeof(*g));
	int ret;

	if (!g)
		return -ENOMEM;
	if ((size_t)snprintf(g->table, sizeof(g->table), MT6D_GUARD_TABLE_PREFIX "%s", p->name) >=
	    sizeof(g->table)) {
		free(g);
		return -ENAMETOOLONG;
	}
	ret = mt6d_nft_open(&g->nft);
	if (ret < 0) {
		guard_table_close(g);
		return ret;
	}
	g->p = *p;
	g->p.name = NULL;
	*out = g;
	return 0;
}

void guard_table_set_prefixes(struct guard_table *g, const struct in6_addr *prefixes, size_t n)
{
	g->p.n_prefixes = n < GUARD_MAX_PREFIXES ? n : GUARD_MAX_PREFIXES;
	memcpy(g->p.prefix, prefixes, g->p.n_prefixes * sizeof(*prefixes));
}

void guard_table_close(struct guard_table *g)
{
	if (!g)
		return;
	mt6d_nft_close(g->nft);
	free(g);
}

static int set_msg(struct mt6d_nft_batch *b, const struct guard_table *g, enum guard_set s)
{
	struct nftnl_set *set = nftnl_set_alloc();
	uint32_t flags = NFT_SET_TIMEOUT;
	struct nlmsghdr *nlh;

	if (!set)
		return -ENOMEM;
	/* The evidence set is written by the rule (dynset): it must support updates. */
	if (s == GUARD_EVIDENCE)
		flags |= NFT_SET_EVAL;
	nftnl_set_set_str(set, NFTNL_SET_TABLE, g->table);
	nftnl_set_set_str(set, NFTNL_SET_NAME, set_names[s]);
	nftnl_set_set_u32(set, NFTNL_SET_FAMILY, NFPROTO_IPV6);
	nftnl_set_set_u32(set, NFTNL_SET_ID, (uint32_t)s + 1);
	nftnl_set_set_u32(set, NFTNL_SET_KEY_TYPE, guard_set_key_type(s));
	nftnl_set_set_u32(set, NFTNL_SET_KEY_LEN, (uint32_t)guard_set_key_len(s));
	nftnl_set_set_u32(set, NFTNL_SET_FLAGS, flags);
	nlh = mt6d_nft_batch_msg(b, NFT_MSG_NEWSET, NFPROTO_IPV6, NLM_F_CREATE);
	if (nlh)
		nftnl_set_nlmsg_build_payload(nlh, set);
	nftnl_set_free(set);
	return nlh ? 0 : -ENOMEM;
}

/* Appends @ops, grouped per set and kind, at most GUARD_TABLE_ELEMS_PER_MSG per message. */
static int elems_msgs(struct mt6d_nft_batch *b, const struct guard_table *g,
		      const struct guard_op *ops, size_t nops)
{
	for (int s = 0; s < GUARD_NSETS; s++) {
		for (int del = 1; del >= 0; del--) {
			struct nftnl_set *set = NULL;
			size_t n = 0;

			for (size_t i = 0; i <= nops; i++) {
				struct nftnl_set_elem *e;
				struct nlmsghdr *nlh;
				bool match = i < nops && ops[i].set == (enum guard_set)s &&
					     (ops[i].timeout_ms == 0) == (del != 0);

				if (set &&
				    (i == nops || (match && n == GUARD_TABLE_ELEMS_PER_MSG))) {
					nlh = mt6d_nft_batch_msg(
						b, del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
						NFPROTO_IPV6, del ? 0 : NLM_F_CREATE);
					if (nlh)
						nftnl_set_elems_nlmsg_build_payload(nlh, set);
					nftnl_set_free(set);
					set = NULL;
					n = 0;
					if (!nlh)
						return -ENOMEM;
				}
				if (!match)
					continue;
				if (!set) {
					set = nftnl_set_alloc();
					if (!set)
						return -ENOMEM;
					nftnl_set_set_str(set, NFTNL_SET_TABLE, g->table);
					nftnl_set_set_str(set, NFTNL_SET_NAME, set_names[s]);
					nftnl_set_set_u32(set, NFTNL_SET_FAMILY, NFPROTO_IPV6);
				}
				e = nftnl_set_elem_alloc();
				if (!e) {
					nftnl_set_free(set);
					return -ENOMEM;
				}
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &ops[i].addr,
						   (uint32_t)guard_set_key_len(ops[i].set));
				if (!del)
					nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT,
							       ops[i].timeout_ms);
				nftnl_set_elem_add(set, e);
				n++;
			}
		}
	}
	return 0;
}

int guard_table_install(struct guard_table *g, const struct guard_op *ops, size_t nops, char *err,
			size_t errlen)
{
	struct mt6d_guard_counters c = { 0 };
	struct mt6d_nft_batch *b;
	int ret;

	/* Each counter on its own: a half-built table may hold one and not the other. */
	if (mt6d_nftctr_read(g->nft, g->table, MT6D_GUARD_CTR_DROPPED, &c.dropped) < 0)
		c.dropped = 0;
	if (mt6d_nftctr_read(g->nft, g->table, MT6D_GUARD_CTR_TRIPWIRE, &c.tripwire) < 0)
		c.tripwire = 0;
	ret = mt6d_nft_batch_new(g->nft, &b);
	if (ret < 0)
		return ret;
	/* "add table; delete table; add table ...": replaces whatever was there, atomically. */
	ret = guard_expr_table(b, g->table, NFPROTO_IPV6, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	if (!ret)
		ret = guard_expr_table(b, g->table, NFPROTO_IPV6, NFT_MSG_DELTABLE, 0);
	if (!ret)
		ret = guard_expr_table(b, g->table, NFPROTO_IPV6, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	if (!ret)
		ret = guard_expr_counter_obj(b, g->table, NFPROTO_IPV6, MT6D_GUARD_CTR_DROPPED,
					     c.dropped);
	if (!ret)
		ret = guard_expr_counter_obj(b, g->table, NFPROTO_IPV6, MT6D_GUARD_CTR_TRIPWIRE,
					     c.tripwire);
	for (int s = 0; s < GUARD_NSETS && !ret; s++)
		ret = set_msg(b, g, (enum guard_set)s);
	if (!ret)
		ret = guard_rules_build(b, g->table, &g->p);
	if (!ret)
		ret = elems_msgs(b, g, ops, nops);
	if (!ret)
		ret = mt6d_nft_batch_commit(g->nft, b, err, errlen);
	mt6d_nft_batch_free(b);
	return ret;
}

int guard_table_apply(struct guard_table *g, const struct guard_op *ops, size_t nops, char *err,
		      size_t errlen)
{
	struct mt6d_nft_batch *b;
	int ret;

	if (!nops)
		return 0;
	ret = mt6d_nft_batch_new(g->nft, &b);
	if (ret < 0)
		return ret;
	ret = elems_msgs(b, g, ops, nops);
	if (!ret)
		ret = mt6d_nft_batch_commit(g->nft, b, err, errlen);
	mt6d_nft_batch_free(b);
	return ret;
}

int guard_table_remove(struct guard_table *g)
{
	struct mt6d_nft_batch *b;
	char err[128];
	int ret = mt6d_nft_batch_new(g->nft, &b);

	if (ret < 0)
		return ret;
	ret = guard_expr_table(b, g->table, NFPROTO_IPV6, NFT_MSG_DELTABLE, 0);
	if (!ret)
		ret = mt6d_nft_batch_commit(g->nft, b, err, sizeof(err));
	mt6d_nft_batch_free(b);
	return ret == -ENOENT ? 0 : ret;
}

int guard_table_handle(struct guard_table *g, uint64_t *handle)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	*handle = 0;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, g->table);
	nlh = nftnl_nlmsg_build_hdr(mt6d_nft_reqbuf(g->nft), NFT_MSG_GETTABLE, NFPROTO_IPV6, 0, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return mt6d_nft_request(g->nft, nlh, guard_reply_handle, handle);
}

int guard_table_elems(struct guard_table *g, enum guard_set which, struct guard_elem *out,
		      size_t max)
{
	struct guard_reply_elems d = { .out = out,
				       .max = max,
				       .key_len = guard_set_key_len(which) };
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int ret;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, g->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set_names[which]);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_IPV6);
	nlh = nftnl_nlmsg_build_hdr(mt6d_nft_reqbuf(g->nft), NFT_MSG_GETSETELEM, NFPROTO_IPV6,
				    NLM_F_DUMP, 0);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	ret = mt6d_nft_request(g->nft, nlh, guard_reply_elems, &d);
	return ret < 0 ? ret : (int)d.n;
}

int guard_table_read_counters(struct guard_table *g, struct mt6d_guard_counters *c)
{
	return mt6d_nftctr_read_guard(g->nft, g->table, c);
}

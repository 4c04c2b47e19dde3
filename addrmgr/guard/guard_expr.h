/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_EXPR_H
#define MT6D_GUARD_EXPR_H

#include <stdint.h>

#include <libnftnl/rule.h>

#include "config.h"
#include "nft.h"

/*
 * The guard's nftables messages, for its table (guard_table.c), its rules (guard_rules.c),
 * the kill switch (guard_killswitch.c) and the probe (guard_probe_feat.c): one rule at a time, its
 * expressions appended by these helpers in nft's order. A failure (no memory) is kept in
 * @err and reported by guard_expr_emit(), which appends the rule to a batch.
 */
#define GUARD_IP6_SADDR_OFF 8
#define GUARD_IP6_DADDR_OFF 24

struct rb {
	struct nftnl_rule *r;
	int err;
	uint16_t family; /* NFPROTO_IPV6 (the guard) or NFPROTO_INET (the kill switch) */
};

struct nftnl_expr *guard_expr_alloc(struct rb *rb, const char *name);
void guard_expr_add(struct rb *rb, struct nftnl_expr *e);
void guard_expr_payload(struct rb *rb, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg);
void guard_expr_cmp(struct rb *rb, uint32_t sreg, uint32_t op, const void *data, uint32_t len);
void guard_expr_range(struct rb *rb, uint32_t sreg, uint8_t from, uint8_t to);
void guard_expr_meta(struct rb *rb, uint32_t key, uint32_t dreg);
void guard_expr_lookup(struct rb *rb, const char *set, uint32_t sreg);
void guard_expr_counter(struct rb *rb, const char *name);
void guard_expr_verdict(struct rb *rb, int v);
void guard_expr_addr_in(struct rb *rb, uint32_t base, uint32_t off, const struct mt6d_prefix *net);
void guard_expr_daddr_local_set(struct rb *rb);
void guard_expr_l4proto(struct rb *rb, uint8_t proto);
int guard_expr_emit(struct mt6d_nft_batch *b, const char *table, const char *chain, struct rb *rb);
int guard_expr_rule_begin(struct rb *rb);
int guard_expr_chain(struct mt6d_nft_batch *b, const char *table, uint16_t family, const char *name,
		     uint32_t hook, int32_t prio);

/* NEWTABLE or DELTABLE (@type) of @table in @family, with @flags. */
int guard_expr_table(struct mt6d_nft_batch *b, const char *table, uint16_t family, uint16_t type,
		     uint16_t flags) __attribute__((warn_unused_result));
/* A named counter object @name starting at @pkts packets. */
int guard_expr_counter_obj(struct mt6d_nft_batch *b, const char *table, uint16_t family,
			   const char *name, uint64_t pkts) __attribute__((warn_unused_result));

#endif

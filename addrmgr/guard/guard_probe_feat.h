/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_PROBE_FEAT_H
#define MT6D_GUARD_PROBE_FEAT_H

#include <stdint.h>

#include "guard_expr.h"
#include "guard_table.h"
#include "nft.h"

/*
 * Internal to guard_probe.c: the parts of a probe transaction, one function per nf_tables
 * feature the guard uses, each adding what that feature needs (sets, counters, a base
 * chain, one rule) between the throwaway table's creation and its deletion. A failure to
 * build a message is kept in @err.
 */
#define PROBE_CHAIN "probe"

struct pb {
	struct mt6d_nft_batch *b;
	const char *table;
	const struct guard_table_params *p;
	struct rb rb; /* the rule being built (guard_expr.h) */
	int err;
};

typedef void (*probe_fn)(struct pb *pb);

/* NEWTABLE (with @flags) or DELTABLE of the throwaway table. */
void probe_table_msg(struct pb *pb, uint16_t type, uint16_t flags);

void try_base(struct pb *pb);
void try_sets(struct pb *pb);
void try_counter(struct pb *pb);
void try_payload(struct pb *pb);
void try_cmp(struct pb *pb);
void try_bitwise(struct pb *pb);
void try_range(struct pb *pb);
void try_meta(struct pb *pb);
void try_lookup(struct pb *pb);
void try_dynset(struct pb *pb);
void try_exthdr_sctp(struct pb *pb);
void try_exthdr_frag(struct pb *pb);
void try_fib(struct pb *pb);
void try_objref(struct pb *pb);
void try_immediate(struct pb *pb);
void try_rules(struct pb *pb);

#endif

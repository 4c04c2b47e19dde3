/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_RULES_H
#define MT6D_GUARD_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "guard_table.h"
#include "guard_killswitch.h"
#include "nft.h"

/*
 * The guard table's chain and rules as nf_tables messages appended to a transaction
 * (private to guard_table.c). Returns 0 or -ENOMEM.
 */
int guard_rules_build(struct mt6d_nft_batch *b, const char *table,
		      const struct guard_table_params *p) __attribute__((warn_unused_result));

/*
 * The kill switch's chains and rules in the inet table @table (private to guard_killswitch.c).
 * Returns 0 or -ENOMEM.
 */
int guard_rules_killswitch(struct mt6d_nft_batch *b, const char *table,
			   const struct guard_killswitch_params *p)
	__attribute__((warn_unused_result));

#endif

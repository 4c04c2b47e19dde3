/* SPDX-License-Identifier: MIT */
#ifndef MT6D_NFTCTR_H
#define MT6D_NFTCTR_H

#include <stdint.h>

#include "nft.h"

/*
 * The packet count of the named counter object @name in the ip6 table @table; -ENOENT
 * when the table or the counter is not there. mt6d-addrmgr reads its guard's counters
 * with it, mt6d-tunnel shows them among its drops.
 */
int nftctr_read(struct nft *n, const char *table, const char *name, uint64_t *pkts)
	__attribute__((warn_unused_result));

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_NFTCTR_H
#define MT6D_NFTCTR_H

#include <stdint.h>

#include "nft.h"

/*
 * mt6d-addrmgr's guard for tunnel NAME is the ip6 table MT6D_GUARD_TABLE_PREFIX NAME, with two
 * counter objects: packets to hashed addresses that were not the tunnel's, and packets to
 * retired hashed addresses.
 */
#define MT6D_GUARD_TABLE_PREFIX "mt6d-"
#define MT6D_GUARD_CTR_DROPPED "dropped"
#define MT6D_GUARD_CTR_TRIPWIRE "tripwire"

struct mt6d_guard_counters {
	uint64_t dropped, tripwire;
};

/*
 * The packet count of the named counter object @name in the ip6 table @table; -ENOENT
 * when the table or the counter is not there. mt6d-addrmgr reads its guard's counters
 * with it, mt6d-tunnel shows them among its drops.
 */
int mt6d_nftctr_read(struct mt6d_nft *n, const char *table, const char *name, uint64_t *pkts)
	__attribute__((warn_unused_result));

/*
 * The callback mt6d_nftctr_read() passes to mt6d_nft_request(): the packet count of the
 * counter object in one NFT_MSG_NEWOBJ into *(uint64_t *)@pkts (0 for another type of
 * object); -EBADMSG when an attribute is not what nf_tables sends.
 */
int mt6d_nftctr_parse(const struct nlmsghdr *nlh, void *pkts);

/* Both counters of the guard table @table (see MT6D_GUARD_TABLE_PREFIX). */
int mt6d_nftctr_read_guard(struct mt6d_nft *n, const char *table, struct mt6d_guard_counters *c)
	__attribute__((warn_unused_result));

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_UPLINK_SYNC_H
#define MT6D_UPLINK_SYNC_H

#include <netinet/in.h>
#include <stddef.h>

#include "addrmgr.h"
#include "guard.h"
#include "plan.h"
#include "rtnl.h"
#include "tsock.h"

/*
 * The reconciler's steps on the uplink (interface mode): every planned address on it,
 * deprecated unless current; our addresses that left the plan kept while bound or held,
 * retired otherwise. In anyip mode the addresses that left the plan lately stand in for
 * what the uplink would hold. Failures are counted in the stats and logged here.
 */
#define UPLINK_SYNC_MAX_ADDRS 256
/* Our addresses outside the plan that stay local: bound ones and strays kept on the uplink. */
#define UPLINK_SYNC_MAX_EXTRA (UPLINK_SYNC_MAX_ADDRS + TSOCK_MAX_ADDRS)

/* Our addresses on the uplink (in the hashed /64), as last read back. */
struct uplink_seen {
	size_t n;
	struct mt6d_rtnl_addr a[UPLINK_SYNC_MAX_ADDRS];
};

/* What one tick's uplink steps work with; all borrowed. */
struct uplink_sync {
	struct mt6d_rtnl *nl;
	int ifindex;
	const char *ifname;
	unsigned int interval; /* seconds per slot */
	const struct plan *plan;
	const struct plan_params *pp; /* what derives our addresses */
	const struct guard *guard;    /* NULL: [guard] enable = no */
	struct addrmgr_stats *stats;
};

/* Reads our addresses on the uplink into @seen. */
int uplink_sync_dump(const struct uplink_sync *u, struct uplink_seen *seen)
	__attribute__((warn_unused_result));
/* Step 1: every planned address on the uplink, deprecated unless current. */
void uplink_sync_converge(const struct uplink_sync *u, const struct uplink_seen *seen);
/* Step 3: retires our addresses that fell out of the plan and are no longer bound. */
void uplink_sync_retire(const struct uplink_sync *u, const struct uplink_seen *seen,
			const struct in6_addr *bound, int nbound);
/*
 * Fail closed, or a clean stop without the tunnel: removes every hashed address of ours in
 * @seen (planned or stray; the operator's other addresses in the /64 stay), logging @why
 * once. Returns how many could not be removed.
 */
size_t uplink_sync_withdraw(const struct uplink_sync *u, const struct uplink_seen *seen,
			    const char *why);
/* anyip: fills @seen with our addresses that left the plan lately. */
void uplink_sync_anyip_recent(const struct uplink_sync *u, struct uplink_seen *seen);
/*
 * Our addresses outside the plan that stay local: bound to the association, or strays in
 * @seen kept on the uplink (as uplink_sync_retire keeps them), of this uplink's /64. Fills
 * @extra (room for @max) and returns how many.
 */
size_t uplink_sync_extra_local(const struct uplink_sync *u, const struct uplink_seen *seen,
			       const struct in6_addr *bound, int nbound, struct in6_addr *extra,
			       size_t max);

#endif

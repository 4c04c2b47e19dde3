/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TABLE_SYNC_H
#define MT6D_TABLE_SYNC_H

#include <netinet/in.h>
#include <time.h>

#include "addrmgr.h"
#include "guard.h"
#include "plan.h"
#include "tsock.h"
#include "uplink_sync.h"

/*
 * The reconciler's steps on the guard table (guard/guard.h): the evidence read before the
 * association step, the sets converged after it. A failure is counted every tick but
 * logged only when it changes.
 */

/* What one tick's steps work with; all borrowed. */
struct table_sync {
	struct guard *guard;
	const struct plan_set *plans;
	struct addrmgr_stats *stats;
	int *logged; /* [2]: the last error logged (update, evidence), 0: none */
};

/* Reads the evidence set: which of our addresses the peer's SCTP reached lately. */
void table_sync_evidence(const struct table_sync *t);

/*
 * Step 4: the guard's sets. Our addresses outside the plans that stay local, @extra (bound,
 * held, in their grace period or kept for one more slot, as in uplink_sync_retire); the
 * peer's are its slot windows and @live, what the kernel reports for the association in charge.
 */
void table_sync_update(const struct table_sync *t, time_t now, const struct in6_addr *extra,
		       size_t nextra, const struct guard_live *live);

#endif

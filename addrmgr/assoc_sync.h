/* SPDX-License-Identifier: MIT */
#ifndef MT6D_ASSOC_SYNC_H
#define MT6D_ASSOC_SYNC_H

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addrmgr.h"
#include "guard.h"
#include "plan.h"
#include "tsock.h"

/*
 * The reconciler's step on the tunnel's association for one uplink, make-before-break: bind
 * its current address (ASCONF ADD-IP), make it the peer's primary when the uplink is the
 * primary one, then unbind what fell out of the uplink's plan (ASCONF DEL-IP), an old address only
 * once the guard saw the peer reach a newer one (confirmed teardown). Failures are counted in the
 * stats and logged here.
 */

/* What the step remembers from one tick to the next. */
struct assoc_state {
	/* What SET_PEER_PRIMARY was last sent for; redone when either changes. */
	sctp_assoc_t primary_assoc;
	uint64_t primary_slot;
	uint64_t reannounced_slot, warned_slot;
	bool stalled; /* ASCONFs look lost: no new address bound */
};

/* What one tick's step works with; all borrowed. */
struct assoc_sync {
	const struct tsock *ts;
	uint16_t port;			/* the socket's bound port */
	unsigned int association_slots; /* 0: no association hopping */
	const struct plan *plan;
	const struct plan_params *pp; /* what derives our addresses */
	bool primary;		      /* the uplink the peer is asked to send to */
	struct guard *guard;	      /* NULL: [guard] enable = no */
	struct addrmgr_stats *stats;
	struct assoc_state *st;
};

/*
 * Converges the endpoint's @nbound bound addresses @bound (room for TSOCK_MAX_ADDRS)
 * toward the plan for the slot clock's @now; @bound and @nbound follow what was bound
 * and unbound.
 */
void assoc_sync_converge(const struct assoc_sync *as, time_t now, struct in6_addr *bound,
			 int *nbound);

/*
 * The association the tunnel published as in charge, for the guard: its port pair and the
 * peer's addresses in it (at most @max, stored in @peers); all empty while there is none.
 */
void assoc_sync_live(const struct tsock *ts, struct in6_addr *peers, size_t max,
		     struct guard_live *out);

#endif

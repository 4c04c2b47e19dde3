/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_WANT_H
#define MT6D_GUARD_WANT_H

#include <netinet/in.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "derive.h"
#include "guard_table.h"
#include "plan.h"

/*
 * What the guard's sets should hold at one moment, each element with the time it should
 * still live, so that nothing outlives a dead mt6d-addrmgr for long:
 *
 *   local    every planned address of every uplink (until its valid lifetime ends), our other
 *            addresses still bound or on the uplink (held ones: GUARD_WANT_HOLD_SLOTS)
 *   peer     the peer's addresses of the slot window around now on each of its uplinks,
 *            and every address the
 *            kernel reports for the peer in the association, even one outside the window:
 *            a peer whose ASCONFs were lost still sends from it
 *   retired  our addresses of the GUARD_WANT_RETIRED_SLOTS slots before the plan that are
 *            not local any more, until they are that many slots old
 *   ports    without association hopping, [tunnel] port on both ends, as long as the
 *            plan's addresses live; with it, every candidate port pair (derive.h) of the
 *            epochs of the slots around now (two before, one after), each until two
 *            slots after its epoch ends, and
 *            the association in charge's own pair, which may be older (a hop that failed)
 *   retired-ports  with hopping, the candidate pairs of the epochs of the
 *            GUARD_WANT_RETIRED_SLOTS slots before those that are not in ports, until
 *            that many slots after they left ports
 */
#define GUARD_WANT_HOLD_SLOTS 3
#define GUARD_WANT_RETIRED_SLOTS 8

struct guard_want_params {
	const struct plan_set *plans; /* ours, one per uplink */
	const struct mt6d_deriver *deriver;
	/* The side's /64s (the first uplink's): what the association ports derive from. */
	const struct in6_addr *prefix, *peer_prefix;
	const struct in6_addr *peer_iid;
	const struct mt6d_peer_uplink *peer_uplinks; /* whose slot windows are the peer's */
	size_t n_peer_uplinks;
	unsigned int interval, lifetime;
	time_t now;
	const struct in6_addr *extra_local; /* ours, not planned, still bound or on the uplink */
	size_t n_extra_local;
	const struct in6_addr *peer_addrs; /* the association's peer addresses */
	size_t n_peer_addrs;
	uint16_t port;			    /* [tunnel] port */
	unsigned int association_slots;	    /* [rotation]; 0: no hopping */
	struct mt6d_port_range port_range;  /* [rotation] port-range */
	uint16_t live_port, live_peer_port; /* the association in charge's; 0: none */
};

/* Fills @out; returns how many, -ENOSPC when @max is too small, other -errno. */
int guard_want_build(const struct guard_want_params *p, struct guard_op *out, size_t max)
	__attribute__((warn_unused_result));

#endif

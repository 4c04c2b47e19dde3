/* SPDX-License-Identifier: MIT */
#ifndef MT6D_STEER_H
#define MT6D_STEER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "addrmgr.h"
#include "rtnl.h"

/*
 * Toward a peer with one uplink, the association has one path, and which of our uplinks
 * carries it is the routing table's choice: SCTP cannot fail over between our addresses.
 * So mt6d-addrmgr steers it. It keeps a route of its own to the peer's /64 through the
 * primary uplink, via the gateway of the operator's route toward the peer out of that
 * uplink's interface (mt6d_rtnl_route_gateway()), with metric STEER_METRIC: more
 * specific than a default route, and ahead of the operator's routes of the same length.
 * The kernel then takes the primary uplink's current address as the source (RFC 6724
 * prefers an address of the outgoing interface), and it is bound to the association.
 * The route expires unless renewed every slot, so that a killed daemon leaves none for
 * long; a restart replaces it. Failures are counted in the stats and logged here.
 */
#define STEER_METRIC 1

struct steer {
	struct mt6d_rtnl *nl;
	bool on;	       /* the peer has one uplink and we several */
	struct in6_addr peer;  /* the /64 the route is for */
	int ifindex;	       /* its device; 0: none installed */
	struct in6_addr gw;    /* its gateway */
	uint64_t renewed_slot; /* last set in this slot */
	int err;	       /* the last error logged, 0: none */
	struct addrmgr_stats *stats;
};

void steer_init(struct steer *s, struct mt6d_rtnl *nl, bool on, struct addrmgr_stats *stats);
/*
 * The route to @peer/64 through @ifindex (the interface @ifname, for the log), set when it
 * changes and renewed in each new @slot to expire after @expires seconds. Without an
 * operator's route to the peer out of that interface, ours is removed: the operator's
 * routing decides.
 */
void steer_converge(struct steer *s, const struct in6_addr *peer, int ifindex, const char *ifname,
		    uint64_t slot, uint32_t expires);
/* Removes the route, when there is one. */
void steer_remove(struct steer *s);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_ANYIP_H
#define MT6D_ANYIP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "rtnl.h"

/*
 * [rotation] mode = anyip: one route, "local PREFIX/64 dev lo" in the local table, makes
 * every hashed address of this side the host's own; the tunnel's socket binds them
 * non-locally (IPV6_FREEBIND), and nothing is added per address. The route carries an
 * expiry as long as the longest-lived address of interface mode would have, renewed once
 * per slot: when mt6d-addrmgr dies and is never restarted, the route goes by itself; a
 * restarted one finds it (protocol 109, see rtnl.c) and carries on.
 */
struct anyip {
	struct mt6d_rtnl *nl; /* borrowed */
	struct in6_addr prefix;
	uint64_t renewed_slot; /* the slot whose expiry is installed, 0: none yet */
	bool held;	       /* installed or adopted by this process */
};

void anyip_init(struct anyip *a, struct mt6d_rtnl *nl, const struct in6_addr *prefix);

/*
 * One reconciler tick: the route is in place (installed when missing), its expiry
 * @expires seconds from now renewed when the slot @slot changed. Failures are logged;
 * returns 0 or -errno.
 */
int anyip_converge(struct anyip *a, uint64_t slot, uint32_t expires)
	__attribute__((warn_unused_result));

/* Removes the route, if it is ours; 0 also when it was not there. */
int anyip_remove(struct anyip *a);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_FAILCLOSED_H
#define MT6D_FAILCLOSED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addrmgr.h"
#include "guard.h"
#include "plan.h"
#include "tsock.h"
#include "uplink_sync.h"

/*
 * The guard fails closed. With [guard] enable = yes no hashed address is added to the
 * uplink, no anyip route installed, nothing bound to the tunnel's association or announced
 * to the peer unless the guard table this process installed is in place. Each reconcile
 * pass starts at the gate: the table is verified (by its handle) or installed; while it
 * cannot be, the pass withdraws our hashed addresses (interface mode) or the anyip route,
 * and does nothing else. A table left by an earlier run is adopted only by replacing it
 * (guard_table_install); when that fails it stays as it is, still dropping strangers,
 * and the addresses go all the same: its set elements run out, and with them what it
 * protects.
 *
 * Why the table is not installed is found by the probe (guard_probe.h), run when the
 * install's error changes and every FAILCLOSED_PROBE_MS while it lasts; it is logged once
 * per change, shown by --status and sent as sd_notify STATUS=.
 */
#define FAILCLOSED_PROBE_MS 30000

/* What a reconcile pass may do. */
enum failclosed_action {
	FAILCLOSED_RUN,	     /* guard off, or its table in place: the whole pass */
	FAILCLOSED_WITHDRAW, /* no table: our addresses (or the route) go, nothing else */
};
enum failclosed_action failclosed_decide(bool guard_enabled, bool installed);

/*
 * A clean stop (SIGTERM). While mt6d-tunnel runs, addresses, route and table all stay (it
 * still uses them; a restarted addrmgr adopts them). Otherwise our hashed addresses and
 * the route go first, and the table only once none is left: the table stays while any
 * hashed address does.
 */
bool failclosed_stop_withdraws(bool tunnel_alive);
bool failclosed_stop_removes_table(bool tunnel_alive, bool withdrawn);

struct failclosed {
	bool closed;	   /* the last pass found no table */
	bool ever;	   /* installed once by this process */
	int err;	   /* the last install error, 0: none */
	uint64_t probe_ms; /* when the probe last ran for it */
	char why[512];	   /* why there is no table; "" while there is one */
	char logged[512];  /* the reason last logged */
};

/* Records @why (NULL: installed); true when it differs from the one last logged. */
bool failclosed_note(struct failclosed *fc, const char *why);
/* Whether the probe should run again, for install error @err at monotonic @now_ms. */
bool failclosed_probe_due(const struct failclosed *fc, int err, uint64_t now_ms);

/* What one pass's gate works with; all borrowed. */
struct failclosed_tick {
	struct guard *guard; /* NULL: [guard] enable = no */
	const struct mt6d_config *cfg;
	const struct in6_addr *prefixes; /* our hashed /64s, one per uplink */
	size_t n_prefixes;
	const struct plan_set *plans;
	time_t now;
	const struct in6_addr *extra; /* our strays kept on the uplinks, read this pass */
	size_t n_extra;
	const struct tsock *ts;
	struct addrmgr_stats *stats;
};

/* The gate: verifies or installs the table, logs and notifies changes. */
enum failclosed_action failclosed_gate(struct failclosed *fc, const struct failclosed_tick *t);

#endif

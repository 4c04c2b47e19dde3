/* SPDX-License-Identifier: MIT */
#ifndef MT6D_ADDRMGR_REPORT_H
#define MT6D_ADDRMGR_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "addrmgr.h"
#include "metrics.h"
#include "plan.h"
#include "guard.h"
#include "show.h"

/*
 * mt6d-addrmgr's state as `--status` (text or JSON, fields documented in
 * mt6d-addrmgr(8)) and as Prometheus metrics.
 */

/* An uplink's path as the guard's evidence shows it. */
enum addrmgr_path {
	ADDRMGR_PATH_UNKNOWN, /* no guard: no evidence */
	ADDRMGR_PATH_WAITING, /* the peer's SCTP not seen reaching it since the tunnel attached */
	ADDRMGR_PATH_LIVE,    /* seen reaching one of its addresses within the evidence window */
	ADDRMGR_PATH_DEAD,    /* reached before, not within the window */
};

/* One uplink as the report shows it. */
struct addrmgr_uplink_view {
	const char *name; /* NULL: the uplink of [local] */
	const char *interface;
	struct in6_addr prefix;
	const struct in6_addr *former; /* the /64 it was renumbered from, still retiring */
	enum addrmgr_path path;
	uint32_t rtt_ms; /* its paths' smallest smoothed RTT; 0: none measured */
	bool primary;	 /* the one the peer is asked to send to */
};

struct addrmgr_report {
	struct plan_set plans;				      /* one per uplink, the same slot */
	struct addrmgr_uplink_view uplinks[MT6D_MAX_UPLINKS]; /* as many as plans */
	const struct addrmgr_stats *stats;
	unsigned int interval;		     /* seconds per slot */
	bool attached;			     /* holds the tunnel's socket */
	bool anyip;			     /* [rotation] mode = anyip */
	bool stalled;			     /* rotation waits for evidence of the last ASCONF */
	const struct guard *guard;	     /* NULL: [guard] enable = no */
	const char *guard_error;	     /* why the table is not installed, NULL: it is */
	struct mt6d_guard_counters counters; /* the guard table's, as read for this report */
	time_t now;
};

void addrmgr_report_show(struct mt6d_show *s, const struct addrmgr_report *r);
void addrmgr_report_metrics(struct mt6d_metrics *m, const struct addrmgr_report *r);

#endif

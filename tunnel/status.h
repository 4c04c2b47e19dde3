/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TUNNEL_STATUS_H
#define MT6D_TUNNEL_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "assoc_info.h"
#include "show.h"
#include "tunnel.h"

/*
 * A snapshot of mt6d-tunnel's state, taken by the daemon, rendered here for
 * `mt6d-tunnel --status` (text or JSON, field names documented in mt6d-tunnel(8))
 * and for the Prometheus textfile.
 */
struct tunnel_status {
	const char *device;
	const char *session; /* "down", "connecting", "proving-key", "authenticated" */
	bool authenticated;
	bool has_assoc; /* @assoc_id and @sctp are valid */
	int assoc_id;
	uint64_t assoc_age_s; /* since the association came up */
	uint64_t last_rekey;  /* unix time of the last key agreement or epoch
			       * change, 0: none yet */
	uint64_t rekeys;      /* epoch changes on this association, both ways */
	uint64_t now;	      /* unix time of the snapshot */
	bool hopping;	      /* [rotation] association-slots is on; the next four are valid */
	uint64_t epoch;	      /* association epoch of the association in charge (or, while
			       * there is none, of the clock) */
	uint16_t local_port;  /* its local port; 0: none bound */
	uint64_t next_hop;    /* unix time the next epoch begins */
	struct assoc_info sctp;
	/* Each path's peer uplink, by the /64 it is in now: its name; NULL: unnamed or none. */
	const char *path_uplink[SCTP_INFO_MAX_PATHS];
	struct tunnel_stats stats;
};

/* Drop reasons, their stable names and where they are counted. */
struct tunnel_drop_reason {
	const char *name;
	const char *help;
	uint64_t (*get)(const struct tunnel_stats *s);
};
extern const struct tunnel_drop_reason tunnel_drop_reasons[];
extern const unsigned int tunnel_n_drop_reasons;

void tunnel_status_show(struct mt6d_show *s, const struct tunnel_status *st);
void tunnel_status_metrics(struct mt6d_metrics *m, const struct tunnel_status *st);

#endif

// SPDX-License-Identifier: MIT
#include "report.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {
	[ROLE_NEXT] = "next",
	[ROLE_CURRENT] = "current",
	[ROLE_DRAINING] = "draining",
};

/* Seconds since the entry's slot began; negative for the next slot. */
static int64_t slot_age(const struct addrmgr_report *r, uint64_t slot)
{
	return (int64_t)r->now - (int64_t)(slot * r->interval);
}

static void show_evidence(struct mt6d_show *s, const struct addrmgr_report *r,
			  const struct in6_addr *a)
{
	if (r->guard)
		mt6d_show_bool(s, "evidence", " evidence %s", guard_has_evidence(r->guard, a));
	else
		mt6d_show_null(s, "evidence", NULL);
}

/* Addresses kept bound after their slots, for want of evidence (guard_teardown.h). */
static void show_held(struct mt6d_show *s, const struct addrmgr_report *r)
{
	const struct guard_teardown *t;
	char buf[INET6_ADDRSTRLEN];
	struct guard_view v;

	if (!r->guard)
		return;
	guard_view(r->guard, &v);
	t = v.teardown;
	for (size_t i = 0; i < t->n; i++) {
		const struct guard_teardown_entry *e = &t->e[i];

		if (!e->held_since)
			continue;
		mt6d_show_object_begin(s, NULL);
		mt6d_show_str(s, "role", "%s", "draining");
		mt6d_show_str(s, "address", " %s", inet_ntop(AF_INET6, &e->addr, buf, sizeof(buf)));
		mt6d_show_u64(s, "slot", " slot %" PRIu64, e->slot);
		mt6d_show_i64(s, "age_seconds", " age %" PRId64 "s", slot_age(r, e->slot));
		mt6d_show_bool(s, "held", " held", true);
		mt6d_show_u64(s, "teardown_failures", " (%" PRIu64 " deadlines missed)",
			      e->failures);
		show_evidence(s, r, &e->addr);
		mt6d_show_text(s, "\n");
		mt6d_show_object_end(s);
	}
}

static void show_guard(struct mt6d_show *s, const struct addrmgr_report *r)
{
	struct guard_view v;

	if (!r->guard) {
		mt6d_show_null(s, "guard", "guard: off\n");
		return;
	}
	guard_view(r->guard, &v);
	mt6d_show_object_begin(s, "guard");
	mt6d_show_str(s, "table", "guard: table %s", v.table);
	mt6d_show_bool(s, "installed", NULL, v.installed);
	/* Fail closed: while not installed, no hashed address is added (failclosed.h). */
	if (v.installed) {
		mt6d_show_null(s, "error", NULL);
	} else {
		mt6d_show_str(s, "error", " (not installed: %s; no hashed address added)",
			      r->guard_error ? r->guard_error : "not tried yet");
	}
	mt6d_show_u64(s, "dropped", ", dropped %" PRIu64, r->counters.dropped);
	mt6d_show_u64(s, "tripwire", ", tripwire %" PRIu64, r->counters.tripwire);
	mt6d_show_u64(s, "evidence_window_ms", ", evidence window %" PRIu64 " ms\n",
		      v.evidence_window_ms);
	mt6d_show_u64(s, "teardowns_confirmed", "teardown: %" PRIu64 " confirmed",
		      v.teardowns_confirmed);
	mt6d_show_u64(s, "teardown_failures", ", %" PRIu64 " failures\n", v.teardown_failures);
	mt6d_show_object_end(s);
}

/* One planned address; @uplink: its uplink's name, NULL for the one of [local]. */
static void show_entry(struct mt6d_show *s, const struct addrmgr_report *r,
		       const struct plan_entry *e, const char *uplink)
{
	char buf[INET6_ADDRSTRLEN];

	mt6d_show_object_begin(s, NULL);
	mt6d_show_str(s, "role", "%s", role_names[e->role]);
	mt6d_show_str(s, "address", " %s", inet_ntop(AF_INET6, &e->addr, buf, sizeof(buf)));
	if (uplink)
		mt6d_show_str(s, "uplink", " uplink %s", uplink);
	else
		mt6d_show_null(s, "uplink", NULL);
	mt6d_show_u64(s, "slot", " slot %" PRIu64, e->slot);
	mt6d_show_i64(s, "age_seconds", " age %" PRId64 "s", slot_age(r, e->slot));
	mt6d_show_u64(s, "valid_lifetime", " valid %" PRIu64 "s", e->valid_lft);
	mt6d_show_u64(s, "preferred_lifetime", " preferred %" PRIu64 "s", e->preferred_lft);
	show_evidence(s, r, &e->addr);
	mt6d_show_text(s, "\n");
	mt6d_show_object_end(s);
}

static const char *const path_names[] = {
	[ADDRMGR_PATH_UNKNOWN] = "unknown",
	[ADDRMGR_PATH_WAITING] = "waiting",
	[ADDRMGR_PATH_LIVE] = "live",
	[ADDRMGR_PATH_DEAD] = "dead",
};

/* "P/64" into @buf (INET6_ADDRSTRLEN + 3 bytes). */
static const char *fmt_prefix(const struct in6_addr *p, char *buf)
{
	inet_ntop(AF_INET6, p, buf, INET6_ADDRSTRLEN);
	strcat(buf, "/64");
	return buf;
}

/* One line per uplink: its /64 (and the one it is renumbered from), its path, primary. */
static void show_uplinks(struct mt6d_show *s, const struct addrmgr_report *r)
{
	char buf[INET6_ADDRSTRLEN + 3];

	mt6d_show_array_begin(s, "uplinks");
	for (size_t k = 0; k < r->plans.n; k++) {
		const struct addrmgr_uplink_view *u = &r->uplinks[k];

		mt6d_show_object_begin(s, NULL);
		if (u->name)
			mt6d_show_str(s, "name", "uplink %s", u->name);
		else
			mt6d_show_null(s, "name", "uplink");
		mt6d_show_str(s, "interface", " %s", u->interface);
		mt6d_show_str(s, "prefix", " %s", fmt_prefix(&u->prefix, buf));
		if (u->former)
			mt6d_show_str(s, "renumbered_from", " (renumbered from %s)",
				      fmt_prefix(u->former, buf));
		else
			mt6d_show_null(s, "renumbered_from", NULL);
		if (u->path == ADDRMGR_PATH_UNKNOWN)
			mt6d_show_null(s, "path", NULL);
		else
			mt6d_show_str(s, "path", " path %s", path_names[u->path]);
		if (u->rtt_ms)
			mt6d_show_u64(s, "rtt_ms", ", rtt %" PRIu64 " ms", u->rtt_ms);
		else
			mt6d_show_null(s, "rtt_ms", NULL);
		mt6d_show_bool(s, "primary", NULL, u->primary);
		mt6d_show_text(s, "%s\n", u->primary ? ", primary" : "");
		mt6d_show_object_end(s);
	}
	mt6d_show_array_end(s);
}

/*
 * The first text line keeps the "key value" pairs scripts already read:
 * "slot N rotations N failures N retired N tunnel attached|detached
 * mode interface|anyip", then "stalled" while rotation waits for the peer.
 */
void addrmgr_report_show(struct mt6d_show *s, const struct addrmgr_report *r)
{
	mt6d_show_object_begin(s, NULL);
	mt6d_show_u64(s, "slot", "slot %" PRIu64, r->plans.plan[0]->current);
	mt6d_show_u64(s, "interval", NULL, r->interval);
	mt6d_show_u64(s, "rotations", " rotations %" PRIu64, r->stats->rotations);
	mt6d_show_u64(s, "failures", " failures %" PRIu64, r->stats->failures);
	mt6d_show_u64(s, "retired", " retired %" PRIu64, r->stats->retired);
	mt6d_show_str(s, "tunnel", " tunnel %s", r->attached ? "attached" : "detached");
	mt6d_show_str(s, "mode", " mode %s", r->anyip ? "anyip" : "interface");
	mt6d_show_bool(s, "stalled", NULL, r->stalled);
	mt6d_show_text(s, "%s\n", r->stalled ? " stalled" : "");
	mt6d_show_array_begin(s, "addresses");
	for (size_t k = 0; k < r->plans.n; k++) {
		const struct plan *plan = r->plans.plan[k];
		const char *uplink = r->plans.pp[k]->uplink;

		for (size_t i = 0; i < plan->n; i++)
			show_entry(s, r, &plan->e[i], uplink);
	}
	show_held(s, r);
	mt6d_show_array_end(s);
	show_uplinks(s, r);
	show_guard(s, r);
	mt6d_show_object_end(s);
}

void addrmgr_report_metrics(struct mt6d_metrics *m, const struct addrmgr_report *r)
{
	unsigned int roles[sizeof(role_names) / sizeof(role_names[0])] = { 0 };

	mt6d_metrics_gauge(m, "mt6d_addrmgr_slot", "current time slot",
			   (double)r->plans.plan[0]->current);
	mt6d_metrics_gauge(m, "mt6d_addrmgr_attached", "1 while holding the tunnel's SCTP socket",
			   r->attached);
	mt6d_metrics_gauge(m, "mt6d_addrmgr_stalled",
			   "1 while rotation waits for evidence that the peer got the last ASCONF",
			   r->stalled);
	mt6d_metrics_counter(m, "mt6d_addrmgr_rotations_total", "changes of the current slot",
			     r->stats->rotations);
	mt6d_metrics_counter(m, "mt6d_addrmgr_failures_total", "kernel operations that failed",
			     r->stats->failures);
	mt6d_metrics_counter(m, "mt6d_addrmgr_retired_total", "addresses removed from the uplink",
			     r->stats->retired);
	if (r->guard) {
		struct guard_view v;

		guard_view(r->guard, &v);
		mt6d_metrics_gauge(m, "mt6d_addrmgr_guard_installed",
				   "1 while the guard table is in place; 0: no hashed address is "
				   "added (fail closed)",
				   v.installed);
		mt6d_metrics_counter(
			m, "mt6d_addrmgr_guard_dropped_packets_total",
			"packets to hashed addresses that were not the tunnel's, dropped",
			r->counters.dropped);
		mt6d_metrics_counter(m, "mt6d_addrmgr_guard_tripwire_packets_total",
				     "packets to retired hashed addresses, dropped",
				     r->counters.tripwire);
		mt6d_metrics_counter(m, "mt6d_addrmgr_teardowns_confirmed_total",
				     "old addresses unbound after evidence for a newer one",
				     v.teardowns_confirmed);
		mt6d_metrics_counter(m, "mt6d_addrmgr_teardown_failures_total",
				     "deadlines passed without evidence, an old address kept",
				     v.teardown_failures);
		for (size_t i = 0; i < v.teardown->n; i++)
			if (v.teardown->e[i].held_since)
				roles[ROLE_DRAINING]++;
	}
	for (size_t k = 0; k < r->plans.n; k++)
		for (size_t i = 0; i < r->plans.plan[k]->n; i++)
			roles[r->plans.plan[k]->e[i].role]++;
	mt6d_metrics_family(m, "mt6d_addrmgr_uplink_live", "gauge",
			    "1 while the peer's SCTP is seen reaching the uplink's addresses");
	for (size_t k = 0; k < r->plans.n; k++)
		mt6d_metrics_sample(m, "mt6d_addrmgr_uplink_live", "uplink",
				    r->uplinks[k].name ? r->uplinks[k].name : "",
				    r->uplinks[k].path == ADDRMGR_PATH_LIVE);
	mt6d_metrics_family(m, "mt6d_addrmgr_uplink_rtt_seconds", "gauge",
			    "smallest smoothed round-trip time of the association's paths that "
			    "leave by the uplink; 0: none measured");
	for (size_t k = 0; k < r->plans.n; k++)
		mt6d_metrics_sample(m, "mt6d_addrmgr_uplink_rtt_seconds", "uplink",
				    r->uplinks[k].name ? r->uplinks[k].name : "",
				    r->uplinks[k].rtt_ms / 1000.0);
	mt6d_metrics_family(m, "mt6d_addrmgr_uplink_primary", "gauge",
			    "1 for the uplink the peer is asked to send to");
	for (size_t k = 0; k < r->plans.n; k++)
		mt6d_metrics_sample(m, "mt6d_addrmgr_uplink_primary", "uplink",
				    r->uplinks[k].name ? r->uplinks[k].name : "",
				    r->uplinks[k].primary);
	mt6d_metrics_family(m, "mt6d_addrmgr_addresses", "gauge", "hashed addresses, by role");
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		mt6d_metrics_sample(m, "mt6d_addrmgr_addresses", "role", role_names[i], roles[i]);
}

// SPDX-License-Identifier: MIT
#include "report.h"

#include <arpa/inet.h>
#include <inttypes.h>

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

/*
 * The first text line keeps the "key value" pairs scripts already read:
 * "slot N rotations N failures N retired N tunnel attached|detached".
 */
void addrmgr_report_show(struct show *s, const struct addrmgr_report *r)
{
	char buf[INET6_ADDRSTRLEN];

	show_object_begin(s, NULL);
	show_u64(s, "slot", "slot %" PRIu64, r->plan->current);
	show_u64(s, "interval", NULL, r->interval);
	show_u64(s, "rotations", " rotations %" PRIu64, r->stats->rotations);
	show_u64(s, "failures", " failures %" PRIu64, r->stats->failures);
	show_u64(s, "retired", " retired %" PRIu64, r->stats->retired);
	show_str(s, "tunnel", " tunnel %s\n", r->attached ? "attached" : "detached");
	show_array_begin(s, "addresses");
	for (size_t i = 0; i < r->plan->n; i++) {
		const struct plan_entry *e = &r->plan->e[i];

		show_object_begin(s, NULL);
		show_str(s, "role", "%s", role_names[e->role]);
		show_str(s, "address", " %s", inet_ntop(AF_INET6, &e->addr, buf, sizeof(buf)));
		show_u64(s, "slot", " slot %" PRIu64, e->slot);
		show_i64(s, "age_seconds", " age %" PRId64 "s", slot_age(r, e->slot));
		show_u64(s, "valid_lifetime", " valid %" PRIu64 "s", e->valid_lft);
		show_u64(s, "preferred_lifetime", " preferred %" PRIu64 "s\n", e->preferred_lft);
		show_object_end(s);
	}
	show_array_end(s);
	show_object_end(s);
}

void addrmgr_report_metrics(struct metrics *m, const struct addrmgr_report *r)
{
	unsigned int roles[sizeof(role_names) / sizeof(role_names[0])] = { 0 };

	metrics_gauge(m, "mt6d_addrmgr_slot", "current time slot", (double)r->plan->current);
	metrics_gauge(m, "mt6d_addrmgr_attached", "1 while holding the tunnel's SCTP socket",
		      r->attached);
	metrics_counter(m, "mt6d_addrmgr_rotations_total", "changes of the current slot",
			r->stats->rotations);
	metrics_counter(m, "mt6d_addrmgr_failures_total", "kernel operations that failed",
			r->stats->failures);
	metrics_counter(m, "mt6d_addrmgr_retired_total", "addresses removed from the uplink",
			r->stats->retired);
	for (size_t i = 0; i < r->plan->n; i++)
		roles[r->plan->e[i].role]++;
	metrics_family(m, "mt6d_addrmgr_addresses", "gauge", "hashed addresses, by role");
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		metrics_sample(m, "mt6d_addrmgr_addresses", "role", role_names[i], roles[i]);
}

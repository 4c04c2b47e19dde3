// SPDX-License-Identifier: MIT
#include "guard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "guard_sync.h"

/*
 * Plans, strays and the peer's windows and addresses, a few hundred per uplink at most; with
 * hopping,
 * 16 port pairs per epoch for up to 3 live and GUARD_WANT_RETIRED_SLOTS + 1 retired ones.
 */
#define GUARD_MAX_WANT 2048
#define GUARD_MAX_EVIDENCE 256

struct guard {
	struct guard_table *table;
	const struct mt6d_config *cfg;
	const struct mt6d_deriver *deriver;
	struct in6_addr prefix;			     /* the side's, the first uplink's */
	const struct mt6d_peer_uplink *peer_uplinks; /* the peer's, where they are now */
	size_t n_peer_uplinks;
	bool rebuild; /* our /64s changed: the next update builds the table again */
	unsigned int evidence_ms;
	bool installed;	 /* by this process, and still there when last verified */
	uint64_t handle; /* the installed table's, 0: unknown */
	struct guard_teardown td;
	uint64_t evidence_slot;
	size_t n_evidence;
	struct guard_elem evidence[GUARD_MAX_EVIDENCE];
	struct guard_op want[GUARD_MAX_WANT + GUARD_MAX_EVIDENCE];
};

/* How long a hold lasts before it counts as a failure: an interval, at least the window. */
static unsigned int deadline_ms(const struct guard *p)
{
	unsigned int deadline = p->cfg->interval * 1000;

	return deadline < p->evidence_ms ? p->evidence_ms : deadline;
}

/*
 * [guard] evidence-window = auto: an idle path is heartbeaten every heartbeat-interval plus
 * its RTO, jittered by half (RFC 4960 8.3), so up to the interval plus 1.5 rto-max apart;
 * the window outlasts that, and is three heartbeat intervals at least.
 */
static unsigned int evidence_window_ms(const struct mt6d_config *cfg)
{
	unsigned int hb = cfg->recovery.heartbeat_interval, rto = cfg->recovery.rto_max;

	if (cfg->guard.evidence_window)
		return cfg->guard.evidence_window;
	return 3 * hb > hb + 2 * rto ? 3 * hb : hb + 2 * rto;
}

static void table_params(const struct mt6d_config *cfg, const struct in6_addr *prefixes, size_t n,
			 struct guard_table_params *gp)
{
	*gp = (struct guard_table_params){
		.name = cfg->name,
		.n_prefixes = n < GUARD_MAX_PREFIXES ? n : GUARD_MAX_PREFIXES,
		.anyip = cfg->mode == MT6D_MODE_ANYIP,
	};
	memcpy(gp->prefix, prefixes, gp->n_prefixes * sizeof(*prefixes));
}

int guard_new(struct guard **out, const struct mt6d_config *cfg, const struct in6_addr *prefixes,
	      size_t n_prefixes, const struct mt6d_deriver *deriver)
{
	struct guard *p = calloc(1, sizeof(*p));
	struct guard_table_params gp;
	int ret;

	if (!p)
		return -ENOMEM;
	table_params(cfg, prefixes, n_prefixes, &gp);
	p->cfg = cfg;
	p->deriver = deriver;
	p->prefix = prefixes[0];
	p->peer_uplinks = cfg->peer_uplinks;
	p->n_peer_uplinks = cfg->n_peer_uplinks;
	p->td.grace_ms = 2 * (int64_t)cfg->interval * 1000;
	if (p->td.grace_ms < GUARD_TEARDOWN_GRACE_MS)
		p->td.grace_ms = GUARD_TEARDOWN_GRACE_MS;
	p->evidence_ms = evidence_window_ms(cfg);
	gp.evidence_ms = p->evidence_ms;
	ret = guard_table_open(&p->table, &gp);
	if (ret < 0) {
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int guard_check(const struct mt6d_config *cfg, const struct in6_addr *prefixes, size_t n_prefixes,
		struct guard_probe *out)
{
	struct guard_table_params gp;

	table_params(cfg, prefixes, n_prefixes, &gp);
	gp.evidence_ms = evidence_window_ms(cfg);
	return guard_probe_run(out, &gp);
}

void guard_set_prefixes(struct guard *p, const struct in6_addr *prefixes, size_t n)
{
	guard_table_set_prefixes(p->table, prefixes, n);
	p->rebuild = true;
}

void guard_set_peer_uplinks(struct guard *p, const struct mt6d_peer_uplink *u, size_t n)
{
	p->peer_uplinks = u;
	p->n_peer_uplinks = n;
}

bool guard_installed(const struct guard *p)
{
	return p->installed && !p->rebuild;
}

int guard_verify(struct guard *p)
{
	uint64_t handle;
	int ret;

	if (!p->installed)
		return -ENOENT;
	ret = guard_table_handle(p->table, &handle);
	/* Gone, or deleted and made again by someone else: not ours any more. */
	if (ret == -ENOENT || (!ret && p->handle && handle != p->handle)) {
		p->installed = false;
		return -ENOENT;
	}
	return ret;
}

int guard_free(struct guard *p, bool remove)
{
	int ret = 0;

	if (!p)
		return 0;
	if (remove && p->installed)
		ret = guard_table_remove(p->table);
	guard_table_close(p->table);
	free(p);
	return ret;
}

/* The slot of our address @a: planned, or held from a few slots before the plan; 0: none. */
static uint64_t evidence_of(const struct plan_set *plans, const struct in6_addr *a)
{
	const struct plan_entry *e = plan_set_find(plans, a);
	uint64_t slot;

	if (e)
		return e->slot;
	return plan_set_stray(plans, a, &slot) ? slot : 0;
}

int guard_read_evidence(struct guard *p, const struct plan_set *plans)
{
	int n;

	p->evidence_slot = 0;
	if (!p->installed)
		return 0;
	n = guard_table_elems(p->table, GUARD_EVIDENCE, p->evidence, GUARD_MAX_EVIDENCE);
	if (n < 0) {
		p->n_evidence = 0;
		return n;
	}
	p->n_evidence = (size_t)n < GUARD_MAX_EVIDENCE ? (size_t)n : GUARD_MAX_EVIDENCE;
	for (size_t i = 0; i < p->n_evidence; i++) {
		uint64_t slot = evidence_of(plans, &p->evidence[i].addr);

		if (slot > p->evidence_slot)
			p->evidence_slot = slot;
	}
	return 0;
}

enum guard_teardown_verdict guard_unbind_check(struct guard *p, const struct in6_addr *a,
					       uint64_t slot, uint64_t *missed)
{
	enum guard_teardown_verdict v;
	const struct guard_teardown_entry *e;

	/* No table, no evidence: rotate on the clock rather than hold forever (logged). */
	*missed = 0;
	if (!p->installed)
		return GUARD_TEARDOWN_UNBIND;
	v = guard_teardown_check(&p->td, a, slot, p->evidence_slot, (int64_t)mt6d_mono_ms(),
				 deadline_ms(p));
	e = guard_teardown_find(&p->td, a);
	*missed = e ? e->failures : 0;
	return v;
}

bool guard_stalled(const struct guard *p, uint64_t newest, time_t now)
{
	/* The newest address the peer is seen using stopped being current then. */
	time_t since = (time_t)((p->evidence_slot + 1) * p->cfg->interval);

	if (!p->installed || !p->evidence_slot || p->evidence_slot >= newest || now <= since)
		return false;
	return (uint64_t)(now - since) * 1000 > deadline_ms(p);
}

void guard_unbound(struct guard *p, const struct in6_addr *a)
{
	guard_teardown_unbound(&p->td, a, (int64_t)mt6d_mono_ms());
}

bool guard_in_grace(const struct guard *p, const struct in6_addr *a)
{
	return guard_teardown_in_grace(&p->td, a, (int64_t)mt6d_mono_ms());
}

bool guard_has_evidence(const struct guard *p, const struct in6_addr *a)
{
	for (size_t i = 0; i < p->n_evidence; i++)
		if (!memcmp(&p->evidence[i].addr, a, sizeof(*a)))
			return true;
	return false;
}

/* First sync: the table is built whole, with the evidence the old one had collected. */
static int install(struct guard *p, size_t nwant, char *err, size_t errlen)
{
	struct guard_elem ev[GUARD_MAX_EVIDENCE];
	int n = guard_table_elems(p->table, GUARD_EVIDENCE, ev, GUARD_MAX_EVIDENCE);

	for (int i = 0; i < n && i < GUARD_MAX_EVIDENCE; i++) {
		if (ev[i].expires_ms < GUARD_SYNC_RACE_MS)
			continue;
		p->want[nwant++] = (struct guard_op){ .set = GUARD_EVIDENCE,
						      .addr = ev[i].addr,
						      .timeout_ms = (uint32_t)ev[i].expires_ms };
	}
	return guard_table_install(p->table, p->want, nwant, err, errlen);
}

int guard_update(struct guard *p, const struct plan_set *plans, time_t now,
		 const struct in6_addr *extra_local, size_t n_extra, const struct guard_live *live,
		 char *err, size_t errlen)
{
	struct guard_want_params wp = {
		.plans = plans,
		.deriver = p->deriver,
		.prefix = &p->prefix,
		.peer_prefix = &p->cfg->peer_uplinks[0].prefix.addr,
		.peer_iid = &p->cfg->peer_iid,
		.peer_uplinks = p->peer_uplinks,
		.n_peer_uplinks = p->n_peer_uplinks,
		.interval = p->cfg->interval,
		.lifetime = p->cfg->lifetime,
		.now = now,
		.extra_local = extra_local,
		.n_extra_local = n_extra,
		.peer_addrs = live->peers,
		.n_peer_addrs = live->n_peers,
		.port = p->cfg->port,
		.association_slots = p->cfg->association_slots,
		.port_range = p->cfg->port_range,
		.live_port = live->port,
		.live_peer_port = live->peer_port,
	};
	int n = guard_want_build(&wp, p->want, GUARD_MAX_WANT), ret;

	*err = 0;
	if (n < 0)
		return n;
	guard_teardown_prune(&p->td, extra_local, n_extra, (int64_t)mt6d_mono_ms());
	if (!p->installed || p->rebuild) {
		ret = install(p, (size_t)n, err, errlen);
		if (ret < 0)
			return ret;
		p->installed = true;
		p->rebuild = false;
		if (guard_table_handle(p->table, &p->handle) < 0)
			p->handle = 0;
		ret = n;
	} else {
		ret = guard_sync_converge(p->table, p->want, (size_t)n, err, errlen);
		/* An element expired between the dump and the commit: read again, once. */
		if (ret == -ENOENT)
			ret = guard_sync_converge(p->table, p->want, (size_t)n, err, errlen);
		/* Still no such table or set: someone removed it; build it again next tick. */
		if (ret == -ENOENT)
			p->installed = false;
	}
	return ret;
}

void guard_view(const struct guard *p, struct guard_view *v)
{
	*v = (struct guard_view){
		.installed = p->installed,
		.teardowns_confirmed = p->td.confirmed,
		.teardown_failures = p->td.failures,
		.teardown = &p->td,
		.evidence_window_ms = p->evidence_ms,
		.table = guard_table_name(p->table),
	};
}

void guard_counters(const struct guard *p, struct mt6d_guard_counters *c)
{
	if (!p->installed || guard_table_read_counters(p->table, c) < 0)
		*c = (struct mt6d_guard_counters){ 0 };
}

// SPDX-License-Identifier: MIT
#include "guard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "guard_sync.h"

/* Plan, strays and the peer's window and addresses: a few hundred at most. */
#define PROTECT_MAX_WANT 512
#define PROTECT_MAX_EVIDENCE 256

struct protect {
	struct guard *guard;
	const struct mt6d_config *cfg;
	const struct mt6d_deriver *deriver;
	struct in6_addr prefix;
	unsigned int evidence_ms;
	bool installed;
	struct teardown td;
	uint64_t evidence_slot;
	size_t n_evidence;
	struct guard_elem evidence[PROTECT_MAX_EVIDENCE];
	struct guard_op want[PROTECT_MAX_WANT + PROTECT_MAX_EVIDENCE];
};

/* How long a hold lasts before it counts as a failure: an interval, at least the window. */
static unsigned int deadline_ms(const struct protect *p)
{
	unsigned int deadline = p->cfg->interval * 1000;

	return deadline < p->evidence_ms ? p->evidence_ms : deadline;
}

int protect_new(struct protect **out, const struct mt6d_config *cfg,
		const struct in6_addr *prefix, const struct mt6d_deriver *deriver)
{
	struct protect *p = calloc(1, sizeof(*p));
	struct guard_params gp = {
		.name = cfg->name,
		.port = cfg->port,
		.prefix = *prefix,
		.anyip = cfg->mode == MT6D_MODE_ANYIP,
		.tun_dev = cfg->device,
		/* Host mode protects its own inner address; a gateway's LAN is not listed. */
		.local_routes = cfg->address.len ? &cfg->address : NULL,
		.n_local_routes = cfg->address.len ? 1 : 0,
		.peer_routes = cfg->routes,
		.n_peer_routes = cfg->n_routes,
	};
	int ret;

	if (!p)
		return -ENOMEM;
	p->cfg = cfg;
	p->deriver = deriver;
	p->prefix = *prefix;
	p->td.grace_ms = 2 * (int64_t)cfg->interval * 1000;
	if (p->td.grace_ms < TEARDOWN_GRACE_MS)
		p->td.grace_ms = TEARDOWN_GRACE_MS;
	p->evidence_ms = cfg->guard.evidence_window ? cfg->guard.evidence_window
						    : 3 * cfg->recovery.heartbeat_interval;
	gp.evidence_ms = p->evidence_ms;
	ret = guard_open(&p->guard, &gp);
	if (ret < 0) {
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int protect_free(struct protect *p, bool remove)
{
	int ret = 0;

	if (!p)
		return 0;
	if (remove && p->installed)
		ret = guard_remove(p->guard);
	guard_close(p->guard);
	free(p);
	return ret;
}

/* The slot of our address @a: planned, or held from a few slots before the plan; 0: none. */
static uint64_t evidence_of(const struct protect *p, const struct plan *plan,
			    const struct in6_addr *a)
{
	const struct plan_entry *e = plan_find(plan, a);
	uint64_t first = plan->n ? plan->e[0].slot : plan->current;

	if (e)
		return e->slot;
	for (uint64_t s = first > PLAN_STRAY_SLOTS ? first - PLAN_STRAY_SLOTS : 0; s < first; s++) {
		struct in6_addr d;

		if (!mt6d_hashed_addr(p->deriver, &p->prefix, &p->cfg->local_iid, s, &d) &&
		    !memcmp(&d, a, sizeof(d)))
			return s;
	}
	return 0;
}

int protect_read(struct protect *p, const struct plan *plan)
{
	int n;

	p->evidence_slot = 0;
	if (!p->installed)
		return 0;
	n = guard_elems(p->guard, GUARD_EVIDENCE, p->evidence, PROTECT_MAX_EVIDENCE);
	if (n < 0) {
		p->n_evidence = 0;
		return n;
	}
	p->n_evidence = (size_t)n < PROTECT_MAX_EVIDENCE ? (size_t)n : PROTECT_MAX_EVIDENCE;
	for (size_t i = 0; i < p->n_evidence; i++) {
		uint64_t slot = evidence_of(p, plan, &p->evidence[i].addr);

		if (slot > p->evidence_slot)
			p->evidence_slot = slot;
	}
	return 0;
}

enum teardown_verdict protect_teardown(struct protect *p, const struct in6_addr *a,
				       uint64_t slot, uint64_t *missed)
{
	enum teardown_verdict v;
	const struct teardown_entry *e;

	/* No table, no evidence: rotate on the clock rather than hold forever (logged). */
	*missed = 0;
	if (!p->installed)
		return TEARDOWN_UNBIND;
	v = teardown_check(&p->td, a, slot, p->evidence_slot, (int64_t)mt6d_mono_ms(), deadline_ms(p));
	e = teardown_find(&p->td, a);
	*missed = e ? e->failures : 0;
	return v;
}

bool protect_stalled(const struct protect *p, uint64_t newest, time_t now)
{
	/* The newest address the peer is seen using stopped being current then. */
	time_t since = (time_t)((p->evidence_slot + 1) * p->cfg->interval);

	if (!p->installed || !p->evidence_slot || p->evidence_slot >= newest || now <= since)
		return false;
	return (uint64_t)(now - since) * 1000 > deadline_ms(p);
}

void protect_unbound(struct protect *p, const struct in6_addr *a)
{
	teardown_unbound(&p->td, a, (int64_t)mt6d_mono_ms());
}

bool protect_in_grace(const struct protect *p, const struct in6_addr *a)
{
	return teardown_in_grace(&p->td, a, (int64_t)mt6d_mono_ms());
}

bool protect_has_evidence(const struct protect *p, const struct in6_addr *a)
{
	for (size_t i = 0; i < p->n_evidence; i++)
		if (!memcmp(&p->evidence[i].addr, a, sizeof(*a)))
			return true;
	return false;
}

/* First sync: the table is built whole, with the evidence the old one had collected. */
static int install(struct protect *p, size_t nwant, char *err, size_t errlen)
{
	struct guard_elem ev[PROTECT_MAX_EVIDENCE];
	int n = guard_elems(p->guard, GUARD_EVIDENCE, ev, PROTECT_MAX_EVIDENCE);

	for (int i = 0; i < n && i < PROTECT_MAX_EVIDENCE; i++) {
		if (ev[i].expires_ms < GUARDSYNC_RACE_MS)
			continue;
		p->want[nwant++] = (struct guard_op){ .set = GUARD_EVIDENCE, .addr = ev[i].addr,
						      .timeout_ms = (uint32_t)ev[i].expires_ms };
	}
	return guard_install(p->guard, p->want, nwant, err, errlen);
}

int protect_sync(struct protect *p, const struct plan *plan, time_t now,
		 const struct in6_addr *extra_local,
		 size_t n_extra, const struct in6_addr *peers, size_t n_peers, char *err,
		 size_t errlen)
{
	struct guardwant_params wp = {
		.plan = plan,
		.deriver = p->deriver,
		.prefix = &p->prefix,
		.iid = &p->cfg->local_iid,
		.peer_prefix = &p->cfg->peer_prefix.addr,
		.peer_iid = &p->cfg->peer_iid,
		.interval = p->cfg->interval,
		.lifetime = p->cfg->lifetime,
		.now = now,
		.extra_local = extra_local,
		.n_extra_local = n_extra,
		.peer_addrs = peers,
		.n_peer_addrs = n_peers,
	};
	int n = guardwant_build(&wp, p->want, PROTECT_MAX_WANT), ret;

	*err = 0;
	if (n < 0)
		return n;
	teardown_prune(&p->td, extra_local, n_extra, (int64_t)mt6d_mono_ms());
	if (!p->installed) {
		ret = install(p, (size_t)n, err, errlen);
		if (ret < 0)
			return ret;
		p->installed = true;
		ret = n;
	} else {
		ret = guardsync_converge(p->guard, p->want, (size_t)n, err, errlen);
		/* An element expired between the dump and the commit: read again, once. */
		if (ret == -ENOENT)
			ret = guardsync_converge(p->guard, p->want, (size_t)n, err, errlen);
		/* Still no such table or set: someone removed it; build it again next tick. */
		if (ret == -ENOENT)
			p->installed = false;
	}
	return ret;
}

void protect_view(const struct protect *p, struct protect_view *v)
{
	*v = (struct protect_view){
		.installed = p->installed,
		.teardowns_confirmed = p->td.confirmed,
		.teardown_failures = p->td.failures,
		.teardown = &p->td,
		.evidence_window_ms = p->evidence_ms,
		.table = guard_table(p->guard),
	};
}

void protect_counters(const struct protect *p, struct mt6d_guard_counters *c)
{
	if (!p->installed || guard_read_counters(p->guard, c) < 0)
		*c = (struct mt6d_guard_counters){ 0 };
}

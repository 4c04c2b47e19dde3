// SPDX-License-Identifier: MIT
#include "guard_want.h"

#include <errno.h>
#include <string.h>

struct want {
	struct guard_op *op;
	size_t n, max;
};

/* Adds or, when present, lengthens an element. */
static int put(struct want *w, enum guard_set s, const struct in6_addr *a, uint64_t ms)
{
	uint32_t t = ms < 1000 ? 1000 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;

	for (size_t i = 0; i < w->n; i++) {
		if (w->op[i].set == s && !memcmp(&w->op[i].addr, a, sizeof(*a))) {
			if (w->op[i].timeout_ms < t)
				w->op[i].timeout_ms = t;
			return 0;
		}
	}
	if (w->n == w->max)
		return -ENOSPC;
	w->op[w->n++] = (struct guard_op){ .set = s, .addr = *a, .timeout_ms = t };
	return 0;
}

static bool has(const struct want *w, enum guard_set s, const struct in6_addr *a)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->op[i].set == s && !memcmp(&w->op[i].addr, a, sizeof(*a)))
			return true;
	return false;
}

/* Milliseconds from @now to the end of slot @slot (0 when over). */
static uint64_t ms_until_end(const struct guard_want_params *p, uint64_t slot)
{
	uint64_t end = (slot + 1) * p->interval;

	return end > (uint64_t)p->now ? (end - (uint64_t)p->now) * 1000 : 0;
}

/* Puts each candidate pair of @epoch that ports does not hold into @set, for @ms. */
static int epoch_ports(const struct guard_want_params *p, struct want *w, enum guard_set set,
		       uint64_t epoch, uint64_t ms)
{
	const struct mt6d_port_range *r = &p->port_range;
	uint16_t ours[MT6D_PORT_CANDIDATES], theirs[MT6D_PORT_CANDIDATES];
	int ret = 0;

	for (unsigned int c = 0; c < MT6D_PORT_CANDIDATES && !ret; c++) {
		ret = mt6d_assoc_port(p->deriver, p->prefix, epoch, c, r->lo, r->hi, &ours[c]);
		if (!ret)
			ret = mt6d_assoc_port(p->deriver, p->peer_prefix, epoch, c, r->lo, r->hi,
					      &theirs[c]);
	}
	for (unsigned int i = 0; i < MT6D_PORT_CANDIDATES && !ret; i++) {
		for (unsigned int j = 0; j < MT6D_PORT_CANDIDATES && !ret; j++) {
			struct in6_addr k = guard_port_key(theirs[i], ours[j]);

			if (set == GUARD_PORTS || !has(w, GUARD_PORTS, &k))
				ret = put(w, set, &k, ms);
		}
	}
	return ret;
}

/* The port sets (see guard_want.h); @live_ms: how long the association in charge's pair. */
static int want_ports(const struct guard_want_params *p, struct want *w, uint64_t live_ms)
{
	unsigned int n = p->association_slots;
	uint64_t clock = mt6d_slot(p->now, p->interval), s, first, lo;
	struct in6_addr k;
	int ret = 0;

	if (!n) {
		k = guard_port_key(p->port, p->port);
		return put(w, GUARD_PORTS, &k, live_ms);
	}
	if (p->live_port && p->live_peer_port) {
		k = guard_port_key(p->live_peer_port, p->live_port);
		ret = put(w, GUARD_PORTS, &k, live_ms);
	}
	/*
	 * Clocks a slot apart, and a hop completed late in its slot whose old association
	 * drains on (TUNNEL_DRAIN_MS, under one slot): the epochs of the two slots before this
	 * one and of the next.
	 */
	first = mt6d_assoc_epoch(clock > 2 ? clock - 2 : 0, n);
	for (uint64_t e = first; e <= mt6d_assoc_epoch(clock + 1, n) && !ret; e++)
		ret = epoch_ports(p, w, GUARD_PORTS, e, ms_until_end(p, (e + 1) * n + 1));
	/* Each epoch's last slot, of the retired window's epochs. */
	lo = clock > 2 + GUARD_WANT_RETIRED_SLOTS ? clock - 2 - GUARD_WANT_RETIRED_SLOTS : 0;
	for (uint64_t e = mt6d_assoc_epoch(lo, n); e < first && !ret; e++) {
		s = (e + 1) * n - 1;
		ret = epoch_ports(p, w, GUARD_RETIRED_PORTS, e,
				  ms_until_end(p, s + 2 + GUARD_WANT_RETIRED_SLOTS));
	}
	return ret;
}

/* Our planned addresses of every uplink; *@live: the longest-lived one's lifetime. */
static int want_local(const struct guard_want_params *p, struct want *w, uint64_t *live)
{
	int ret = 0;

	for (size_t k = 0; k < p->plans->n; k++) {
		const struct plan *plan = p->plans->plan[k];

		for (size_t i = 0; i < plan->n && !ret; i++) {
			uint64_t ms = (uint64_t)plan->e[i].valid_lft * 1000;

			ret = put(w, GUARD_LOCAL, &plan->e[i].addr, ms);
			if (ms > *live)
				*live = ms;
		}
	}
	for (size_t i = 0; i < p->n_extra_local && !ret; i++)
		ret = put(w, GUARD_LOCAL, &p->extra_local[i],
			  (uint64_t)GUARD_WANT_HOLD_SLOTS * p->interval * 1000);
	return ret;
}

/*
 * The peer keeps an address as long as we do: lifetime slots after its own; each element
 * runs out as its slot leaves the window.
 */
static int want_peer(const struct guard_want_params *p, struct want *w, uint64_t top)
{
	uint64_t clock = mt6d_slot(p->now, p->interval);
	uint64_t lo = clock > p->lifetime + 1 ? clock - p->lifetime - 1 : 0;
	int ret = 0;

	for (size_t k = 0; k < p->n_peer_uplinks; k++) {
		const struct mt6d_peer_uplink *u = &p->peer_uplinks[k];

		for (uint64_t s = lo; s <= top && !ret; s++) {
			struct in6_addr a;

			ret = mt6d_hashed_addr(p->deriver, u->name, &u->prefix.addr, p->peer_iid, s,
					       &a);
			if (!ret)
				ret = put(w, GUARD_PEER, &a, ms_until_end(p, s + p->lifetime + 1));
		}
	}
	for (size_t i = 0; i < p->n_peer_addrs && !ret; i++)
		ret = put(w, GUARD_PEER, &p->peer_addrs[i],
			  (uint64_t)GUARD_WANT_HOLD_SLOTS * p->interval * 1000);
	return ret;
}

/* Our addresses of the slots just before each plan that are not local any more. */
static int want_retired(const struct guard_want_params *p, struct want *w)
{
	int ret = 0;

	for (size_t k = 0; k < p->plans->n && !ret; k++) {
		const struct plan *plan = p->plans->plan[k];
		const struct plan_params *pp = p->plans->pp[k];
		uint64_t first = plan->n ? plan->e[0].slot : plan->current;
		uint64_t lo =
			first > GUARD_WANT_RETIRED_SLOTS ? first - GUARD_WANT_RETIRED_SLOTS : 0;

		for (uint64_t s = lo; s < first && !ret; s++) {
			struct in6_addr a;

			ret = mt6d_hashed_addr(p->deriver, pp->uplink, pp->prefix, pp->iid, s, &a);
			if (ret || has(w, GUARD_LOCAL, &a))
				continue;
			/* It leaves the window when the plan starts GUARD_WANT_RETIRED_SLOTS
			 * later. */
			ret = put(w, GUARD_RETIRED, &a,
				  ms_until_end(p, s + p->lifetime + GUARD_WANT_RETIRED_SLOTS));
		}
	}
	return ret;
}

int guard_want_build(const struct guard_want_params *p, struct guard_op *out, size_t max)
{
	struct want w = { .op = out, .max = max };
	uint64_t clock = mt6d_slot(p->now, p->interval);
	uint64_t current = p->plans->n ? p->plans->plan[0]->current : clock;
	uint64_t top = (current > clock ? current : clock) + 2;
	uint64_t live = (uint64_t)GUARD_WANT_HOLD_SLOTS * p->interval * 1000;
	int ret = want_local(p, &w, &live);

	if (!ret)
		ret = want_peer(p, &w, top);
	if (!ret)
		ret = want_retired(p, &w);
	if (!ret)
		ret = want_ports(p, &w, live);
	return ret < 0 ? ret : (int)w.n;
}

// SPDX-License-Identifier: MIT
#include "plan.h"

#include <errno.h>
#include <string.h>

/* Seconds from @now until slot @slot ends, plus one interval of slack for a late tick. */
static uint32_t until_end(time_t now, uint64_t slot, unsigned int interval)
{
	uint64_t end = (slot + 1) * interval + interval;

	return end > (uint64_t)now ? (uint32_t)(end - (uint64_t)now) : 1;
}

int plan_build(struct plan *p, const struct plan_params *pp, time_t now, uint64_t current)
{
	uint64_t first;

	if (pp->lifetime > PLAN_MAX_LIFETIME || !pp->interval)
		return -EINVAL;
	first = current > pp->lifetime ? current - pp->lifetime : 0;
	memset(p, 0, sizeof(*p));
	p->current = current;
	for (uint64_t s = first; s <= current + 1; s++) {
		struct plan_entry *e = &p->e[p->n++];
		int ret =
			mt6d_hashed_addr(pp->deriver, pp->uplink, pp->prefix, pp->iid, s, &e->addr);

		if (ret < 0)
			return ret;
		e->slot = s;
		e->role = s < current ? ROLE_DRAINING : s == current ? ROLE_CURRENT : ROLE_NEXT;
		/* Valid until the address has served its lifetime after being current. */
		e->valid_lft = until_end(now, s + pp->lifetime, pp->interval);
		e->preferred_lft = e->role == ROLE_CURRENT ? until_end(now, s, pp->interval) : 0;
	}
	return 0;
}

const struct plan_entry *plan_find(const struct plan *p, const struct in6_addr *addr)
{
	for (size_t i = 0; i < p->n; i++)
		if (!memcmp(&p->e[i].addr, addr, sizeof(*addr)))
			return &p->e[i];
	return NULL;
}

/* The /64 of @pp's that holds @addr, or NULL. */
static const struct in6_addr *prefix_of(const struct plan_params *pp, const struct in6_addr *addr)
{
	if (!memcmp(addr->s6_addr, pp->prefix->s6_addr, 8))
		return pp->prefix;
	if (pp->former && !memcmp(addr->s6_addr, pp->former->s6_addr, 8))
		return pp->former;
	return NULL;
}

bool plan_in_prefix(const struct plan_params *pp, const struct in6_addr *addr)
{
	return prefix_of(pp, addr) != NULL;
}

bool plan_stray(const struct plan *p, const struct plan_params *pp, const struct in6_addr *addr,
		uint64_t *slot)
{
	uint64_t first = p->e[0].slot > PLAN_STRAY_SLOTS ? p->e[0].slot - PLAN_STRAY_SLOTS : 0;
	const struct in6_addr *prefix = prefix_of(pp, addr);

	if (!prefix || plan_find(p, addr))
		return false;
	for (uint64_t s = first; s <= p->current + 2; s++) {
		struct in6_addr d;

		if (!mt6d_hashed_addr(pp->deriver, pp->uplink, prefix, pp->iid, s, &d) &&
		    !memcmp(&d, addr, sizeof(d))) {
			*slot = s;
			return true;
		}
	}
	return false;
}

const struct plan_entry *plan_set_find(const struct plan_set *s, const struct in6_addr *a)
{
	const struct plan_entry *e = NULL;

	for (size_t i = 0; i < s->n && !e; i++)
		e = plan_find(s->plan[i], a);
	return e;
}

bool plan_set_stray(const struct plan_set *s, const struct in6_addr *a, uint64_t *slot)
{
	for (size_t i = 0; i < s->n; i++)
		if (plan_in_prefix(s->pp[i], a))
			return plan_stray(s->plan[i], s->pp[i], a, slot);
	return false;
}

bool plan_set_in_prefix(const struct plan_set *s, const struct in6_addr *a)
{
	for (size_t i = 0; i < s->n; i++)
		if (plan_in_prefix(s->pp[i], a))
			return true;
	return false;
}

// SPDX-License-Identifier: MIT
#include "guard_teardown.h"

#include <string.h>

static struct guard_teardown_entry *find(struct guard_teardown *t, const struct in6_addr *a)
{
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(&t->e[i].addr, a, sizeof(*a)))
			return &t->e[i];
	return NULL;
}

const struct guard_teardown_entry *guard_teardown_find(const struct guard_teardown *t,
						       const struct in6_addr *a)
{
	return find((struct guard_teardown *)t, a);
}

static struct guard_teardown_entry *get(struct guard_teardown *t, const struct in6_addr *a,
					uint64_t slot)
{
	struct guard_teardown_entry *e = find(t, a);

	if (e)
		return e;
	if (t->n == GUARD_TEARDOWN_MAX) {
		/* Full: the oldest slot makes room (it is the first to be retried anyway). */
		size_t old = 0;

		for (size_t i = 1; i < t->n; i++)
			if (t->e[i].slot < t->e[old].slot)
				old = i;
		t->e[old] = t->e[--t->n];
	}
	e = &t->e[t->n++];
	*e = (struct guard_teardown_entry){ .addr = *a, .slot = slot };
	return e;
}

enum guard_teardown_verdict guard_teardown_check(struct guard_teardown *t,
						 const struct in6_addr *addr, uint64_t slot,
						 uint64_t evidence_slot, int64_t now,
						 unsigned int deadline_ms)
{
	struct guard_teardown_entry *e;

	if (evidence_slot > slot) {
		e = find(t, addr);
		if (e)
			e->held_since = 0;
		t->confirmed++;
		return GUARD_TEARDOWN_UNBIND;
	}
	e = get(t, addr, slot);
	if (!e->held_since) {
		e->held_since = now;
		e->next_retry = now + deadline_ms;
	}
	if (now < e->next_retry)
		return GUARD_TEARDOWN_HOLD;
	e->next_retry = now + deadline_ms;
	e->failures++;
	t->failures++;
	return GUARD_TEARDOWN_RETRY;
}

void guard_teardown_unbound(struct guard_teardown *t, const struct in6_addr *addr, int64_t now)
{
	struct guard_teardown_entry *e = get(t, addr, 0);

	e->held_since = 0;
	e->unbound_at = now ? now : 1;
}

bool guard_teardown_held(const struct guard_teardown *t, const struct in6_addr *addr)
{
	const struct guard_teardown_entry *e = guard_teardown_find(t, addr);

	return e && e->held_since;
}

static int64_t grace(const struct guard_teardown *t)
{
	return t->grace_ms ? t->grace_ms : GUARD_TEARDOWN_GRACE_MS;
}

bool guard_teardown_in_grace(const struct guard_teardown *t, const struct in6_addr *addr,
			     int64_t now)
{
	const struct guard_teardown_entry *e = guard_teardown_find(t, addr);

	return e && e->unbound_at && now - e->unbound_at < grace(t);
}

void guard_teardown_prune(struct guard_teardown *t, const struct in6_addr *keep, size_t nkeep,
			  int64_t now)
{
	for (size_t i = 0; i < t->n; i++) {
		bool kept = t->e[i].unbound_at && now - t->e[i].unbound_at < grace(t);

		for (size_t j = 0; j < nkeep && !kept; j++)
			kept = !memcmp(&keep[j], &t->e[i].addr, sizeof(keep[j]));
		if (!kept)
			t->e[i--] = t->e[--t->n];
	}
}

// SPDX-License-Identifier: MIT
#include "learn.h"

#include <stdbool.h>
#include <string.h>

static bool same64(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a->s6_addr, b->s6_addr, 8);
}

static bool known(const struct mt6d_learn *l, const struct in6_addr *a)
{
	for (size_t k = 0; k < l->n; k++)
		if (same64(a, l->prefix[k]))
			return true;
	return false;
}

bool mt6d_learn_slot(const struct mt6d_deriver *d, const char *label, const struct in6_addr *iid,
		     uint64_t lo, uint64_t hi, const struct in6_addr *a, uint64_t *slot)
{
	struct in6_addr p = { 0 }, x;

	memcpy(p.s6_addr, a->s6_addr, 8);
	for (uint64_t s = hi + 1; s-- > lo;) {
		if (!mt6d_hashed_addr(d, label, &p, iid, s, &x) && !memcmp(&x, a, sizeof(x))) {
			*slot = s;
			return true;
		}
	}
	return false;
}

static bool derives(const struct mt6d_learn *l, size_t k, const struct in6_addr *a, uint64_t from,
		    uint64_t *slot)
{
	return mt6d_learn_slot(l->deriver, l->label[k], l->iid, from, l->hi, a, slot);
}

unsigned int mt6d_learn_prefixes(const struct mt6d_learn *l, const struct in6_addr *addrs, size_t n)
{
	unsigned int moved = 0;

	for (size_t k = 0; k < l->n; k++) {
		uint64_t best = 0, s;
		const struct in6_addr *to = NULL;

		for (size_t i = 0; i < n; i++)
			if (!known(l, &addrs[i]) && derives(l, k, &addrs[i], l->lo, &s) &&
			    (!to || s > best)) {
				best = s;
				to = &addrs[i];
			}
		if (!to)
			continue;
		/*
		 * An address of the known /64 as new or newer: not moved (yet), unless the new
		 * one of the same slot is the primary path the peer asked for.
		 */
		for (size_t i = 0; i < n && to; i++)
			if (same64(&addrs[i], l->prefix[k]) && derives(l, k, &addrs[i], best, &s) &&
			    (s > best || !l->primary || memcmp(l->primary, to, sizeof(*to))))
				to = NULL;
		if (!to)
			continue;
		memcpy(l->prefix[k]->s6_addr, to->s6_addr, 8);
		memset(l->prefix[k]->s6_addr + 8, 0, 8);
		moved |= 1u << k;
	}
	return moved;
}

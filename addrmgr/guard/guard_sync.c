// SPDX-License-Identifier: MIT
#include "guard_sync.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Elements read back per set: far above what one tunnel keeps (plan, window, strays). */
#define GUARD_SYNC_MAX_HAVE 1024

static bool same(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static void put(struct guard_op *ops, size_t max, size_t *n, enum guard_set s,
		const struct in6_addr *a, uint32_t timeout_ms)
{
	if (*n < max)
		ops[*n] = (struct guard_op){ .set = s, .addr = *a, .timeout_ms = timeout_ms };
	(*n)++;
}

size_t guard_sync_diff(enum guard_set s, const struct guard_op *want, size_t nwant,
		       const struct guard_elem *have, size_t nhave, struct guard_op *ops,
		       size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < nwant; i++) {
		const struct guard_elem *h = NULL;

		if (want[i].set != s || !want[i].timeout_ms)
			continue;
		/* A duplicate in @want: the first one counts. */
		for (size_t j = 0; j < i; j++)
			if (want[j].set == s && want[j].timeout_ms &&
			    same(&want[j].addr, &want[i].addr))
				goto next;
		for (size_t j = 0; j < nhave && !h; j++)
			if (same(&have[j].addr, &want[i].addr))
				h = &have[j];
		if (!h) {
			put(ops, max, &n, s, &want[i].addr, want[i].timeout_ms);
		} else if (h->expires_ms < want[i].timeout_ms / 2 &&
			   h->expires_ms >= GUARD_SYNC_RACE_MS) {
			put(ops, max, &n, s, &want[i].addr, 0);
			put(ops, max, &n, s, &want[i].addr, want[i].timeout_ms);
		}
	next:;
	}
	for (size_t j = 0; j < nhave; j++) {
		bool wanted = false;

		for (size_t i = 0; i < nwant && !wanted; i++)
			wanted = want[i].set == s && want[i].timeout_ms &&
				 same(&want[i].addr, &have[j].addr);
		if (!wanted && have[j].expires_ms >= GUARD_SYNC_RACE_MS)
			put(ops, max, &n, s, &have[j].addr, 0);
	}
	return n;
}

int guard_sync_converge(struct guard_table *g, const struct guard_op *want, size_t nwant, char *err,
			size_t errlen)
{
	static const enum guard_set sets[] = { GUARD_LOCAL, GUARD_PEER, GUARD_RETIRED, GUARD_PORTS,
					       GUARD_RETIRED_PORTS };
	size_t maxops = 2 * nwant + 3 * GUARD_SYNC_MAX_HAVE, nops = 0;
	struct guard_elem *have = calloc(GUARD_SYNC_MAX_HAVE, sizeof(*have));
	struct guard_op *ops = calloc(maxops, sizeof(*ops));
	int ret = have && ops ? 0 : -ENOMEM;

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]) && !ret; i++) {
		int nhave = guard_table_elems(g, sets[i], have, GUARD_SYNC_MAX_HAVE);

		if (nhave < 0) {
			ret = nhave;
			break;
		}
		if (nhave > GUARD_SYNC_MAX_HAVE) {
			ret = -E2BIG;
			break;
		}
		nops += guard_sync_diff(sets[i], want, nwant, have, (size_t)nhave, ops + nops,
					maxops - nops);
	}
	if (!ret && nops)
		ret = guard_table_apply(g, ops, nops, err, errlen);
	free(have);
	free(ops);
	return ret < 0 ? ret : (int)nops;
}

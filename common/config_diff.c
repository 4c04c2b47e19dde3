// SPDX-License-Identifier: MIT
/*
 * What changed between two loads of a configuration, key by key through the key table, and
 * the copy of the keys mt6d-addrmgr applies without a restart.
 */

#include <string.h>

#include "config.h"
#include "config_keys.h"

static const void *field(const struct mt6d_config_key *key, const struct mt6d_config *cfg)
{
	return (const char *)cfg + key->offset;
}

static void add(struct mt6d_config_change *out, size_t max, size_t *n,
		const struct mt6d_config_change *c)
{
	if (*n < max)
		out[*n] = *c;
	(*n)++;
}

/* The named uplinks of @a missing from @b or different there, and those only in @b. */
static void diff_uplinks(const struct mt6d_config *a, const struct mt6d_config *b,
			 struct mt6d_config_change *out, size_t max, size_t *n)
{
	const struct mt6d_config *side[2] = { a, b };
	size_t s, i, j;

	for (s = 0; s < 2; s++) {
		const struct mt6d_config *x = side[s], *y = side[!s];

		for (i = 0; i < x->n_uplinks; i++) {
			const struct mt6d_uplink *u = &x->uplinks[i];

			for (j = 0; j < y->n_uplinks; j++)
				if (!strcmp(y->uplinks[j].name, u->name))
					break;
			/* Compared once, from @a; the unnamed one is [local]'s keys. */
			if (!u->name[0] || (j < y->n_uplinks &&
					    (s == 1 || !memcmp(u, &y->uplinks[j], sizeof(*u)))))
				continue;
			add(out, max, n,
			    &(struct mt6d_config_change){ .section = "uplink",
							  .name = "",
							  .uplink = u->name,
							  .readers = MT6D_READ_TUNNEL |
								     MT6D_READ_ADDRMGR });
		}
		for (i = 0; i < x->n_peer_uplinks; i++) {
			const struct mt6d_peer_uplink *u = &x->peer_uplinks[i];

			for (j = 0; j < y->n_peer_uplinks; j++)
				if (!strcmp(y->peer_uplinks[j].name, u->name))
					break;
			if (!u->name[0] ||
			    (j < y->n_peer_uplinks &&
			     (s == 1 || !memcmp(u, &y->peer_uplinks[j], sizeof(*u)))))
				continue;
			add(out, max, n,
			    &(struct mt6d_config_change){ .section = "peer-uplink",
							  .name = "",
							  .uplink = u->name,
							  .readers = MT6D_READ_TUNNEL |
								     MT6D_READ_ADDRMGR });
		}
	}
}

size_t mt6d_config_diff(const struct mt6d_config *a, const struct mt6d_config *b,
			struct mt6d_config_change *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < mt6d_config_n_keys; i++) {
		const struct mt6d_config_key *key = &mt6d_config_keys[i];

		/* Loading zeroes the whole struct first: bytes past a string's NUL are 0. */
		if (!memcmp(field(key, a), field(key, b), key->size))
			continue;
		add(out, max, &n,
		    &(struct mt6d_config_change){
			    .section = key->section, .name = key->name, .readers = key->readers });
	}
	diff_uplinks(a, b, out, max, &n);
	return n;
}

void mt6d_config_apply_live(struct mt6d_config *to, const struct mt6d_config *from)
{
	size_t i;

	for (i = 0; i < mt6d_config_n_keys; i++) {
		const struct mt6d_config_key *key = &mt6d_config_keys[i];

		if (key->readers & MT6D_READ_LIVE)
			memcpy((char *)to + key->offset, field(key, from), key->size);
	}
}

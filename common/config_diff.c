// SPDX-License-Identifier: MIT
/*
 * What changed between two loads of a configuration, key by key through the key table (the
 * uplink sections through config_uplink.c), and the copy of the keys mt6d-addrmgr applies
 * without a restart.
 */

#include <string.h>

#include "config.h"
#include "config_keys.h"
#include "config_uplink.h"

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
	return mt6d_config_uplinks_diff(a, b, out, max, n);
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

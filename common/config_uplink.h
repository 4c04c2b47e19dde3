/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CONFIG_UPLINK_H
#define MT6D_CONFIG_UPLINK_H

/*
 * Internal to config.c: the sections of which a file may hold several, [uplink NAME] (one
 * of this gateway's uplinks) and [peer-uplink NAME] (one of the peer's), and the uplink
 * lists of struct mt6d_config that they, or the single-uplink keys of [local] and [peer],
 * fill.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "config_keys.h"

/* The key tables of [uplink NAME] ("uplink") and [peer-uplink NAME] ("peer-uplink"), for
 * the documentation's test; NULL for another word. */
const struct mt6d_config_key *mt6d_config_uplink_keys(const char *word, size_t *n);

/*
 * mt6d_config_diff()'s part: the [uplink NAME] and [peer-uplink NAME] sections of @a that
 * @b lacks or holds otherwise, then those only @b has, appended to the @n changes in
 * @out (room for @max); returns the new count (maybe more than @max).
 */
size_t mt6d_config_uplinks_diff(const struct mt6d_config *a, const struct mt6d_config *b,
				struct mt6d_config_change *out, size_t max, size_t n);

/* Which keys of which uplink section were given, while the file is read. */
struct mt6d_config_uplinks_seen {
	uint8_t local[MT6D_MAX_UPLINKS], peer[MT6D_MAX_UPLINKS];
};

/*
 * A section line's name, the @len bytes at @section: when it is "uplink NAME" or
 * "peer-uplink NAME", adds that uplink to @cfg, in the file's order, and returns 0; 1 when
 * it is another section; -EINVAL with the message in @why for a bad name, a name given
 * twice or too many uplinks.
 */
int mt6d_config_uplink_declare(struct mt6d_config *cfg, const char *section, size_t len, char *why,
			       size_t whylen);

/*
 * One key of such a section (declared before): the value checked and stored. 1 when
 * @section is not such a section; on failure -EINVAL with the message, without the
 * "[section] key: " prefix, in @why.
 */
int mt6d_config_uplink_key(struct mt6d_config *cfg, struct mt6d_config_uplinks_seen *seen,
			   const char *section, const char *name, const char *value, char *why,
			   size_t whylen);

/*
 * Once every key is read: each section's missing keys (required or defaults), then the
 * lists filled from [local] interface and prefix and [peer] prefix when no section names
 * an uplink, and the rules between them (one of the two forms per side, no interface or
 * prefix twice). -EINVAL with the whole message in @why.
 */
int mt6d_config_uplinks_finish(struct mt6d_config *cfg, const struct mt6d_config_uplinks_seen *seen,
			       char *why, size_t whylen);

#endif

// SPDX-License-Identifier: MIT
/*
 * [uplink NAME] and [peer-uplink NAME]: a small key table of their own, whose rows store
 * into one element of the uplink lists, and the single-uplink form of [local] and [peer]
 * turned into the same lists.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config_keys.h"
#include "config_parse.h"
#include "config_uplink.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define LFIELD(f) \
	.offset = offsetof(struct mt6d_uplink, f), .size = sizeof(((struct mt6d_uplink *)0)->f)
#define PFIELD(f)                                       \
	.offset = offsetof(struct mt6d_peer_uplink, f), \
	.size = sizeof(((struct mt6d_peer_uplink *)0)->f)

/* clang-format off */
static const struct mt6d_config_key local_keys[] = {
	{ .section = "uplink", .name = "interface", .parse = mt6d_config_parse_ifname,
	  LFIELD(interface), .required = true },
	{ .section = "uplink", .name = "prefix", .parse = mt6d_config_parse_prefix64,
	  LFIELD(prefix) },
	{ .section = "uplink", .name = "preference", .parse = mt6d_config_parse_uint,
	  LFIELD(preference), .what = "a whole number", .min = 1, .max = 1000, .def = "100" },
};
static const struct mt6d_config_key peer_keys[] = {
	{ .section = "peer-uplink", .name = "prefix", .parse = mt6d_config_parse_prefix64,
	  PFIELD(prefix), .required = true },
};
/* clang-format on */

struct kind {
	const char *word; /* the section's first word */
	const struct mt6d_config_key *keys;
	size_t n_keys;
	size_t base, stride; /* of the list in struct mt6d_config, of one element */
	size_t count;	     /* offset of the list's count */
};

static const struct kind kinds[] = {
	{ "uplink", local_keys, ARRAY_SIZE(local_keys), offsetof(struct mt6d_config, uplinks),
	  sizeof(struct mt6d_uplink), offsetof(struct mt6d_config, n_uplinks) },
	{ "peer-uplink", peer_keys, ARRAY_SIZE(peer_keys),
	  offsetof(struct mt6d_config, peer_uplinks), sizeof(struct mt6d_peer_uplink),
	  offsetof(struct mt6d_config, n_peer_uplinks) },
};

const struct mt6d_config_key *mt6d_config_uplink_keys(const char *word, size_t *n)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].word, word)) {
			*n = kinds[i].n_keys;
			return kinds[i].keys;
		}
	*n = 0;
	return NULL;
}

/* Both list elements start with the name. */
_Static_assert(offsetof(struct mt6d_uplink, name) == 0, "name first");
_Static_assert(offsetof(struct mt6d_peer_uplink, name) == 0, "name first");

/* The list's count and its element @i (its name first); writable for the parser only. */
static size_t *count_of(const struct kind *k, const struct mt6d_config *cfg)
{
	return (size_t *)((const char *)cfg + k->count);
}

static char *name_of(const struct kind *k, const struct mt6d_config *cfg, size_t i)
{
	return (char *)cfg + k->base + i * k->stride;
}

/* The kind of section @section is, and where its name starts; NULL: another section. */
static const struct kind *kind_of(const char *section, size_t len, const char **name)
{
	size_t i, w;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		w = strlen(kinds[i].word);
		if (len > w && !memcmp(section, kinds[i].word, w) && section[w] == ' ') {
			*name = section + w + 1;
			return &kinds[i];
		}
	}
	return NULL;
}

/* The index of the uplink named by the @len bytes at @name, or -1. */
static int find(const struct kind *k, const struct mt6d_config *cfg, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < *count_of(k, cfg); i++)
		if (strlen(name_of(k, cfg, i)) == len && !memcmp(name_of(k, cfg, i), name, len))
			return (int)i;
	return -1;
}

int mt6d_config_uplink_declare(struct mt6d_config *cfg, const char *section, size_t len, char *why,
			       size_t whylen)
{
	const char *name;
	const struct kind *k = kind_of(section, len, &name);
	size_t n, i;
	bool ok;

	if (!k)
		return 1;
	n = len - (size_t)(name - section);
	ok = n > 0 && n < MT6D_UPLINK_NAME_MAX;
	for (i = 0; ok && i < n; i++)
		ok = mt6d_config_is_name_char(name[i]);
	if (!ok) {
		snprintf(why, whylen,
			 "[%s NAME]: expected a name of 1 to %d characters from A-Z a-z 0-9 _ . - "
			 "after one space",
			 k->word, MT6D_UPLINK_NAME_MAX - 1);
		return -EINVAL;
	}
	if (find(k, cfg, name, n) >= 0) {
		snprintf(why, whylen, "[%s %.*s]: given twice", k->word, (int)n, name);
		return -EINVAL;
	}
	if (*count_of(k, cfg) == MT6D_MAX_UPLINKS) {
		snprintf(why, whylen, "[%s %.*s]: more than %d [%s NAME] sections", k->word, (int)n,
			 name, MT6D_MAX_UPLINKS, k->word);
		return -EINVAL;
	}
	memcpy(name_of(k, cfg, (*count_of(k, cfg))++), name, n);
	return 0;
}

int mt6d_config_uplink_key(struct mt6d_config *cfg, struct mt6d_config_uplinks_seen *seen,
			   const char *section, const char *name, const char *value, char *why,
			   size_t whylen)
{
	const char *uname;
	const struct kind *k = kind_of(section, strlen(section), &uname);
	struct mt6d_config_key row;
	uint8_t *bits;
	size_t i;
	int u;

	if (!k)
		return 1;
	u = find(k, cfg, uname, strlen(uname));
	for (i = 0; u >= 0 && i < k->n_keys; i++)
		if (!strcmp(k->keys[i].name, name))
			break;
	if (u < 0 || i == k->n_keys) {
		size_t used = (size_t)snprintf(why, whylen, "unknown key (expected one of: ");

		for (i = 0; i < k->n_keys && used < whylen; i++)
			used += (size_t)snprintf(why + used, whylen - used, "%s%s", i ? ", " : "",
						 k->keys[i].name);
		if (used < whylen)
			snprintf(why + used, whylen - used, ")");
		return -EINVAL;
	}
	bits = k == &kinds[0] ? &seen->local[u] : &seen->peer[u];
	if (*bits & (1u << i)) {
		snprintf(why, whylen, "given twice");
		return -EINVAL;
	}
	*bits |= (uint8_t)(1u << i);
	if (!*value) {
		snprintf(why, whylen, "empty value");
		return -EINVAL;
	}
	row = k->keys[i];
	row.offset += k->base + (size_t)u * k->stride;
	return k->keys[i].parse(&row, value, cfg, why, whylen);
}

/* Each section's keys not given: required ones missing, the others their defaults. */
static int finish_sections(struct mt6d_config *cfg, const struct mt6d_config_uplinks_seen *seen,
			   char *why, size_t whylen)
{
	char inner[256];
	size_t ki, u, i;

	for (ki = 0; ki < ARRAY_SIZE(kinds); ki++) {
		const struct kind *k = &kinds[ki];

		for (u = 0; u < *count_of(k, cfg); u++) {
			uint8_t bits = ki == 0 ? seen->local[u] : seen->peer[u];

			for (i = 0; i < k->n_keys; i++) {
				struct mt6d_config_key row = k->keys[i];

				if (bits & (1u << i))
					continue;
				if (row.required) {
					snprintf(why, whylen, "[%s %s] %s: missing (required)",
						 k->word, name_of(k, cfg, u), row.name);
					return -EINVAL;
				}
				row.offset += k->base + u * k->stride;
				if (row.def &&
				    row.parse(&row, row.def, cfg, inner, sizeof(inner))) {
					snprintf(why, whylen, "[%s %s] %s: bad default: %s",
						 k->word, name_of(k, cfg, u), row.name, inner);
					return -EINVAL;
				}
			}
		}
	}
	return 0;
}

/* No interface twice, no /64 twice among one side's uplinks. */
static int check_distinct(const struct mt6d_config *cfg, char *why, size_t whylen)
{
	char text[INET6_ADDRSTRLEN];
	size_t i, j;

	for (i = 0; i < cfg->n_uplinks; i++)
		for (j = 0; j < i; j++) {
			const struct mt6d_uplink *a = &cfg->uplinks[i], *b = &cfg->uplinks[j];

			if (!strcmp(a->interface, b->interface)) {
				snprintf(why, whylen,
					 "[uplink %s] interface: %s is [uplink %s]'s already; "
					 "expected one interface per uplink",
					 a->name, a->interface, b->name);
				return -EINVAL;
			}
			if (a->prefix.len && b->prefix.len &&
			    !memcmp(&a->prefix.addr, &b->prefix.addr, 8)) {
				inet_ntop(AF_INET6, &a->prefix.addr, text, sizeof(text));
				snprintf(why, whylen,
					 "[uplink %s] prefix: %s/64 is [uplink %s]'s already; "
					 "expected one /64 per uplink",
					 a->name, text, b->name);
				return -EINVAL;
			}
		}
	for (i = 0; i < cfg->n_peer_uplinks; i++)
		for (j = 0; j < i; j++)
			if (!memcmp(&cfg->peer_uplinks[i].prefix.addr,
				    &cfg->peer_uplinks[j].prefix.addr, 8)) {
				inet_ntop(AF_INET6, &cfg->peer_uplinks[i].prefix.addr, text,
					  sizeof(text));
				snprintf(why, whylen,
					 "[peer-uplink %s] prefix: %s/64 is [peer-uplink %s]'s "
					 "already; expected one /64 per uplink",
					 cfg->peer_uplinks[i].name, text,
					 cfg->peer_uplinks[j].name);
				return -EINVAL;
			}
	return 0;
}

int mt6d_config_uplinks_finish(struct mt6d_config *cfg, const struct mt6d_config_uplinks_seen *seen,
			       char *why, size_t whylen)
{
	int ret = finish_sections(cfg, seen, why, whylen);

	if (ret)
		return ret;
	if (cfg->n_uplinks && (cfg->interface[0] || cfg->local_prefix.len)) {
		snprintf(
			why, whylen,
			"[local] %s: not with [uplink NAME] sections; give each uplink's interface "
			"and prefix in its section",
			cfg->interface[0] ? "interface" : "prefix");
		return -EINVAL;
	}
	if (!cfg->n_uplinks && !cfg->interface[0]) {
		snprintf(why, whylen,
			 "[local] interface: missing (required, unless [uplink NAME] sections name "
			 "the uplinks)");
		return -EINVAL;
	}
	if (!cfg->n_uplinks) {
		memcpy(cfg->uplinks[0].interface, cfg->interface, sizeof(cfg->interface));
		memcpy(&cfg->uplinks[0].prefix, &cfg->local_prefix, sizeof(cfg->local_prefix));
		cfg->uplinks[0].preference = MT6D_PREFERENCE_DEFAULT;
		cfg->n_uplinks = 1;
	}
	if (cfg->n_peer_uplinks && cfg->peer_prefix.len) {
		snprintf(why, whylen,
			 "[peer] prefix: not with [peer-uplink NAME] sections; give each of the "
			 "peer's uplinks' prefix in its section");
		return -EINVAL;
	}
	if (!cfg->n_peer_uplinks && !cfg->peer_prefix.len) {
		snprintf(why, whylen,
			 "[peer] prefix: missing (required, unless [peer-uplink NAME] sections "
			 "name the peer's uplinks)");
		return -EINVAL;
	}
	if (!cfg->n_peer_uplinks) {
		memcpy(&cfg->peer_uplinks[0].prefix, &cfg->peer_prefix, sizeof(cfg->peer_prefix));
		cfg->n_peer_uplinks = 1;
	}
	return check_distinct(cfg, why, whylen);
}

/* Whether @y holds uplink @i of @x under its name, the same in every key. */
static bool held_alike(const struct kind *k, const struct mt6d_config *x, size_t i,
		       const struct mt6d_config *y)
{
	const char *name = name_of(k, x, i);
	int j = find(k, y, name, strlen(name));

	return j >= 0 && !memcmp(name, name_of(k, y, (size_t)j), k->stride);
}

size_t mt6d_config_uplinks_diff(const struct mt6d_config *a, const struct mt6d_config *b,
				struct mt6d_config_change *out, size_t max, size_t n)
{
	for (size_t ki = 0; ki < ARRAY_SIZE(kinds); ki++) {
		const struct kind *k = &kinds[ki];

		for (size_t i = 0; i < *count_of(k, a) + *count_of(k, b); i++) {
			/* @a's changed or gone, then @b's new; the unnamed one is [local]'s or
			 * [peer]'s keys. */
			bool in_a = i < *count_of(k, a);
			const struct mt6d_config *x = in_a ? a : b;
			size_t xi = in_a ? i : i - *count_of(k, a);
			const char *name = name_of(k, x, xi);

			if (!name[0] ||
			    (in_a ? held_alike(k, a, xi, b) : find(k, a, name, strlen(name)) >= 0))
				continue;
			if (n < max)
				out[n] = (struct mt6d_config_change){
					.section = k->word,
					.name = "",
					.uplink = name,
					.readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR,
				};
			n++;
		}
	}
	return n;
}

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CONFIG_PARSE_H
#define MT6D_CONFIG_PARSE_H

/*
 * Internal to the config module: the typed value parsers that rows of the key table name
 * (config_keys.c), and the name and prefix helpers that the loader and the rules share.
 *
 * Each parser has the shape of mt6d_config_parse_fn: it checks @value against the row @key and
 * stores it in @cfg; on failure it returns -EINVAL and writes into @why what was expected and
 * what was given, without the "[section] key: " prefix.
 */

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct mt6d_config_key;

/* An interface name that fits the row's field. */
int mt6d_config_parse_ifname(const struct mt6d_config_key *key, const char *value,
			     struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* A number in the row's range, into an unsigned int or, for the port, a uint16_t. */
int mt6d_config_parse_uint(const struct mt6d_config_key *key, const char *value,
			   struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* A word (the row's .choices[0], else "auto"), stored as 0, or a number in the row's range. */
int mt6d_config_parse_auto(const struct mt6d_config_key *key, const char *value,
			   struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* One of the row's names, stored as its index. */
int mt6d_config_parse_choice(const struct mt6d_config_key *key, const char *value,
			     struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* "full", "rtx:N" (0..15 retransmissions) or "ttl:MS" (1..60000 ms). */
int mt6d_config_parse_reliability(const struct mt6d_config_key *key, const char *value,
				  struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* A path that fits the row's field. */
/* "LO-HI", two port numbers, LO <= HI, at least MT6D_PORT_CANDIDATES ports. */
int mt6d_config_parse_port_range(const struct mt6d_config_key *key, const char *value,
				 struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));
int mt6d_config_parse_path(const struct mt6d_config_key *key, const char *value,
			   struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* The same, absolute. */
int mt6d_config_parse_abspath(const struct mt6d_config_key *key, const char *value,
			      struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* An IPv6 /64 without host bits. */
int mt6d_config_parse_prefix64(const struct mt6d_config_key *key, const char *value,
			       struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* Host mode's inner address with its length; a bare address is a /128. */
int mt6d_config_parse_address(const struct mt6d_config_key *key, const char *value,
			      struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* An interface identifier: an IPv6 address whose upper 64 bits are zero. */
int mt6d_config_parse_iid(const struct mt6d_config_key *key, const char *value,
			  struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* A comma-separated list of prefixes, into cfg->routes and cfg->n_routes. */
int mt6d_config_parse_routes(const struct mt6d_config_key *key, const char *value,
			     struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* The characters of interface and tunnel names: A-Z a-z 0-9 _ . - */
bool mt6d_config_is_name_char(char c);

/* Whether one prefix contains the other. */
bool mt6d_config_prefix_overlap(const struct mt6d_prefix *a, const struct mt6d_prefix *b);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CONFIG_KEYS_H
#define MT6D_CONFIG_KEYS_H

/*
 * Internal to config.c: the table of configuration keys and the look-ups in it. The typed value
 * parsers that rows name are in config_parse.h, the rules between keys in config_rules.h.
 * Nothing here reads files or knows the file name.
 */

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct mt6d_config_key;

/*
 * Checks @value and stores it in @cfg. On failure returns -EINVAL and writes into @why what
 * was expected and what was given, without the "[section] key: " prefix.
 */
typedef int (*mt6d_config_parse_fn)(const struct mt6d_config_key *key, const char *value,
				    struct mt6d_config *cfg, char *why, size_t whylen);

struct mt6d_config_key {
	const char *section;
	const char *name;
	mt6d_config_parse_fn parse;
	size_t offset;		    /* of the field in struct mt6d_config */
	size_t size;		    /* of that field */
	const char *what;	    /* mt6d_config_parse_uint: "a whole number of seconds" */
	unsigned int min, max;	    /* mt6d_config_parse_uint: accepted range */
	const char *const *choices; /* mt6d_config_parse_choice: NULL-terminated names, by index */
	const char *def;	    /* default, parsed like a value from the file; NULL: none */
	bool required;
	unsigned int readers; /* MT6D_READ_* (config.h): who reads it, at start or live */
};

/* Rows of one section are contiguous; sections are in the order of an example file. */
extern const struct mt6d_config_key mt6d_config_keys[];
extern const size_t mt6d_config_n_keys;

/* NULL when @section has no key @name. */
const struct mt6d_config_key *mt6d_config_key_find(const char *section, const char *name);

/* Whether @len bytes at @name are the name of a section. */
bool mt6d_config_section_known(const char *name, size_t len);

/* "tunnel, keys, ..." and, for one section, "device, mtu, ...", for error messages. */
void mt6d_config_list_sections(char *buf, size_t len);
void mt6d_config_list_keys(const char *section, char *buf, size_t len);

#endif

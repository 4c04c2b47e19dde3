/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CONFIG_RULES_H
#define MT6D_CONFIG_RULES_H

/* Internal to config.c: the rules between keys. Nothing here parses a value or reads a file. */

#include <stddef.h>

#include "config.h"

/*
 * Rules between keys, run once every key is set: on failure returns -EINVAL and writes
 * "[section] key: ..." into @why.
 */
int mt6d_config_check(const struct mt6d_config *cfg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

#endif

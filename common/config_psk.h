/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CONFIG_PSK_H
#define MT6D_CONFIG_PSK_H

/*
 * Internal to config.c: the key file named by [keys] psk-file, read once every key is set.
 * Nothing here parses the configuration file.
 */

#include <stddef.h>

#include "config.h"

/* A @why buffer this large holds every message of mt6d_config_psk_read() whole. */
#define MT6D_CONFIG_PSK_WHY_MAX (sizeof(((struct mt6d_config *)0)->psk_file) + 256)

/*
 * Reads the key file into cfg->psk, hex or base64 with whitespace around it. A relative
 * cfg->psk_file is relative to the directory of @conf_path and is made so in place. The file
 * must be a regular file that group and others cannot access. On failure returns -errno and
 * writes "[keys] psk-file: ..." into @why; messages never quote the file's content.
 */
int mt6d_config_psk_read(struct mt6d_config *cfg, const char *conf_path, char *why, size_t whylen)
	__attribute__((warn_unused_result));

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CONFIG_READ_H
#define MT6D_CONFIG_READ_H

/*
 * Internal to the config module: bounded reads of the small files it loads, the
 * configuration file (config.c) and the key file (config_psk.c).
 */

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads up to @max + 1 bytes of @fd into @buf, so that the caller can tell "exactly @max"
 * from "more"; @buf holds @max + 1 bytes. Returns the number of bytes read or -errno.
 */
ssize_t mt6d_config_read_all(int fd, char *buf, size_t max) __attribute__((warn_unused_result));

#endif

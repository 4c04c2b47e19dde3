/* SPDX-License-Identifier: MIT */
#ifndef MT6D_OVERVIEW_H
#define MT6D_OVERVIEW_H

#include <stdbool.h>
#include <stdio.h>

/*
 * The one status view of a tunnel, in the spirit of `wg show`: asks both daemons
 * of each tunnel over their control sockets and prints their reports together,
 * as text or as one JSON array of {"name", "tunnel", "addrmgr"} objects (a daemon
 * that does not answer is null).
 *
 * @name NULL reports every tunnel with a control socket in the runtime directory.
 * Returns 0 when every reported tunnel's mt6d-tunnel answered, -ENOENT when one
 * did not (or @name is not running), other -errno on failure.
 */
int overview_print(FILE *out, const char *name, bool json) __attribute__((warn_unused_result));

#endif

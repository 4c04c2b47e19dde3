/* SPDX-License-Identifier: MIT */
#ifndef MT6D_PREFLIGHT_H
#define MT6D_PREFLIGHT_H

#include <stddef.h>

#include "config.h"

/*
 * Can this host run mt6d? Each check fills one item: a verdict, what was found and,
 * unless it passed, how to fix it. Nothing here prints; the daemon does.
 */
enum preflight_verdict {
	PREFLIGHT_OK,
	PREFLIGHT_WARN, /* works, but weaker or fragile */
	PREFLIGHT_FAIL, /* mt6d will not work */
};

struct preflight_item {
	const char *name;
	enum preflight_verdict verdict;
	char found[256];
	char fix[256];
};

#define PREFLIGHT_MAX 16

/*
 * Runs every check; @cfg may be NULL when the configuration did not load (checks
 * that need it are skipped). Returns the number of items written.
 */
size_t preflight_run(const struct mt6d_config *cfg, struct preflight_item *items, size_t max);

/*
 * The SCTP sysctls without which the tunnel must not start (SCTP-AUTH would not cover
 * what it has to): 0 when all hold, else -EPERM with the first that does not in @it.
 */
int preflight_sctp_auth(struct preflight_item *it) __attribute__((warn_unused_result));

#endif

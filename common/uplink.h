/* SPDX-License-Identifier: MIT */
#ifndef MT6D_UPLINK_H
#define MT6D_UPLINK_H

#include <netinet/in.h>

#include "config.h"
#include "rtnl.h"

/*
 * Resolves uplink @u's index and the /64 that carries this side's hashed addresses on it:
 * its configured prefix when given, else the interface's global /64. -ENODEV when the
 * interface does not exist, -ENOENT when it has no global /64 to default to.
 */
int mt6d_uplink_resolve(struct mt6d_rtnl *nl, const struct mt6d_uplink *u, int *ifindex,
			struct in6_addr *prefix) __attribute__((warn_unused_result));

/* "uplink eth0" for [local]'s, "[uplink NAME] eth0" for a named one, into @buf. */
const char *mt6d_uplink_describe(const struct mt6d_uplink *u, char *buf, size_t len);

#endif

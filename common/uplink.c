// SPDX-License-Identifier: MIT
#include "uplink.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>

int mt6d_uplink_resolve(struct mt6d_rtnl *nl, const struct mt6d_uplink *u, int *ifindex,
			struct in6_addr *prefix)
{
	unsigned int idx = if_nametoindex(u->interface);

	if (!idx)
		return -ENODEV;
	*ifindex = (int)idx;
	if (u->prefix.len) {
		*prefix = u->prefix.addr;
		return 0;
	}
	return mt6d_rtnl_find_global_prefix(nl, (int)idx, prefix);
}

const char *mt6d_uplink_describe(const struct mt6d_uplink *u, char *buf, size_t len)
{
	if (u->name[0])
		snprintf(buf, len, "[uplink %s] %s", u->name, u->interface);
	else
		snprintf(buf, len, "uplink %s", u->interface);
	return buf;
}

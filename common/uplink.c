// SPDX-License-Identifier: MIT
#include "uplink.h"

#include <errno.h>
#include <net/if.h>

int mt6d_uplink_resolve(struct mt6d_rtnl *nl, const struct mt6d_config *cfg, int *ifindex,
			struct in6_addr *prefix)
{
	unsigned int idx = if_nametoindex(cfg->interface);

	if (!idx)
		return -ENODEV;
	*ifindex = (int)idx;
	if (cfg->local_prefix.len) {
		*prefix = cfg->local_prefix.addr;
		return 0;
	}
	return mt6d_rtnl_find_global_prefix(nl, (int)idx, prefix);
}

// SPDX-License-Identifier: MIT
#include "anyip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "log.h"

#define ANYIP_PLEN 64

void anyip_init(struct anyip *a, struct mt6d_rtnl *nl, const struct in6_addr *prefix)
{
	*a = (struct anyip){ .nl = nl, .prefix = *prefix };
}

int anyip_converge(struct anyip *a, uint64_t slot, uint32_t expires)
{
	char buf[INET6_ADDRSTRLEN];
	uint32_t left = 0;
	int ret = mt6d_rtnl_local_route_get(a->nl, &a->prefix, ANYIP_PLEN, &left);

	inet_ntop(AF_INET6, &a->prefix, buf, sizeof(buf));
	if (ret < 0 && ret != -ENOENT) {
		log_warnx("cannot look up the local route %s/%d: %s", buf, ANYIP_PLEN,
			  strerror(-ret));
		return ret;
	}
	if (ret == 0 && !a->held)
		log_info("adopted the local route %s/%d dev lo left by an earlier run "
			 "(%u s left)",
			 buf, ANYIP_PLEN, left);
	else if (ret == -ENOENT && a->held)
		log_warnx("the local route %s/%d dev lo has gone; installing it again", buf,
			  ANYIP_PLEN);
	if (ret == 0 && a->renewed_slot == slot)
		return 0;
	ret = mt6d_rtnl_local_route_set(a->nl, &a->prefix, ANYIP_PLEN, expires);
	if (ret < 0) {
		log_warnx("cannot install the local route %s/%d dev lo: %s", buf, ANYIP_PLEN,
			  strerror(-ret));
		return ret;
	}
	if (!a->held)
		log_info("anyip: %s/%d is local (route dev lo, expires in %u s, renewed every "
			 "slot)",
			 buf, ANYIP_PLEN, expires);
	a->held = true;
	a->renewed_slot = slot;
	return 0;
}

int anyip_remove(struct anyip *a)
{
	char buf[INET6_ADDRSTRLEN];
	int ret = mt6d_rtnl_local_route_del(a->nl, &a->prefix, ANYIP_PLEN);

	inet_ntop(AF_INET6, &a->prefix, buf, sizeof(buf));
	if (ret < 0 && ret != -ESRCH)
		log_warnx("cannot remove the local route %s/%d: %s", buf, ANYIP_PLEN,
			  strerror(-ret));
	else if (!ret)
		log_info("removed the local route %s/%d dev lo", buf, ANYIP_PLEN);
	if (ret < 0 && ret != -ESRCH)
		return ret;
	a->held = false;
	a->renewed_slot = 0;
	return 0;
}

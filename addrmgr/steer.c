// SPDX-License-Identifier: MIT
#include "steer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "log.h"

void steer_init(struct steer *s, struct mt6d_rtnl *nl, bool on, struct addrmgr_stats *stats)
{
	*s = (struct steer){ .nl = nl, .on = on, .stats = stats };
}

/* A failure, logged once until it changes or goes away. */
static void failed(struct steer *s, int err, const char *what, const char *ifname)
{
	s->stats->failures++;
	if (err != s->err)
		log_warnx("steering toward the peer: %s %s: %s", what, ifname, strerror(-err));
	s->err = err;
}

void steer_remove(struct steer *s)
{
	char buf[INET6_ADDRSTRLEN];
	int ret;

	if (!s->ifindex)
		return;
	ret = mt6d_rtnl_route_via_del(s->nl, &s->peer, 64, STEER_METRIC);
	if (ret < 0 && ret != -ESRCH) {
		failed(s, ret, "cannot remove the route to", "the peer");
		return;
	}
	log_info("removed the route to %s/64 of ours",
		 inet_ntop(AF_INET6, &s->peer, buf, sizeof(buf)));
	s->ifindex = 0;
}

void steer_converge(struct steer *s, const struct in6_addr *peer, int ifindex, const char *ifname,
		    uint64_t slot, uint32_t expires)
{
	char p[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	struct in6_addr gw;
	bool moved;
	int ret;

	if (!s->on)
		return;
	moved = ifindex != s->ifindex || memcmp(peer, &s->peer, sizeof(*peer));
	if (!moved && s->renewed_slot == slot)
		return;
	ret = mt6d_rtnl_route_gateway(s->nl, peer, ifindex, &gw);
	if (ret < 0) {
		failed(s, ret, "no route to the peer out of", ifname);
		steer_remove(s);
		return;
	}
	/* The peer's /64 moved (renumbered): the route to the old one goes first. */
	if (s->ifindex && memcmp(peer, &s->peer, sizeof(*peer))) {
		steer_remove(s);
		if (s->ifindex)
			return;
	}
	ret = mt6d_rtnl_route_via_set(s->nl, peer, 64, &gw, ifindex, STEER_METRIC, expires);
	if (ret < 0) {
		failed(s, ret, "cannot route the peer's /64 out of", ifname);
		return;
	}
	s->err = 0;
	s->renewed_slot = slot;
	if (moved || memcmp(&gw, &s->gw, sizeof(gw)))
		log_info("traffic to the peer's %s/64 leaves by %s, via %s",
			 inet_ntop(AF_INET6, peer, p, sizeof(p)), ifname,
			 IN6_IS_ADDR_UNSPECIFIED(&gw) ? "no gateway (on-link)"
						      : inet_ntop(AF_INET6, &gw, g, sizeof(g)));
	s->peer = *peer;
	s->ifindex = ifindex;
	s->gw = gw;
}

// SPDX-License-Identifier: MIT
/* The TUN device: opened with or without offloads, its MTU, host address and routes. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tun.h"
#include "tunnel_int.h"

/*
 * What the outer packet adds besides the frame: IPv6 header 40, SCTP common header 12,
 * AUTH chunk 28 (HMAC-SHA1, the kernel's first choice), DATA chunk header 16.
 */
#define TUNNEL_OUTER_OVERHEAD (40 + 12 + 28 + 16)

/*
 * mtu = auto: the uplinks' smallest MTU less what the tunnel adds, so full-size inner packets
 * need no SCTP fragmentation; never below IPv6's minimum (SCTP fragments then).
 */
static unsigned int inner_mtu(const struct tunnel *t)
{
	unsigned int overhead =
		TUNNEL_OUTER_OVERHEAD + (unsigned int)keyring_overhead(&t->sess.cur.keys[0]);
	int fd, mtu = 0;

	if (t->cfg->mtu)
		return t->cfg->mtu;
	/* The smallest of the uplinks': traffic may move to any of them. */
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (size_t i = 0; fd >= 0 && i < t->cfg->n_uplinks; i++) {
		struct ifreq ifr = { 0 };

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->cfg->uplinks[i].interface);
		if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && (!mtu || ifr.ifr_mtu < mtu))
			mtu = ifr.ifr_mtu;
	}
	if (fd >= 0)
		close(fd);
	if (!mtu)
		mtu = 1500;
	return mtu - (int)overhead >= 1280 ? (unsigned int)mtu - overhead : 1280;
}

int device_setup(struct tunnel *t)
{
	const struct mt6d_config *cfg = t->cfg;
	int ifindex, ret;

	t->mtu = inner_mtu(t);
	t->tun_fd = tun_open(cfg->device, t->ifname, cfg->offload);
	if (t->tun_fd < 0)
		return t->tun_fd;
	ifindex = (int)if_nametoindex(t->ifname);
	if (!ifindex)
		return -errno;
	ret = mt6d_rtnl_link_up(t->d.nl, ifindex, t->mtu);
	/* Host mode: the host's own inner address lives on the TUN device. */
	if (!ret && cfg->address.len)
		ret = mt6d_rtnl_addr_set(t->d.nl, ifindex, &cfg->address.addr, cfg->address.len,
					 UINT32_MAX, UINT32_MAX);
	for (size_t i = 0; !ret && i < cfg->n_routes; i++)
		ret = mt6d_rtnl_route_set(t->d.nl, ifindex, &cfg->routes[i].addr,
					  cfg->routes[i].len);
	return ret;
}

// SPDX-License-Identifier: MIT
/*
 * The rules between configuration keys, checked once every key is set: the two ends need
 * different addresses, ranges must be ordered, and no route may lead the tunnel's own packets
 * (or host mode's own address) into the tunnel.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config_parse.h"
#include "config_rules.h"

struct config_end {
	const char *side;
	const struct mt6d_prefix *prefix;
};

/*
 * Host mode: the TUN device carries this host's own inner address. It cannot be one
 * the tunnel leads to, nor sit in a /64 whose addresses rotate on the uplink.
 */
static int check_host_mode(const struct mt6d_config *cfg, const struct config_end *ends,
			   size_t nends, char *why, size_t whylen)
{
	const struct mt6d_prefix host = { .addr = cfg->address.addr, .len = 128 };
	char addr[INET6_ADDRSTRLEN], other[INET6_ADDRSTRLEN];
	size_t i;

	inet_ntop(AF_INET6, &cfg->address.addr, addr, sizeof(addr));
	for (i = 0; i < cfg->n_routes; i++) {
		if (!mt6d_config_prefix_overlap(&host, &cfg->routes[i]))
			continue;
		inet_ntop(AF_INET6, &cfg->routes[i].addr, other, sizeof(other));
		snprintf(why, whylen,
			 "[tunnel] address: %s lies in [peer] routes %s/%u; this host's own "
			 "address cannot also be one the tunnel leads to the peer for",
			 addr, other, cfg->routes[i].len);
		return -EINVAL;
	}
	for (i = 0; i < nends; i++) {
		if (!ends[i].prefix->len || !mt6d_config_prefix_overlap(&host, ends[i].prefix))
			continue;
		inet_ntop(AF_INET6, &ends[i].prefix->addr, other, sizeof(other));
		snprintf(why, whylen,
			 "[tunnel] address: %s lies in the %s prefix %s/64, whose addresses are "
			 "the rotating outer ones; use an inner address outside it",
			 addr, ends[i].side, other);
		return -EINVAL;
	}
	return 0;
}

/* Every uplink's /64 of both sides, for the rules about routes and host mode. */
static size_t ends_of(const struct mt6d_config *cfg, struct config_end *ends)
{
	size_t i, n = 0;

	for (i = 0; i < cfg->n_uplinks; i++)
		ends[n++] = (struct config_end){ "local", &cfg->uplinks[i].prefix };
	for (i = 0; i < cfg->n_peer_uplinks; i++)
		ends[n++] = (struct config_end){ "peer", &cfg->peer_uplinks[i].prefix };
	return n;
}

int mt6d_config_check(const struct mt6d_config *cfg, char *why, size_t whylen)
{
	struct config_end ends[2 * MT6D_MAX_UPLINKS];
	size_t nends = ends_of(cfg, ends);
	char route[INET6_ADDRSTRLEN], end[INET6_ADDRSTRLEN];
	size_t i, j;

	/* Prefixes have no host bits and iids no upper bits, so address = prefix | iid. */
	for (i = 0; i < cfg->n_uplinks; i++)
		for (j = 0; j < cfg->n_peer_uplinks; j++)
			if (cfg->uplinks[i].prefix.len &&
			    !memcmp(&cfg->uplinks[i].prefix.addr, &cfg->peer_uplinks[j].prefix.addr,
				    8) &&
			    !memcmp(cfg->local_iid.s6_addr + 8, cfg->peer_iid.s6_addr + 8, 8)) {
				snprintf(why, whylen,
					 "[peer] iid: gives the peer the local address ([local] "
					 "prefix and iid); the two ends need different addresses");
				return -EINVAL;
			}
	if (cfg->recovery.rto_min > cfg->recovery.rto_max) {
		snprintf(why, whylen,
			 "[recovery] rto-min: %u ms is above rto-max (%u ms); expected "
			 "rto-min <= rto-max",
			 cfg->recovery.rto_min, cfg->recovery.rto_max);
		return -EINVAL;
	}
	if (cfg->recovery.pf_threshold > cfg->recovery.path_max_retrans) {
		snprintf(why, whylen,
			 "[recovery] pf-threshold: %u is above path-max-retrans (%u); "
			 "expected pf-threshold <= path-max-retrans",
			 cfg->recovery.pf_threshold, cfg->recovery.path_max_retrans);
		return -EINVAL;
	}
	/* The uplink's own /64 is on-link, answered by neighbour discovery: not one to make
	 * local wholesale. anyip needs the routed prefix named. */
	for (i = 0; cfg->mode == MT6D_MODE_ANYIP && i < cfg->n_uplinks; i++) {
		if (cfg->uplinks[i].prefix.len)
			continue;
		if (cfg->uplinks[i].name[0])
			snprintf(
				why, whylen,
				"[uplink %s] prefix: missing; [rotation] mode = anyip needs the "
				"/64 routed to this gateway on each uplink, like 2001:db8:1:1::/64",
				cfg->uplinks[i].name);
		else
			snprintf(why, whylen,
				 "[local] prefix: missing; [rotation] mode = anyip needs the "
				 "/64 routed to this gateway, like 2001:db8:1:1::/64");
		return -EINVAL;
	}
	if (cfg->address.len && check_host_mode(cfg, ends, nends, why, whylen))
		return -EINVAL;
	/*
	 * The outer packets go to and come from addresses in these /64s: a route into the
	 * tunnel that overlaps one would send the tunnel's own packets into the tunnel.
	 */
	for (i = 0; i < cfg->n_routes; i++) {
		for (j = 0; j < nends; j++) {
			if (!ends[j].prefix->len ||
			    !mt6d_config_prefix_overlap(&cfg->routes[i], ends[j].prefix))
				continue;
			inet_ntop(AF_INET6, &cfg->routes[i].addr, route, sizeof(route));
			inet_ntop(AF_INET6, &ends[j].prefix->addr, end, sizeof(end));
			snprintf(why, whylen,
				 "[peer] routes: %s/%u overlaps the %s prefix %s/64; the tunnel's "
				 "own packets would be routed into the tunnel",
				 route, cfg->routes[i].len, ends[j].side, end);
			return -EINVAL;
		}
	}
	return 0;
}

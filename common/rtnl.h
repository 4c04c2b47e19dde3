/* SPDX-License-Identifier: MIT */
#ifndef MT6D_RTNL_H
#define MT6D_RTNL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* A route-netlink socket (libmnl) with its own sequence numbers. */
struct mt6d_rtnl;

int mt6d_rtnl_open(struct mt6d_rtnl **out) __attribute__((warn_unused_result));
void mt6d_rtnl_close(struct mt6d_rtnl *nl);

/* Lifetimes in seconds; UINT32_MAX means forever. */
struct mt6d_rtnl_addr {
	struct in6_addr addr;
	uint8_t plen;
	int ifindex;
	uint32_t flags;	    /* IFA_F_* as reported (IFA_FLAGS attribute) */
	uint32_t valid_lft; /* remaining, from IFA_CACHEINFO */
	uint32_t preferred_lft;
};

/*
 * Adds, or replaces when present, an IPv6 address on @ifindex with
 * IFA_F_NODAD | IFA_F_NOPREFIXROUTE and the given lifetimes.
 * preferred_lft == 0 makes the address deprecated (not chosen as source).
 */
int mt6d_rtnl_addr_set(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *addr, uint8_t plen,
		       uint32_t valid_lft, uint32_t preferred_lft)
	__attribute__((warn_unused_result));

/* Removes an address; -EADDRNOTAVAIL when it is not there. */
int mt6d_rtnl_addr_del(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *addr, uint8_t plen)
	__attribute__((warn_unused_result));

/*
 * Dumps the IPv6 addresses of @ifindex (0: all interfaces), calling @cb for each.
 * A dump interrupted by a concurrent change (NLM_F_DUMP_INTR) returns -EINTR:
 * the caller dumps again.
 */
typedef int (*mt6d_rtnl_addr_cb)(const struct mt6d_rtnl_addr *a, void *data);
int mt6d_rtnl_addr_dump(struct mt6d_rtnl *nl, int ifindex, mt6d_rtnl_addr_cb cb, void *data)
	__attribute__((warn_unused_result));

/* Adds (or replaces) a unicast route for @dst/@plen through device @ifindex, main table. */
int mt6d_rtnl_route_set(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *dst, uint8_t plen)
	__attribute__((warn_unused_result));
int mt6d_rtnl_route_del(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *dst, uint8_t plen)
	__attribute__((warn_unused_result));

/*
 * AnyIP: "local @dst/@plen dev lo" in the local table makes every address of the prefix
 * local without any per-address state. @expires in seconds (0: never); replaces ours.
 */
int mt6d_rtnl_local_route_set(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen,
			      uint32_t expires) __attribute__((warn_unused_result));
/* -ESRCH when it is not there. */
int mt6d_rtnl_local_route_del(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen)
	__attribute__((warn_unused_result));
/*
 * 0 when the kernel resolves @dst (an address of the prefix) by our local route for the
 * prefix @plen, with its remaining lifetime in *@expires (seconds, 0: none); -ENOENT when
 * it resolves by anything else or not at all.
 */
int mt6d_rtnl_local_route_get(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen,
			      uint32_t *expires) __attribute__((warn_unused_result));

/*
 * The route the kernel takes to @dst: out of device *@oif when it is not 0, else out of the
 * device it stores in *@oif; its gateway (:: when on-link) in @gw. -ENOENT when there is
 * none (through that device).
 */
int mt6d_rtnl_route_lookup(struct mt6d_rtnl *nl, const struct in6_addr *dst, int *oif,
			   struct in6_addr *gw) __attribute__((warn_unused_result));
/*
 * The gateway (:: when on-link) of the operator's route to @dst out of @oif: the main
 * table's unicast route through that device, not one of ours, with the longest prefix
 * holding @dst, then the lowest metric. -ENOENT when there is none.
 */
int mt6d_rtnl_route_gateway(struct mt6d_rtnl *nl, const struct in6_addr *dst, int oif,
			    struct in6_addr *gw) __attribute__((warn_unused_result));
/* A route of ours, "@dst/@plen via @gw dev @oif metric @metric", expiring (0: never). */
int mt6d_rtnl_route_via_set(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen,
			    const struct in6_addr *gw, int oif, uint32_t metric, uint32_t expires)
	__attribute__((warn_unused_result));
/* -ESRCH when there is no such route of ours. */
int mt6d_rtnl_route_via_del(struct mt6d_rtnl *nl, const struct in6_addr *dst, uint8_t plen,
			    uint32_t metric);

/* Sets the MTU (when @mtu != 0) and brings the link up. */
int mt6d_rtnl_link_up(struct mt6d_rtnl *nl, int ifindex, unsigned int mtu)
	__attribute__((warn_unused_result));

/*
 * Finds the first global-scope IPv6 address on @ifindex that names its /64 (not temporary,
 * not one of our hashed addresses: mt6d_rtnl_addr_names_prefix()) and stores that /64
 * prefix in @prefix. -ENOENT when there is none.
 */
int mt6d_rtnl_find_global_prefix(struct mt6d_rtnl *nl, int ifindex, struct in6_addr *prefix)
	__attribute__((warn_unused_result));

/*
 * Renumbering: the /64 of @ifindex now, given that it was @cur. It stays @cur while a
 * preferred address there still names it (mt6d_rtnl_addr_names_prefix()), while only
 * deprecated ones do and no other /64 has a preferred one, and while no address names any
 * /64 (the old one removed before the new one is added); else it is the first other /64
 * a preferred address names, or any other named. Returns 1 when *@prefix differs from
 * @cur, 0 when not, or -errno.
 */
int mt6d_rtnl_follow_prefix(struct mt6d_rtnl *nl, int ifindex, const struct in6_addr *cur,
			    struct in6_addr *prefix) __attribute__((warn_unused_result));

#endif

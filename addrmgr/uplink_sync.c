// SPDX-License-Identifier: MIT
#include "uplink_sync.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <stdbool.h>
#include <string.h>

#include "derive.h"
#include "guard_want.h"
#include "log.h"

static const char *fmt_addr(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

struct collect {
	const struct plan_params *pp;
	struct uplink_seen *seen;
};

static int collect_addr(const struct mt6d_rtnl_addr *a, void *data)
{
	struct collect *c = data;

	if (!plan_in_prefix(c->pp, &a->addr) || c->seen->n == UPLINK_SYNC_MAX_ADDRS)
		return 0;
	c->seen->a[c->seen->n++] = *a;
	return 0;
}

int uplink_sync_dump(const struct uplink_sync *u, struct uplink_seen *seen)
{
	struct collect c = { .pp = u->pp, .seen = seen };
	int ret;

	/* A dump interrupted by a concurrent change is simply taken again. */
	for (int i = 0; i < 4; i++) {
		seen->n = 0;
		ret = mt6d_rtnl_addr_dump(u->nl, u->ifindex, collect_addr, &c);
		if (ret != -EINTR)
			return ret;
	}
	return ret;
}

static const struct mt6d_rtnl_addr *seen_find(const struct uplink_seen *seen,
					      const struct in6_addr *a)
{
	for (size_t i = 0; i < seen->n; i++)
		if (!memcmp(&seen->a[i].addr, a, sizeof(*a)))
			return &seen->a[i];
	return NULL;
}

void uplink_sync_converge(const struct uplink_sync *u, const struct uplink_seen *seen)
{
	char buf[INET6_ADDRSTRLEN];

	/* Deprecate before promoting, so the kernel never has two preferred at once. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < u->plan->n; i++) {
			const struct plan_entry *e = &u->plan->e[i];
			const struct mt6d_rtnl_addr *have = seen_find(seen, &e->addr);
			bool want_preferred = e->preferred_lft > 0;
			int ret;

			if (want_preferred != (pass == 1))
				continue;
			if (have && !!(have->flags & IFA_F_DEPRECATED) == !want_preferred)
				continue;
			ret = mt6d_rtnl_addr_set(u->nl, u->ifindex, &e->addr, 64, e->valid_lft,
						 e->preferred_lft);
			if (ret < 0) {
				u->stats->failures++;
				log_warnx("cannot set %s on %s: %s", fmt_addr(&e->addr, buf),
					  u->ifname, strerror(-ret));
			} else if (!have) {
				log_debug("added %s (slot %llu)", fmt_addr(&e->addr, buf),
					  (unsigned long long)e->slot);
			}
		}
	}
}

/*
 * A held address (bound after its slots, see assoc_sync.c) must stay usable: its valid
 * lifetime on the uplink is stretched before it runs out. It is never preferred: after a
 * renumbering, the old /64's current address is one, and the kernel must pick the new one.
 */
static void hold_uplink(const struct uplink_sync *u, const struct mt6d_rtnl_addr *a)
{
	uint32_t keep = GUARD_WANT_HOLD_SLOTS * u->interval;
	bool deprecated = a->flags & IFA_F_DEPRECATED;
	char buf[INET6_ADDRSTRLEN];
	int ret;

	if (a->valid_lft >= keep - keep / 3 && deprecated)
		return;
	ret = mt6d_rtnl_addr_set(u->nl, u->ifindex, &a->addr, a->plen,
				 a->valid_lft > keep ? a->valid_lft : keep, 0);
	if (ret < 0) {
		u->stats->failures++;
		log_warnx("cannot keep %s on %s: %s", fmt_addr(&a->addr, buf), u->ifname,
			  strerror(-ret));
	}
}

/* A stray of @slot kept local: the one that left the plan last, or one in its grace period. */
static bool keep_stray(const struct uplink_sync *u, const struct in6_addr *a, uint64_t slot)
{
	return slot + 1 == u->plan->e[0].slot || (u->guard && guard_in_grace(u->guard, a));
}

/*
 * The one that left the plan last stays for one more slot: its DEL-IP may still be
 * on the way and the peer's packets to it in flight; without the address they
 * would draw ICMPv6 errors from this side.
 */
void uplink_sync_retire(const struct uplink_sync *u, const struct uplink_seen *seen,
			const struct in6_addr *bound, int nbound)
{
	char buf[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < seen->n; i++) {
		const struct in6_addr *a = &seen->a[i].addr;
		uint64_t slot;
		int ret;

		if (!plan_stray(u->plan, u->pp, a, &slot))
			continue;
		if (tsock_addr_in(a, bound, nbound)) {
			hold_uplink(u, &seen->a[i]);
			continue;
		}
		if (keep_stray(u, a, slot))
			continue;
		ret = mt6d_rtnl_addr_del(u->nl, u->ifindex, a, seen->a[i].plen);
		if (ret < 0 && ret != -EADDRNOTAVAIL) {
			u->stats->failures++;
			log_warnx("cannot remove %s: %s", fmt_addr(a, buf), strerror(-ret));
			continue;
		}
		u->stats->retired++;
		log_debug("removed %s", fmt_addr(a, buf));
	}
}

size_t uplink_sync_withdraw(const struct uplink_sync *u, const struct uplink_seen *seen,
			    const char *why)
{
	char buf[INET6_ADDRSTRLEN];
	size_t removed = 0, left = 0;

	for (size_t i = 0; i < seen->n; i++) {
		const struct in6_addr *a = &seen->a[i].addr;
		uint64_t slot;
		int ret;

		if (!plan_find(u->plan, a) && !plan_stray(u->plan, u->pp, a, &slot))
			continue;
		ret = mt6d_rtnl_addr_del(u->nl, u->ifindex, a, seen->a[i].plen);
		if (ret < 0 && ret != -EADDRNOTAVAIL) {
			u->stats->failures++;
			log_warnx("cannot remove %s: %s", fmt_addr(a, buf), strerror(-ret));
			left++;
			continue;
		}
		removed++;
		log_debug("removed %s", fmt_addr(a, buf));
	}
	if (removed)
		log_warnx("%s: removed %zu hashed address(es) from %s", why, removed, u->ifname);
	return left;
}

/*
 * anyip: no uplink to read addresses back from. Our addresses that left the plan lately
 * stand in for it, so that the guard keeps the same ones local as in interface mode (the
 * one that left last, those in their grace period): late packets to them are not taken
 * for an attack.
 */
void uplink_sync_anyip_recent(const struct uplink_sync *u, struct uplink_seen *seen)
{
	uint64_t first = u->plan->e[0].slot;
	uint64_t s = first > PLAN_STRAY_SLOTS ? first - PLAN_STRAY_SLOTS : 0;
	const struct plan_params *pp = u->pp;

	seen->n = 0;
	for (; s < first && seen->n < UPLINK_SYNC_MAX_ADDRS; s++) {
		struct mt6d_rtnl_addr *a = &seen->a[seen->n];

		*a = (struct mt6d_rtnl_addr){ .plen = 64, .ifindex = u->ifindex };
		if (!mt6d_hashed_addr(pp->deriver, pp->uplink, pp->prefix, pp->iid, s, &a->addr))
			seen->n++;
	}
}

size_t uplink_sync_extra_local(const struct uplink_sync *u, const struct uplink_seen *seen,
			       const struct in6_addr *bound, int nbound, struct in6_addr *extra,
			       size_t max)
{
	size_t nextra = 0;

	for (int i = 0; i < nbound && nextra < max; i++)
		if (plan_in_prefix(u->pp, &bound[i]) && !plan_find(u->plan, &bound[i]))
			extra[nextra++] = bound[i];
	for (size_t i = 0; i < seen->n && nextra < max; i++) {
		const struct in6_addr *a = &seen->a[i].addr;
		uint64_t slot;

		if (!plan_stray(u->plan, u->pp, a, &slot) || tsock_addr_in(a, bound, nbound))
			continue;
		if (keep_stray(u, a, slot))
			extra[nextra++] = *a;
	}
	return nextra;
}

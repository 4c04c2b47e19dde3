/* SPDX-License-Identifier: MIT */
#ifndef MT6D_PLAN_H
#define MT6D_PLAN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "derive.h"

/*
 * The desired state for one moment: which hashed addresses of this side exist, which
 * one the kernel should use, which are bound to the association. A pure function of
 * key, clock and configuration; mt6d-addrmgr converges the kernel toward it.
 */
enum plan_role {
	ROLE_NEXT,     /* next slot's address: on the uplink, deprecated, not bound yet */
	ROLE_CURRENT,  /* on the uplink, preferred, bound, the peer's primary for us */
	ROLE_DRAINING, /* former current: deprecated, still bound for late packets */
};

#define PLAN_MAX_LIFETIME 64
#define PLAN_MAX (PLAN_MAX_LIFETIME + 2)
/* Strays older than this many slots beyond the plan are still recognised as ours. */
#define PLAN_STRAY_SLOTS 8

struct plan_entry {
	struct in6_addr addr;
	uint64_t slot;
	enum plan_role role;
	uint32_t valid_lft;	/* seconds from now */
	uint32_t preferred_lft; /* 0 = deprecated */
};

struct plan {
	uint64_t current; /* effective current slot */
	size_t n;
	struct plan_entry e[PLAN_MAX];
};

struct plan_params {
	const struct mt6d_deriver *deriver;
	const char *uplink; /* its derivation label; NULL: the unnamed uplink of [local] */
	const struct in6_addr *prefix;
	/*
	 * The /64 the uplink was renumbered from, while addresses of ours are left there
	 * (NULL: none): they count as strays, to be retired like any other.
	 */
	const struct in6_addr *former;
	const struct in6_addr *iid;
	unsigned int interval; /* seconds */
	unsigned int lifetime; /* slots kept after being current */
};

/*
 * Builds the plan for time @now with the current slot @current (the clock's slot, or
 * a later one after a forced rotation). Entries are ordered oldest first.
 */
int plan_build(struct plan *p, const struct plan_params *pp, time_t now, uint64_t current)
	__attribute__((warn_unused_result));

/* The entry for @addr, or NULL. */
const struct plan_entry *plan_find(const struct plan *p, const struct in6_addr *addr);

/* Whether @addr lies in the /64 of @pp (or its former one), where our hashed addresses are. */
bool plan_in_prefix(const struct plan_params *pp, const struct in6_addr *addr);

/*
 * An address of ours that is not planned: derivable for a recent slot. Returns its
 * slot in @slot. Covers addresses left by an earlier run and the ones that just
 * fell out of the plan.
 */
bool plan_stray(const struct plan *p, const struct plan_params *pp, const struct in6_addr *addr,
		uint64_t *slot);

/*
 * This side's plans, one per uplink (each with its own /64 and derivation label), all of one
 * slot clock: what the guard works with.
 */
struct plan_set {
	size_t n;
	const struct plan *plan[MT6D_MAX_UPLINKS];
	const struct plan_params *pp[MT6D_MAX_UPLINKS];
};

/* The entry for @a in any of the plans, or NULL. */
const struct plan_entry *plan_set_find(const struct plan_set *s, const struct in6_addr *a);

/* plan_stray() in the plan whose /64 holds @a. */
bool plan_set_stray(const struct plan_set *s, const struct in6_addr *a, uint64_t *slot);

/* Whether @a lies in one of the plans' /64s. */
bool plan_set_in_prefix(const struct plan_set *s, const struct in6_addr *a);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_H
#define MT6D_GUARD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "derive.h"
#include "guard_probe.h"
#include "guard_table.h"
#include "guard_want.h"
#include "plan.h"
#include "guard_teardown.h"

/*
 * mt6d-addrmgr's use of the guard table (guard_table.c) and confirmed teardown
 * (guard_teardown.c): installs the table on the first sync (adopting whatever table of
 * that name exists, its counters and evidence kept), converges its sets every tick, reads
 * the evidence the rule collects, and removes the table at a clean stop. Returns -errno;
 * the daemon logs.
 */
struct guard;

/* @prefixes: this side's hashed /64s, one per uplink, the first the side's own. */
int guard_new(struct guard **out, const struct mt6d_config *cfg, const struct in6_addr *prefixes,
	      size_t n_prefixes, const struct mt6d_deriver *deriver)
	__attribute__((warn_unused_result));
/*
 * Tries the nf_tables features the guard of @cfg needs (guard_probe.h), without a guard:
 * for --check, and to say why an install failed.
 */
int guard_check(const struct mt6d_config *cfg, const struct in6_addr *prefixes, size_t n_prefixes,
		struct guard_probe *out) __attribute__((warn_unused_result));

/*
 * Whether the table this process installed is still there, the same one (its handle):
 * 0 yes; -ENOENT no, or it was never installed (the next guard_update() installs it);
 * another -errno when the kernel could not be asked (it stays taken as installed).
 */
int guard_verify(struct guard *p) __attribute__((warn_unused_result));
bool guard_installed(const struct guard *p);

/*
 * Renumbering: our hashed /64s are now @prefixes (the uplinks' and those they were
 * renumbered from, at most GUARD_MAX_PREFIXES); the next guard_update() builds the table
 * again, in one transaction, its evidence kept. Until then guard_installed() is false, so
 * the fail-closed gate builds it before an address of the new /64 is added.
 */
void guard_set_prefixes(struct guard *p, const struct in6_addr *prefixes, size_t n);
/* The peer's uplinks where they are now (learn.h); @u stays the caller's. */
void guard_set_peer_uplinks(struct guard *p, const struct mt6d_peer_uplink *u, size_t n);

/* @remove: take the table away too (clean stop). */
int guard_free(struct guard *p, bool remove);

/* Reads the evidence set: which of our addresses (planned or held) the peer's SCTP reached
 * lately. */
int guard_read_evidence(struct guard *p, const struct plan_set *plans)
	__attribute__((warn_unused_result));

/* Whether to unbind @a (slot @slot) now; *@missed: deadlines it missed so far. */
enum guard_teardown_verdict guard_unbind_check(struct guard *p, const struct in6_addr *a,
					       uint64_t slot, uint64_t *missed);
void guard_unbound(struct guard *p, const struct in6_addr *a);
/*
 * Whether ASCONFs look stuck: the peer is seen using no address of ours newer than one
 * that stopped being current longer than the deadline ago, while a newer one (@newest,
 * the newest bound) waits. Then no
 * newer address is bound and no primary set: each would only queue one more ASCONF
 * behind the lost one, and the whole queue would hit the peer at once when the path
 * heals, making it switch paths faster than it can confirm them.
 */
bool guard_stalled(const struct guard *p, uint64_t newest, time_t now);
bool guard_in_grace(const struct guard *p, const struct in6_addr *a);

/* The association in charge, as the kernel reports it. */
struct guard_live {
	const struct in6_addr *peers; /* the peer's addresses */
	size_t n_peers;
	uint16_t port, peer_port; /* its port pair; 0: no association */
};

/*
 * Converges the sets (the first call installs the table) for the slot clock's @now.
 * @extra_local: our addresses outside the plan still bound or on the uplink, also the
 * only ones teardown state is kept for. Returns the element changes made, or -errno with
 * text in @err.
 */
int guard_update(struct guard *p, const struct plan_set *plans, time_t now,
		 const struct in6_addr *extra_local, size_t n_extra, const struct guard_live *live,
		 char *err, size_t errlen) __attribute__((warn_unused_result));

/* For the status report. */
struct guard_view {
	bool installed;
	uint64_t teardowns_confirmed, teardown_failures;
	const struct guard_teardown *teardown;
	unsigned int evidence_window_ms;
	const char *table;
};
void guard_view(const struct guard *p, struct guard_view *v);
/* The guard table's counters, read from the kernel now (zeros while it is not installed). */
void guard_counters(const struct guard *p, struct mt6d_guard_counters *c);
bool guard_has_evidence(const struct guard *p, const struct in6_addr *a);

#endif

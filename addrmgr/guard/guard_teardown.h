/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_TEARDOWN_H
#define MT6D_GUARD_TEARDOWN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Confirmed teardown. ASCONF failures are invisible to the sender: a DEL-IP of the
 * address the peer still sends to, after an ADD-IP that was lost, would leave the peer
 * without a path. So an old address is unbound only once the guard's evidence set shows
 * the peer's SCTP reaching a newer address of ours. Until then it is held (bound, on
 * the uplink, in the guard's local set); past the deadline the hold counts as a failure,
 * is logged once, and the daemon retries; then again every deadline.
 *
 * This module only decides and remembers; the daemon acts. Times are milliseconds on a
 * monotonic clock.
 */
#define GUARD_TEARDOWN_MAX 64
/*
 * An unbound address stays on the uplink (and local) for the peer's packets in flight
 * until its DEL-IP is through: at least this long, and two intervals (guard_teardown.grace_ms).
 * Under load the ASCONFs queue up, and a peer packet to an address already retired
 * (a SACK, an ASCONF-ACK) is dropped by the tripwire and stalls the association for an RTO.
 */
#define GUARD_TEARDOWN_GRACE_MS 5000

struct guard_teardown_entry {
	struct in6_addr addr;
	uint64_t slot;
	int64_t held_since; /* 0: not held */
	int64_t next_retry;
	int64_t unbound_at; /* 0: not unbound by us */
	uint64_t failures;  /* deadlines passed for this address */
};

struct guard_teardown {
	struct guard_teardown_entry e[GUARD_TEARDOWN_MAX];
	size_t n;
	int64_t grace_ms;   /* 0: GUARD_TEARDOWN_GRACE_MS */
	uint64_t confirmed; /* unbinds done with evidence */
	uint64_t failures;  /* deadlines passed without evidence */
};

enum guard_teardown_verdict {
	GUARD_TEARDOWN_UNBIND, /* evidence for a newer address: go ahead */
	GUARD_TEARDOWN_HOLD,   /* keep it, wait */
	GUARD_TEARDOWN_RETRY,  /* keep it; the deadline passed: log, count, retry */
};

/*
 * Whether to unbind our address @addr of slot @slot now, given the newest slot of ours
 * with evidence (0: none). Records the hold and its deadline.
 */
enum guard_teardown_verdict guard_teardown_check(struct guard_teardown *t,
						 const struct in6_addr *addr, uint64_t slot,
						 uint64_t evidence_slot, int64_t now,
						 unsigned int deadline_ms);
/* @addr was unbound: starts its grace period on the uplink. */
void guard_teardown_unbound(struct guard_teardown *t, const struct in6_addr *addr, int64_t now);
/* Held (kept bound without evidence) right now. */
bool guard_teardown_held(const struct guard_teardown *t, const struct in6_addr *addr);
/* Unbound less than the grace period ago. */
bool guard_teardown_in_grace(const struct guard_teardown *t, const struct in6_addr *addr,
			     int64_t now);
/* The entry for @addr, or NULL. */
const struct guard_teardown_entry *guard_teardown_find(const struct guard_teardown *t,
						       const struct in6_addr *addr);
/* Forgets entries of addresses that are neither in @keep nor in their grace period. */
void guard_teardown_prune(struct guard_teardown *t, const struct in6_addr *keep, size_t nkeep,
			  int64_t now);

#endif

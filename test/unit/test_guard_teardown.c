// SPDX-License-Identifier: MIT
/*
 * The pure parts of the guard's upkeep and of confirmed teardown: the element diff
 * (with the 6.1 kernel's traps: no timeout refresh on re-add, ENOENT on deleting an
 * expired element), the wanted sets, and the hold/retry/unbind decisions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "guard_sync.h"
#include "guard_want.h"
#include "guard_teardown.h"

static struct in6_addr in6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return a;
}

static const struct guard_op *find(const struct guard_op *ops, size_t n, enum guard_set s,
				   const char *addr, int del)
{
	struct in6_addr a = in6(addr);

	for (size_t i = 0; i < n; i++)
		if (ops[i].set == s && !memcmp(&ops[i].addr, &a, sizeof(a)) &&
		    (ops[i].timeout_ms == 0) == (del != 0))
			return &ops[i];
	return NULL;
}

static void test_diff(void)
{
	struct guard_op want[] = {
		{ GUARD_LOCAL, in6("2001:db8::1"), 10000 }, /* missing: add */
		{ GUARD_LOCAL, in6("2001:db8::2"), 10000 }, /* fresh: nothing */
		{ GUARD_LOCAL, in6("2001:db8::3"), 10000 }, /* runs out: delete + add */
		{ GUARD_LOCAL, in6("2001:db8::4"), 10000 }, /* about to expire: leave */
		{ GUARD_PEER, in6("2001:db8::5"), 6000 },   /* other set: not ours here */
	};
	struct guard_elem have[] = {
		{ in6("2001:db8::2"), 10000, 9500 },
		{ in6("2001:db8::3"), 10000, 3000 },
		{ in6("2001:db8::4"), 10000, 400 },
		{ in6("2001:db8::9"), 10000, 5000 }, /* unwanted: delete */
		{ in6("2001:db8::a"), 10000, 200 },  /* unwanted, expiring: leave */
	};
	struct guard_op ops[16];
	size_t n = guard_sync_diff(GUARD_LOCAL, want, 5, have, 5, ops, 16);

	CHECK(n == 4, "4 operations, got %zu", n);
	CHECK(find(ops, n, GUARD_LOCAL, "2001:db8::1", 0) != NULL, "missing element added");
	CHECK(!find(ops, n, GUARD_LOCAL, "2001:db8::2", 0) &&
		      !find(ops, n, GUARD_LOCAL, "2001:db8::2", 1),
	      "fresh element left alone");
	CHECK(find(ops, n, GUARD_LOCAL, "2001:db8::3", 1) &&
		      find(ops, n, GUARD_LOCAL, "2001:db8::3", 0),
	      "refresh is delete and add");
	CHECK(!find(ops, n, GUARD_LOCAL, "2001:db8::4", 1), "expiring element not deleted");
	CHECK(find(ops, n, GUARD_LOCAL, "2001:db8::9", 1) != NULL, "unwanted element deleted");
	CHECK(!find(ops, n, GUARD_LOCAL, "2001:db8::a", 1), "expiring unwanted one left");
	CHECK(guard_sync_diff(GUARD_LOCAL, want, 5, have, 5, ops, 2) == 4, "count beyond max");
}

static void test_want(void)
{
	static const uint8_t psk[32] = { 1 };
	struct mt6d_deriver d;
	struct in6_addr pfx = in6("2001:db8:1:1::"), iid = in6("::1");
	struct in6_addr ppfx = in6("2001:db8:2:2::"), piid = in6("::2");
	struct in6_addr stray = in6("2001:db8:1:1::77"), peer_old = in6("2001:db8:2:2::66");
	struct plan_params pp = {
		.deriver = &d, .prefix = &pfx, .iid = &iid, .interval = 10, .lifetime = 1
	};
	struct plan plan;
	struct guard_op out[128];
	time_t now = 1000005; /* slot 100000, 5 s in */
	size_t nl = 0, np = 0, nr = 0, nheld = 0;
	int n;

	if (mt6d_deriver_init(&d, psk, sizeof(psk)) || plan_build(&plan, &pp, now, 100000))
		abort();
	struct mt6d_peer_uplink peer = { .prefix = { .addr = ppfx, .len = 64 } };
	struct plan_set ps = { .n = 1, .plan = { &plan }, .pp = { &pp } };
	struct guard_want_params p = {
		.plans = &ps,
		.deriver = &d,
		.prefix = &pfx,
		.peer_prefix = &ppfx,
		.peer_iid = &piid,
		.peer_uplinks = &peer,
		.n_peer_uplinks = 1,
		.interval = 10,
		.lifetime = 1,
		.now = now,
		.extra_local = &stray,
		.n_extra_local = 1,
		.peer_addrs = &peer_old,
		.n_peer_addrs = 1,
	};
	n = guard_want_build(&p, out, 128);
	CHECK(n > 0, "built: %d", n);
	for (int i = 0; i < n; i++) {
		nl += out[i].set == GUARD_LOCAL;
		np += out[i].set == GUARD_PEER;
		nr += out[i].set == GUARD_RETIRED;
		CHECK(out[i].timeout_ms >= 1000, "every element times out, none at once");
	}
	CHECK(nl == plan.n + 1, "local: the plan (%zu) and the stray, got %zu", plan.n, nl);
	/* window: clock - lifetime - 1 .. clock + 2 = 5 slots, plus the kernel's one */
	CHECK(np == 6, "peer: 5 window slots and the kernel-reported one, got %zu", np);
	CHECK(nr == GUARD_WANT_RETIRED_SLOTS, "retired: %zu", nr);
	for (int i = 0; i < n; i++) {
		if (out[i].set == GUARD_LOCAL && !memcmp(&out[i].addr, &stray, 16) && ++nheld)
			CHECK(out[i].timeout_ms == GUARD_WANT_HOLD_SLOTS * 10 * 1000,
			      "held: 3 slots");
		if (out[i].set == GUARD_RETIRED)
			CHECK(!plan_find(&plan, &out[i].addr), "a retired address is not planned");
	}
	CHECK(nheld == 1, "the stray is in the local set once, got %zu", nheld);
	CHECK(guard_want_build(&p, out, 4) == -ENOSPC, "too small: -ENOSPC");
	mt6d_deriver_clear(&d);
}

/* Counts of the port sets in @out; every pair in one set only. */
static void count_ports(const struct guard_op *out, int n, size_t *np, size_t *nr)
{
	size_t twice = 0;

	*np = *nr = 0;
	for (int i = 0; i < n; i++) {
		bool port_i = out[i].set == GUARD_PORTS || out[i].set == GUARD_RETIRED_PORTS;

		*np += out[i].set == GUARD_PORTS;
		*nr += out[i].set == GUARD_RETIRED_PORTS;
		for (int j = 0; j < i && port_i; j++)
			twice += (out[j].set == GUARD_PORTS || out[j].set == GUARD_RETIRED_PORTS) &&
				 !memcmp(&out[i].addr, &out[j].addr, 16);
	}
	CHECK(twice == 0, "every port pair in one set once (%zu twice)", twice);
}

static bool has_op(const struct guard_op *out, int n, enum guard_set s, const struct in6_addr *k,
		   uint32_t *timeout_ms)
{
	for (int i = 0; i < n; i++) {
		if (out[i].set == s && !memcmp(&out[i].addr, k, sizeof(*k))) {
			*timeout_ms = out[i].timeout_ms;
			return true;
		}
	}
	return false;
}

/*
 * The port sets: without hopping the one fixed pair; with one slot per association the 16
 * candidate pairs of the epochs of the slots clock-2 .. clock+1, the association in
 * charge's pair (here one of a failed hop's old epoch), and the 16 pairs of each of the
 * 8 epochs before as retired.
 */
static void test_want_ports(void)
{
	static const uint8_t psk[32] = { 2 };
	static struct guard_op out[512];
	struct mt6d_deriver d;
	struct in6_addr pfx = in6("2001:db8:1:1::"), iid = in6("::1");
	struct in6_addr ppfx = in6("2001:db8:2:2::"), piid = in6("::2"), k;
	struct mt6d_port_range r = { 49152, 65535 };
	struct plan_params pp = {
		.deriver = &d, .prefix = &pfx, .iid = &iid, .interval = 10, .lifetime = 1
	};
	time_t now = 1000005; /* slot 100000 */
	uint16_t ours, theirs, old_ours, old_theirs;
	struct plan plan;
	size_t np, nr;
	uint32_t ms;
	int n;

	if (mt6d_deriver_init(&d, psk, sizeof(psk)) || plan_build(&plan, &pp, now, 100000))
		abort();
	struct mt6d_peer_uplink peer = { .prefix = { .addr = ppfx, .len = 64 } };
	struct plan_set ps = { .n = 1, .plan = { &plan }, .pp = { &pp } };
	struct guard_want_params p = {
		.plans = &ps,
		.deriver = &d,
		.prefix = &pfx,
		.peer_prefix = &ppfx,
		.peer_iid = &piid,
		.peer_uplinks = &peer,
		.n_peer_uplinks = 1,
		.interval = 10,
		.lifetime = 1,
		.now = now,
		.port = 7861,
	};
	n = guard_want_build(&p, out, 512);
	count_ports(out, n, &np, &nr);
	k = guard_port_key(7861, 7861);
	CHECK(np == 1 && nr == 0 && has_op(out, n, GUARD_PORTS, &k, &ms) && ms >= 10000,
	      "no hopping: the one fixed pair, as long as the plan (%zu, %zu, %u ms)", np, nr, ms);

	p.association_slots = 1;
	p.port_range = r;
	if (mt6d_assoc_port(&d, &pfx, 99990, 0, r.lo, r.hi, &old_ours) ||
	    mt6d_assoc_port(&d, &ppfx, 99990, 1, r.lo, r.hi, &old_theirs))
		abort();
	p.live_port = old_ours;
	p.live_peer_port = old_theirs;
	n = guard_want_build(&p, out, 512);
	count_ports(out, n, &np, &nr);
	CHECK(np == 4 * 16 + 1 && nr == 8 * 16 - 1,
	      "hopping: ports %zu (want 65), retired %zu (want 127: the live pair is not)", np, nr);
	for (uint64_t e = 99998; e <= 100001; e++) {
		if (mt6d_assoc_port(&d, &pfx, e, 3, r.lo, r.hi, &ours) ||
		    mt6d_assoc_port(&d, &ppfx, e, 2, r.lo, r.hi, &theirs))
			abort();
		k = guard_port_key(theirs, ours);
		CHECK(has_op(out, n, GUARD_PORTS, &k, &ms) &&
			      ms == (uint32_t)((e + 3) * 10 - now) * 1000,
		      "epoch %llu's pair (candidates 2, 3) live until 2 slots after it (%u ms)",
		      (unsigned long long)e, ms);
	}
	k = guard_port_key(old_theirs, old_ours);
	CHECK(has_op(out, n, GUARD_PORTS, &k, &ms) && !has_op(out, n, GUARD_RETIRED_PORTS, &k, &ms),
	      "the old association in charge: live, not retired");
	if (mt6d_assoc_port(&d, &pfx, 99990, 1, r.lo, r.hi, &ours))
		abort();
	k = guard_port_key(old_theirs, ours);
	CHECK(has_op(out, n, GUARD_RETIRED_PORTS, &k, &ms) &&
		      ms == (uint32_t)((99990 + 2 + 8 + 1) * 10 - now) * 1000,
	      "its epoch's other pairs retired, until 8 slots after they stopped being live (%u "
	      "ms)",
	      ms);
	if (mt6d_assoc_port(&d, &pfx, 99989, 0, r.lo, r.hi, &ours) ||
	    mt6d_assoc_port(&d, &ppfx, 99989, 0, r.lo, r.hi, &theirs))
		abort();
	k = guard_port_key(theirs, ours);
	CHECK(!has_op(out, n, GUARD_RETIRED_PORTS, &k, &ms), "nothing older than the 8 slots");
	mt6d_deriver_clear(&d);
}

static void test_teardown(void)
{
	static struct guard_teardown t;
	struct in6_addr a = in6("2001:db8::1"), b = in6("2001:db8::2");

	CHECK(guard_teardown_check(&t, &a, 10, 9, 1000, 3000) == GUARD_TEARDOWN_HOLD,
	      "no newer evidence: hold");
	CHECK(guard_teardown_held(&t, &a), "held");
	CHECK(guard_teardown_check(&t, &a, 10, 10, 3999, 3000) == GUARD_TEARDOWN_HOLD,
	      "same slot: hold");
	CHECK(guard_teardown_check(&t, &a, 10, 0, 4000, 3000) == GUARD_TEARDOWN_RETRY,
	      "deadline: retry");
	CHECK(t.failures == 1 && t.e[0].failures == 1, "one failure counted");
	CHECK(guard_teardown_check(&t, &a, 10, 0, 5000, 3000) == GUARD_TEARDOWN_HOLD,
	      "then wait again");
	CHECK(guard_teardown_check(&t, &a, 10, 0, 7000, 3000) == GUARD_TEARDOWN_RETRY,
	      "retry each deadline");
	CHECK(guard_teardown_check(&t, &a, 10, 11, 7100, 3000) == GUARD_TEARDOWN_UNBIND,
	      "evidence: unbind");
	CHECK(!guard_teardown_held(&t, &a) && t.confirmed == 1, "hold over, confirmed");
	guard_teardown_unbound(&t, &a, 7100);
	CHECK(guard_teardown_in_grace(&t, &a, 7100 + GUARD_TEARDOWN_GRACE_MS - 1), "in grace");
	CHECK(!guard_teardown_in_grace(&t, &a, 7100 + GUARD_TEARDOWN_GRACE_MS), "grace over");
	CHECK(guard_teardown_check(&t, &b, 12, 0, 8000, 3000) == GUARD_TEARDOWN_HOLD, "b held");
	guard_teardown_prune(&t, &b, 1, 7100 + GUARD_TEARDOWN_GRACE_MS);
	CHECK(t.n == 1 && guard_teardown_held(&t, &b), "prune keeps what is listed");
	guard_teardown_prune(&t, NULL, 0, 20000);
	CHECK(t.n == 0, "prune forgets the rest");
}

int main(void)
{
	test_diff();
	test_want();
	test_want_ports();
	test_teardown();
	return check_done();
}

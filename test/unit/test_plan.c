// SPDX-License-Identifier: MIT
/* The desired address set over time: roles, lifetimes, make-before-break. */
#include <arpa/inet.h>
#include <string.h>

#include "check.h"
#include "plan.h"

int main(void)
{
	uint8_t psk[32] = { 7 };
	struct mt6d_deriver d;
	struct in6_addr prefix, iid;
	struct plan_params pp = {
		.deriver = &d, .prefix = &prefix, .iid = &iid, .interval = 10, .lifetime = 3
	};
	struct plan p, q;
	time_t now = 1000005; /* slot 100000, 5 s in */

	inet_pton(AF_INET6, "2001:db8:1:1::", &prefix);
	inet_pton(AF_INET6, "::1", &iid);
	CHECK(!mt6d_deriver_init(&d, psk, sizeof(psk)), "deriver");
	CHECK(!plan_build(&p, &pp, now, 100000), "build");
	CHECK(p.n == 5, "lifetime 3: 3 draining + current + next, got %zu", p.n);
	CHECK(p.e[0].slot == 99997 && p.e[0].role == ROLE_DRAINING, "oldest draining");
	CHECK(p.e[3].slot == 100000 && p.e[3].role == ROLE_CURRENT, "current");
	CHECK(p.e[4].slot == 100001 && p.e[4].role == ROLE_NEXT, "next pre-armed");
	CHECK(p.e[3].preferred_lft == 15, "current preferred to slot end + 1 interval: %u",
	      p.e[3].preferred_lft);
	CHECK(p.e[4].preferred_lft == 0 && p.e[0].preferred_lft == 0, "others deprecated");
	/* Slot 99997 stays until slot 100000 ends (+1 interval of slack). */
	CHECK(p.e[0].valid_lft == 15, "oldest valid_lft %u", p.e[0].valid_lft);
	CHECK(p.e[4].valid_lft == 55, "next valid_lft %u", p.e[4].valid_lft);
	for (size_t i = 0; i < p.n; i++)
		CHECK(memcmp(p.e[i].addr.s6_addr, prefix.s6_addr, 8) == 0, "in prefix");
	CHECK(plan_find(&p, &p.e[2].addr) == &p.e[2], "find");

	/* Next slot: the pre-armed address becomes current, the oldest drops out. */
	CHECK(!plan_build(&q, &pp, now + 10, 100001), "build next");
	CHECK(!memcmp(&q.e[3].addr, &p.e[4].addr, 16) && q.e[3].role == ROLE_CURRENT,
	      "next became current");
	CHECK(!plan_find(&q, &p.e[0].addr), "oldest retired");
	CHECK(plan_find(&q, &p.e[3].addr)->role == ROLE_DRAINING, "old current drains");

	/* Forced rotation: a slot ahead of the clock. */
	CHECK(!plan_build(&q, &pp, now, 100001), "forced");
	CHECK(q.e[3].slot == 100001 && q.e[3].preferred_lft == 25, "forced current lifetime %u",
	      q.e[3].preferred_lft);

	/* Strays: ours, not planned, derivable from PLAN_STRAY_SLOTS before the plan to two
	 * slots after its current one. */
	{
		struct in6_addr a, other = prefix;
		uint64_t slot = 0;

		other.s6_addr[7] ^= 1;
		CHECK(plan_in_prefix(&pp, &p.e[0].addr) && !plan_in_prefix(&pp, &other),
		      "the hashed /64 is ours, another is not");
		CHECK(!plan_stray(&p, &pp, &p.e[2].addr, &slot), "a planned address is no stray");
		CHECK(!mt6d_hashed_addr(&d, NULL, &prefix, &iid, 99997 - PLAN_STRAY_SLOTS, &a) &&
			      plan_stray(&p, &pp, &a, &slot) && slot == 99997 - PLAN_STRAY_SLOTS,
		      "oldest stray recognised, slot %llu", (unsigned long long)slot);
		CHECK(!mt6d_hashed_addr(&d, NULL, &prefix, &iid, 99996 - PLAN_STRAY_SLOTS, &a) &&
			      !plan_stray(&p, &pp, &a, &slot),
		      "older than PLAN_STRAY_SLOTS: not ours any more");
		CHECK(!mt6d_hashed_addr(&d, NULL, &prefix, &iid, 100002, &a) &&
			      plan_stray(&p, &pp, &a, &slot) && slot == 100002,
		      "two slots ahead: a stray");
		CHECK(!mt6d_hashed_addr(&d, NULL, &prefix, &iid, 100003, &a) &&
			      !plan_stray(&p, &pp, &a, &slot),
		      "three slots ahead: not ours");
		CHECK(!plan_stray(&p, &pp, &other, &slot), "outside the prefix: no stray");
	}

	/* Near the epoch nothing underflows. */
	CHECK(!plan_build(&q, &pp, 5, 0), "epoch");
	CHECK(q.n == 2 && q.e[0].role == ROLE_CURRENT, "epoch plan has current + next");
	pp.lifetime = PLAN_MAX_LIFETIME + 1;
	CHECK(plan_build(&q, &pp, now, 100000) < 0, "lifetime bound");
	mt6d_deriver_clear(&d);
	return check_done();
}

// SPDX-License-Identifier: MIT
/*
 * Learning the peer's renumbered /64 from the association's addresses (learn.h): only an
 * address that derives for the right uplink under its own /64, newer than every address of
 * the known /64, moves that uplink; nothing else does.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "learn.h"

static const uint8_t psk[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static struct mt6d_deriver d;
static struct in6_addr iid, p1, p2, q1, q9;

static struct in6_addr in6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		memset(&a, 0xff, sizeof(a));
	return a;
}

static struct in6_addr addr(const char *label, const struct in6_addr *prefix, uint64_t slot)
{
	struct in6_addr a;

	if (mt6d_hashed_addr(&d, label, prefix, &iid, slot, &a))
		memset(&a, 0, sizeof(a));
	return a;
}

static const char *ntop(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

int main(void)
{
	struct in6_addr k0, k1, addrs[8];
	struct mt6d_learn l = { .deriver = &d, .iid = &iid, .lo = 90, .hi = 104, .n = 2 };
	char buf[INET6_ADDRSTRLEN];
	unsigned int moved;

	CHECK(!mt6d_deriver_init(&d, psk, sizeof(psk)), "deriver");
	iid = in6("::2");
	p1 = in6("2001:db8:2:1::");
	p2 = in6("2001:db8:2:2::");
	q1 = in6("2001:db8:9:1::");
	q9 = in6("2001:db8:9:9::");
	l.label[0] = "isp1";
	l.label[1] = "isp2";
	l.prefix[0] = &k0;
	l.prefix[1] = &k1;

#define RESET() (k0 = p1, k1 = p2)
	/* Nothing new: the known /64s' own addresses. */
	RESET();
	addrs[0] = addr("isp1", &p1, 100);
	addrs[1] = addr("isp2", &p2, 100);
	moved = mt6d_learn_prefixes(&l, addrs, 2);
	CHECK(moved == 0 && !memcmp(&k0, &p1, 16) && !memcmp(&k1, &p2, 16),
	      "known addresses move nothing (%#x)", moved);

	/* isp1 renumbered to q1: slot 101 there, the old /64's newest is 100. */
	RESET();
	addrs[2] = addr("isp1", &q1, 101);
	moved = mt6d_learn_prefixes(&l, addrs, 3);
	CHECK(moved == 1 && !memcmp(&k0, &q1, 16) && !memcmp(&k1, &p2, 16),
	      "isp1 moves to the newer address's /64 (%#x, %s)", moved, ntop(&k0, buf));

	/* The slot the renumbering happened in: both /64s have slot 100; not yet. */
	RESET();
	addrs[2] = addr("isp1", &q1, 100);
	moved = mt6d_learn_prefixes(&l, addrs, 3);
	CHECK(moved == 0 && !memcmp(&k0, &p1, 16), "a tie in slots moves nothing (%#x)", moved);
	/* Unless the new one is the primary path the peer asked for. */
	l.primary = &addrs[2];
	moved = mt6d_learn_prefixes(&l, addrs, 3);
	CHECK(moved == 1 && !memcmp(&k0, &q1, 16), "a tie, the new one primary: moves (%#x)",
	      moved);
	RESET();
	l.primary = &addrs[0];
	moved = mt6d_learn_prefixes(&l, addrs, 3);
	CHECK(moved == 0 && !memcmp(&k0, &p1, 16), "a tie, the old one primary: not yet (%#x)",
	      moved);
	l.primary = NULL;
	/* ... and once the old /64's addresses left the association, it moves. */
	addrs[0] = addrs[2];
	moved = mt6d_learn_prefixes(&l, addrs, 2);
	CHECK(moved == 1 && !memcmp(&k0, &q1, 16), "alone, the new /64 is learnt (%#x)", moved);
	/* Learnt: the old /64's addresses, still listed, do not move it back. */
	addrs[2] = addr("isp1", &p1, 100);
	moved = mt6d_learn_prefixes(&l, addrs, 3);
	CHECK(moved == 0 && !memcmp(&k0, &q1, 16), "the old /64 does not win it back (%#x)", moved);

	/* The other uplink's label: isp2 moves, not isp1. */
	RESET();
	addrs[0] = addr("isp1", &p1, 100);
	addrs[1] = addr("isp2", &p2, 100);
	addrs[2] = addr("isp2", &q9, 102);
	moved = mt6d_learn_prefixes(&l, addrs, 3);
	CHECK(moved == 2 && !memcmp(&k0, &p1, 16) && !memcmp(&k1, &q9, 16),
	      "an isp2 address moves isp2 alone (%#x)", moved);

	/* Not the peer's: another IID, a slot outside the window, a foreign address. */
	RESET();
	iid = in6("::3");
	addrs[2] = addr("isp1", &q1, 101);
	iid = in6("::2");
	addrs[3] = addr("isp1", &q1, 105);
	addrs[4] = addr("isp1", &q1, 89);
	addrs[5] = in6("2001:db8:9:1::2");
	moved = mt6d_learn_prefixes(&l, addrs + 2, 4);
	moved |= mt6d_learn_prefixes(&l, addrs, 2);
	CHECK(moved == 0 && !memcmp(&k0, &p1, 16) && !memcmp(&k1, &p2, 16),
	      "another IID, slots outside [lo, hi], a foreign address: nothing (%#x)", moved);
	/* Control: the same address of a slot inside the window is learnt. */
	addrs[3] = addr("isp1", &q1, 104);
	moved = mt6d_learn_prefixes(&l, addrs + 3, 1);
	CHECK(moved == 1 && !memcmp(&k0, &q1, 16), "control: slot 104 is learnt (%#x)", moved);

	/* An address derived for the old /64's bits but placed in another /64: not ours. */
	RESET();
	addrs[0] = addr("isp1", &p1, 103);
	memcpy(addrs[0].s6_addr, q1.s6_addr, 8);
	moved = mt6d_learn_prefixes(&l, addrs, 1);
	CHECK(moved == 0 && !memcmp(&k0, &p1, 16), "an IID moved to another /64 is refused (%#x)",
	      moved);

	/* The unnamed uplink's formula ("" label). */
	l.n = 1;
	l.label[0] = "";
	RESET();
	addrs[0] = addr(NULL, &q9, 100);
	moved = mt6d_learn_prefixes(&l, addrs, 1);
	CHECK(moved == 1 && !memcmp(&k0, &q9, 16), "the unnamed uplink is learnt too (%#x)", moved);
	mt6d_deriver_clear(&d);
	return check_done();
}

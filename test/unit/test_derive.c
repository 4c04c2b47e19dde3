// SPDX-License-Identifier: MIT
/*
 * Hashed-address (unnamed and named uplinks) and association-port derivation against
 * vectors computed by an independent implementation (tools/gen-derive-vectors), plus the
 * reserved-IID rules, the uplinks' independence and the epoch and port edge cases.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "derive.h"

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; s[0] && s[1] && n < max; s += 2) {
		unsigned int b;

		if (sscanf(s, "%2x", &b) != 1)
			break;
		out[n++] = (uint8_t)b;
	}
	return n;
}

static void check_vector(const char *line)
{
	char psk_hex[257], prefix[64], iid[64], k_hex[65], want[64], got[INET6_ADDRSTRLEN];
	uint8_t psk[128], k_want[32];
	struct in6_addr p, i, w, out;
	struct mt6d_deriver d;
	uint64_t slot;
	size_t psk_len;

	if (sscanf(line, "%256s %63s %63s %" SCNu64 " %64s %63s", psk_hex, prefix, iid, &slot,
		   k_hex, want) != 6) {
		CHECK(0, "unparsable vector line: %s", line);
		return;
	}
	*strchr(prefix, '/') = '\0';
	psk_len = unhex(psk_hex, psk, sizeof(psk));
	unhex(k_hex, k_want, sizeof(k_want));
	inet_pton(AF_INET6, prefix, &p);
	inet_pton(AF_INET6, iid, &i);
	inet_pton(AF_INET6, want, &w);
	CHECK(mt6d_deriver_init(&d, psk, psk_len) == 0, "deriver init");
	CHECK(!memcmp(d.k_addr, k_want, 32), "K_addr for psk %.16s...", psk_hex);
	CHECK(mt6d_hashed_addr(&d, NULL, &p, &i, slot, &out) == 0, "derive");
	inet_ntop(AF_INET6, &out, got, sizeof(got));
	CHECK(!memcmp(&out, &w, sizeof(w)), "slot %" PRIu64 ": got %s, want %s", slot, got, want);
	mt6d_deriver_clear(&d);
}

/* "uplink NAME PSK PREFIX IID SLOT K_ADDR ADDRESS" */
static void check_uplink_vector(const char *line)
{
	char name[MT6D_UPLINK_NAME_MAX + 1], psk_hex[257], prefix[64], iid[64], k_hex[65], want[64],
		got[INET6_ADDRSTRLEN];
	uint8_t psk[128];
	struct in6_addr p, i, w, out, unnamed;
	struct mt6d_deriver d;
	uint64_t slot;

	if (sscanf(line, "uplink %16s %256s %63s %63s %" SCNu64 " %64s %63s", name, psk_hex, prefix,
		   iid, &slot, k_hex, want) != 7) {
		CHECK(0, "unparsable uplink vector line: %s", line);
		return;
	}
	*strchr(prefix, '/') = '\0';
	inet_pton(AF_INET6, prefix, &p);
	inet_pton(AF_INET6, iid, &i);
	inet_pton(AF_INET6, want, &w);
	CHECK(mt6d_deriver_init(&d, psk, unhex(psk_hex, psk, sizeof(psk))) == 0, "deriver init");
	CHECK(mt6d_hashed_addr(&d, name, &p, &i, slot, &out) == 0, "derive on uplink %s", name);
	inet_ntop(AF_INET6, &out, got, sizeof(got));
	CHECK(!memcmp(&out, &w, sizeof(w)), "uplink %s slot %" PRIu64 ": got %s, want %s", name,
	      slot, got, want);
	CHECK(mt6d_hashed_addr(&d, NULL, &p, &i, slot, &unnamed) == 0 &&
		      memcmp(&unnamed, &out, sizeof(out)),
	      "uplink %s: not the unnamed uplink's address", name);
	mt6d_deriver_clear(&d);
}

/*
 * Named uplinks: the addresses of one slot on two uplinks of one prefix share no more of
 * their IID than chance would (compared bit by bit over 1000 slots), and neither is the
 * unnamed uplink's; "" is the unnamed uplink; a name too long is refused.
 */
static void check_uplink_rules(void)
{
	static const uint8_t psk[32] = { 7 };
	struct in6_addr p = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1 } };
	struct in6_addr iid = { .s6_addr = { [15] = 1 } }, a, b, u;
	struct mt6d_deriver d;
	unsigned int same_bits = 0, same_iid = 0;

	CHECK(mt6d_deriver_init(&d, psk, sizeof(psk)) == 0, "deriver init");
	for (uint64_t s = 0; s < 1000; s++) {
		CHECK(!mt6d_hashed_addr(&d, "isp1", &p, &iid, s, &a) &&
			      !mt6d_hashed_addr(&d, "isp2", &p, &iid, s, &b) &&
			      !mt6d_hashed_addr(&d, NULL, &p, &iid, s, &u),
		      "slot %" PRIu64 " derived", s);
		same_iid += !memcmp(a.s6_addr + 8, b.s6_addr + 8, 8) ||
			    !memcmp(a.s6_addr + 8, u.s6_addr + 8, 8);
		for (int i = 8; i < 16; i++)
			same_bits +=
				8 - (unsigned int)__builtin_popcount(a.s6_addr[i] ^ b.s6_addr[i]);
	}
	CHECK(same_iid == 0, "%u slots with one IID on two uplinks", same_iid);
	/* 64000 fair coin flips: 32000 +- 126 (sd); 5 sd either way. */
	CHECK(same_bits > 32000 - 632 && same_bits < 32000 + 632,
	      "isp1 and isp2 share %u of 64000 IID bits, want 32000 +- 632", same_bits);
	CHECK(!mt6d_hashed_addr(&d, "", &p, &iid, 5, &a) &&
		      !mt6d_hashed_addr(&d, NULL, &p, &iid, 5, &b) && !memcmp(&a, &b, sizeof(a)),
	      "\"\" is the unnamed uplink");
	CHECK(mt6d_hashed_addr(&d, "sixteen-chars-xx", &p, &iid, 5, &a) == -EINVAL,
	      "a name of MT6D_UPLINK_NAME_MAX characters refused");
	CHECK(mt6d_hashed_addr(&d, "fifteen-chars-x", &p, &iid, 5, &a) == 0,
	      "a name of MT6D_UPLINK_NAME_MAX - 1 characters taken");
	mt6d_deriver_clear(&d);
}

/* "port PSK PREFIX EPOCH CANDIDATE LO HI K_PORT PORT" */
static void check_port_vector(const char *line)
{
	char psk_hex[257], prefix[64], k_hex[65];
	unsigned int cand, lo, hi, want;
	uint8_t psk[128], k_want[32];
	struct mt6d_deriver d;
	struct in6_addr p;
	uint64_t epoch;
	uint16_t got = 0;

	if (sscanf(line, "port %256s %63s %" SCNu64 " %u %u %u %64s %u", psk_hex, prefix, &epoch,
		   &cand, &lo, &hi, k_hex, &want) != 8) {
		CHECK(0, "unparsable port vector line: %s", line);
		return;
	}
	*strchr(prefix, '/') = '\0';
	inet_pton(AF_INET6, prefix, &p);
	unhex(k_hex, k_want, sizeof(k_want));
	CHECK(mt6d_deriver_init(&d, psk, unhex(psk_hex, psk, sizeof(psk))) == 0, "deriver init");
	CHECK(!memcmp(d.k_port, k_want, 32), "K_port for psk %.16s...", psk_hex);
	CHECK(mt6d_assoc_port(&d, &p, epoch, cand, (uint16_t)lo, (uint16_t)hi, &got) == 0,
	      "port derivation");
	CHECK(got == want, "epoch %" PRIu64 " candidate %u: port %u, want %u", epoch, cand, got,
	      want);
	mt6d_deriver_clear(&d);
}

/* Edge cases: bad arguments, a one-port range, the key's independence from K_addr. */
static void check_port_rules(void)
{
	static const uint8_t psk[32] = { 1 };
	struct mt6d_deriver d;
	struct in6_addr p = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1 } };
	uint16_t port = 0, prev = 0;
	unsigned int changed = 0;

	CHECK(mt6d_deriver_init(&d, psk, sizeof(psk)) == 0, "deriver init");
	CHECK(memcmp(d.k_addr, d.k_port, sizeof(d.k_addr)), "K_port differs from K_addr");
	CHECK(mt6d_assoc_port(&d, &p, 1, MT6D_PORT_CANDIDATES, 49152, 65535, &port) == -EINVAL,
	      "candidate out of range");
	CHECK(mt6d_assoc_port(&d, &p, 1, 0, 0, 65535, &port) == -EINVAL, "port 0 in range");
	CHECK(mt6d_assoc_port(&d, &p, 1, 0, 60000, 50000, &port) == -EINVAL, "lo > hi");
	CHECK(mt6d_assoc_port(&d, &p, 1, 0, 7861, 7861, &port) == 0 && port == 7861,
	      "one-port range");
	/* Consecutive epochs move the port (within 49152-65535, at least 990 times in 1000). */
	for (uint64_t e = 0; e < 1000; e++) {
		CHECK(mt6d_assoc_port(&d, &p, e, 0, 49152, 65535, &port) == 0 && port >= 49152,
		      "epoch %" PRIu64 " in range", e);
		changed += e && port != prev;
		prev = port;
	}
	CHECK(changed >= 990, "only %u of 999 epoch changes moved the port", changed);
	CHECK(mt6d_assoc_epoch(7, 4) == 1 && mt6d_assoc_epoch(8, 4) == 2, "epoch of a slot");
	CHECK(mt6d_assoc_epoch(8, 0) == 0, "no hopping: one epoch");
	mt6d_deriver_clear(&d);
}

/*
 * The order of the peer's candidates across failed attempts: the first every other attempt
 * (a dark path or a peer restarting fails attempts without any port being busy), and every
 * candidate within 2 * (MT6D_PORT_CANDIDATES - 1) attempts.
 */
static void check_port_attempts(void)
{
	static const unsigned int want[] = { 0, 1, 0, 2, 0, 3, 0, 1 };
	bool seen[MT6D_PORT_CANDIDATES] = { false };

	for (unsigned int i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(mt6d_port_attempt(i) == want[i], "attempt after %u failures: %u, want %u", i,
		      mt6d_port_attempt(i), want[i]);
	for (unsigned int i = 0; i < 2 * (MT6D_PORT_CANDIDATES - 1); i++)
		seen[mt6d_port_attempt(i)] = true;
	for (unsigned int c = 0; c < MT6D_PORT_CANDIDATES; c++)
		CHECK(seen[c], "candidate %u tried within %d attempts", c,
		      2 * (MT6D_PORT_CANDIDATES - 1));
	for (unsigned int i = 0; i < 1000; i += 2)
		CHECK(mt6d_port_attempt(i) == 0, "the first candidate again after %u failures", i);
}

static int reserved(const char *a)
{
	struct in6_addr x;

	inet_pton(AF_INET6, a, &x);
	return mt6d_iid_reserved(&x);
}

int main(int argc, char **argv)
{
	char line[1024];
	int vectors = 0, ports = 0, uplinks = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s derive-vectors.txt\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!strncmp(line, "port ", 5)) {
			check_port_vector(line);
			ports++;
		} else if (!strncmp(line, "uplink ", 7)) {
			check_uplink_vector(line);
			uplinks++;
		} else {
			check_vector(line);
			vectors++;
		}
	}
	fclose(f);
	CHECK(vectors >= 7, "only %d address vectors", vectors);
	CHECK(ports >= 8, "only %d port vectors", ports);
	CHECK(uplinks >= 6, "only %d uplink vectors", uplinks);
	check_port_rules();
	check_uplink_rules();
	check_port_attempts();

	CHECK(reserved("2001:db8::"), "all-zero IID (subnet-router anycast)");
	CHECK(reserved("2001:db8::fdff:ffff:ffff:ff80"), "first reserved subnet anycast");
	CHECK(reserved("2001:db8::fdff:ffff:ffff:ffff"), "last reserved subnet anycast");
	CHECK(!reserved("2001:db8::fdff:ffff:ffff:ff7f"), "just below reserved anycast");
	CHECK(reserved("2001:db8::200:5eff:fe00:0"), "RFC 5453 range start");
	CHECK(reserved("2001:db8::200:5eff:fe00:5213"), "proxy mobile IPv6");
	CHECK(reserved("2001:db8::200:5eff:feff:ffff"), "RFC 5453 range end");
	CHECK(!reserved("2001:db8::200:5eff:fdff:ffff"), "just below RFC 5453 range");
	CHECK(!reserved("2001:db8::1"), "ordinary IID");

	CHECK(mt6d_slot(0, 10) == 0, "slot at epoch");
	CHECK(mt6d_slot(19, 10) == 1, "slot floor");
	CHECK(mt6d_slot(20, 10) == 2, "slot boundary");
	CHECK(mt6d_slot(1764000000, 1) == 1764000000, "1 s slots");
	return check_done();
}

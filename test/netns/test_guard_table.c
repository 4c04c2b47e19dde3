// SPDX-License-Identifier: MIT
/*
 * addrmgr/guard/guard_table.c against the real kernel's nf_tables, in a private network
 * namespace:
 *
 *   +------------------------- fresh netns --------------------------+
 *   |  lo: L1 L2 (our hashed addresses), R1 (retired), P1 (peer),    |
 *   |      X (hashed /64, not ours)                                  |
 *   |  table ip6 mt6d-t1 (under test)    table ip6 other (bystander) |
 *   |  table inet mt6d-t1 (the kill switch, guard_killswitch.c)      |
 *   +----------------------------------------------------------------+
 *
 * Packets sent to ourselves over lo pass the prerouting hook, so the guard's rules are
 * exercised for real: UDP to L1 and to X is dropped and counted, UDP to R1 trips the
 * tripwire, "SCTP" (a raw IPPROTO_SCTP datagram: the host kernel needs no SCTP module
 * for that) with a HEARTBEAT chunk from P1 to L2 on the tunnel port puts L2 into the
 * evidence set; a SACK from P1 to L1 is let through but is no evidence; P1's late
 * packet to R1 is dropped but trips nothing.
 * Every step is checked with guard_table_elems()/guard_table_read_counters() and with `nft`, which
 * reads the kernel's answer independently. The kill switch's table is installed beside the
 * guard's, as nft reads it, and outlives the guard table's removal. Needs root; exits 77
 * (SKIP) without.
 */
#include "guard_table.h"
#include "guard_killswitch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SKIP 77
#define PORT 7861
#define OLD_PORT 50001 /* a retired association's, both ends */
#define STRAY_PORT 7862
#define BULK 3000

static int passed, failed;

__attribute__((format(printf, 2, 3))) static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		passed++;
	else
		failed++;
}

static struct in6_addr in6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return a;
}

/* Output of a shell command, at most @len bytes. */
static char *sh(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n = 0;

	out[0] = '\0';
	if (!f)
		return out;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	pclose(f);
	return out;
}

static long sh_num(const char *cmd)
{
	char buf[64];

	return strtol(sh(cmd, buf, sizeof(buf)), NULL, 10);
}

static int has_key(struct guard_table *g, enum guard_set s, const struct in6_addr *a)
{
	static struct guard_elem e[BULK + 16];
	int n = guard_table_elems(g, s, e, BULK + 16);

	for (int i = 0; i < n; i++)
		if (!memcmp(&e[i].addr, a, sizeof(*a)))
			return 1;
	return 0;
}

static int has_elem(struct guard_table *g, enum guard_set s, const char *addr)
{
	struct in6_addr a = in6(addr);

	return has_key(g, s, &a);
}

static void send_udp(const char *dst)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	int sk = socket(AF_INET6, SOCK_DGRAM, 0);

	sa.sin6_addr = in6(dst);
	if (sk < 0 || sendto(sk, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		check(0, "send UDP to %s: %s", dst, strerror(errno));
	if (sk >= 0)
		close(sk);
}

/* SCTP from @src:@port to @dst:@port: the common header and one empty chunk of @type (the
 * guard looks at addresses, ports and chunk types, not at checksums). */
#define CHUNK_SACK 3
#define CHUNK_HEARTBEAT 4
static void send_sctp_port(const char *src, const char *dst, uint8_t type, uint16_t port)
{
	struct sockaddr_in6 from = { .sin6_family = AF_INET6 }, to = { .sin6_family = AF_INET6 };
	uint16_t hdr[8] = { htons(port), htons(port), 0, 0, 0, 0, htons((uint16_t)(type << 8)),
			    htons(4) };
	int sk = socket(AF_INET6, SOCK_RAW, IPPROTO_SCTP);

	from.sin6_addr = in6(src);
	to.sin6_addr = in6(dst);
	if (sk < 0 || bind(sk, (struct sockaddr *)&from, sizeof(from)) < 0 ||
	    sendto(sk, hdr, sizeof(hdr), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		check(0, "send SCTP %s -> %s: %s", src, dst, strerror(errno));
	if (sk >= 0)
		close(sk);
}

static void send_sctp(const char *src, const char *dst, uint8_t type)
{
	send_sctp_port(src, dst, type, PORT);
}

/* 3000 bytes of SCTP (a DATA chunk) from @src to @dst: lo's MTU of 1280 makes the kernel
 * send it as IPv6 fragments, the later ones without SCTP ports. */
static void send_sctp_fragmented(const char *src, const char *dst)
{
	struct sockaddr_in6 from = { .sin6_family = AF_INET6 }, to = { .sin6_family = AF_INET6 };
	static uint8_t pkt[3000];
	uint16_t hdr[8] = { htons(PORT), htons(PORT), 0, 0, 0, 0, 0, htons(sizeof(pkt) - 12) };
	int sk = socket(AF_INET6, SOCK_RAW, IPPROTO_SCTP);

	memcpy(pkt, hdr, sizeof(hdr));
	from.sin6_addr = in6(src);
	to.sin6_addr = in6(dst);
	if (sk < 0 || bind(sk, (struct sockaddr *)&from, sizeof(from)) < 0 ||
	    sendto(sk, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		check(0, "send fragmented SCTP %s -> %s: %s", src, dst, strerror(errno));
	if (sk >= 0)
		close(sk);
}

static const struct mt6d_prefix proutes[] = { { .addr = { { { 0xfd, 0, 0, 0xb } } }, .len = 64 } };

static const struct guard_table_params params = {
	.name = "t1",
	.prefix = { { { { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1 } } } },
	.n_prefixes = 1,
	.evidence_ms = 30000,
};

static void test_install(struct guard_table *g)
{
	struct guard_op ops[] = {
		{ GUARD_LOCAL, in6("2001:db8:1:1::11"), 60000 },
		{ GUARD_LOCAL, in6("2001:db8:1:1::12"), 60000 },
		{ GUARD_PEER, in6("2001:db8:2:2::21"), 60000 },
		{ GUARD_RETIRED, in6("2001:db8:1:1::10"), 60000 },
		{ GUARD_PORTS, guard_port_key(PORT, PORT), 60000 },
		{ GUARD_RETIRED_PORTS, guard_port_key(OLD_PORT, OLD_PORT), 60000 },
	};
	struct in6_addr live = guard_port_key(PORT, PORT), old = guard_port_key(OLD_PORT, OLD_PORT);
	char err[256], out[8192];
	int ret;

	/* A half-built table of that name, as an interrupted foreign tool could leave it. */
	ret = system("nft add table ip6 mt6d-t1 && "
		     "nft add set ip6 mt6d-t1 local '{ type ipv6_addr; }' && "
		     "nft add element ip6 mt6d-t1 local '{ 2001:db8:1:1::99 }' && "
		     "nft add table ip6 other && nft add chain ip6 other c && "
		     "nft add rule ip6 other c counter");
	check(ret == 0, "pre-seeded a half-built table and a bystander table");
	ret = guard_table_install(g, ops, sizeof(ops) / sizeof(ops[0]), err, sizeof(err));
	check(ret == 0, "guard_table_install = %d (%s)", ret, err);
	sh("nft list table ip6 mt6d-t1", out, sizeof(out));
	check(strstr(out, "chain guard") && strstr(out, "hook prerouting priority raw"),
	      "chain guard at prerouting priority raw");
	check(strstr(out, "counter dropped") && strstr(out, "counter tripwire"),
	      "named counters dropped and tripwire");
	check(strstr(out, "ip6 daddr @retired counter name \"tripwire\" drop") != NULL,
	      "tripwire rule as nft reads it");
	check(strstr(out, "ip6 saddr @peer ip6 daddr @local sctp sport . sctp dport @ports "
			  "sctp chunk data exists update @evidence { ip6 daddr timeout 30s } "
			  "accept") != NULL &&
		      strstr(out,
			     "sctp dport @ports sctp chunk heartbeat exists update @evidence") &&
		      strstr(out, "sctp sport . sctp dport @ports accept"),
	      "evidence rules (data, heartbeat) and the tunnel's rule as nft reads them");
	check(strstr(out, "ip6 daddr @local sctp sport . sctp dport "
			  "@retired-ports counter name \"tripwire\" drop") != NULL,
	      "the retired ports' tripwire rule as nft reads it");
	check(strstr(out, "type inet_service . inet_service") != NULL,
	      "the port sets' keys print as port pairs");
	check(has_key(g, GUARD_PORTS, &live) && guard_table_elems(g, GUARD_PORTS, NULL, 0) == 1 &&
		      has_key(g, GUARD_RETIRED_PORTS, &old),
	      "ports and retired-ports hold their pairs, read back as keys");
	check(!strstr(out, "killswitch"), "no kill switch in the guard table");
	check(!strstr(out, "2001:db8:1:1::99"), "the half-built table's stray element is gone");
	check(has_elem(g, GUARD_LOCAL, "2001:db8:1:1::11") &&
		      has_elem(g, GUARD_LOCAL, "2001:db8:1:1::12") &&
		      guard_table_elems(g, GUARD_LOCAL, NULL, 0) == 2,
	      "local holds exactly the two addresses");
	check(has_elem(g, GUARD_PEER, "2001:db8:2:2::21") &&
		      guard_table_elems(g, GUARD_PEER, NULL, 0) == 1,
	      "peer holds its address");
	check(sh_num("nft list chain ip6 other c | grep -c counter") == 1,
	      "the bystander table is untouched");
	if (failed)
		printf("%s\n", out);
}

static void test_counters(struct guard_table *g)
{
	struct mt6d_guard_counters c0, c1;
	int ret;

	ret = system("ip link set lo up && ip -6 addr add 2001:db8:1:1::11/128 dev lo && "
		     "ip -6 addr add 2001:db8:1:1::12/128 dev lo && "
		     "ip -6 addr add 2001:db8:1:1::10/128 dev lo && "
		     "ip -6 addr add 2001:db8:1:1::77/128 dev lo && "
		     "ip -6 addr add 2001:db8:2:2::21/128 dev lo && "
		     "ip -6 route add 2001:db8:1:1::/64 dev lo");
	check(ret == 0, "addresses on lo");
	ret = guard_table_read_counters(g, &c0);
	check(ret == 0 && c0.dropped == 0 && c0.tripwire == 0, "counters start at 0 (%d)", ret);
	send_udp("2001:db8:1:1::11");
	send_udp("2001:db8:1:1::11");
	send_udp("2001:db8:1:1::10");
	/* In the hashed /64, local, but not one of ours: the fib check spares it. */
	send_udp("2001:db8:1:1::77");
	send_sctp("2001:db8:2:2::21", "2001:db8:1:1::12", CHUNK_HEARTBEAT);
	/* A reply goes wherever we sent from: accepted, but no evidence of a path. */
	send_sctp("2001:db8:2:2::21", "2001:db8:1:1::11", CHUNK_SACK);
	ret = guard_table_read_counters(g, &c1);
	check(ret == 0 && c1.dropped == 2, "dropped = %llu, want 2 (to L1)",
	      (unsigned long long)c1.dropped);
	check(c1.tripwire == 1, "tripwire = %llu, want 1", (unsigned long long)c1.tripwire);
	check(has_elem(g, GUARD_EVIDENCE, "2001:db8:1:1::12") &&
		      guard_table_elems(g, GUARD_EVIDENCE, NULL, 0) == 1,
	      "evidence holds exactly L2 after the peer's HEARTBEAT, not L1 after its SACK");
	check(sh_num("nft list set ip6 mt6d-t1 evidence | grep -c '2001:db8:1:1::12 timeout 30s "
		     "expires'") == 1,
	      "nft sees L2 in evidence with an expiry");
	/* Same from a source that is not the peer: no evidence, and dropped. */
	send_sctp("2001:db8:1:1::77", "2001:db8:1:1::11", CHUNK_HEARTBEAT);
	check(!has_elem(g, GUARD_EVIDENCE, "2001:db8:1:1::11"),
	      "SCTP from a stranger: no evidence");
	ret = guard_table_read_counters(g, &c1);
	check(ret == 0 && c1.dropped == 3, "and it is dropped (%llu)",
	      (unsigned long long)c1.dropped);
	/* The peer's SCTP in fragments passes whole; a stranger's fragments do not. */
	check(system("ip link set lo mtu 1280") == 0, "lo mtu 1280 for fragments");
	send_sctp_fragmented("2001:db8:2:2::21", "2001:db8:1:1::11");
	ret = guard_table_read_counters(g, &c1);
	check(ret == 0 && c1.dropped == 3, "the peer's fragmented SCTP passes (dropped %llu)",
	      (unsigned long long)c1.dropped);
	send_sctp_fragmented("2001:db8:1:1::77", "2001:db8:1:1::11");
	ret = guard_table_read_counters(g, &c1);
	/* 3000 bytes at 1232 bytes of payload per fragment: 3 fragments, each dropped. */
	check(ret == 0 && c1.dropped == 6, "a stranger's 3 fragments are dropped (dropped %llu)",
	      (unsigned long long)c1.dropped);
	/* The peer's late SCTP to the retired address: dropped, but no tripwire. */
	send_sctp("2001:db8:2:2::21", "2001:db8:1:1::10", CHUNK_HEARTBEAT);
	ret = guard_table_read_counters(g, &c1);
	check(ret == 0 && c1.dropped == 7 && c1.tripwire == 1,
	      "the peer's packet to a retired address: dropped %llu (want 7), tripwire %llu (want "
	      "1)",
	      (unsigned long long)c1.dropped, (unsigned long long)c1.tripwire);
	/* Ports: the peer on a pair that is no live association's is dropped; on a retired
	 * association's, dropped too; anyone else there trips the wire. */
	send_sctp_port("2001:db8:2:2::21", "2001:db8:1:1::11", CHUNK_HEARTBEAT, STRAY_PORT);
	send_sctp_port("2001:db8:2:2::21", "2001:db8:1:1::11", CHUNK_HEARTBEAT, OLD_PORT);
	ret = guard_table_read_counters(g, &c1);
	check(ret == 0 && c1.dropped == 9 && c1.tripwire == 1,
	      "the peer on a stray and a retired pair: dropped %llu (want 9), tripwire %llu (want "
	      "1)",
	      (unsigned long long)c1.dropped, (unsigned long long)c1.tripwire);
	send_sctp_port("2001:db8:1:1::77", "2001:db8:1:1::11", CHUNK_HEARTBEAT, OLD_PORT);
	ret = guard_table_read_counters(g, &c1);
	check(ret == 0 && c1.dropped == 9 && c1.tripwire == 2,
	      "a stranger on a retired pair: tripwire %llu (want 2), dropped %llu (want 9)",
	      (unsigned long long)c1.tripwire, (unsigned long long)c1.dropped);
}

static void test_bulk(struct guard_table *g)
{
	static struct guard_op ops[BULK];
	static struct guard_elem e[BULK + 16];
	struct mt6d_guard_counters c;
	char err[256];
	int ret, n;

	for (int i = 0; i < BULK; i++) {
		ops[i].set = GUARD_RETIRED;
		ops[i].addr = in6("2001:db8:1:1:8000::");
		ops[i].addr.s6_addr[14] = (uint8_t)(i >> 8);
		ops[i].addr.s6_addr[15] = (uint8_t)i;
		ops[i].timeout_ms = 600000;
	}
	ret = guard_table_apply(g, ops, BULK, err, sizeof(err));
	n = guard_table_elems(g, GUARD_RETIRED, e, BULK + 16);
	check(ret == 0 && n == BULK + 1, "%d elements added in one transaction: %d in the set",
	      BULK, n);
	check(sh_num("nft list set ip6 mt6d-t1 retired | grep -o '2001:db8:1:1:8000::' | wc -l") ==
		      BULK,
	      "nft counts all %d", BULK);
	for (int i = 0; i < BULK; i++)
		ops[i].timeout_ms = 0;
	ret = guard_table_apply(g, ops, BULK, err, sizeof(err));
	n = guard_table_elems(g, GUARD_RETIRED, e, BULK + 16);
	check(ret == 0 && n == 1, "all deleted again: %d left", n);
	/* Deleting what is not there fails the whole transaction and changes nothing. */
	ops[0].addr = in6("2001:db8:1:1::10");
	ops[1].addr = in6("2001:db8:1:1::4242");
	ret = guard_table_apply(g, ops, 2, err, sizeof(err));
	check(ret == -ENOENT && has_elem(g, GUARD_RETIRED, "2001:db8:1:1::10"),
	      "a failing transaction is all-or-nothing (%d)", ret);
	/* Re-install: counters carried over, sets as given. */
	ret = guard_table_read_counters(g, &c);
	check(ret == 0 && c.dropped == 9 && c.tripwire == 2, "counters before re-install %llu/%llu",
	      (unsigned long long)c.dropped, (unsigned long long)c.tripwire);
	ret = guard_table_install(g, NULL, 0, err, sizeof(err));
	check(ret == 0 && guard_table_read_counters(g, &c) == 0 && c.dropped == 9 &&
		      c.tripwire == 2,
	      "re-install keeps the counters (%d: %llu/%llu)", ret, (unsigned long long)c.dropped,
	      (unsigned long long)c.tripwire);
	check(guard_table_elems(g, GUARD_LOCAL, NULL, 0) == 0,
	      "and holds exactly the given (none)");
	/* Timeouts: an element with 1 s is collected by the kernel. */
	ops[0] = (struct guard_op){ GUARD_PEER, in6("2001:db8:2:2::1"), 1000 };
	ret = guard_table_apply(g, ops, 1, err, sizeof(err));
	check(ret == 0 && has_elem(g, GUARD_PEER, "2001:db8:2:2::1"), "1 s element added");
	sleep(3);
	check(!has_elem(g, GUARD_PEER, "2001:db8:2:2::1"), "and gone after 3 s");
}

/*
 * anyip mode: the whole /64 is local through a route, so everything to it but the tunnel is
 * dropped, not only the addresses in the sets. (Over lo the fib treats every destination
 * as local, so interface mode's "not a local address" case is covered by the VM tests.)
 */
static void test_anyip(void)
{
	struct guard_table_params p = params;
	struct mt6d_guard_counters c;
	struct guard_table *g;
	char err[256];
	int ret;

	p.name = "t2";
	p.anyip = true;
	p.prefix[0] = in6("2001:db8:3:3::");
	ret = guard_table_open(&g, &p);
	if (!ret)
		ret = guard_table_install(g, NULL, 0, err, sizeof(err));
	check(ret == 0, "anyip table installed (%d %s)", ret, err);
	if (ret)
		return;
	ret = system("ip -6 route add local 2001:db8:3:3::/64 dev lo");
	send_udp("2001:db8:3:3::55");
	send_udp("2001:db8:3:3:1:2:3:4");
	ret = guard_table_read_counters(g, &c);
	check(ret == 0 && c.dropped == 2, "anyip: 2 packets to the /64 dropped (%llu)",
	      (unsigned long long)c.dropped);
	check(guard_table_remove(g) == 0, "anyip table removed");
	guard_table_close(g);
}

static const struct guard_killswitch_params ks = {
	.name = "t1",
	.tun_dev = "mt6d0",
	.uplinks = { "inet0" },
	.n_uplinks = 1,
	.routes = proutes,
	.n_routes = 1,
};

static void test_killswitch(void)
{
	char err[256], out[8192];
	int ret;

	/* Twice: the second replaces the first. */
	ret = guard_killswitch_install(&ks, err, sizeof(err));
	if (!ret)
		ret = guard_killswitch_install(&ks, err, sizeof(err));
	check(ret == 0, "guard_killswitch_install = %d (%s)", ret, err);
	sh("nft list table inet mt6d-t1", out, sizeof(out));
	check(strstr(out, "chain killswitch-fwd") && strstr(out, "hook forward priority filter") &&
		      strstr(out, "chain killswitch-out") &&
		      strstr(out, "hook output priority filter") &&
		      strstr(out, "counter killswitch"),
	      "kill switch chains at forward and output, its counter");
	/* nft folds "meta nfproto ipv6" into the ip6 and icmpv6 matches that need it. */
	check(strstr(out, "ip6 daddr fd00:b::/64 oifname != \"mt6d0\" counter name \"killswitch\" "
			  "drop") &&
		      strstr(out, "ip6 saddr fd00:b::/64 oifname \"inet0\" counter name "
				  "\"killswitch\" drop"),
	      "to the peer's routes only through TUN, from them never out of the uplink");
	check(sh_num("nft list table inet mt6d-t1 | grep 'icmpv6 type 1-4 @th,128,128' | "
		     "grep -c 'oifname \"inet0\"'") == 2 &&
		      sh_num("nft list table inet mt6d-t1 | grep 'icmpv6 type 1-4 @th,256,128' | "
			     "grep -c 'oifname \"inet0\"'") == 2,
	      "ICMPv6 errors quoting the peer's routes (source, destination), in both chains");
	check(sh_num("nft list chain inet mt6d-t1 killswitch-fwd | grep -c drop") == 4 &&
		      sh_num("nft list chain inet mt6d-t1 killswitch-out | grep -c drop") == 4,
	      "four rules per chain for one route");
	if (failed)
		printf("%s\n", out);
}

static void test_remove(struct guard_table *g)
{
	char err[256];
	int ret = guard_table_remove(g);

	check(ret == 0 && sh_num("nft list tables | grep -c 'ip6 mt6d-t1'") == 0,
	      "guard_table_remove removes the table (%d)", ret);
	check(sh_num("nft list tables | grep -c 'ip6 other'") == 1, "and only it");
	check(sh_num("nft list tables | grep -c 'inet mt6d-t1'") == 1,
	      "the kill switch outlives the guard table");
	check(guard_killswitch_remove("t1", err, sizeof(err)) == 1 &&
		      sh_num("nft list tables | grep -c 'inet mt6d-t1'") == 0,
	      "guard_killswitch_remove removes it");
	check(guard_killswitch_remove("t1", err, sizeof(err)) == 0, "removing it again: 0");
	check(guard_table_remove(g) == 0, "removing it again is fine");
	check(guard_table_elems(g, GUARD_LOCAL, NULL, 0) == -ENOENT,
	      "reading a missing table: -ENOENT");
}

int main(void)
{
	struct guard_table *g;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return SKIP;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		printf("SKIP: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return SKIP;
	}
	ret = guard_table_open(&g, &params);
	check(ret == 0, "guard_table_open = %d", ret);
	if (ret)
		return 1;
	test_install(g);
	test_counters(g);
	test_bulk(g);
	test_anyip();
	test_killswitch();
	test_remove(g);
	guard_table_close(g);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: MIT
/*
 * The kernel cost of one rotation, natively (no SCTP needed), in the two binding modes,
 * with 10, 1 000 and 10 000 hashed addresses "ever used". It calls the daemon's own
 * modules (common/rtnl.c, addrmgr/guard/guard_table.c), so it measures what mt6d-addrmgr
 * asks of the kernel at a slot change:
 *
 *   interface  read the uplink's addresses (the reconciler's dump), add the next slot's
 *              address (deprecated), promote the current one, deprecate the previous one,
 *              remove the oldest; then one guard transaction
 *   anyip      look the /64's local route up and renew its expiry; then one guard
 *              transaction
 *   guard      local +1 -1, peer +1 -1, retired +1 -1: one nft batch
 *
 * "Ever used" is the hashed-address state the kernel still holds: in interface mode, N
 * addresses present on the uplink (what N valid addresses cost: long lifetimes, or many
 * tunnels on one uplink) plus N elements in the guard's retired set; in anyip mode only the
 * N retired elements, as there is no per-address state to keep. Each rotation keeps N
 * constant (one address in, the oldest out). The SCTP part (sctp_bindx, ASCONF) is the
 * same in both modes and is not measured here.
 *
 * Each mode has a network namespace of its own, created with unshare() (its sockets keep it
 * alive; it is gone when the program exits). Rotations of the two modes alternate, so that
 * both see the same background load. Needs root; exits 77 otherwise.
 *
 *   bench-rotation [--counts 10,1000,10000] [--rotations 200]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "derive.h"
#include "guard_table.h"
#include "rtnl.h"

#define SKIP 77
#define MAX_COUNTS 8
#define UPLINK "bench0"
#define UPLINK_PEER "bench1"
#define WARMUP 20
#define PLAN_LEN 5	/* next, current and 3 draining: lifetime = 3 */
#define LIFETIME_S 3600 /* nothing expires while the benchmark runs */
#define TIMEOUT_MS (LIFETIME_S * 1000u)

enum { MODE_INTERFACE, MODE_ANYIP, NMODES };
static const char *const mode_names[NMODES] = { "interface", "anyip" };

/* One cell of the table: µs per rotation, and the medians of its three parts. */
struct cell {
	double median, p95, read, write, guard;
};

struct bench {
	struct mt6d_rtnl *nl;
	struct guard_table *g;
	struct mt6d_deriver d;
	struct in6_addr prefix, peer_prefix, iid, peer_iid;
	int mode, ifindex;
	/*
	 * The newest slot S. Held: local and peer sets S-PLAN_LEN+1 .. S; uplink (interface
	 * mode) S-N+1 .. S; retired set S-PLAN_LEN-N+1 .. S-PLAN_LEN.
	 */
	uint64_t slot;
	size_t n; /* addresses ever used, held by the kernel */
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static struct in6_addr addr_of(const struct bench *b, uint64_t slot, int peer)
{
	struct in6_addr a;

	if (mt6d_hashed_addr(&b->d, NULL, peer ? &b->peer_prefix : &b->prefix,
			     peer ? &b->peer_iid : &b->iid, slot, &a) < 0) {
		fprintf(stderr, "bench-rotation: derivation failed\n");
		exit(1);
	}
	return a;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench-rotation: %s: %s\n", what, strerror(-err));
	exit(1);
}

static int count_cb(const struct mt6d_rtnl_addr *a, void *data)
{
	if (a->plen == 64 && !IN6_IS_ADDR_LINKLOCAL(&a->addr))
		(*(size_t *)data)++;
	return 0;
}

static size_t uplink_count(struct bench *b)
{
	size_t n;
	int ret;

	do {
		n = 0;
		ret = mt6d_rtnl_addr_dump(b->nl, b->ifindex, count_cb, &n);
	} while (ret == -EINTR);
	if (ret < 0)
		die("address dump", ret);
	return n;
}

/* A fresh namespace with an uplink (veth, up), lo up, and the mode's guard table. */
static void ns_setup(struct bench *b, int mode)
{
	struct guard_table_params gp = {
		.name = "bench",
		.prefix = { b->prefix },
		.n_prefixes = 1,
		.anyip = mode == MODE_ANYIP,
		.evidence_ms = 2000,
	};
	struct guard_op ops[2 * PLAN_LEN];
	char err[256] = "";
	int ret;

	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET)", -errno);
	if (system("ip link set lo up && ip link add " UPLINK " type veth peer name " UPLINK_PEER
		   " && ip link set " UPLINK " up && ip link set " UPLINK_PEER " up") != 0)
		die("veth uplink", -ENODEV);
	b->ifindex = (int)if_nametoindex(UPLINK);
	ret = mt6d_rtnl_open(&b->nl);
	if (ret < 0)
		die("rtnetlink", ret);
	b->mode = mode;
	b->n = 0;
	b->slot = 1000000;
	for (int i = 0; i < PLAN_LEN; i++) {
		ops[2 * i] =
			(struct guard_op){ GUARD_LOCAL, addr_of(b, b->slot - i, 0), TIMEOUT_MS };
		ops[2 * i + 1] =
			(struct guard_op){ GUARD_PEER, addr_of(b, b->slot - i, 1), TIMEOUT_MS };
	}
	ret = guard_table_open(&b->g, &gp);
	if (!ret)
		ret = guard_table_install(b->g, ops, 2 * PLAN_LEN, err, sizeof(err));
	if (ret < 0)
		die(err[0] ? err : "guard", ret);
}

/* Grows the state to @n addresses ever used: uplink addresses (interface) and retired elements. */
static void populate(struct bench *b, size_t n)
{
	struct guard_op *ops = calloc(n, sizeof(*ops));
	size_t nops = 0;
	char err[256] = "";
	int ret;

	if (!ops)
		die("populate", -ENOMEM);
	for (; b->n < n; b->n++) {
		struct in6_addr a = addr_of(b, b->slot - b->n, 0);

		if (b->mode == MODE_INTERFACE) {
			ret = mt6d_rtnl_addr_set(b->nl, b->ifindex, &a, 64, LIFETIME_S, 0);
			if (ret < 0)
				die("address add", ret);
		}
		ops[nops++] =
			(struct guard_op){ GUARD_RETIRED, addr_of(b, b->slot - PLAN_LEN - b->n, 0),
					   TIMEOUT_MS };
	}
	ret = guard_table_apply(b->g, ops, nops, err, sizeof(err));
	free(ops);
	if (ret < 0)
		die(err[0] ? err : "guard populate", ret);
}

/* The guard's part of rotating to slot @s: local, peer and retired sets, one transaction. */
static void guard_rotate(struct bench *b, uint64_t s)
{
	struct guard_op ops[] = {
		{ GUARD_LOCAL, addr_of(b, s, 0), TIMEOUT_MS },
		{ GUARD_LOCAL, addr_of(b, s - PLAN_LEN, 0), 0 },
		{ GUARD_PEER, addr_of(b, s, 1), TIMEOUT_MS },
		{ GUARD_PEER, addr_of(b, s - PLAN_LEN, 1), 0 },
		{ GUARD_RETIRED, addr_of(b, s - PLAN_LEN, 0), TIMEOUT_MS },
		{ GUARD_RETIRED, addr_of(b, s - PLAN_LEN - b->n, 0), 0 },
	};
	char err[256] = "";
	int ret;

	ret = guard_table_apply(b->g, ops, sizeof(ops) / sizeof(ops[0]), err, sizeof(err));
	if (ret < 0)
		die(err[0] ? err : "guard rotation", ret);
}

/* What the reconciler reads every tick: the uplink's addresses, or the local route. */
static void state_read(struct bench *b)
{
	uint32_t expires;
	int ret;

	if (b->mode == MODE_INTERFACE) {
		(void)uplink_count(b);
		return;
	}
	ret = mt6d_rtnl_local_route_get(b->nl, &b->prefix, 64, &expires);
	if (ret < 0 && ret != -ENOENT)
		die("local route lookup", ret);
}

static void addr_rotate(struct bench *b, uint64_t s)
{
	struct in6_addr next = addr_of(b, s, 0), cur = addr_of(b, s - 1, 0);
	struct in6_addr prev = addr_of(b, s - 2, 0), oldest = addr_of(b, s - b->n, 0);
	int ret = 0;

	if (b->mode == MODE_INTERFACE) {
		ret = mt6d_rtnl_addr_set(b->nl, b->ifindex, &next, 64, LIFETIME_S, 0);
		if (!ret)
			ret = mt6d_rtnl_addr_set(b->nl, b->ifindex, &cur, 64, LIFETIME_S,
						 LIFETIME_S);
		if (!ret)
			ret = mt6d_rtnl_addr_set(b->nl, b->ifindex, &prev, 64, LIFETIME_S, 0);
		if (!ret)
			ret = mt6d_rtnl_addr_del(b->nl, b->ifindex, &oldest, 64);
	} else {
		ret = mt6d_rtnl_local_route_set(b->nl, &b->prefix, 64, LIFETIME_S);
	}
	if (ret < 0)
		die("address rotation", ret);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(size_t)(p * (double)(n - 1) + 0.5)];
}

struct samples {
	double *v[4]; /* total, read, write, guard */
};

static void samples_alloc(struct samples *sm, unsigned int n)
{
	for (int k = 0; k < 4; k++) {
		sm->v[k] = calloc(n, sizeof(double));
		if (!sm->v[k])
			die("measure", -ENOMEM);
	}
}

static struct cell samples_cell(struct samples *sm, unsigned int n)
{
	struct cell c = {
		.median = pct(sm->v[0], n, 0.5),
		.p95 = pct(sm->v[0], n, 0.95),
		.read = pct(sm->v[1], n, 0.5),
		.write = pct(sm->v[2], n, 0.5),
		.guard = pct(sm->v[3], n, 0.5),
	};

	for (int k = 0; k < 4; k++)
		free(sm->v[k]);
	return c;
}

static void rotate_once(struct bench *b, struct samples *sm, unsigned int i)
{
	uint64_t s = ++b->slot;
	double t0 = now_us(), t1, t2, t3;

	state_read(b);
	t1 = now_us();
	addr_rotate(b, s);
	t2 = now_us();
	guard_rotate(b, s);
	t3 = now_us();
	if (i < WARMUP)
		return;
	i -= WARMUP;
	sm->v[0][i] = t3 - t0;
	sm->v[1][i] = t1 - t0;
	sm->v[2][i] = t2 - t1;
	sm->v[3][i] = t3 - t2;
}

/* Rotations of every mode, alternating. */
static void measure(struct bench *b, struct cell *cells, unsigned int rotations)
{
	struct samples sm[NMODES];

	for (int m = 0; m < NMODES; m++)
		samples_alloc(&sm[m], rotations);
	for (unsigned int i = 0; i < WARMUP + rotations; i++)
		for (int m = 0; m < NMODES; m++)
			rotate_once(&b[m], &sm[m], i);
	for (int m = 0; m < NMODES; m++)
		cells[m] = samples_cell(&sm[m], rotations);
}

/* The state is what the benchmark says it is: N addresses / N retired elements, exactly. */
static void verify(struct bench *b)
{
	size_t up = uplink_count(b), want_up = b->mode == MODE_INTERFACE ? b->n : 0;
	int retired = guard_table_elems(b->g, GUARD_RETIRED, NULL, 0);
	uint32_t expires = 0;
	int route = mt6d_rtnl_local_route_get(b->nl, &b->prefix, 64, &expires);

	if (up != want_up || retired != (int)b->n || (b->mode == MODE_ANYIP && route != 0)) {
		fprintf(stderr,
			"bench-rotation: %s with %zu: uplink holds %zu addresses (want %zu), "
			"retired set %d elements, local route %d\n",
			mode_names[b->mode], b->n, up, want_up, retired, route);
		exit(1);
	}
}

static size_t parse_counts(const char *s, size_t *counts)
{
	size_t n = 0;
	char *end;

	while (*s && n < MAX_COUNTS) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v < PLAN_LEN + 2 || v > 100000 || (n && v <= counts[n - 1]))
			return 0;
		counts[n++] = v;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return 0;
	}
	return *s ? 0 : n;
}

static void print_table(const size_t *counts, size_t nc, struct cell (*c)[NMODES],
			unsigned int rotations)
{
	struct utsname u;

	uname(&u);
	printf("mt6d rotation cost: kernel %s, %u rotations per cell after %d warm-up, "
	       "microseconds per rotation\n\n",
	       u.release, rotations, WARMUP);
	printf("%10s | %-42s | %-42s | %s\n", "", "interface (addresses on the uplink)",
	       "anyip (one local route)", "interface");
	printf("%10s | %8s %8s %8s %8s %6s | %8s %8s %8s %8s %6s | / anyip\n", "ever used",
	       "median", "p95", "dump", "addrs", "guard", "median", "p95", "lookup", "route",
	       "guard");
	for (size_t i = 0; i < nc; i++)
		printf("%10zu | %8.0f %8.0f %8.0f %8.0f %6.0f | %8.0f %8.0f %8.0f %8.0f %6.0f | "
		       "%6.1fx\n",
		       counts[i], c[i][0].median, c[i][0].p95, c[i][0].read, c[i][0].write,
		       c[i][0].guard, c[i][1].median, c[i][1].p95, c[i][1].read, c[i][1].write,
		       c[i][1].guard, c[i][0].median / c[i][1].median);
	if (nc > 1)
		printf("%10s | %7.1fx %33s | %7.1fx %33s |\n", "last/first",
		       c[nc - 1][0].median / c[0][0].median, "",
		       c[nc - 1][1].median / c[0][1].median, "");
	printf("\ndump/lookup, addrs/route, guard: medians of the three parts of a rotation\n"
	       "(reading the kernel's state; address or route changes; one nft transaction).\n"
	       "published C MT6D (2014, rtnetlink): 176 us per bind at 1 address, "
	       "3900 us at 50 000 (22.2x).\n");
}

int main(int argc, char **argv)
{
	static const uint8_t psk[32] = "mt6d rotation benchmark key....";
	size_t counts[MAX_COUNTS] = { 10, 1000, 10000 }, nc = 3;
	struct cell cells[MAX_COUNTS][NMODES];
	unsigned int rotations = 200;
	struct bench b[NMODES] = { 0 };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--counts") && i + 1 < argc) {
			nc = parse_counts(argv[++i], counts);
		} else if (!strcmp(argv[i], "--rotations") && i + 1 < argc) {
			rotations = (unsigned int)strtoul(argv[++i], NULL, 10);
		} else {
			nc = 0;
			break;
		}
	}
	if (!nc || rotations < 1 || rotations > 100000) {
		fprintf(stderr,
			"usage: bench-rotation [--counts N1,N2,... (ascending, >= %d)] "
			"[--rotations R]\n",
			PLAN_LEN + 2);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench-rotation: needs root (network namespaces, nftables)\n");
		return SKIP;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mt6d_deriver_init(&b[0].d, psk, sizeof(psk)) < 0)
		die("key derivation", -EINVAL);
	inet_pton(AF_INET6, "2001:db8:1:1::", &b[0].prefix);
	inet_pton(AF_INET6, "2001:db8:2:2::", &b[0].peer_prefix);
	inet_pton(AF_INET6, "::1", &b[0].iid);
	inet_pton(AF_INET6, "::2", &b[0].peer_iid);
	for (int m = 0; m < NMODES; m++) {
		b[m] = b[0];
		ns_setup(&b[m], m);
	}
	for (size_t i = 0; i < nc; i++) {
		for (int m = 0; m < NMODES; m++) {
			double t0 = now_us();

			populate(&b[m], counts[i]);
			fprintf(stderr, "%s: %zu addresses ever used (set up in %.1f s)\n",
				mode_names[m], counts[i], (now_us() - t0) / 1e6);
		}
		measure(b, cells[i], rotations);
		for (int m = 0; m < NMODES; m++)
			verify(&b[m]);
	}
	for (int m = 0; m < NMODES; m++) {
		guard_table_close(b[m].g);
		mt6d_rtnl_close(b[m].nl);
	}
	mt6d_deriver_clear(&b[0].d);
	print_table(counts, nc, cells, rotations);
	return 0;
}

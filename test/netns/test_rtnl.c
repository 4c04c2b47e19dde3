// SPDX-License-Identifier: MIT
/*
 * common/rtnl.c against the real kernel, in a private network namespace:
 *
 *   +------------------ fresh netns -------------------+
 *   |  mt6d0 <======== veth ========> mt6d1            |
 *   |  addresses, routes, MTU here     (peer, for      |
 *   |  2001:db8:99::/64 -> mt6d0        carrier only)  |
 *   +--------------------------------------------------+
 *
 * Every call is followed by a look at kernel state: mt6d_rtnl_addr_dump(), ioctl()s, and
 * iproute2 (`ip -j addr`, `ip route`), which parses the kernel's answer independently.
 * Needs root and veth; exits 77 (meson: SKIP) without them.
 */
#include "rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_addr.h>

#define SKIP 77
#define DEV "mt6d0"
#define PEER "mt6d1"
#define MAX_ADDRS 2048
#define BULK 200
#define STORM_ADDRS 1000 /* enough for a dump to span several 32 KiB reads */
#define STORM_DUMPS 300

struct addr_list {
	size_t n;
	struct mt6d_rtnl_addr a[MAX_ADDRS];
};

struct json_addr {
	struct in6_addr addr;
	unsigned long plen, valid, pref;
	int deprecated;
};

static int passed, failed;
static struct addr_list list;
static struct json_addr json[MAX_ADDRS];

__attribute__((format(printf, 2, 3))) static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
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

static const char *ntop(const struct in6_addr *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static unsigned int i;

	return inet_ntop(AF_INET6, a, buf[i++ % 4], INET6_ADDRSTRLEN);
}

static struct in6_addr bulk_addr(unsigned int i)
{
	struct in6_addr a = in6("2001:db8:200::");

	a.s6_addr[14] = (uint8_t)(i >> 8);
	a.s6_addr[15] = (uint8_t)(i + 1);
	return a;
}

/* Runs a shell command and returns its whole stdout (malloc'd), NULL on failure. */
__attribute__((format(printf, 1, 2))) static char *run(const char *fmt, ...)
{
	char cmd[512], *out = NULL;
	size_t len = 0, n;
	char chunk[4096];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *p = realloc(out, len + n + 1);

		if (!p)
			abort();
		out = p;
		memcpy(out + len, chunk, n);
		len += n;
	}
	if (pclose(f) != 0) {
		free(out);
		return NULL;
	}
	if (!out)
		out = calloc(1, 1);
	else
		out[len] = '\0';
	return out;
}

static int collect_cb(const struct mt6d_rtnl_addr *a, void *data)
{
	struct addr_list *l = data;

	if (l->n == MAX_ADDRS)
		return -ENOSPC;
	l->a[l->n++] = *a;
	return 0;
}

/* Dumps @ifindex into the global list, dumping again while interrupted. */
static int dump(struct mt6d_rtnl *nl, int ifindex)
{
	int ret, tries = 0;

	do {
		list.n = 0;
		ret = mt6d_rtnl_addr_dump(nl, ifindex, collect_cb, &list);
	} while (ret == -EINTR && ++tries < 10);
	return ret;
}

static const struct mt6d_rtnl_addr *find(const struct in6_addr *addr)
{
	for (size_t i = 0; i < list.n; i++)
		if (!memcmp(&list.a[i].addr, addr, sizeof(*addr)))
			return &list.a[i];
	return NULL;
}

static size_t count_scope_link(void)
{
	size_t n = 0;

	for (size_t i = 0; i < list.n; i++)
		n += IN6_IS_ADDR_LINKLOCAL(&list.a[i].addr);
	return n;
}

static int near(uint32_t got, uint32_t want)
{
	if (want == UINT32_MAX)
		return got == UINT32_MAX;
	return got <= want && got + 3 >= want;
}

static int link_state(const char *name, int *mtu, short *flags)
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		ret = -errno;
	*mtu = ifr.ifr_mtu;
	if (!ret && ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		ret = -errno;
	*flags = ifr.ifr_flags;
	close(fd);
	return ret;
}

/* Finds "key" inside [p, end) and parses the unsigned number after it. */
static int json_ul(const char *p, const char *end, const char *key, unsigned long *v)
{
	const char *k = strstr(p, key);

	if (!k || k >= end)
		return -1;
	*v = strtoul(k + strlen(key), NULL, 10);
	return 0;
}

/* Minimal reader of `ip -6 -j addr show`: one entry per "local", fields up to its '}'. */
static size_t json_addrs(const char *s)
{
	static const char key[] = "\"local\":\"";
	char buf[INET6_ADDRSTRLEN];
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, key)) && n < MAX_ADDRS;) {
		const char *end = strchr(p, '}'), *q;
		struct json_addr *j = &json[n];

		p += strlen(key);
		q = strchr(p, '"');
		if (!end || !q || (size_t)(q - p) >= sizeof(buf))
			break;
		memcpy(buf, p, (size_t)(q - p));
		buf[q - p] = '\0';
		if (inet_pton(AF_INET6, buf, &j->addr) != 1 ||
		    json_ul(p, end, "\"prefixlen\":", &j->plen) ||
		    json_ul(p, end, "\"valid_life_time\":", &j->valid) ||
		    json_ul(p, end, "\"preferred_life_time\":", &j->pref))
			break;
		q = strstr(p, "\"deprecated\":true");
		j->deprecated = q && q < end;
		n++;
	}
	return n;
}

/* Compares the last dump with what iproute2 reads from the kernel. */
static void compare_with_ip(const char *what)
{
	char *out = run("ip -6 -j addr show dev " DEV);
	size_t n = out ? json_addrs(out) : 0, same = 0;

	for (size_t i = 0; i < n; i++) {
		const struct mt6d_rtnl_addr *a = find(&json[i].addr);

		same += a && a->plen == json[i].plen &&
			!!(a->flags & IFA_F_DEPRECATED) == json[i].deprecated &&
			near((uint32_t)json[i].valid, a->valid_lft) &&
			near((uint32_t)json[i].pref, a->preferred_lft);
	}
	check(out && n == list.n && same == n,
	      "%s: ip -6 -j addr lists %zu addresses, dump %zu, %zu identical", what, n, list.n,
	      same);
	free(out);
}

/* The "src" that `ip -6 route get` reports for @dst. */
static int route_src(const char *dst, struct in6_addr *src)
{
	char *out = run("ip -6 route get %s", dst), *p;
	char buf[INET6_ADDRSTRLEN] = "";

	p = out ? strstr(out, " src ") : NULL;
	if (p)
		sscanf(p + 5, "%45s", buf);
	free(out);
	return inet_pton(AF_INET6, buf, src) == 1 ? 0 : -1;
}

static int route_listed(const char *prefix, const char *proto)
{
	char *out = run("ip -6 -o route show %s dev " DEV " proto %s", prefix, proto);
	int listed = out && strstr(out, prefix);

	free(out);
	return listed;
}

static int wait_link_local(struct mt6d_rtnl *nl, int ifindex)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	/* The kernel adds it from linkwatch, after carrier comes up: poll for it. */
	for (int i = 0; i < 250; i++) {
		if (dump(nl, ifindex) == 0 && count_scope_link() == 1)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static void test_link(struct mt6d_rtnl *nl, int ifindex, int peer)
{
	int mtu = 0, ret;
	short flags = 0;

	ret = mt6d_rtnl_link_up(nl, peer, 0);
	ret = ret ? ret : link_state(PEER, &mtu, &flags);
	check(ret == 0 && (flags & IFF_UP) && mtu == 1500,
	      "link_up(peer, mtu 0): ret %d, up %d, mtu kept at %d", ret, !!(flags & IFF_UP), mtu);
	ret = mt6d_rtnl_link_up(nl, ifindex, 1400);
	ret = ret ? ret : link_state(DEV, &mtu, &flags);
	check(ret == 0 && (flags & IFF_UP) && mtu == 1400,
	      "link_up(" DEV ", 1400): ret %d, up %d, mtu %d", ret, !!(flags & IFF_UP), mtu);
	ret = mt6d_rtnl_link_up(nl, 999999, 0);
	check(ret == -ENODEV, "link_up(no such ifindex) = %d (-ENODEV)", ret);
	check(wait_link_local(nl, ifindex) == 0, "link-local address appeared");
}

static void test_addr_lifetimes(struct mt6d_rtnl *nl, int ifindex)
{
	struct in6_addr a = in6("2001:db8:1::1");
	const struct mt6d_rtnl_addr *d;
	int ret;

	ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 64, 300, 200);
	d = dump(nl, ifindex) == 0 ? find(&a) : NULL;
	check(ret == 0 && d && d->plen == 64 && d->ifindex == ifindex,
	      "addr_set %s/64 valid 300 preferred 200: ret %d, dumped %d", ntop(&a), ret, !!d);
	check(d && (d->flags & IFA_F_NODAD) && (d->flags & IFA_F_NOPREFIXROUTE) &&
		      !(d->flags & (IFA_F_TENTATIVE | IFA_F_DEPRECATED | IFA_F_PERMANENT)),
	      "  flags 0x%x: nodad noprefixroute, not tentative/deprecated/permanent",
	      d ? d->flags : 0);
	check(d && near(d->valid_lft, 300) && near(d->preferred_lft, 200),
	      "  lifetimes valid %u preferred %u", d ? d->valid_lft : 0, d ? d->preferred_lft : 0);
	compare_with_ip("  fresh address");

	ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 64, 300, 0);
	d = dump(nl, ifindex) == 0 ? find(&a) : NULL;
	check(ret == 0 && d && (d->flags & IFA_F_DEPRECATED) && d->preferred_lft == 0 &&
		      near(d->valid_lft, 300),
	      "replace preferred 0: ret %d, flags 0x%x deprecated, valid %u preferred %u", ret,
	      d ? d->flags : 0, d ? d->valid_lft : 0, d ? d->preferred_lft : 0);
	compare_with_ip("  deprecated address");

	ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 64, UINT32_MAX, UINT32_MAX);
	d = dump(nl, ifindex) == 0 ? find(&a) : NULL;
	check(ret == 0 && d && !(d->flags & IFA_F_DEPRECATED) && (d->flags & IFA_F_PERMANENT) &&
		      d->valid_lft == UINT32_MAX && d->preferred_lft == UINT32_MAX,
	      "replace forever/forever: ret %d, flags 0x%x permanent, undeprecated", ret,
	      d ? d->flags : 0);

	ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 64, UINT32_MAX, 0);
	d = dump(nl, ifindex) == 0 ? find(&a) : NULL;
	check(ret == 0 && d && (d->flags & IFA_F_DEPRECATED) && d->valid_lft == UINT32_MAX,
	      "replace valid forever preferred 0: deprecated too (flags 0x%x)", d ? d->flags : 0);

	ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 48, UINT32_MAX, UINT32_MAX);
	d = dump(nl, ifindex) == 0 ? find(&a) : NULL;
	check(ret == 0 && d && d->plen == 64,
	      "replace with /48: ret %d, kernel keeps plen %u (replace never changes it)", ret,
	      d ? d->plen : 0);

	ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 64, 0, 0);
	check(ret == -EINVAL, "addr_set valid 0 = %d (-EINVAL)", ret);
	ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 64, 10, 20);
	check(ret == -EINVAL, "addr_set preferred > valid = %d (-EINVAL)", ret);

	ret = mt6d_rtnl_addr_del(nl, ifindex, &a, 48);
	check(ret == -EADDRNOTAVAIL, "addr_del with the wrong plen = %d (-EADDRNOTAVAIL)", ret);
	ret = mt6d_rtnl_addr_del(nl, ifindex, &a, 64);
	check(ret == 0 && dump(nl, ifindex) == 0 && !find(&a), "addr_del: ret %d, gone", ret);
	ret = mt6d_rtnl_addr_del(nl, ifindex, &a, 64);
	check(ret == -EADDRNOTAVAIL, "addr_del again = %d (-EADDRNOTAVAIL)", ret);
}

static int add_bulk(struct mt6d_rtnl *nl, int ifindex, unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i < to; i++) {
		struct in6_addr a = bulk_addr(i);
		int ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 64, 3600, 1800);

		if (ret)
			return ret;
	}
	return 0;
}

static int stop_cb(const struct mt6d_rtnl_addr *a, void *data)
{
	unsigned int *seen = data;

	return ++*seen == 3 ? 42 : 0;
}

/* A child churns an address while we dump: every dump must end 0 or -EINTR, never desync. */
static void test_dump_storm(struct mt6d_rtnl *nl, int ifindex)
{
	struct in6_addr a = in6("2001:db8:77::1");
	unsigned int ok = 0, intr = 0, other = 0, short_dumps = 0;
	pid_t pid = fork();
	int ret;

	if (pid == 0) {
		struct mt6d_rtnl *c;

		if (mt6d_rtnl_open(&c))
			_exit(1);
		for (;;)
			if (mt6d_rtnl_addr_set(c, ifindex, &a, 64, 60, 60) ||
			    mt6d_rtnl_addr_del(c, ifindex, &a, 64))
				_exit(1);
	}
	for (int i = 0; pid > 0 && i < STORM_DUMPS; i++) {
		list.n = 0;
		ret = mt6d_rtnl_addr_dump(nl, ifindex, collect_cb, &list);
		ok += ret == 0;
		/* ours + link-local, + the churned one when present */
		short_dumps += ret == 0 && list.n != STORM_ADDRS + 1 && list.n != STORM_ADDRS + 2;
		intr += ret == -EINTR;
		other += ret != 0 && ret != -EINTR;
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	check(pid > 0 && other == 0 && ok + intr == STORM_DUMPS,
	      "%d dumps of %d addresses under concurrent changes: %u complete, %u -EINTR, "
	      "%u other",
	      STORM_DUMPS, STORM_ADDRS, ok, intr, other);
	check(short_dumps == 0, "  every complete dump had all %d addresses (%u short)",
	      STORM_ADDRS, short_dumps);
	/* The child may have died between its add and its del. */
	ret = mt6d_rtnl_addr_del(nl, ifindex, &a, 64);
	check(ret == 0 || ret == -EADDRNOTAVAIL, "  churned address removed: %d", ret);
}

static void test_bulk(struct mt6d_rtnl *nl, int ifindex)
{
	unsigned int seen = 0, removed = 0;
	size_t global = 0;
	int ret;

	ret = add_bulk(nl, ifindex, 0, BULK);
	check(ret == 0, "addr_set x%d: ret %d", BULK, ret);
	ret = dump(nl, ifindex);
	for (unsigned int i = 0; i < BULK; i++) {
		struct in6_addr a = bulk_addr(i);

		global += find(&a) != NULL;
	}
	check(ret == 0 && global == BULK && list.n == BULK + count_scope_link() &&
		      count_scope_link() == 1,
	      "dump: %zu addresses = %zu of ours + %zu link-local", list.n, global,
	      count_scope_link());
	compare_with_ip("  200 addresses");
	ret = dump(nl, 0);
	check(ret == 0 && list.n >= BULK + 1, "dump of all interfaces: %zu addresses", list.n);

	ret = add_bulk(nl, ifindex, BULK, STORM_ADDRS);
	ret = ret ? ret : dump(nl, ifindex);
	check(ret == 0 && list.n == STORM_ADDRS + 1, "grown to %zu addresses", list.n);
	/* -EINTR: the kernel flagged the dump inconsistent (the storm's addresses are still
	 * settling); the contract is to dump again, as the daemons do. */
	for (int tries = 0; tries < 5; tries++) {
		seen = 0;
		ret = mt6d_rtnl_addr_dump(nl, ifindex, stop_cb, &seen);
		if (ret != -EINTR)
			break;
	}
	check(ret == 42 && seen == 3, "callback stopping at the 3rd address: ret %d, %u calls", ret,
	      seen);
	ret = dump(nl, ifindex);
	check(ret == 0 && list.n == STORM_ADDRS + 1,
	      "next dump after a stopped one is complete: ret %d, %zu addresses", ret, list.n);
	test_dump_storm(nl, ifindex);

	for (unsigned int i = 0; i < STORM_ADDRS; i++) {
		struct in6_addr a = bulk_addr(i);

		removed += mt6d_rtnl_addr_del(nl, ifindex, &a, 64) == 0;
	}
	ret = dump(nl, ifindex);
	check(removed == STORM_ADDRS && ret == 0 && list.n == 1 && count_scope_link() == 1,
	      "deleted %u, %zu address left (link-local)", removed, list.n);
}

static void test_prefix(struct mt6d_rtnl *nl, int ifindex)
{
	struct in6_addr host = in6("2001:db8:ffff::9"), a = in6("2001:db8:5:6:1:2:3:4");
	struct in6_addr want = in6("2001:db8:5:6::"), p = in6("::");
	int ret;

	ret = mt6d_rtnl_find_global_prefix(nl, ifindex, &p);
	check(ret == -ENOENT, "find_global_prefix with only link-local = %d (-ENOENT)", ret);
	ret = mt6d_rtnl_addr_set(nl, ifindex, &host, 128, UINT32_MAX, UINT32_MAX);
	ret = ret ? ret : mt6d_rtnl_find_global_prefix(nl, ifindex, &p);
	check(ret == -ENOENT, "find_global_prefix with a /128 only = %d (-ENOENT)", ret);
	/* One of our hashed addresses (NODAD | NOPREFIXROUTE) names no /64. */
	ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 64, UINT32_MAX, UINT32_MAX);
	ret = ret ? ret : mt6d_rtnl_find_global_prefix(nl, ifindex, &p);
	check(ret == -ENOENT, "find_global_prefix with a hashed /64 only = %d (-ENOENT)", ret);
	ret = mt6d_rtnl_addr_del(nl, ifindex, &a, 64);
	/* The operator's address does. */
	ret = ret ? ret : system("ip addr add 2001:db8:5:6:1:2:3:4/64 dev " DEV " nodad");
	ret = ret ? ret : mt6d_rtnl_find_global_prefix(nl, ifindex, &p);
	check(ret == 0 && !memcmp(&p, &want, sizeof(p)), "find_global_prefix = %d, %s (%s)", ret,
	      ntop(&p), ntop(&want));
	ret = mt6d_rtnl_find_global_prefix(nl, 0, &p);
	check(ret == 0 && !memcmp(&p, &want, sizeof(p)), "find_global_prefix(any) = %d, %s", ret,
	      ntop(&p));
	ret = mt6d_rtnl_addr_del(nl, ifindex, &a, 64);
	ret = ret ? ret : mt6d_rtnl_addr_del(nl, ifindex, &host, 128);
	check(ret == 0, "  cleaned up: %d", ret);
}

/* Renumbering: the old /64 keeps only hashed addresses, the new one the operator's. */
static void test_follow(struct mt6d_rtnl *nl, int ifindex)
{
	struct in6_addr old = in6("2001:db8:7:1::"), new = in6("2001:db8:7:2::");
	struct in6_addr hashed = in6("2001:db8:7:1:aa:bb:cc:dd"), p;
	int ret;

	ret = system("ip addr add 2001:db8:7:1::1/64 dev " DEV " nodad");
	ret = ret ? ret : mt6d_rtnl_addr_set(nl, ifindex, &hashed, 64, 600, 600);
	ret = ret ? ret : mt6d_rtnl_follow_prefix(nl, ifindex, &old, &p);
	check(ret == 0 && !memcmp(&p, &old, sizeof(p)), "follow_prefix, not renumbered = %d, %s",
	      ret, ntop(&p));
	ret = system("ip addr del 2001:db8:7:1::1/64 dev " DEV);
	ret = ret ? ret : mt6d_rtnl_follow_prefix(nl, ifindex, &old, &p);
	check(ret == 0 && !memcmp(&p, &old, sizeof(p)),
	      "follow_prefix, old /64 gone, no new one yet = %d, %s (stays)", ret, ntop(&p));
	/* A unique local address names no /64 to follow. */
	ret = system("ip addr add fd00:7:1::1/64 dev " DEV " nodad");
	ret = ret ? ret : mt6d_rtnl_follow_prefix(nl, ifindex, &old, &p);
	check(ret == 0 && !memcmp(&p, &old, sizeof(p)),
	      "follow_prefix, a ULA only = %d, %s (stays)", ret, ntop(&p));
	ret = system("ip addr del fd00:7:1::1/64 dev " DEV);
	ret = ret ? ret : system("ip addr add 2001:db8:7:2::1/64 dev " DEV);
	ret = ret ? ret : mt6d_rtnl_follow_prefix(nl, ifindex, &old, &p);
	check(ret == 1 && !memcmp(&p, &new, sizeof(p)),
	      "follow_prefix, renumbered (hashed address left on the old /64) = %d, %s", ret,
	      ntop(&p));
	ret = mt6d_rtnl_follow_prefix(nl, ifindex, &new, &p);
	check(ret == 0 && !memcmp(&p, &new, sizeof(p)), "follow_prefix from the new /64 = %d, %s",
	      ret, ntop(&p));
	/* The new /64's address deprecated (a renumbering by RA) against a preferred one. */
	ret = system("ip addr change 2001:db8:7:2::1/64 dev " DEV " preferred_lft 0");
	ret = ret ? ret : system("ip addr add 2001:db8:7:3::1/64 dev " DEV " nodad");
	ret = ret ? ret : mt6d_rtnl_follow_prefix(nl, ifindex, &new, &p);
	check(ret == 1 && !memcmp(p.s6_addr, "\x20\x01\x0d\xb8\x00\x07\x00\x03", 8),
	      "follow_prefix, the /64 named by a deprecated address only = %d, %s (moves)", ret,
	      ntop(&p));
	ret = system("ip addr del 2001:db8:7:3::1/64 dev " DEV);
	ret = ret ? ret : mt6d_rtnl_follow_prefix(nl, ifindex, &new, &p);
	check(ret == 0 && !memcmp(&p, &new, sizeof(p)),
	      "follow_prefix, deprecated but the only one = %d, %s (stays)", ret, ntop(&p));
	ret = system("ip addr del 2001:db8:7:2::1/64 dev " DEV);
	ret = ret ? ret : mt6d_rtnl_addr_del(nl, ifindex, &hashed, 64);
	check(ret == 0, "  cleaned up: %d", ret);
}

static void test_route(struct mt6d_rtnl *nl, int ifindex)
{
	struct in6_addr dst = in6("2001:db8:99::"), other = in6("2001:db8:98::");
	int ret;

	ret = mt6d_rtnl_route_set(nl, ifindex, &dst, 64);
	check(ret == 0 && route_listed("2001:db8:99::/64", "109"),
	      "route_set 2001:db8:99::/64 dev " DEV ": ret %d, in ip -6 route as proto 109", ret);
	ret = mt6d_rtnl_route_set(nl, ifindex, &dst, 64);
	check(ret == 0, "route_set again (replace) = %d", ret);
	ret = mt6d_rtnl_route_del(nl, ifindex, &dst, 64);
	check(ret == 0 && !route_listed("2001:db8:99::/64", "all"), "route_del: ret %d, gone", ret);
	ret = mt6d_rtnl_route_del(nl, ifindex, &dst, 64);
	check(ret == -ESRCH, "route_del again = %d (-ESRCH)", ret);

	ret = system("ip -6 route add 2001:db8:98::/64 dev " DEV " proto static");
	ret = ret ? -1 : mt6d_rtnl_route_del(nl, ifindex, &other, 64);
	check(ret == -ESRCH && route_listed("2001:db8:98::/64", "static"),
	      "route_del leaves a proto static route alone: %d (-ESRCH)", ret);
}

/*
 * Steering: the gateway a lookup out of one device finds; a route of ours via a gateway with a
 * metric and an expiry, which wins over the operator's wider one, is replaced and removed;
 * a lookup out of a device without a route finds nothing.
 */
static void test_route_via(struct mt6d_rtnl *nl, int ifindex, int peer)
{
	struct in6_addr dst = in6("2001:db8:50:1::5"), net = in6("2001:db8:50:1::");
	struct in6_addr gw1 = in6("fe80::1"), gw2 = in6("fe80::2"), gw3 = in6("fe80::3"), gw;
	char *out;
	int ret, oif = ifindex;

	ret = system("ip -6 route add 2001:db8:50::/48 via fe80::1 dev " DEV);
	ret = ret ? -1 : mt6d_rtnl_route_lookup(nl, &dst, &oif, &gw);
	check(ret == 0 && !memcmp(&gw, &gw1, sizeof(gw)),
	      "route_lookup out of " DEV " = %d, via %s", ret, ntop(&gw));
	oif = peer;
	ret = mt6d_rtnl_route_lookup(nl, &dst, &oif, &gw);
	check(ret == -ENOENT, "route_lookup out of a device without a route = %d (-ENOENT)", ret);
	oif = 0;
	ret = mt6d_rtnl_route_lookup(nl, &dst, &oif, &gw);
	check(ret == 0 && oif == ifindex && !memcmp(&gw, &gw1, sizeof(gw)),
	      "route_lookup out of any device = %d: %d (" DEV " is %d) via %s", ret, oif, ifindex,
	      ntop(&gw));
	ret = mt6d_rtnl_route_via_set(nl, &net, 64, &gw2, ifindex, 1, 120);
	out = run("ip -6 -o route show 2001:db8:50:1::/64");
	check(ret == 0 && out && strstr(out, "via fe80::2 dev " DEV " proto 109 metric 1 expires"),
	      "route_via_set: ret %d, [%s]", ret, out ? out : "");
	free(out);
	oif = ifindex;
	ret = mt6d_rtnl_route_lookup(nl, &dst, &oif, &gw);
	check(ret == 0 && !memcmp(&gw, &gw2, sizeof(gw)), "the /64 of ours wins: via %s",
	      ntop(&gw));
	/* The operator's gateway, ours left out: the /48's, then a /64 of theirs. */
	ret = mt6d_rtnl_route_gateway(nl, &net, ifindex, &gw);
	check(ret == 0 && !memcmp(&gw, &gw1, sizeof(gw)),
	      "route_gateway: the operator's via %s, not ours (%d)", ntop(&gw), ret);
	ret = system("ip -6 route add 2001:db8:50:1::/64 via fe80::9 dev " DEV " metric 2000");
	ret = ret ? -1 : mt6d_rtnl_route_gateway(nl, &net, ifindex, &gw);
	check(ret == 0 && !memcmp(gw.s6_addr + 8, "\0\0\0\0\0\0\0\x09", 8),
	      "route_gateway: the operator's longer prefix first, via %s (%d)", ntop(&gw), ret);
	ret = system("ip -6 route del 2001:db8:50:1::/64 via fe80::9 dev " DEV " metric 2000");
	ret = ret ? -1 : mt6d_rtnl_route_gateway(nl, &net, peer, &gw);
	check(ret == -ENOENT, "route_gateway out of a device without a route = %d (-ENOENT)", ret);
	ret = mt6d_rtnl_route_via_set(nl, &net, 64, &gw3, ifindex, 1, 120);
	out = run("ip -6 -o route show 2001:db8:50:1::/64");
	check(ret == 0 && out && strstr(out, "via fe80::3 ") && !strstr(out, "fe80::2"),
	      "route_via_set replaces it: ret %d, [%s]", ret, out ? out : "");
	free(out);
	ret = mt6d_rtnl_route_via_del(nl, &net, 64, 1);
	out = run("ip -6 -o route show 2001:db8:50:1::/64");
	check(ret == 0 && out && !strstr(out, "2001:db8:50:1::/64"), "route_via_del: ret %d, gone",
	      ret);
	free(out);
	ret = mt6d_rtnl_route_via_del(nl, &net, 64, 1);
	check(ret == -ESRCH, "route_via_del again = %d (-ESRCH)", ret);
	ret = system("ip -6 route del 2001:db8:50::/48 via fe80::1 dev " DEV);
	check(ret == 0, "  cleaned up: %d", ret);
}

/*
 * AnyIP: the local route makes every address of the prefix local (an `ip -6 route get` says
 * "local ... dev lo"), carries its expiry, is found again by mt6d_rtnl_local_route_get() and
 * removed exactly; a look-alike of another protocol is not taken for ours.
 */
static void test_local_route(struct mt6d_rtnl *nl)
{
	struct in6_addr p = in6("2001:db8:77::");
	uint32_t expires = 0;
	char *out;
	int ret;

	/* A route through lo needs lo up, as it is in any namespace in use. */
	ret = system("ip link set lo up");
	ret = ret ? -1 : mt6d_rtnl_local_route_get(nl, &p, 64, &expires);
	check(ret == -ENOENT, "local_route_get before = %d (-ENOENT)", ret);
	ret = mt6d_rtnl_local_route_set(nl, &p, 64, 300);
	out = run("ip -6 route get 2001:db8:77:0:1234:5678:9abc:def0");
	check(ret == 0 && out && !strncmp(out, "local 2001:db8:77:0:1234:5678:9abc:def0", 39) &&
		      strstr(out, " dev lo "),
	      "local_route_set: any address of the /64 is local: %d, %s", ret, out ? out : "");
	free(out);
	out = run("ip -6 route show table local 2001:db8:77::/64");
	check(out && strstr(out, "proto 109") && strstr(out, "expires"),
	      "  listed in table local with proto 109 and an expiry: %s", out ? out : "");
	free(out);
	ret = mt6d_rtnl_local_route_get(nl, &p, 64, &expires);
	check(ret == 0 && expires > 290 && expires <= 300, "local_route_get = %d, expires in %u s",
	      ret, expires);
	ret = mt6d_rtnl_local_route_set(nl, &p, 64, 0);
	ret = ret ? ret : mt6d_rtnl_local_route_get(nl, &p, 64, &expires);
	check(ret == 0 && expires == 0, "replaced without expiry: %d, expires %u", ret, expires);
	ret = mt6d_rtnl_local_route_del(nl, &p, 64);
	ret = ret ? ret : mt6d_rtnl_local_route_get(nl, &p, 64, &expires);
	check(ret == -ENOENT, "local_route_del: then get = %d (-ENOENT)", ret);
	ret = system("ip -6 route add local 2001:db8:77::/64 dev lo proto static");
	ret = ret ? -1 : mt6d_rtnl_local_route_get(nl, &p, 64, &expires);
	check(ret == -ENOENT, "a proto static local route is not ours: get = %d (-ENOENT)", ret);
	ret = mt6d_rtnl_local_route_del(nl, &p, 64);
	check(ret == -ESRCH, "  and local_route_del leaves it alone: %d (-ESRCH)", ret);
}

/* Which source the kernel picks once one of two same-prefix addresses is deprecated. */
static void test_source(struct mt6d_rtnl *nl, int ifindex)
{
	struct in6_addr s1 = in6("2001:db8:7::1"), s2 = in6("2001:db8:7::2");
	struct in6_addr dst = in6("2001:db8:99::"), before, after, last;
	const struct in6_addr *keep;
	int ret;

	ret = mt6d_rtnl_addr_set(nl, ifindex, &s1, 64, UINT32_MAX, UINT32_MAX);
	ret = ret ? ret : mt6d_rtnl_addr_set(nl, ifindex, &s2, 64, UINT32_MAX, UINT32_MAX);
	ret = ret ? ret : mt6d_rtnl_route_set(nl, ifindex, &dst, 64);
	ret = ret ? ret : route_src("2001:db8:99::5", &before);
	check(ret == 0, "two preferred sources: kernel picks %s", ntop(&before));
	if (ret)
		return;
	ret = mt6d_rtnl_addr_set(nl, ifindex, &before, 64, UINT32_MAX, 0);
	ret = ret ? ret : route_src("2001:db8:99::5", &after);
	check(ret == 0 && memcmp(&after, &before, sizeof(after)),
	      "deprecate %s: kernel now picks %s", ntop(&before), ntop(&after));
	keep = memcmp(&before, &s1, sizeof(s1)) ? &s1 : &s2;
	ret = ret ? ret : mt6d_rtnl_addr_del(nl, ifindex, keep, 64);
	ret = ret ? ret : route_src("2001:db8:99::5", &last);
	check(ret == 0 && !memcmp(&last, &before, sizeof(last)),
	      "only the deprecated one left: kernel still picks it (%s)", ntop(&last));
}

static void test_small_mtu(struct mt6d_rtnl *nl, int ifindex)
{
	struct in6_addr a = in6("2001:db8:8::1");
	int ret;

	/* Kernel: an MTU under 1280 turns IPv6 off on the device and drops its addresses. */
	ret = mt6d_rtnl_addr_set(nl, ifindex, &a, 64, UINT32_MAX, UINT32_MAX);
	ret = ret ? ret : mt6d_rtnl_link_up(nl, ifindex, 1200);
	ret = ret ? ret : dump(nl, ifindex);
	check(ret == 0 && list.n == 0, "kernel: mtu 1200 removes all IPv6 addresses (%zu left)",
	      list.n);
}

static int setup(int *ifindex, int *peer)
{
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return SKIP;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		printf("SKIP: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return SKIP;
	}
	if (system("ip link add " DEV " type veth peer name " PEER) != 0) {
		printf("SKIP: cannot create a veth pair\n");
		return SKIP;
	}
	*ifindex = (int)if_nametoindex(DEV);
	*peer = (int)if_nametoindex(PEER);
	return *ifindex && *peer ? 0 : 1;
}

int main(void)
{
	struct mt6d_rtnl *nl = NULL;
	int ifindex, peer, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = setup(&ifindex, &peer);
	if (ret)
		return ret;
	ret = mt6d_rtnl_open(&nl);
	check(ret == 0, "mt6d_rtnl_open = %d", ret);
	if (ret)
		return 1;
	test_link(nl, ifindex, peer);
	test_addr_lifetimes(nl, ifindex);
	test_bulk(nl, ifindex);
	test_prefix(nl, ifindex);
	test_follow(nl, ifindex);
	test_route(nl, ifindex);
	test_route_via(nl, ifindex, peer);
	test_local_route(nl);
	test_source(nl, ifindex);
	test_small_mtu(nl, ifindex);
	mt6d_rtnl_close(nl);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: MIT
/*
 * The configuration loader: a full file lands in the right fields, defaults fill a minimal
 * one, and each bad file fails with its own message and return code. Files are written into
 * a mkdtemp() directory, so key file modes are under the test's control; no root needed.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define HEX_KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define B64_KEY_64                                                                                 \
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
#define X10 "xxxxxxxxxx"
#define X50 X10 X10 X10 X10 X10
#define X200 X50 X50 X50 X50
#define R(n) #n "::/16,"
#define ROUTES_17                                                                                  \
	R(a0) R(a1) R(a2) R(a3) R(a4) R(a5) R(a6) R(a7) R(a8) R(a9) R(aa) R(ab) R(ac) R(ad)       \
	R(ae) R(af) "b0::/16"

struct entry {
	const char *section, *key, *value;
};

/* Every key, none at its default. */
static const struct entry full[] = {
	{ "tunnel", "device", "tun7" },
	{ "tunnel", "mtu", "1420   ; inner MTU" },
	{ "tunnel", "port", "7000" },
	{ "tunnel", "encryption", "chacha20-poly1305" },
	{ "tunnel", "delivery", "ordered" },
	{ "tunnel", "reliability", "rtx:2" },
	{ "keys", "psk-file", "site.key" },
	{ "local", "interface", "eth0.100" },
	{ "local", "prefix", "2001:db8:1:1::/64" },
	{ "local", "iid", "::1" },
	{ "peer", "prefix", "2001:DB8:2:2::/64" },
	{ "peer", "iid", "::a:0:0:2" },
	{ "peer", "routes", "2001:db8:100::/48 ,2001:db8:200::/56,\t2001:db8:300::7/128" },
	{ "rotation", "interval", "30" },
	{ "rotation", "lifetime", "5" },
	{ "rotation", "mode", "anyip" },
	{ "recovery", "rto-min", "50" },
	{ "recovery", "rto-max", "800" },
	{ "recovery", "heartbeat-interval", "500" },
	{ "recovery", "path-max-retrans", "3" },
	{ "recovery", "pf-threshold", "2" },
	{ "recovery", "max-retrans", "8" },
	{ "recovery", "max-backoff", "2000" },
};

struct bad_case {
	const char *title;
	/* Sets [section] key in the full file (adds it if absent); value NULL drops it. */
	struct entry set[2];
	const char *before, *after; /* raw text around the file */
	const char *file;	    /* "gw.conf" unless set */
	bool no_file;		    /* do not write the configuration at all */
	const char *psk;	    /* key file content, HEX_KEY unless set */
	mode_t psk_mode;	    /* 0600 unless set */
	int rc;
	const char *expect;	    /* in the message */
	const char *absent;	    /* not in the message */
};

static const struct bad_case bad[] = {
	{ "missing required key", { { "peer", "iid", NULL } }, .rc = -EINVAL,
	  .expect = "gw.conf: [peer] iid: missing (required)" },
	{ "missing psk-file", { { "keys", "psk-file", NULL } }, .rc = -EINVAL,
	  .expect = "[keys] psk-file: missing (required)" },
	{ "bad prefix syntax", { { "peer", "prefix", "2001:db8:2:2:/64" } }, .rc = -EINVAL,
	  .expect = "[peer] prefix: expected an IPv6 /64 prefix like 2001:db8:1:1::/64, got "
		    "\"2001:db8:2:2:/64\"" },
	{ "prefix without length", { { "peer", "prefix", "2001:db8:2:2::" } }, .rc = -EINVAL,
	  .expect = "[peer] prefix: expected an IPv6 /64 prefix" },
	{ "prefix not /64", { { "peer", "prefix", "2001:db8:2::/48" } }, .rc = -EINVAL,
	  .expect = "[peer] prefix: must be a /64" },
	{ "prefix host bits set", { { "local", "prefix", "2001:db8:1:1::5/64" } }, .rc = -EINVAL,
	  .expect = "[local] prefix: \"2001:db8:1:1::5/64\" has host bits set; did you mean "
		    "2001:db8:1:1::/64?" },
	{ "iid with upper bits", { { "local", "iid", "2001:db8::1" } }, .rc = -EINVAL,
	  .expect = "[local] iid: the upper 64 bits must be zero" },
	{ "iid zero", { { "peer", "iid", "::" } }, .rc = -EINVAL,
	  .expect = "[peer] iid: must not be zero" },
	{ "iid not an address", { { "peer", "iid", "2" } }, .rc = -EINVAL,
	  .expect = "[peer] iid: expected an interface identifier like ::1, got \"2\"" },
	{ "unknown key", { { "tunnel", "colour", "blue" } }, .rc = -EINVAL,
	  .expect = "[tunnel] colour: unknown key (expected one of: device, mtu, port, address, encryption, delivery, reliability, offload, buffer-size, sack-delay, rekey-interval)" },
	/* Host mode: contradictory or unusable inner addresses. */
	{ "host address inside peer routes", { { "tunnel", "address", "2001:db8:100::9/64" } },
	  .rc = -EINVAL,
	  .expect = "[tunnel] address: 2001:db8:100::9 lies in [peer] routes 2001:db8:100::/48" },
	{ "host address in the rotating /64", { { "tunnel", "address", "2001:db8:1:1::77/64" } },
	  .rc = -EINVAL,
	  .expect = "[tunnel] address: 2001:db8:1:1::77 lies in the local prefix 2001:db8:1:1::/64" },
	{ "host address in the peer's /64", { { "tunnel", "address", "2001:db8:2:2::1" } },
	  .rc = -EINVAL, .expect = "lies in the peer prefix 2001:db8:2:2::/64" },
	{ "host address link-local", { { "tunnel", "address", "fe80::1/64" } }, .rc = -EINVAL,
	  .expect = "[tunnel] address: expected a global or unique-local unicast address" },
	{ "host address multicast", { { "tunnel", "address", "ff02::1" } }, .rc = -EINVAL,
	  .expect = "[tunnel] address: expected a global or unique-local unicast address" },
	{ "host address not an address", { { "tunnel", "address", "fd00:a::1/129" } },
	  .rc = -EINVAL, .expect = "[tunnel] address: expected this host's inner IPv6 address" },
	{ "metrics directory relative", .after = "[metrics]\ndirectory = prom\n", .rc = -EINVAL,
	  .expect = "[metrics] directory: expected an absolute path, got \"prom\"" },
	{ "unknown section", .after = "[bogus]\nx = 1\n", .rc = -EINVAL,
	  .expect = "line 30: unknown section [bogus] (expected one of: tunnel, keys, local, peer, "
		    "rotation, recovery, metrics)" },
	{ "unknown empty section", .after = "[Peer]\n", .rc = -EINVAL,
	  .expect = "unknown section [Peer]" },
	{ "text after section", .after = "[peer] x\n", .rc = -EINVAL,
	  .expect = "line 30: unexpected text after ]" },
	{ "duplicate key", .after = "[peer]\niid = ::3\n", .rc = -EINVAL,
	  .expect = "[peer] iid: given twice" },
	{ "key outside any section", .before = "mtu = 1400\n", .rc = -EINVAL,
	  .expect = "gw.conf: line 1: key outside any [section]" },
	{ "line without =", .after = "[tunnel]\nmtu 1400\n", .rc = -EINVAL,
	  .expect = "line 31: expected \"key = value\"" },
	{ "comment before =", .after = "[tunnel]\nmtu ; = 1400\n", .rc = -EINVAL,
	  .expect = "line 31: expected \"key = value\"" },
	{ "overlong comment line", .before = "; " X200 "\n", .rc = -EINVAL,
	  .expect = "gw.conf: line 1: longer than 199 characters" },
	{ "overlong value", { { "peer", "routes", "2001:db8:100::/48 ; " X200 } }, .rc = -EINVAL,
	  .expect = "line 17: longer than 199 characters" },
	{ "indented continuation",
	  { { "peer", "routes", "2001:db8:100::/48,\n  2001:db8:200::/56" } },
	  .rc = -EINVAL, .expect = "line 18: indented, so it would continue the value" },
	{ "bad number", { { "rotation", "interval", "ten" } }, .rc = -EINVAL,
	  .expect = "gw.conf: [rotation] interval: expected a whole number of seconds from 1 to "
		    "86400, got \"ten\"" },
	{ "negative number", { { "rotation", "lifetime", "-1" } }, .rc = -EINVAL,
	  .expect = "[rotation] lifetime: expected a whole number of slots from 1 to 64" },
	{ "'#' inline comment", { { "rotation", "interval", "10 # ten seconds" } }, .rc = -EINVAL,
	  .expect = "got \"10 # ten seconds\" ('#' starts a comment only at the start of a line" },
	{ "number out of range", { { "tunnel", "mtu", "1000" } }, .rc = -EINVAL,
	  .expect = "[tunnel] mtu: out of range: expected auto or a whole number of bytes from "
		    "1280 to 65000, got \"1000\"" },
	{ "unknown cipher", { { "tunnel", "encryption", "aes-128-cbc" } }, .rc = -EINVAL,
	  .expect = "gw.conf: [tunnel] encryption: expected aes-256-gcm or chacha20-poly1305 or "
		    "none, got \"aes-128-cbc\"" },
	{ "unknown delivery", { { "tunnel", "delivery", "sorted" } }, .rc = -EINVAL,
	  .expect = "[tunnel] delivery: expected unordered or ordered, got \"sorted\"" },
	{ "unknown mode", { { "rotation", "mode", "AnyIP" } }, .rc = -EINVAL,
	  .expect = "[rotation] mode: expected interface or anyip, got \"AnyIP\"" },
	{ "anyip without a routed prefix", { { "local", "prefix", NULL } }, .rc = -EINVAL,
	  .expect = "[local] prefix: missing; [rotation] mode = anyip needs the /64 routed to "
		    "this gateway" },
	{ "reliability without a number", { { "tunnel", "reliability", "rtx:" } },
	  .rc = -EINVAL, .expect = "[tunnel] reliability: expected full, rtx:N with N "
				   "retransmissions from 0 to 15, or ttl:MS with a lifetime from 1 "
				   "to 60000 ms, got \"rtx:\"" },
	{ "reliability out of range", { { "tunnel", "reliability", "ttl:0" } }, .rc = -EINVAL,
	  .expect = "[tunnel] reliability: expected full, rtx:N" },
	{ "rto-min above rto-max", { { "recovery", "rto-min", "900" } }, .rc = -EINVAL,
	  .expect = "[recovery] rto-min: 900 ms is above rto-max (800 ms); expected rto-min <= "
		    "rto-max" },
	{ "pf-threshold above path-max-retrans", { { "recovery", "pf-threshold", "4" } },
	  .rc = -EINVAL, .expect = "[recovery] pf-threshold: 4 is above path-max-retrans (3)" },
	{ "huge number", { { "tunnel", "port", "99999999999999999999" } }, .rc = -EINVAL,
	  .expect = "[tunnel] port: out of range: expected a port number from 1 to 65535" },
	{ "empty value", { { "tunnel", "port", "" } }, .rc = -EINVAL,
	  .expect = "[tunnel] port: empty value" },
	{ "empty value before comment", { { "local", "interface", "; uplink" } }, .rc = -EINVAL,
	  .expect = "[local] interface: empty value" },
	{ "bad interface name", { { "local", "interface", "eth0/1" } }, .rc = -EINVAL,
	  .expect = "[local] interface: expected an interface name of 1 to 15 characters" },
	{ "interface name too long", { { "tunnel", "device", "mt6d0123456789ab" } }, .rc = -EINVAL,
	  .expect = "[tunnel] device: expected an interface name" },
	{ "too many routes", { { "peer", "routes", ROUTES_17 } }, .rc = -EINVAL,
	  .expect = "[peer] routes: expected at most 16 routes" },
	{ "route of length 0", { { "peer", "routes", "2001:db8:100::/48, ::/0" } }, .rc = -EINVAL,
	  .expect = "lengths 1 to 128 like 2001:db8:100::/48, got \"::/0\"" },
	{ "route host bits set", { { "peer", "routes", "2001:db8:100::1/48" } }, .rc = -EINVAL,
	  .expect = "did you mean 2001:db8:100::/48?" },
	{ "empty route entry", { { "peer", "routes", "2001:db8:100::/48,,2001:db8:200::/48" } },
	  .rc = -EINVAL, .expect = "[peer] routes: empty entry" },
	{ "route listed twice", { { "peer", "routes", "2001:db8:100::/48, 2001:db8:100::/48" } },
	  .rc = -EINVAL, .expect = "route listed twice" },
	{ "route covers peer prefix",
	  { { "peer", "routes", "2001:db8:100::/48, 2001:db8:2::/48" } },
	  .rc = -EINVAL, .expect = "2001:db8:2::/48 overlaps the peer prefix 2001:db8:2:2::/64" },
	{ "route inside local prefix", { { "peer", "routes", "2001:db8:1:1:8000::/65" } },
	  .rc = -EINVAL, .expect = "overlaps the local prefix 2001:db8:1:1::/64" },
	{ "local and peer address equal",
	  { { "peer", "prefix", "2001:db8:1:1::/64" }, { "peer", "iid", "::1" } }, .rc = -EINVAL,
	  .expect = "[peer] iid: gives the peer the local address" },
	{ "key file readable by others", .psk_mode = 0644, .rc = -EINVAL,
	  .expect = "site.key is readable by group or others (mode 0644); chmod 600 it" },
	{ "key file writable by group", .psk_mode = 0620, .rc = -EINVAL,
	  .expect = "site.key is accessible by group or others (mode 0620)" },
	{ "key file missing", { { "keys", "psk-file", "absent.key" } }, .rc = -ENOENT,
	  .expect = "absent.key: No such file or directory" },
	{ "key file is a directory", { { "keys", "psk-file", "keydir" } }, .rc = -EINVAL,
	  .expect = "keydir is not a regular file" },
	{ "key too short (hex)", .psk = "  000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
					"1c1d1e\n",
	  .rc = -EINVAL, .expect = "key too short: 31 bytes, expected 32 to 64" },
	{ "key too short (base64)", .psk = "AAECAwQFBgcICQoLDA0ODw==\n", .rc = -EINVAL,
	  .expect = "key too short: 16 bytes" },
	{ "key too long", .psk = HEX_KEY HEX_KEY "ff\n", .rc = -EINVAL,
	  .expect = "key too long: 65 bytes" },
	{ "key odd hex digits", .psk = HEX_KEY "f", .rc = -EINVAL,
	  .expect = "odd number of hex digits" },
	{ "key neither hex nor base64", .psk = "hunter2-SECRET-hunter2-SECRET-hunter2-SECRET\n",
	  .rc = -EINVAL, .expect = "neither hex nor base64", .absent = "SECRET" },
	{ "key wrapped base64", .psk = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\nHh8gISIjJCUmJygp"
				       "KissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==\n",
	  .rc = -EINVAL, .expect = "neither hex nor base64", .absent = "AAEC" },
	{ "key file empty", .psk = " \n", .rc = -EINVAL, .expect = "site.key: empty" },
	{ "bad file name", .file = "my tunnel.conf", .rc = -EINVAL,
	  .expect = "my tunnel.conf: the file name must be a tunnel name" },
	{ "file name only .conf", .file = ".conf", .rc = -EINVAL,
	  .expect = "the file name must be a tunnel name" },
	{ "configuration missing", .file = "absent.conf", .no_file = true, .rc = -ENOENT,
	  .expect = "absent.conf: cannot open: No such file or directory" },
};

static char dir[] = "/tmp/mt6d-test-config.XXXXXX";
static unsigned int passed, failed;

static void __attribute__((format(printf, 2, 3))) result(bool ok, const char *fmt, ...)
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

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[PATH_MAX];
	size_t len = strlen(text);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	/* fchmod(): the mode under test must not depend on the umask. */
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) || close(fd)) {
		perror(path);
		exit(1);
	}
}

static bool is_in(const struct entry *e, size_t n, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(e[i].section, section) && !strcmp(e[i].key, key))
			return true;
	return false;
}

/* The file: @e grouped by section, with the settings of @c applied. */
static void build(char *buf, size_t len, const struct entry *e, size_t n,
		  const struct bad_case *c)
{
	const struct entry *set;
	const char *value;
	size_t i, j, used = 0;

#define ADD(...) (used += (size_t)snprintf(buf + used, used < len ? len - used : 0, __VA_ARGS__))
	ADD("%s", c->before ? c->before : "");
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(e[i].section, e[i - 1].section))
			ADD("[%s]\n", e[i].section);
		value = e[i].value;
		for (j = 0; j < ARRAY_SIZE(c->set); j++) {
			set = &c->set[j];
			if (set->key && !strcmp(set->section, e[i].section) &&
			    !strcmp(set->key, e[i].key))
				value = set->value;
		}
		if (value)
			ADD("%s = %s\n", e[i].key, value);
		if (i + 1 < n && !strcmp(e[i + 1].section, e[i].section))
			continue;
		/* The end of a section: add the keys it does not have. */
		for (j = 0; j < ARRAY_SIZE(c->set); j++) {
			set = &c->set[j];
			if (set->key && !strcmp(set->section, e[i].section) &&
			    !is_in(e, n, set->section, set->key))
				ADD("%s = %s\n", set->key, set->value);
		}
	}
	ADD("%s", c->after ? c->after : "");
#undef ADD
	if (used >= len) {
		fprintf(stderr, "test file too large\n");
		exit(1);
	}
}

static int load(struct mt6d_config *cfg, const char *file, char *err, size_t errlen)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return mt6d_config_load(cfg, path, err, errlen);
}

static bool prefix_is(const struct mt6d_prefix *p, const char *addr, unsigned int len)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, addr, &a) == 1 && !memcmp(&a, &p->addr, sizeof(a)) &&
	       p->len == len;
}

static bool addr_is(const struct in6_addr *p, const char *addr)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, addr, &a) == 1 && !memcmp(&a, p, sizeof(a));
}

static bool psk_is_counting(const struct mt6d_config *cfg, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (cfg->psk[i] != i)
			return false;
	return cfg->psk_len == len;
}

static bool psk_is_wiped(const struct mt6d_config *cfg)
{
	static const uint8_t zero[MT6D_PSK_MAX];

	return cfg->psk_len == 0 && !memcmp(cfg->psk, zero, sizeof(zero));
}

/* Checks a list of (condition, field name) and reports the first one that failed. */
#define EXPECT_ALL(title, ...)                                                                     \
	do {                                                                                       \
		const struct {                                                                     \
			bool ok;                                                                   \
			const char *what;                                                          \
		} checks_[] = { __VA_ARGS__ };                                                     \
		const char *bad_ = NULL;                                                           \
		for (size_t i_ = 0; i_ < ARRAY_SIZE(checks_) && !bad_; i_++)                       \
			if (!checks_[i_].ok)                                                       \
				bad_ = checks_[i_].what;                                           \
		result(!bad_, "%s%s%s", title, bad_ ? ": wrong " : "", bad_ ? bad_ : "");         \
	} while (0)

static void test_full(void)
{
	static const struct bad_case none = { 0 };
	struct mt6d_config cfg;
	char text[4096], err[512], key[PATH_MAX], path[PATH_MAX];
	int rc;

	build(text, sizeof(text), full, ARRAY_SIZE(full), &none);
	write_file("gw.conf", text, 0644);
	write_file("site.key", HEX_KEY "\n", 0600);
	rc = load(&cfg, "gw.conf", err, sizeof(err));
	if (rc) {
		result(false, "full file: %d %s", rc, err);
		return;
	}
	snprintf(path, sizeof(path), "%s/gw.conf", dir);
	snprintf(key, sizeof(key), "%s/site.key", dir);
	EXPECT_ALL("full file, every key in its field",
		   { !strcmp(cfg.path, path), "path" },
		   { !strcmp(cfg.name, "gw"), "name" },
		   { !strcmp(cfg.device, "tun7"), "device" },
		   { cfg.mtu == 1420, "mtu" },
		   { cfg.port == 7000, "port" },
		   { cfg.encryption == 1, "encryption" },
		   { cfg.delivery == MT6D_DELIVERY_ORDERED, "delivery" },
		   { cfg.mode == MT6D_MODE_ANYIP, "mode" },
		   { cfg.reliability.policy == MT6D_PR_RTX && cfg.reliability.value == 2,
		     "reliability" },
		   { cfg.recovery.rto_min == 50 && cfg.recovery.rto_max == 800 &&
		     cfg.recovery.heartbeat_interval == 500 && cfg.recovery.path_max_retrans == 3 &&
		     cfg.recovery.pf_threshold == 2 && cfg.recovery.max_retrans == 8 &&
		     cfg.recovery.max_backoff == 2000, "recovery"},
		   { !strcmp(cfg.psk_file, key), "psk_file" },
		   { psk_is_counting(&cfg, 32), "psk" },
		   { !strcmp(cfg.interface, "eth0.100"), "interface" },
		   { prefix_is(&cfg.local_prefix, "2001:db8:1:1::", 64), "local_prefix" },
		   { addr_is(&cfg.local_iid, "::1"), "local_iid" },
		   { prefix_is(&cfg.peer_prefix, "2001:db8:2:2::", 64), "peer_prefix" },
		   { addr_is(&cfg.peer_iid, "::a:0:0:2"), "peer_iid" },
		   { cfg.n_routes == 3, "n_routes" },
		   { prefix_is(&cfg.routes[0], "2001:db8:100::", 48), "routes[0]" },
		   { prefix_is(&cfg.routes[1], "2001:db8:200::", 56), "routes[1]" },
		   { prefix_is(&cfg.routes[2], "2001:db8:300::7", 128), "routes[2]" },
		   { cfg.interval == 30, "interval" },
		   { cfg.lifetime == 5, "lifetime" },
		   { err[0] == '\0', "err (not empty)" });
	mt6d_config_clear(&cfg);
	EXPECT_ALL("mt6d_config_clear wipes the key", { psk_is_wiped(&cfg), "psk" });
}

/*
 * Only the required keys, with what real files carry: a UTF-8 byte order mark, CRLF line
 * ends, comments, blank lines, "key: value", indentation before the first key of a section.
 */
static void test_defaults(void)
{
	static const char text[] =
		"\xef\xbb\xbf; minimal\r\n"
		"[keys]\r\n"
		"psk-file = site-b.key\r\n"
		"\r\n"
		"[local] ; this host\r\n"
		"  interface = wlp3s0\r\n"
		"iid: ::1:2\r\n"
		"\t; indented comment\r\n"
		"# full-line comment\r\n"
		"[peer]\r\n"
		"prefix = 2001:db8:2:2::/64\r\n"
		"iid = ::1:2\r\n"
		"routes = 2001:db8:100::/48\r\n";
	struct mt6d_config cfg;
	char err[512];
	int rc;

	write_file("site-b.conf", text, 0644);
	write_file("site-b.key", "\n  " B64_KEY_64 "  \r\n\n", 0400);
	rc = load(&cfg, "site-b.conf", err, sizeof(err));
	if (rc) {
		result(false, "defaults: %d %s", rc, err);
		return;
	}
	EXPECT_ALL("defaults for optional keys (base64 key, CRLF, BOM)",
		   { !strcmp(cfg.name, "site-b"), "name" },
		   { !strcmp(cfg.device, "mt6d0"), "device" },
		   { cfg.mtu == 0, "mtu (auto)" },
		   { cfg.port == 7861, "port" },
		   { cfg.encryption == 0 && cfg.delivery == MT6D_DELIVERY_UNORDERED &&
		     cfg.reliability.policy == MT6D_PR_FULL, "tunnel defaults" },
		   { cfg.recovery.rto_min == 100 && cfg.recovery.rto_max == 1000 &&
		     cfg.recovery.max_backoff == 4000, "recovery defaults" },
		   { cfg.interval == 10, "interval" },
		   { cfg.lifetime == 3, "lifetime" },
		   { cfg.mode == MT6D_MODE_INTERFACE, "mode" },
		   { cfg.local_prefix.len == 0, "local_prefix" },
		   { addr_is(&cfg.local_iid, "::1:2"), "local_iid" },
		   { !strcmp(cfg.interface, "wlp3s0"), "interface" },
		   { psk_is_counting(&cfg, 64), "psk" },
		   { cfg.n_routes == 1, "n_routes" });
	mt6d_config_clear(&cfg);
}

/* A file named without ".conf", and error buffers too small or absent. */
static void test_edges(void)
{
	static const struct bad_case none = { 0 };
	struct mt6d_config cfg;
	char text[4096], err[16];
	int rc;

	build(text, sizeof(text), full, ARRAY_SIZE(full), &none);
	write_file("site.key", HEX_KEY, 0600);
	write_file("gw2", text, 0600);
	rc = load(&cfg, "gw2", NULL, 0);
	EXPECT_ALL("file name without .conf, no error buffer", { rc == 0, "return code" },
		   { !strcmp(cfg.name, "gw2"), "name" });
	mt6d_config_clear(&cfg);

	memset(err, 'x', sizeof(err));
	rc = load(&cfg, "absent.conf", err, sizeof(err));
	EXPECT_ALL("short error buffer is truncated and terminated", { rc == -ENOENT, "rc" },
		   { memchr(err, '\0', sizeof(err)) != NULL, "termination" },
		   { !strncmp(err, dir, sizeof(err) - 1), "message" });
	rc = load(&cfg, "absent.conf", NULL, 0);
	EXPECT_ALL("failure with no error buffer", { rc == -ENOENT, "rc" },
		   { psk_is_wiped(&cfg), "psk" });
}

/* Host mode: an inner address with and without a prefix length. */
static void test_host_mode(void)
{
	static const struct bad_case with_len = { .set = { { "tunnel", "address", "fd00:a::1/64" } } };
	static const struct bad_case bare = { .set = { { "tunnel", "address", "fd00:a::5" } } };
	struct mt6d_config cfg;
	char text[4096], err[512];
	int rc;

	write_file("site.key", HEX_KEY "\n", 0600);
	build(text, sizeof(text), full, ARRAY_SIZE(full), &with_len);
	write_file("host.conf", text, 0600);
	rc = load(&cfg, "host.conf", err, sizeof(err));
	EXPECT_ALL("host mode address with length", { rc == 0, "return code" },
		   { addr_is(&cfg.address.addr, "fd00:a::1") && cfg.address.len == 64, "address" });
	mt6d_config_clear(&cfg);
	build(text, sizeof(text), full, ARRAY_SIZE(full), &bare);
	write_file("host.conf", text, 0600);
	rc = load(&cfg, "host.conf", err, sizeof(err));
	EXPECT_ALL("host mode bare address is a /128", { rc == 0, "return code" },
		   { addr_is(&cfg.address.addr, "fd00:a::5") && cfg.address.len == 128, "address" });
	mt6d_config_clear(&cfg);
	build(text, sizeof(text), full, ARRAY_SIZE(full), &(struct bad_case){ 0 });
	write_file("host.conf", text, 0600);
	rc = load(&cfg, "host.conf", err, sizeof(err));
	EXPECT_ALL("gateway mode without address", { rc == 0, "return code" },
		   { cfg.address.len == 0, "address" });
	mt6d_config_clear(&cfg);
}

static void test_bad(const struct bad_case *c)
{
	struct mt6d_config cfg;
	char text[4096], err[512];
	const char *file = c->file ? c->file : "gw.conf";
	bool ok;
	int rc;

	build(text, sizeof(text), full, ARRAY_SIZE(full), c);
	if (!c->no_file)
		write_file(file, text, 0644);
	write_file("site.key", c->psk ? c->psk : HEX_KEY "\n", c->psk_mode ? c->psk_mode : 0600);
	rc = load(&cfg, file, err, sizeof(err));
	ok = rc == c->rc && strstr(err, c->expect) && !strchr(err, '\n') &&
	     (!c->absent || !strstr(err, c->absent)) && psk_is_wiped(&cfg);
	result(ok, "%s: %s (%d)", c->title, err, rc);
	if (!ok)
		printf("       expected: %s (%d)\n", c->expect, c->rc);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	char keydir[PATH_MAX];
	size_t i;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(keydir, sizeof(keydir), "%s/keydir", dir);
	if (mkdir(keydir, 0700)) {
		perror(keydir);
		return 1;
	}
	test_full();
	test_defaults();
	test_edges();
	test_host_mode();
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		test_bad(&bad[i]);
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: MIT
/*
 * The configuration loader: a full file lands in the right fields, defaults fill a minimal
 * one, and each file with a bad line, key or value fails with its own message and return
 * code. Key files are tested in test_config_psk.c, the rules between keys in
 * test_config_rules.c; config_fixture.h has what they share.
 */

#include <arpa/inet.h>

#include "config_fixture.h"

#define B64_KEY_64 \
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
#define X10 "xxxxxxxxxx"
#define X50 X10 X10 X10 X10 X10
#define X200 X50 X50 X50 X50
#define R(n) #n "::/16,"
/* clang-format off */
#define ROUTES_17 \
	R(a0) R(a1) R(a2) R(a3) R(a4) R(a5) R(a6) R(a7) R(a8) R(a9) R(aa) R(ab) R(ac) R(ad) \
	R(ae) R(af) "b0::/16"
/* clang-format on */

/* clang-format off */
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
	{ "padding too small", { { "tunnel", "padding", "8" } }, .rc = -EINVAL,
	  .expect = "[tunnel] padding: out of range: expected off or a frame size multiple in "
		    "bytes from 16 to 1024, got \"8\"" },
	{ "association-slots zero", { { "rotation", "association-slots", "0" } }, .rc = -EINVAL,
	  .expect = "[rotation] association-slots: out of range: expected off or a whole number "
		    "of slots from 1 to 1000, got \"0\"" },
	{ "port-range reversed", { { "rotation", "port-range", "60000-50000" } }, .rc = -EINVAL,
	  .expect = "[rotation] port-range: expected LO-HI, two port numbers from 1 to 65535 with "
		    "HI at least LO + 255 (e.g. 49152-65535), got \"60000-50000\"" },
	{ "port-range too narrow", { { "rotation", "port-range", "50000-50010" } }, .rc = -EINVAL,
	  .expect = "[rotation] port-range: expected LO-HI" },
	{ "port-range one port", { { "rotation", "port-range", "50000" } }, .rc = -EINVAL,
	  .expect = "[rotation] port-range: expected LO-HI" },
	{ "port-range port zero", { { "rotation", "port-range", "0-65535" } }, .rc = -EINVAL,
	  .expect = "[rotation] port-range: expected LO-HI" },
	{ "unknown key", { { "tunnel", "colour", "blue" } }, .rc = -EINVAL,
	  .expect = "[tunnel] colour: unknown key (expected one of: device, mtu, port, address, encryption, delivery, reliability, offload, coalesce, padding, buffer-size, sack-delay, rekey-interval)" },
	/* Host mode: unusable inner addresses. */
	{ "host address link-local", { { "tunnel", "address", "fe80::1/64" } }, .rc = -EINVAL,
	  .expect = "[tunnel] address: expected a global or unique-local unicast address" },
	{ "host address multicast", { { "tunnel", "address", "ff02::1" } }, .rc = -EINVAL,
	  .expect = "[tunnel] address: expected a global or unique-local unicast address" },
	{ "host address not an address", { { "tunnel", "address", "fd00:a::1/129" } },
	  .rc = -EINVAL, .expect = "[tunnel] address: expected this host's inner IPv6 address" },
	{ "metrics directory relative", .after = "[metrics]\ndirectory = prom\n", .rc = -EINVAL,
	  .expect = "[metrics] directory: expected an absolute path, got \"prom\"" },
	{ "unknown section", .after = "[bogus]\nx = 1\n", .rc = -EINVAL,
	  .expect = "line 32: unknown section [bogus] (expected one of: tunnel, keys, local, peer, "
		    "rotation, recovery, guard, metrics)" },
	{ "unknown empty section", .after = "[Peer]\n", .rc = -EINVAL,
	  .expect = "unknown section [Peer]" },
	{ "text after section", .after = "[peer] x\n", .rc = -EINVAL,
	  .expect = "line 32: unexpected text after ]" },
	{ "duplicate key", .after = "[peer]\niid = ::3\n", .rc = -EINVAL,
	  .expect = "[peer] iid: given twice" },
	{ "key outside any section", .before = "mtu = 1400\n", .rc = -EINVAL,
	  .expect = "gw.conf: line 1: key outside any [section]" },
	{ "line without =", .after = "[tunnel]\nmtu 1400\n", .rc = -EINVAL,
	  .expect = "line 33: expected \"key = value\"" },
	{ "comment before =", .after = "[tunnel]\nmtu ; = 1400\n", .rc = -EINVAL,
	  .expect = "line 33: expected \"key = value\"" },
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
	{ "reliability without a number", { { "tunnel", "reliability", "rtx:" } },
	  .rc = -EINVAL, .expect = "[tunnel] reliability: expected full, rtx:N with N "
				   "retransmissions from 0 to 15, or ttl:MS with a lifetime from 1 "
				   "to 60000 ms, got \"rtx:\"" },
	{ "reliability out of range", { { "tunnel", "reliability", "ttl:0" } }, .rc = -EINVAL,
	  .expect = "[tunnel] reliability: expected full, rtx:N" },
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
	{ "bad file name", .file = "my tunnel.conf", .rc = -EINVAL,
	  .expect = "my tunnel.conf: the file name must be a tunnel name" },
	{ "file name only .conf", .file = ".conf", .rc = -EINVAL,
	  .expect = "the file name must be a tunnel name" },
	{ "configuration missing", .file = "absent.conf", .no_file = true, .rc = -ENOENT,
	  .expect = "absent.conf: cannot open: No such file or directory" },
};
/* clang-format on */

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

/* Checks a list of (condition, field name) and reports the first one that failed. */
#define EXPECT_ALL(title, ...)                                                            \
	do {                                                                              \
		const struct {                                                            \
			bool ok;                                                          \
			const char *what;                                                 \
		} checks_[] = { __VA_ARGS__ };                                            \
		const char *bad_ = NULL;                                                  \
		for (size_t i_ = 0; i_ < ARRAY_SIZE(checks_) && !bad_; i_++)              \
			if (!checks_[i_].ok)                                              \
				bad_ = checks_[i_].what;                                  \
		result(!bad_, "%s%s%s", title, bad_ ? ": wrong " : "", bad_ ? bad_ : ""); \
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
	EXPECT_ALL("full file, every key in its field", { !strcmp(cfg.path, path), "path" },
		   { !strcmp(cfg.name, "gw"), "name" }, { !strcmp(cfg.device, "tun7"), "device" },
		   { cfg.mtu == 1420, "mtu" }, { cfg.port == 7000, "port" },
		   { cfg.encryption == 1, "encryption" },
		   { cfg.delivery == MT6D_DELIVERY_ORDERED, "delivery" },
		   { cfg.mode == MT6D_MODE_ANYIP, "mode" },
		   { cfg.reliability.policy == MT6D_PR_RTX && cfg.reliability.value == 2,
		     "reliability" },
		   { cfg.recovery.rto_min == 50 && cfg.recovery.rto_max == 800 &&
			     cfg.recovery.heartbeat_interval == 500 &&
			     cfg.recovery.path_max_retrans == 3 && cfg.recovery.pf_threshold == 2 &&
			     cfg.recovery.max_retrans == 8 && cfg.recovery.max_backoff == 2000,
		     "recovery" },
		   { !strcmp(cfg.psk_file, key), "psk_file" }, { psk_is_counting(&cfg, 32), "psk" },
		   { !strcmp(cfg.interface, "eth0.100"), "interface" },
		   { prefix_is(&cfg.local_prefix, "2001:db8:1:1::", 64), "local_prefix" },
		   { addr_is(&cfg.local_iid, "::1"), "local_iid" },
		   { prefix_is(&cfg.peer_prefix, "2001:db8:2:2::", 64), "peer_prefix" },
		   { addr_is(&cfg.peer_iid, "::a:0:0:2"), "peer_iid" },
		   { cfg.n_routes == 3, "n_routes" },
		   { prefix_is(&cfg.routes[0], "2001:db8:100::", 48), "routes[0]" },
		   { prefix_is(&cfg.routes[1], "2001:db8:200::", 56), "routes[1]" },
		   { prefix_is(&cfg.routes[2], "2001:db8:300::7", 128), "routes[2]" },
		   { cfg.interval == 30, "interval" }, { cfg.lifetime == 5, "lifetime" },
		   { cfg.association_slots == 4, "association_slots" },
		   { cfg.port_range.lo == 50000 && cfg.port_range.hi == 50999, "port_range" },
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
	static const char text[] = "\xef\xbb\xbf; minimal\r\n"
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
		   { !strcmp(cfg.device, "mt6d0"), "device" }, { cfg.mtu == 0, "mtu (auto)" },
		   { cfg.port == 7861, "port" },
		   { cfg.encryption == 0 && cfg.delivery == MT6D_DELIVERY_UNORDERED &&
			     cfg.reliability.policy == MT6D_PR_FULL,
		     "tunnel defaults" },
		   { cfg.recovery.rto_min == 100 && cfg.recovery.rto_max == 1000 &&
			     cfg.recovery.max_backoff == 4000,
		     "recovery defaults" },
		   { cfg.interval == 10, "interval" }, { cfg.lifetime == 3, "lifetime" },
		   { cfg.mode == MT6D_MODE_INTERFACE, "mode" },
		   { cfg.association_slots == 0, "association_slots (off)" },
		   { cfg.port_range.lo == 49152 && cfg.port_range.hi == 65535, "port_range" },
		   { cfg.local_prefix.len == 0, "local_prefix" },
		   { addr_is(&cfg.local_iid, "::1:2"), "local_iid" },
		   { !strcmp(cfg.interface, "wlp3s0"), "interface" },
		   { psk_is_counting(&cfg, 64), "psk" }, { cfg.n_routes == 1, "n_routes" });
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
	static const struct bad_case with_len = { .set = { { "tunnel", "address",
							     "fd00:a::1/64" } } };
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
	EXPECT_ALL(
		"host mode bare address is a /128", { rc == 0, "return code" },
		{ addr_is(&cfg.address.addr, "fd00:a::5") && cfg.address.len == 128, "address" });
	mt6d_config_clear(&cfg);
	build(text, sizeof(text), full, ARRAY_SIZE(full), &(struct bad_case){ 0 });
	write_file("host.conf", text, 0600);
	rc = load(&cfg, "host.conf", err, sizeof(err));
	EXPECT_ALL("gateway mode without address", { rc == 0, "return code" },
		   { cfg.address.len == 0, "address" });
	mt6d_config_clear(&cfg);
}

int main(void)
{
	fixture_begin();
	test_full();
	test_defaults();
	test_edges();
	test_host_mode();
	test_bad_cases(bad, ARRAY_SIZE(bad));
	return fixture_end();
}

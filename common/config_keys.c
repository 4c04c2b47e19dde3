// SPDX-License-Identifier: MIT
/*
 * The configuration keys: one table row per key, each naming a small typed parser that checks
 * the value and stores it in struct mt6d_config, and the rules between keys.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config_keys.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FIELD(f)                                                                                   \
	.offset = offsetof(struct mt6d_config, f), .size = sizeof(((struct mt6d_config *)0)->f)

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" is 49 bytes; longer is not a prefix. */
#define PREFIX_TEXT_MAX 64

bool mt6d_config_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static void *field(const struct mt6d_config_key *key, struct mt6d_config *cfg)
{
	return (char *)cfg + key->offset;
}

/* Writes "<expected>, got "<value>"" into @why and returns -EINVAL. */
static int __attribute__((format(printf, 4, 5)))
bad_value(char *why, size_t whylen, const char *value, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	/* inih strips "; comment" after a value but not "# comment": say so, it looks alike. */
	if (n >= 0 && (size_t)n < whylen)
		snprintf(why + n, whylen - n, ", got \"%s\"%s", value,
			 strchr(value, '#') ? " ('#' starts a comment only at the start of a line; "
					      "use ';' after a value)"
					    : "");
	return -EINVAL;
}

static int parse_ifname(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
			char *why, size_t whylen)
{
	size_t len = strlen(value), i;
	bool ok = len < key->size && strcmp(value, ".") && strcmp(value, "..");

	for (i = 0; ok && i < len; i++)
		ok = mt6d_config_is_name_char(value[i]);
	if (!ok)
		return bad_value(why, whylen, value,
				 "expected an interface name of 1 to %zu characters from "
				 "A-Z a-z 0-9 _ . -",
				 key->size - 1);
	memcpy(field(key, cfg), value, len + 1);
	return 0;
}

/* Decimal digits only: no sign, no spaces, no hex; -ERANGE outside min..max. */
static int number(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	uint64_t v = 0;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	for (; *s; s++) {
		/* max <= UINT_MAX, so v * 10 + 9 cannot wrap before the check stops us. */
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -ERANGE;
	}
	if (v < min)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

/* Stores into an unsigned int or, for the port, a uint16_t field; the range comes from the row. */
static int parse_uint(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
		      char *why, size_t whylen)
{
	unsigned int v;
	int rc = number(value, key->min, key->max, &v);

	if (rc)
		return bad_value(why, whylen, value, "%sexpected %s from %u to %u",
				 rc == -ERANGE ? "out of range: " : "", key->what, key->min,
				 key->max);
	if (key->size == sizeof(uint16_t))
		*(uint16_t *)field(key, cfg) = (uint16_t)v;
	else
		*(unsigned int *)field(key, cfg) = v;
	return 0;
}

/* "auto" (stored as 0) or a number in the row's range ([tunnel] mtu, [guard] evidence-window). */
static int parse_auto(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
		     char *why, size_t whylen)
{
	if (!strcmp(value, "auto")) {
		*(unsigned int *)field(key, cfg) = 0;
		return 0;
	}
	int rc = number(value, key->min, key->max, (unsigned int *)field(key, cfg));

	if (rc)
		return bad_value(why, whylen, value, "%sexpected auto or %s from %u to %u",
				 rc == -ERANGE ? "out of range: " : "", key->what, key->min,
				 key->max);
	return 0;
}

/* One of the row's names, stored as its index. */
static int parse_choice(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
			char *why, size_t whylen)
{
	char list[128] = "";

	for (unsigned int i = 0; key->choices[i]; i++) {
		if (!strcmp(value, key->choices[i])) {
			*(unsigned int *)field(key, cfg) = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? " or " : "",
			 key->choices[i]);
	}
	return bad_value(why, whylen, value, "expected %s", list);
}

/* "full", "rtx:N" (0..15 retransmissions) or "ttl:MS" (1..60000 ms). */
static int parse_reliability(const struct mt6d_config_key *key, const char *value,
			     struct mt6d_config *cfg, char *why, size_t whylen)
{
	struct mt6d_reliability r = { .policy = MT6D_PR_FULL };
	int rc = 0;

	if (!strncmp(value, "rtx:", 4)) {
		r.policy = MT6D_PR_RTX;
		rc = number(value + 4, 0, 15, &r.value);
	} else if (!strncmp(value, "ttl:", 4)) {
		r.policy = MT6D_PR_TTL;
		rc = number(value + 4, 1, 60000, &r.value);
	} else if (strcmp(value, "full")) {
		rc = -EINVAL;
	}
	if (rc)
		return bad_value(why, whylen, value,
				 "expected full, rtx:N with N retransmissions from 0 to 15, or "
				 "ttl:MS with a lifetime from 1 to 60000 ms");
	*(struct mt6d_reliability *)field(key, cfg) = r;
	return 0;
}

static int parse_path(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
		      char *why, size_t whylen)
{
	size_t len = strlen(value);

	if (len >= key->size) {
		snprintf(why, whylen, "expected a path of at most %zu bytes", key->size - 1);
		return -EINVAL;
	}
	memcpy(field(key, cfg), value, len + 1);
	return 0;
}

/* Daemons run with "/" as working directory: a relative path would surprise. */
static int parse_abspath(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
			 char *why, size_t whylen)
{
	if (value[0] != '/')
		return bad_value(why, whylen, value, "expected an absolute path");
	return parse_path(key, value, cfg, why, whylen);
}

/* Clears the bits after the first @len. */
static void mask(struct in6_addr *a, unsigned int len)
{
	unsigned int i, keep;

	for (i = 0; i < sizeof(a->s6_addr); i++) {
		keep = len > 8 * i ? len - 8 * i : 0;
		if (keep < 8)
			a->s6_addr[i] &= (uint8_t)(0xff00 >> keep);
	}
}

static bool host_bits_set(const struct mt6d_prefix *p)
{
	struct in6_addr a = p->addr;

	mask(&a, p->len);
	return memcmp(&a, &p->addr, sizeof(a)) != 0;
}

/* Whether one prefix contains the other. */
static bool overlap(const struct mt6d_prefix *a, const struct mt6d_prefix *b)
{
	struct in6_addr x = a->addr, y = b->addr;
	unsigned int len = a->len < b->len ? a->len : b->len;

	mask(&x, len);
	mask(&y, len);
	return memcmp(&x, &y, sizeof(x)) == 0;
}

/* "addr/len" with len 0..128; no spaces. */
static int prefix_from_text(const char *s, struct mt6d_prefix *p)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned int len;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET6, addr, &p->addr) != 1 || strlen(slash + 1) > 3 ||
	    number(slash + 1, 0, 128, &len))
		return -EINVAL;
	p->len = (uint8_t)len;
	return 0;
}

static int host_bits_error(const struct mt6d_prefix *p, const char *value, char *why,
			   size_t whylen)
{
	char text[INET6_ADDRSTRLEN];
	struct in6_addr a = p->addr;

	mask(&a, p->len);
	inet_ntop(AF_INET6, &a, text, sizeof(text));
	snprintf(why, whylen, "\"%s\" has host bits set; did you mean %s/%u?", value, text, p->len);
	return -EINVAL;
}

/* The /64 that rotating addresses are drawn from. */
static int parse_prefix64(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
			  char *why, size_t whylen)
{
	struct mt6d_prefix p;

	if (prefix_from_text(value, &p))
		return bad_value(why, whylen, value,
				 "expected an IPv6 /64 prefix like 2001:db8:1:1::/64");
	if (p.len != 64)
		return bad_value(why, whylen, value,
				 "must be a /64 (mt6d chooses the lower 64 bits of each address)");
	if (host_bits_set(&p))
		return host_bits_error(&p, value, why, whylen);
	*(struct mt6d_prefix *)field(key, cfg) = p;
	return 0;
}

/*
 * Host mode: this host's own inner address on the TUN device, "fd00:a::1/64"
 * (a bare address means /128). Global unicast or unique local only.
 */
static int parse_address(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
			 char *why, size_t whylen)
{
	struct mt6d_prefix p = { .len = 128 };

	if (strchr(value, '/') ? prefix_from_text(value, &p) || p.len == 0
			       : inet_pton(AF_INET6, value, &p.addr) != 1)
		return bad_value(why, whylen, value,
				 "expected this host's inner IPv6 address like fd00:a::1/64");
	if (IN6_IS_ADDR_UNSPECIFIED(&p.addr) || IN6_IS_ADDR_LOOPBACK(&p.addr) ||
	    IN6_IS_ADDR_MULTICAST(&p.addr) || IN6_IS_ADDR_LINKLOCAL(&p.addr) ||
	    IN6_IS_ADDR_V4MAPPED(&p.addr))
		return bad_value(why, whylen, value,
				 "expected a global or unique-local unicast address");
	*(struct mt6d_prefix *)field(key, cfg) = p;
	return 0;
}

/* An interface identifier: written as an IPv6 address whose upper 64 bits are zero. */
static int parse_iid(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
		     char *why, size_t whylen)
{
	static const uint8_t zero[8];
	struct in6_addr a;

	if (inet_pton(AF_INET6, value, &a) != 1)
		return bad_value(why, whylen, value, "expected an interface identifier like ::1");
	if (memcmp(a.s6_addr, zero, 8))
		return bad_value(why, whylen, value,
				 "the upper 64 bits must be zero (the prefix supplies them), "
				 "expected an interface identifier like ::1");
	if (!memcmp(a.s6_addr + 8, zero, 8))
		return bad_value(why, whylen, value, "must not be zero, expected an interface "
						     "identifier like ::1");
	*(struct in6_addr *)field(key, cfg) = a;
	return 0;
}

/* "2001:db8:100::/48, 2001:db8:200::/56": spaces and tabs allowed around the commas. */
static int parse_routes(const struct mt6d_config_key *key, const char *value, struct mt6d_config *cfg,
			char *why, size_t whylen)
{
	struct mt6d_prefix r[MT6D_MAX_ROUTES];
	char text[PREFIX_TEXT_MAX];
	const char *p = value, *end, *b, *e;
	size_t n = 0, i;

	for (;;) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		for (b = p; b < end && (*b == ' ' || *b == '\t'); b++)
			;
		for (e = end; e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (b == e)
			return bad_value(why, whylen, value, "empty entry in the list of routes");
		if (n == MT6D_MAX_ROUTES)
			return bad_value(why, whylen, value, "expected at most %d routes",
					 MT6D_MAX_ROUTES);
		if ((size_t)(e - b) >= sizeof(text))
			e = b + sizeof(text) - 1; /* too long to be a prefix: fails below */
		memcpy(text, b, (size_t)(e - b));
		text[e - b] = '\0';
		if (prefix_from_text(text, &r[n]) || r[n].len == 0)
			return bad_value(why, whylen, text,
					 "expected a comma-separated list of IPv6 prefixes with "
					 "lengths 1 to 128 like 2001:db8:100::/48");
		if (host_bits_set(&r[n]))
			return host_bits_error(&r[n], text, why, whylen);
		for (i = 0; i < n; i++)
			if (r[i].len == r[n].len && overlap(&r[i], &r[n]))
				return bad_value(why, whylen, text, "route listed twice");
		n++;
		if (!*end)
			break;
		p = end + 1;
	}
	memcpy(cfg->routes, r, n * sizeof(r[0]));
	cfg->n_routes = n;
	return 0;
}

/* Index order is enum mt6d_cipher's and enum mt6d_delivery's. */
static const char *const cipher_names[] = { "aes-256-gcm", "chacha20-poly1305", "none", NULL };
static const char *const delivery_names[] = { "unordered", "ordered", NULL };
static const char *const yes_no[] = { "no", "yes", NULL };
/* Index order is enum mt6d_bind_mode's. */
static const char *const mode_names[] = { "interface", "anyip", NULL };

const struct mt6d_config_key config_keys[] = {
	{ .section = "tunnel", .name = "device", .parse = parse_ifname, FIELD(device),
	  .def = "mt6d0" },
	{ .section = "tunnel", .name = "mtu", .parse = parse_auto, FIELD(mtu),
	  .what = "a whole number of bytes", .min = 1280, .max = 65000, .def = "auto" },
	{ .section = "tunnel", .name = "port", .parse = parse_uint, FIELD(port),
	  .what = "a port number", .min = 1, .max = 65535, .def = "7861" },
	{ .section = "tunnel", .name = "address", .parse = parse_address, FIELD(address) },
	{ .section = "tunnel", .name = "encryption", .parse = parse_choice, FIELD(encryption),
	  .choices = cipher_names, .def = "aes-256-gcm" },
	{ .section = "tunnel", .name = "delivery", .parse = parse_choice, FIELD(delivery),
	  .choices = delivery_names, .def = "unordered" },
	{ .section = "tunnel", .name = "reliability", .parse = parse_reliability,
	  FIELD(reliability), .def = "full" },
	{ .section = "tunnel", .name = "offload", .parse = parse_choice, FIELD(offload),
	  .choices = yes_no, .def = "yes" },
	{ .section = "tunnel", .name = "buffer-size", .parse = parse_uint, FIELD(buffer_size),
	  .what = "a whole number of KiB", .min = 64, .max = 65536, .def = "4096" },
	{ .section = "tunnel", .name = "sack-delay", .parse = parse_uint, FIELD(sack_delay),
	  .what = "a whole number of milliseconds", .min = 0, .max = 500, .def = "200" },
	{ .section = "tunnel", .name = "rekey-interval", .parse = parse_uint,
	  FIELD(rekey_interval), .what = "a whole number of seconds", .min = 10, .max = 86400,
	  .def = "120" },
	{ .section = "keys", .name = "psk-file", .parse = parse_path, FIELD(psk_file),
	  .required = true },
	{ .section = "local", .name = "interface", .parse = parse_ifname, FIELD(interface),
	  .required = true },
	{ .section = "local", .name = "prefix", .parse = parse_prefix64, FIELD(local_prefix) },
	{ .section = "local", .name = "iid", .parse = parse_iid, FIELD(local_iid),
	  .required = true },
	{ .section = "peer", .name = "prefix", .parse = parse_prefix64, FIELD(peer_prefix),
	  .required = true },
	{ .section = "peer", .name = "iid", .parse = parse_iid, FIELD(peer_iid),
	  .required = true },
	{ .section = "peer", .name = "routes", .parse = parse_routes, FIELD(routes),
	  .required = true },
	{ .section = "rotation", .name = "interval", .parse = parse_uint, FIELD(interval),
	  .what = "a whole number of seconds", .min = 1, .max = 86400, .def = "10" },
	{ .section = "rotation", .name = "lifetime", .parse = parse_uint, FIELD(lifetime),
	  .what = "a whole number of slots", .min = 1, .max = 64, .def = "3" },
	{ .section = "rotation", .name = "mode", .parse = parse_choice, FIELD(mode),
	  .choices = mode_names, .def = "interface" },
	{ .section = "recovery", .name = "rto-min", .parse = parse_uint, FIELD(recovery.rto_min),
	  .what = "a whole number of milliseconds", .min = 10, .max = 60000, .def = "100" },
	{ .section = "recovery", .name = "rto-max", .parse = parse_uint, FIELD(recovery.rto_max),
	  .what = "a whole number of milliseconds", .min = 10, .max = 60000, .def = "1000" },
	{ .section = "recovery", .name = "heartbeat-interval", .parse = parse_uint,
	  FIELD(recovery.heartbeat_interval), .what = "a whole number of milliseconds",
	  .min = 100, .max = 600000, .def = "1000" },
	{ .section = "recovery", .name = "path-max-retrans", .parse = parse_uint,
	  FIELD(recovery.path_max_retrans), .what = "a number of retransmissions", .min = 1,
	  .max = 100, .def = "4" },
	{ .section = "recovery", .name = "pf-threshold", .parse = parse_uint,
	  FIELD(recovery.pf_threshold), .what = "a number of retransmissions", .min = 0,
	  .max = 100, .def = "1" },
	{ .section = "recovery", .name = "max-retrans", .parse = parse_uint,
	  FIELD(recovery.max_retrans), .what = "a number of retransmissions", .min = 1,
	  .max = 100, .def = "10" },
	{ .section = "recovery", .name = "max-backoff", .parse = parse_uint,
	  FIELD(recovery.max_backoff), .what = "a whole number of milliseconds", .min = 250,
	  .max = 600000, .def = "4000" },
	{ .section = "guard", .name = "enable", .parse = parse_choice, FIELD(guard.enable),
	  .choices = yes_no, .def = "yes" },
	{ .section = "guard", .name = "evidence-window", .parse = parse_auto,
	  FIELD(guard.evidence_window), .what = "a whole number of milliseconds", .min = 100,
	  .max = 600000, .def = "auto" },
	{ .section = "metrics", .name = "directory", .parse = parse_abspath, FIELD(metrics_dir) },
};
const size_t config_n_keys = ARRAY_SIZE(config_keys);
_Static_assert(ARRAY_SIZE(config_keys) <= 32, "config.c keeps one bit per key in a uint32_t");

const struct mt6d_config_key *mt6d_config_key_find(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < config_n_keys; i++)
		if (!strcmp(config_keys[i].section, section) && !strcmp(config_keys[i].name, name))
			return &config_keys[i];
	return NULL;
}

bool mt6d_config_section_known(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < config_n_keys; i++)
		if (strlen(config_keys[i].section) == len &&
		    !memcmp(config_keys[i].section, name, len))
			return true;
	return false;
}

static void append(char *buf, size_t len, const char *word)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? ", " : "", word);
}

void mt6d_config_list_sections(char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < config_n_keys; i++)
		if (i == 0 || strcmp(config_keys[i].section, config_keys[i - 1].section))
			append(buf, len, config_keys[i].section);
}

void mt6d_config_list_keys(const char *section, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < config_n_keys; i++)
		if (!strcmp(config_keys[i].section, section))
			append(buf, len, config_keys[i].name);
}

struct config_end {
	const char *side;
	const struct mt6d_prefix *prefix;
};

/*
 * Host mode: the TUN device carries this host's own inner address. It cannot be one
 * the tunnel leads to, nor sit in a /64 whose addresses rotate on the uplink.
 */
static int check_host_mode(const struct mt6d_config *cfg, const struct config_end *ends,
			   size_t nends, char *why, size_t whylen)
{
	const struct mt6d_prefix host = { .addr = cfg->address.addr, .len = 128 };
	char addr[INET6_ADDRSTRLEN], other[INET6_ADDRSTRLEN];
	size_t i;

	inet_ntop(AF_INET6, &cfg->address.addr, addr, sizeof(addr));
	for (i = 0; i < cfg->n_routes; i++) {
		if (!overlap(&host, &cfg->routes[i]))
			continue;
		inet_ntop(AF_INET6, &cfg->routes[i].addr, other, sizeof(other));
		snprintf(why, whylen,
			 "[tunnel] address: %s lies in [peer] routes %s/%u; this host's own "
			 "address cannot also be one the tunnel leads to the peer for",
			 addr, other, cfg->routes[i].len);
		return -EINVAL;
	}
	for (i = 0; i < nends; i++) {
		if (!ends[i].prefix->len || !overlap(&host, ends[i].prefix))
			continue;
		inet_ntop(AF_INET6, &ends[i].prefix->addr, other, sizeof(other));
		snprintf(why, whylen,
			 "[tunnel] address: %s lies in the %s prefix %s/64, whose addresses are "
			 "the rotating outer ones; use an inner address outside it",
			 addr, ends[i].side, other);
		return -EINVAL;
	}
	return 0;
}

int mt6d_config_check(const struct mt6d_config *cfg, char *why, size_t whylen)
{
	const struct config_end ends[] = {
		{ "local", &cfg->local_prefix },
		{ "peer", &cfg->peer_prefix },
	};
	char route[INET6_ADDRSTRLEN], end[INET6_ADDRSTRLEN];
	size_t i, j;

	/* Prefixes have no host bits and iids no upper bits, so address = prefix | iid. */
	if (cfg->local_prefix.len && !memcmp(&cfg->local_prefix.addr, &cfg->peer_prefix.addr, 8) &&
	    !memcmp(cfg->local_iid.s6_addr + 8, cfg->peer_iid.s6_addr + 8, 8)) {
		snprintf(why, whylen,
			 "[peer] iid: gives the peer the local address ([local] prefix and iid); "
			 "the two ends need different addresses");
		return -EINVAL;
	}
	if (cfg->recovery.rto_min > cfg->recovery.rto_max) {
		snprintf(why, whylen, "[recovery] rto-min: %u ms is above rto-max (%u ms); expected "
			 "rto-min <= rto-max", cfg->recovery.rto_min, cfg->recovery.rto_max);
		return -EINVAL;
	}
	if (cfg->recovery.pf_threshold > cfg->recovery.path_max_retrans) {
		snprintf(why, whylen, "[recovery] pf-threshold: %u is above path-max-retrans (%u); "
			 "expected pf-threshold <= path-max-retrans", cfg->recovery.pf_threshold,
			 cfg->recovery.path_max_retrans);
		return -EINVAL;
	}
	/* The uplink's own /64 is on-link, answered by neighbour discovery: not one to make
	 * local wholesale. anyip needs the routed prefix named. */
	if (cfg->mode == MT6D_MODE_ANYIP && !cfg->local_prefix.len) {
		snprintf(why, whylen, "[local] prefix: missing; [rotation] mode = anyip needs the "
			 "/64 routed to this gateway, like 2001:db8:1:1::/64");
		return -EINVAL;
	}
	if (cfg->address.len && check_host_mode(cfg, ends, ARRAY_SIZE(ends), why, whylen))
		return -EINVAL;
	/*
	 * The outer packets go to and come from addresses in these /64s: a route into the
	 * tunnel that overlaps one would send the tunnel's own packets into the tunnel.
	 */
	for (i = 0; i < cfg->n_routes; i++) {
		for (j = 0; j < ARRAY_SIZE(ends); j++) {
			if (!ends[j].prefix->len || !overlap(&cfg->routes[i], ends[j].prefix))
				continue;
			inet_ntop(AF_INET6, &cfg->routes[i].addr, route, sizeof(route));
			inet_ntop(AF_INET6, &ends[j].prefix->addr, end, sizeof(end));
			snprintf(why, whylen,
				 "[peer] routes: %s/%u overlaps the %s prefix %s/64; the tunnel's "
				 "own packets would be routed into the tunnel",
				 route, cfg->routes[i].len, ends[j].side, end);
			return -EINVAL;
		}
	}
	return 0;
}

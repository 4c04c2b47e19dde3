// SPDX-License-Identifier: MIT
/*
 * The typed value parsers of the key table: each checks one value against its row (range,
 * names, field size) and stores it in struct mt6d_config. Messages say what was expected and
 * quote what was given.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config_keys.h"
#include "config_parse.h"

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

int mt6d_config_parse_ifname(const struct mt6d_config_key *key, const char *value,
			     struct mt6d_config *cfg, char *why, size_t whylen)
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
int mt6d_config_parse_uint(const struct mt6d_config_key *key, const char *value,
			   struct mt6d_config *cfg, char *why, size_t whylen)
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

/*
 * A word stored as 0 -- the row's .choices[0], "auto" without one -- or a number in the
 * row's range ([tunnel] mtu and padding, [guard] evidence-window).
 */
int mt6d_config_parse_auto(const struct mt6d_config_key *key, const char *value,
			   struct mt6d_config *cfg, char *why, size_t whylen)
{
	const char *word = key->choices ? key->choices[0] : "auto";

	if (!strcmp(value, word)) {
		*(unsigned int *)field(key, cfg) = 0;
		return 0;
	}
	int rc = number(value, key->min, key->max, (unsigned int *)field(key, cfg));

	if (rc)
		return bad_value(why, whylen, value, "%sexpected %s or %s from %u to %u",
				 rc == -ERANGE ? "out of range: " : "", word, key->what, key->min,
				 key->max);
	return 0;
}

/* One of the row's names, stored as its index. */
int mt6d_config_parse_choice(const struct mt6d_config_key *key, const char *value,
			     struct mt6d_config *cfg, char *why, size_t whylen)
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
int mt6d_config_parse_reliability(const struct mt6d_config_key *key, const char *value,
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

int mt6d_config_parse_port_range(const struct mt6d_config_key *key, const char *value,
				 struct mt6d_config *cfg, char *why, size_t whylen)
{
	const char *dash = strchr(value, '-');
	unsigned int lo, hi;
	char first[8];

	if (!dash || (size_t)(dash - value) >= sizeof(first))
		goto bad;
	memcpy(first, value, (size_t)(dash - value));
	first[dash - value] = '\0';
	if (number(first, 1, 65535, &lo) || number(dash + 1, 1, 65535, &hi) ||
	    hi < lo + MT6D_PORT_RANGE_MIN - 1)
		goto bad;
	*(struct mt6d_port_range *)field(key, cfg) =
		(struct mt6d_port_range){ .lo = (uint16_t)lo, .hi = (uint16_t)hi };
	return 0;
bad:
	return bad_value(why, whylen, value,
			 "expected LO-HI, two port numbers from 1 to 65535 with HI at least "
			 "LO + %u (e.g. 49152-65535)",
			 MT6D_PORT_RANGE_MIN - 1);
}

int mt6d_config_parse_path(const struct mt6d_config_key *key, const char *value,
			   struct mt6d_config *cfg, char *why, size_t whylen)
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
int mt6d_config_parse_abspath(const struct mt6d_config_key *key, const char *value,
			      struct mt6d_config *cfg, char *why, size_t whylen)
{
	if (value[0] != '/')
		return bad_value(why, whylen, value, "expected an absolute path");
	return mt6d_config_parse_path(key, value, cfg, why, whylen);
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
bool mt6d_config_prefix_overlap(const struct mt6d_prefix *a, const struct mt6d_prefix *b)
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

	/* Padding bytes included: mt6d_config_diff() compares fields byte by byte. */
	memset(p, 0, sizeof(*p));
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

static int host_bits_error(const struct mt6d_prefix *p, const char *value, char *why, size_t whylen)
{
	char text[INET6_ADDRSTRLEN];
	struct in6_addr a = p->addr;

	mask(&a, p->len);
	inet_ntop(AF_INET6, &a, text, sizeof(text));
	snprintf(why, whylen, "\"%s\" has host bits set; did you mean %s/%u?", value, text, p->len);
	return -EINVAL;
}

/* The /64 that rotating addresses are drawn from. */
int mt6d_config_parse_prefix64(const struct mt6d_config_key *key, const char *value,
			       struct mt6d_config *cfg, char *why, size_t whylen)
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
	memcpy(field(key, cfg), &p, sizeof(p));
	return 0;
}

/*
 * Host mode: this host's own inner address on the TUN device, "fd00:a::1/64"
 * (a bare address means /128). Global unicast or unique local only.
 */
int mt6d_config_parse_address(const struct mt6d_config_key *key, const char *value,
			      struct mt6d_config *cfg, char *why, size_t whylen)
{
	struct mt6d_prefix p;

	memset(&p, 0, sizeof(p));
	p.len = 128;
	if (strchr(value, '/') ? prefix_from_text(value, &p) || p.len == 0
			       : inet_pton(AF_INET6, value, &p.addr) != 1)
		return bad_value(why, whylen, value,
				 "expected this host's inner IPv6 address like fd00:a::1/64");
	if (IN6_IS_ADDR_UNSPECIFIED(&p.addr) || IN6_IS_ADDR_LOOPBACK(&p.addr) ||
	    IN6_IS_ADDR_MULTICAST(&p.addr) || IN6_IS_ADDR_LINKLOCAL(&p.addr) ||
	    IN6_IS_ADDR_V4MAPPED(&p.addr))
		return bad_value(why, whylen, value,
				 "expected a global or unique-local unicast address");
	memcpy(field(key, cfg), &p, sizeof(p));
	return 0;
}

/* An interface identifier: written as an IPv6 address whose upper 64 bits are zero. */
int mt6d_config_parse_iid(const struct mt6d_config_key *key, const char *value,
			  struct mt6d_config *cfg, char *why, size_t whylen)
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
		return bad_value(why, whylen, value,
				 "must not be zero, expected an interface "
				 "identifier like ::1");
	*(struct in6_addr *)field(key, cfg) = a;
	return 0;
}

/* "2001:db8:100::/48, 2001:db8:200::/56": spaces and tabs allowed around the commas. */
int mt6d_config_parse_routes(const struct mt6d_config_key *key, const char *value,
			     struct mt6d_config *cfg, char *why, size_t whylen)
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
			if (r[i].len == r[n].len && mt6d_config_prefix_overlap(&r[i], &r[n]))
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

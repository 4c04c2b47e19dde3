// SPDX-License-Identifier: MIT
/*
 * Loads a tunnel's configuration in steps: the file is read whole and every line checked before
 * inih sees it, inih hands each key to the table in config_keys.c, then defaults, required
 * keys and cross-field rules are applied and the key file is read.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "config.h"
#include "config_keys.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A tunnel's configuration is a dozen lines; a file this large is a mistake. */
#define CONFIG_MAX_SIZE (64 * 1024)

/*
 * inih (r55) reads a line into a 200-byte buffer (INI_MAX_LINE): 199 bytes and the NUL. It
 * parses the rest of a longer line as a new line, so a value can be cut short silently.
 */
#define CONFIG_MAX_LINE 199

/* Longest unknown section name quoted back; real ones are 4 to 8 characters. */
#define SECTION_ECHO_MAX 32

/* 128 hex digits and their newline fit many times over. */
#define PSK_FILE_MAX 1024

/* Base64 for MT6D_PSK_MAX bytes decodes, padding included, to at most this. */
#define PSK_B64_DECODED ((MT6D_PSK_MAX + 2) / 3 * 3)

struct load_ctx {
	struct mt6d_config *cfg;
	const char *path;
	char *err;
	size_t errlen;
	int rc;			/* of the first failure, the one reported */
	char *text;		/* the file, NUL-terminated */
	size_t len;		/* of the file, which may hold a NUL of its own */
	uint32_t seen;		/* bit i: config_keys[i] was given */
};

struct scan {
	bool in_section;	/* a [section] line came before */
	bool after_key;		/* a key line came since the last [section] line */
};

/* Records the first failure as "<path>: <message>" on one printable line, returns @rc. */
static int __attribute__((format(printf, 3, 4)))
fail(struct load_ctx *ctx, int rc, const char *fmt, ...)
{
	va_list ap;
	size_t i;
	int n;

	if (ctx->rc)
		return ctx->rc;
	ctx->rc = rc;
	if (!ctx->err || !ctx->errlen)
		return rc;
	n = snprintf(ctx->err, ctx->errlen, "%s: ", ctx->path);
	if (n >= 0 && (size_t)n < ctx->errlen) {
		va_start(ap, fmt);
		vsnprintf(ctx->err + n, ctx->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	/* Values and paths are echoed: keep a stray control byte from breaking the line. */
	for (i = 0; ctx->err[i]; i++)
		if ((unsigned char)ctx->err[i] < 0x20 || ctx->err[i] == 0x7f)
			ctx->err[i] = '?';
	return rc;
}

static int check_path(struct load_ctx *ctx)
{
	size_t len = strlen(ctx->path);

	if (len >= sizeof(ctx->cfg->path))
		return fail(ctx, -ENAMETOOLONG, "path longer than %zu bytes",
			    sizeof(ctx->cfg->path) - 1);
	memcpy(ctx->cfg->path, ctx->path, len + 1);
	return 0;
}

/* The tunnel is named after its file: the name is used in the names of runtime files. */
static int set_name(struct load_ctx *ctx)
{
	const char *slash = strrchr(ctx->path, '/');
	const char *base = slash ? slash + 1 : ctx->path;
	size_t len = strlen(base), i;
	bool ok;

	if (len > 5 && !strcmp(base + len - 5, ".conf"))
		len -= 5;
	ok = len > 0 && len < sizeof(ctx->cfg->name) && base[0] != '.';
	for (i = 0; ok && i < len; i++)
		ok = mt6d_config_is_name_char(base[i]);
	if (!ok)
		return fail(ctx, -EINVAL,
			    "the file name must be a tunnel name of 1 to %zu characters from "
			    "A-Z a-z 0-9 _ . - (not starting with '.'), optionally followed by "
			    ".conf",
			    sizeof(ctx->cfg->name) - 1);
	memcpy(ctx->cfg->name, base, len);
	ctx->cfg->name[len] = '\0';
	return 0;
}

/* Reads up to @max + 1 bytes so that the caller can tell "exactly @max" from "more". */
static ssize_t read_all(int fd, char *buf, size_t max)
{
	size_t len = 0;
	ssize_t n;

	while (len <= max) {
		n = read(fd, buf + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

static int read_config(struct load_ctx *ctx)
{
	ssize_t len;
	int fd, rc;

	fd = open(ctx->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		return fail(ctx, rc, "cannot open: %s", strerror(-rc));
	}
	ctx->text = malloc(CONFIG_MAX_SIZE + 2);
	if (!ctx->text) {
		rc = fail(ctx, -ENOMEM, "cannot read: %s", strerror(ENOMEM));
		goto out;
	}
	len = read_all(fd, ctx->text, CONFIG_MAX_SIZE);
	if (len < 0) {
		rc = fail(ctx, (int)len, "cannot read: %s", strerror((int)-len));
		goto out;
	}
	if (len > CONFIG_MAX_SIZE) {
		rc = fail(ctx, -EINVAL, "larger than %d bytes", CONFIG_MAX_SIZE);
		goto out;
	}
	ctx->text[len] = '\0';
	ctx->len = (size_t)len;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* As inih's ini_find_chars_or_comment(): the first of @chars or a ';' after whitespace. */
static const char *find_chars_or_comment(const char *p, const char *e, const char *chars)
{
	bool was_space = false;

	for (; p < e; p++) {
		if (strchr(chars, *p) || (was_space && *p == ';'))
			return p;
		was_space = isspace((unsigned char)*p);
	}
	return e;
}

static int check_section(struct load_ctx *ctx, unsigned int lineno, const char *p, const char *e)
{
	const char *close = find_chars_or_comment(p + 1, e, "]"), *rest;
	char known[80];
	size_t len;

	if (close == e || *close != ']')
		return fail(ctx, -EINVAL, "line %u: [section] without the closing ]", lineno);
	for (rest = close + 1; rest < e && isspace((unsigned char)*rest); rest++)
		;
	/* inih ignores anything after the ']': refuse all but a comment. */
	if (rest < e && *rest != ';' && *rest != '#')
		return fail(ctx, -EINVAL, "line %u: unexpected text after ]", lineno);
	len = (size_t)(close - p - 1);
	if (!mt6d_config_section_known(p + 1, len)) {
		mt6d_config_list_sections(known, sizeof(known));
		return fail(ctx, -EINVAL, "line %u: unknown section [%.*s] (expected one of: %s)",
			    lineno, (int)(len < SECTION_ECHO_MAX ? len : SECTION_ECHO_MAX), p + 1,
			    known);
	}
	return 0;
}

/*
 * Refuses, with its line number, what inih would take otherwise than it reads: besides
 * syntax errors, an indented line after a key is appended to that key's value (multi-line
 * values); an unknown section with no keys would never reach the handler.
 */
static int check_line(struct load_ctx *ctx, unsigned int lineno, const char *s, const char *e,
		      struct scan *st)
{
	const char *p, *sep;
	int rc;

	/* inih skips a UTF-8 byte order mark. */
	if (lineno == 1 && e - s >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	for (p = s; p < e && isspace((unsigned char)*p); p++)
		;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	if (p == e || *p == ';' || *p == '#')
		return 0;
	if (st->after_key && p > s)
		return fail(ctx, -EINVAL,
			    "line %u: indented, so it would continue the value of the key above; "
			    "remove the leading whitespace",
			    lineno);
	if (*p == '[') {
		rc = check_section(ctx, lineno, p, e);
		st->in_section = true;
		st->after_key = false;
		return rc;
	}
	sep = find_chars_or_comment(p, e, "=:");
	if (sep == e || *sep == ';')
		return fail(ctx, -EINVAL,
			    "line %u: expected \"key = value\", a [section] or a ; comment",
			    lineno);
	if (sep == p)
		return fail(ctx, -EINVAL, "line %u: no key name before '%c'", lineno, *sep);
	if (!st->in_section)
		return fail(ctx, -EINVAL, "line %u: key outside any [section]", lineno);
	st->after_key = true;
	return 0;
}

static int check_lines(struct load_ctx *ctx)
{
	const char *line = ctx->text, *end = line + ctx->len, *eol;
	struct scan st = { 0 };
	unsigned int lineno;
	size_t len;
	int rc;

	for (lineno = 1; line < end; lineno++, line = eol < end ? eol + 1 : end) {
		eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			eol = end;
		len = (size_t)(eol - line);
		/* ini_parse_string() would stop at it and never read the rest. */
		if (memchr(line, '\0', len))
			return fail(ctx, -EINVAL, "line %u: contains a NUL byte", lineno);
		/* A CR before the LF is stripped as whitespace; it cannot spill over. */
		if (len && line[len - 1] == '\r')
			len--;
		if (len > CONFIG_MAX_LINE)
			return fail(ctx, -EINVAL, "line %u: longer than %d characters", lineno,
				    CONFIG_MAX_LINE);
		rc = check_line(ctx, lineno, line, eol, &st);
		if (rc)
			return rc;
	}
	return 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	const struct mt6d_config_key *key;
	char why[256];
	uint32_t bit;

	if (ctx->rc)
		return 0;
	key = mt6d_config_key_find(section, name);
	if (!key) {
		mt6d_config_list_keys(section, why, sizeof(why));
		fail(ctx, -EINVAL, "[%s] %s: unknown key (expected one of: %s)", section, name,
		     why);
		return 0;
	}
	bit = UINT32_C(1) << (key - config_keys);
	if (ctx->seen & bit) {
		fail(ctx, -EINVAL, "[%s] %s: given twice", section, name);
		return 0;
	}
	ctx->seen |= bit;
	if (!*value) {
		fail(ctx, -EINVAL, "[%s] %s: empty value", section, name);
		return 0;
	}
	why[0] = '\0';
	if (key->parse(key, value, ctx->cfg, why, sizeof(why))) {
		fail(ctx, -EINVAL, "[%s] %s: %s", section, name, why);
		return 0;
	}
	return 1;
}

static int parse_ini(struct load_ctx *ctx)
{
	int line = ini_parse_string(ctx->text, on_key, ctx);

	if (ctx->rc)
		return ctx->rc;
	/* check_lines() refused what inih refuses, but inih has the last word. */
	if (line == -2)
		return fail(ctx, -ENOMEM, "cannot parse: %s", strerror(ENOMEM));
	if (line)
		return fail(ctx, -EINVAL, "line %d: not understood", line);
	return 0;
}

static int apply_defaults(struct load_ctx *ctx)
{
	const struct mt6d_config_key *key;
	char why[256];
	size_t i;

	for (i = 0; i < config_n_keys; i++) {
		key = &config_keys[i];
		if (ctx->seen & (UINT32_C(1) << i))
			continue;
		if (key->required)
			return fail(ctx, -EINVAL, "[%s] %s: missing (required)", key->section,
				    key->name);
		if (key->def && key->parse(key, key->def, ctx->cfg, why, sizeof(why)))
			return fail(ctx, -EINVAL, "[%s] %s: bad default: %s", key->section,
				    key->name, why);
	}
	return 0;
}

static int check_rules(struct load_ctx *ctx)
{
	char why[512];

	if (mt6d_config_check(ctx->cfg, why, sizeof(why)))
		return fail(ctx, -EINVAL, "%s", why);
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool base64_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Standard alphabet, '=' padding only at the end, whole quads. */
static bool is_base64(const char *s, size_t n, size_t *pad)
{
	size_t i;

	if (n == 0 || n % 4)
		return false;
	*pad = s[n - 1] != '=' ? 0 : s[n - 2] != '=' ? 1 : 2;
	for (i = 0; i < n - *pad; i++)
		if (!base64_char(s[i]))
			return false;
	return true;
}

static int key_size_error(size_t len, char *why, size_t whylen)
{
	snprintf(why, whylen, "key too %s: %zu bytes, expected %d to %d",
		 len < MT6D_PSK_MIN ? "short" : "long", len, MT6D_PSK_MIN, MT6D_PSK_MAX);
	return -EINVAL;
}

/*
 * Decodes the key file's content, hex or base64 with whitespace around it, into @cfg.
 * Messages never quote the content.
 */
static int decode_psk(const char *s, size_t n, struct mt6d_config *cfg, char *why, size_t whylen)
{
	unsigned char tmp[PSK_B64_DECODED];
	size_t i, pad, len;
	int rc = 0;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	for (i = 0; i < n && hex_digit(s[i]) >= 0; i++)
		;
	if (n && i == n) {
		if (n % 2) {
			snprintf(why, whylen, "odd number of hex digits");
			return -EINVAL;
		}
		if (n / 2 < MT6D_PSK_MIN || n / 2 > MT6D_PSK_MAX)
			return key_size_error(n / 2, why, whylen);
		for (i = 0; i < n / 2; i++)
			cfg->psk[i] = (uint8_t)(hex_digit(s[2 * i]) << 4 | hex_digit(s[2 * i + 1]));
		cfg->psk_len = n / 2;
		return 0;
	}
	if (!is_base64(s, n, &pad)) {
		snprintf(why, whylen,
			 "%s: expected %d to %d hex digits or base64 for %d to %d bytes, "
			 "on one line",
			 n ? "neither hex nor base64" : "empty", 2 * MT6D_PSK_MIN,
			 2 * MT6D_PSK_MAX, MT6D_PSK_MIN, MT6D_PSK_MAX);
		return -EINVAL;
	}
	len = n / 4 * 3 - pad;
	if (len < MT6D_PSK_MIN || len > MT6D_PSK_MAX)
		return key_size_error(len, why, whylen);
	/* Whole quads of the checked alphabet: EVP_DecodeBlock() returns n / 4 * 3. */
	if (EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n) != (int)(n / 4 * 3)) {
		snprintf(why, whylen, "not valid base64");
		rc = -EINVAL;
	} else {
		memcpy(cfg->psk, tmp, len);
		cfg->psk_len = len;
	}
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rc;
}

/* A relative psk-file is relative to the directory of the configuration file. */
static int resolve_psk_path(struct load_ctx *ctx)
{
	char *file = ctx->cfg->psk_file;
	const char *slash = strrchr(ctx->path, '/');
	size_t dirlen = slash ? (size_t)(slash - ctx->path) + 1 : 0;
	size_t len = strlen(file);

	if (file[0] == '/' || !dirlen)
		return 0;
	if (dirlen + len >= sizeof(ctx->cfg->psk_file))
		return fail(ctx, -ENAMETOOLONG, "[keys] psk-file: path longer than %zu bytes",
			    sizeof(ctx->cfg->psk_file) - 1);
	memmove(file + dirlen, file, len + 1);
	memcpy(file, ctx->path, dirlen);
	return 0;
}

static int read_psk(struct load_ctx *ctx)
{
	const char *file = ctx->cfg->psk_file;
	char buf[PSK_FILE_MAX + 1], why[160];
	struct stat st;
	ssize_t len;
	int fd, rc;

	rc = resolve_psk_path(ctx);
	if (rc)
		return rc;
	/* O_NONBLOCK: a FIFO planted here must not hang the daemon; fstat() refuses it. */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		return fail(ctx, rc, "[keys] psk-file: cannot open %s: %s", file, strerror(-rc));
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		rc = fail(ctx, rc, "[keys] psk-file: cannot stat %s: %s", file, strerror(-rc));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = fail(ctx, -EINVAL, "[keys] psk-file: %s is not a regular file", file);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = fail(ctx, -EINVAL,
			  "[keys] psk-file: %s is %s by group or others (mode %04o); chmod 600 it",
			  file, st.st_mode & 044 ? "readable" : "accessible",
			  (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	len = read_all(fd, buf, PSK_FILE_MAX);
	if (len < 0) {
		rc = fail(ctx, (int)len, "[keys] psk-file: cannot read %s: %s", file,
			  strerror((int)-len));
		goto out;
	}
	if (len > PSK_FILE_MAX) {
		rc = fail(ctx, -EINVAL, "[keys] psk-file: %s is larger than %d bytes", file,
			  PSK_FILE_MAX);
		goto out;
	}
	rc = decode_psk(buf, (size_t)len, ctx->cfg, why, sizeof(why));
	if (rc)
		fail(ctx, rc, "[keys] psk-file: %s: %s", file, why);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}

int mt6d_config_load(struct mt6d_config *cfg, const char *path, char *err, size_t errlen)
{
	/* Each step needs the ones before it; the first failure is the one reported. */
	static int (*const steps[])(struct load_ctx *) = {
		check_path,	/* cfg->path */
		set_name,	/* cfg->name */
		read_config,	/* ctx->text */
		check_lines,	/* what inih would misread */
		parse_ini,	/* every key given, through the table */
		apply_defaults, /* and required keys */
		check_rules,	/* between keys */
		read_psk,	/* cfg->psk */
	};
	struct load_ctx ctx = { .cfg = cfg, .path = path, .err = err, .errlen = errlen };
	size_t i;
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (err && errlen)
		err[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(steps) && !rc; i++)
		rc = steps[i](&ctx);
	free(ctx.text);
	if (rc)
		mt6d_config_clear(cfg);
	return rc;
}

void mt6d_config_clear(struct mt6d_config *cfg)
{
	OPENSSL_cleanse(cfg->psk, sizeof(cfg->psk));
	cfg->psk_len = 0;
}

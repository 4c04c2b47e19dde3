// SPDX-License-Identifier: MIT
/*
 * Loads a tunnel's configuration in steps: the file is read whole and every line checked before
 * inih sees it, inih hands each key to the table in config_keys.c, then defaults, required
 * keys and cross-field rules (config_rules.c) are applied and the key file is read
 * (config_psk.c).
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>
#include <openssl/crypto.h>

#include "config.h"
#include "config_keys.h"
#include "config_parse.h"
#include "config_psk.h"
#include "config_read.h"
#include "config_rules.h"
#include "config_uplink.h"

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

struct load_ctx {
	struct mt6d_config *cfg;
	const char *path;
	char *err;
	size_t errlen;
	int rc;	       /* of the first failure, the one reported */
	char *text;    /* the file, NUL-terminated */
	size_t len;    /* of the file, which may hold a NUL of its own */
	uint64_t seen; /* bit i: mt6d_config_keys[i] was given */
	struct mt6d_config_uplinks_seen useen;
};

struct scan {
	bool in_section; /* a [section] line came before */
	bool after_key;	 /* a key line came since the last [section] line */
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
	len = mt6d_config_read_all(fd, ctx->text, CONFIG_MAX_SIZE);
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
	char known[160];
	size_t len;
	int rc;

	if (close == e || *close != ']')
		return fail(ctx, -EINVAL, "line %u: [section] without the closing ]", lineno);
	for (rest = close + 1; rest < e && isspace((unsigned char)*rest); rest++)
		;
	/* inih ignores anything after the ']': refuse all but a comment. */
	if (rest < e && *rest != ';' && *rest != '#')
		return fail(ctx, -EINVAL, "line %u: unexpected text after ]", lineno);
	len = (size_t)(close - p - 1);
	rc = mt6d_config_uplink_declare(ctx->cfg, p + 1, len, known, sizeof(known));
	if (rc < 0)
		return fail(ctx, rc, "line %u: %s", lineno, known);
	if (rc == 1 && !mt6d_config_section_known(p + 1, len)) {
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
	uint64_t bit;

	if (ctx->rc)
		return 0;
	why[0] = '\0';
	switch (mt6d_config_uplink_key(ctx->cfg, &ctx->useen, section, name, value, why,
				       sizeof(why))) {
	case 0:
		return 1;
	case 1:
		break;
	default:
		fail(ctx, -EINVAL, "[%s] %s: %s", section, name, why);
		return 0;
	}
	key = mt6d_config_key_find(section, name);
	if (!key) {
		mt6d_config_list_keys(section, why, sizeof(why));
		fail(ctx, -EINVAL, "[%s] %s: unknown key (expected one of: %s)", section, name,
		     why);
		return 0;
	}
	bit = UINT64_C(1) << (key - mt6d_config_keys);
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

	for (i = 0; i < mt6d_config_n_keys; i++) {
		key = &mt6d_config_keys[i];
		if (ctx->seen & (UINT64_C(1) << i))
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

static int finish_uplinks(struct load_ctx *ctx)
{
	char why[512];

	if (mt6d_config_uplinks_finish(ctx->cfg, &ctx->useen, why, sizeof(why)))
		return fail(ctx, -EINVAL, "%s", why);
	return 0;
}

static int check_rules(struct load_ctx *ctx)
{
	char why[512];

	if (mt6d_config_check(ctx->cfg, why, sizeof(why)))
		return fail(ctx, -EINVAL, "%s", why);
	return 0;
}

static int read_psk(struct load_ctx *ctx)
{
	char why[MT6D_CONFIG_PSK_WHY_MAX];
	int rc = mt6d_config_psk_read(ctx->cfg, ctx->path, why, sizeof(why));

	if (rc)
		return fail(ctx, rc, "%s", why);
	return 0;
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
		finish_uplinks, /* the uplink lists, either form */
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

// SPDX-License-Identifier: MIT
#include "show.h"

#include <inttypes.h>
#include <stdarg.h>

/* The text formats come from the callers' tables, as with iproute2's print_*(). */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void mt6d_show_init(struct mt6d_show *s, FILE *f, bool json)
{
	s->f = f;
	s->json = json;
	s->depth = 0;
	s->first[0] = true;
}

static void json_string(FILE *f, const char *v)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Separator and member name before a JSON value. */
static void json_member(struct mt6d_show *s, const char *key)
{
	if (!s->first[s->depth])
		fputc(',', s->f);
	s->first[s->depth] = false;
	if (key) {
		json_string(s->f, key);
		fputc(':', s->f);
	}
}

static void open_scope(struct mt6d_show *s, const char *key, char c)
{
	if (!s->json)
		return;
	json_member(s, key);
	fputc(c, s->f);
	if (s->depth + 1 < MT6D_SHOW_MAX_DEPTH)
		s->depth++;
	s->first[s->depth] = true;
}

static void close_scope(struct mt6d_show *s, char c)
{
	if (!s->json)
		return;
	fputc(c, s->f);
	if (s->depth > 0)
		s->depth--;
	if (s->depth == 0)
		fputc('\n', s->f);
}

void mt6d_show_object_begin(struct mt6d_show *s, const char *key)
{
	open_scope(s, key, '{');
}

void mt6d_show_object_end(struct mt6d_show *s)
{
	close_scope(s, '}');
}

void mt6d_show_array_begin(struct mt6d_show *s, const char *key)
{
	open_scope(s, key, '[');
}

void mt6d_show_array_end(struct mt6d_show *s)
{
	close_scope(s, ']');
}

void mt6d_show_str(struct mt6d_show *s, const char *key, const char *fmt, const char *v)
{
	if (s->json) {
		json_member(s, key);
		if (v)
			json_string(s->f, v);
		else
			fputs("null", s->f);
	} else if (fmt) {
		fprintf(s->f, fmt, v ? v : "-");
	}
}

void mt6d_show_u64(struct mt6d_show *s, const char *key, const char *fmt, uint64_t v)
{
	if (s->json) {
		json_member(s, key);
		fprintf(s->f, "%" PRIu64, v);
	} else if (fmt) {
		fprintf(s->f, fmt, v);
	}
}

void mt6d_show_i64(struct mt6d_show *s, const char *key, const char *fmt, int64_t v)
{
	if (s->json) {
		json_member(s, key);
		fprintf(s->f, "%" PRId64, v);
	} else if (fmt) {
		fprintf(s->f, fmt, v);
	}
}

void mt6d_show_bool(struct mt6d_show *s, const char *key, const char *fmt, bool v)
{
	if (s->json) {
		json_member(s, key);
		fputs(v ? "true" : "false", s->f);
	} else if (fmt) {
		fprintf(s->f, fmt, v ? "yes" : "no");
	}
}

void mt6d_show_null(struct mt6d_show *s, const char *key, const char *fmt)
{
	mt6d_show_str(s, key, fmt, NULL);
}

void mt6d_show_duration(struct mt6d_show *s, const char *key, const char *fmt, uint64_t seconds)
{
	char buf[64];
	uint64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60;

	if (s->json) {
		mt6d_show_u64(s, key, NULL, seconds);
		return;
	}
	if (d)
		snprintf(buf, sizeof(buf), "%" PRIu64 "d %" PRIu64 "h", d, h);
	else if (h)
		snprintf(buf, sizeof(buf), "%" PRIu64 "h %" PRIu64 "m", h, m);
	else if (m)
		snprintf(buf, sizeof(buf), "%" PRIu64 "m %" PRIu64 "s", m, seconds % 60);
	else
		snprintf(buf, sizeof(buf), "%" PRIu64 "s", seconds);
	mt6d_show_str(s, key, fmt, buf);
}

void mt6d_show_bytes(struct mt6d_show *s, const char *key, const char *fmt, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t u = 0;
	char buf[32];

	if (s->json) {
		mt6d_show_u64(s, key, NULL, bytes);
		return;
	}
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u)
		snprintf(buf, sizeof(buf), "%.2f %s", v, units[u]);
	else
		snprintf(buf, sizeof(buf), "%" PRIu64 " B", bytes);
	mt6d_show_str(s, key, fmt, buf);
}

void mt6d_show_json(struct mt6d_show *s, const char *key, const char *json, size_t len)
{
	if (!s->json)
		return;
	json_member(s, key);
	if (json)
		fwrite(json, 1, len, s->f);
	else
		fputs("null", s->f);
}

void mt6d_show_text(struct mt6d_show *s, const char *fmt, ...)
{
	va_list ap;

	if (s->json)
		return;
	va_start(ap, fmt);
	vfprintf(s->f, fmt, ap);
	va_end(ap);
}

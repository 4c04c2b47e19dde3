/* SPDX-License-Identifier: MIT */
#ifndef MT6D_SHOW_H
#define MT6D_SHOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Status output for people and for scripts from one description, in the manner of
 * iproute2's print_*(PRINT_ANY, ...): every value has a JSON key and a text format.
 * In JSON mode the keys build nested objects and arrays; in text mode only the
 * formats are printed (a NULL format prints nothing). mt6d_show_text() is text-only.
 */
#define MT6D_SHOW_MAX_DEPTH 8

struct mt6d_show {
	FILE *f;
	bool json;
	int depth;
	bool first[MT6D_SHOW_MAX_DEPTH]; /* nothing written yet at this depth */
};

void mt6d_show_init(struct mt6d_show *s, FILE *f, bool json);

/* @key names the member in the enclosing object; NULL inside arrays and at the top. */
void mt6d_show_object_begin(struct mt6d_show *s, const char *key);
void mt6d_show_object_end(struct mt6d_show *s);
void mt6d_show_array_begin(struct mt6d_show *s, const char *key);
void mt6d_show_array_end(struct mt6d_show *s);

/* A NULL @v is JSON null (and "-" in text). */
void mt6d_show_str(struct mt6d_show *s, const char *key, const char *fmt, const char *v);
void mt6d_show_u64(struct mt6d_show *s, const char *key, const char *fmt, uint64_t v);
void mt6d_show_i64(struct mt6d_show *s, const char *key, const char *fmt, int64_t v);
void mt6d_show_bool(struct mt6d_show *s, const char *key, const char *fmt, bool v);
void mt6d_show_null(struct mt6d_show *s, const char *key, const char *fmt);

/* JSON: the integer; text: the two largest units ("1h 2m", "3m 4s") or "1.50 MiB", through
 * a %s format. */
void mt6d_show_duration(struct mt6d_show *s, const char *key, const char *fmt, uint64_t seconds);
void mt6d_show_bytes(struct mt6d_show *s, const char *key, const char *fmt, uint64_t bytes);

/*
 * JSON only: @json, one JSON value rendered elsewhere (another daemon's report), as the
 * member @key; NULL is null. Text: nothing.
 */
void mt6d_show_json(struct mt6d_show *s, const char *key, const char *json, size_t len);

void mt6d_show_text(struct mt6d_show *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

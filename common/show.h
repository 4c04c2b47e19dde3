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
 * formats are printed (a NULL format prints nothing). show_text() is text-only.
 */
#define SHOW_MAX_DEPTH 8

struct show {
	FILE *f;
	bool json;
	int depth;
	bool first[SHOW_MAX_DEPTH];	/* nothing written yet at this depth */
};

void show_init(struct show *s, FILE *f, bool json);

/* @key names the member in the enclosing object; NULL inside arrays and at the top. */
void show_object_begin(struct show *s, const char *key);
void show_object_end(struct show *s);
void show_array_begin(struct show *s, const char *key);
void show_array_end(struct show *s);

/* A NULL @v is JSON null (and "-" in text). */
void show_str(struct show *s, const char *key, const char *fmt, const char *v);
void show_u64(struct show *s, const char *key, const char *fmt, uint64_t v);
void show_i64(struct show *s, const char *key, const char *fmt, int64_t v);
void show_bool(struct show *s, const char *key, const char *fmt, bool v);
void show_null(struct show *s, const char *key, const char *fmt);

/* JSON: the integer; text: "1h 2m 3s" and "1.50 MiB" through a %s format. */
void show_duration(struct show *s, const char *key, const char *fmt, uint64_t seconds);
void show_bytes(struct show *s, const char *key, const char *fmt, uint64_t bytes);

void show_text(struct show *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

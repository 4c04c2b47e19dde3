/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TEST_MEMSHOW_H
#define MT6D_TEST_MEMSHOW_H

#include <stdbool.h>
#include <stdio.h>

#include "show.h"

/* A show writer into memory: memshow_begin(), the show_* calls, memshow_end() (free it). */
struct memshow {
	char *buf;
	size_t len;
	FILE *f;
	struct mt6d_show s;
};

static inline struct mt6d_show *memshow_begin(struct memshow *m, bool json)
{
	m->buf = NULL;
	m->f = open_memstream(&m->buf, &m->len);
	mt6d_show_init(&m->s, m->f, json);
	return &m->s;
}

static inline char *memshow_end(struct memshow *m)
{
	fclose(m->f);
	return m->buf;
}

#endif

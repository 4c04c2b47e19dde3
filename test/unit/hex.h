/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TEST_HEX_H
#define MT6D_TEST_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decodes up to @max bytes of the hex string @s; the number of bytes, or -1 on bad input. */
static inline long unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; s[0] && s[1] && n < max; s += 2) {
		unsigned int b;

		if (sscanf(s, "%2x", &b) != 1)
			return -1;
		out[n++] = (uint8_t)b;
	}
	return s[0] ? -1 : (long)n;
}

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_FUZZ_INPUT_H
#define MT6D_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* A fuzzer's input read front to back; past its end every read gives zeros. */
struct fuzz_input {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

/* Big-endian, as the seeds are written. */
static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

/* Up to @len bytes, fewer at the end of the input: their count in *@got. */
static inline const uint8_t *fuzz_bytes(struct fuzz_input *in, size_t len, size_t *got)
{
	const uint8_t *p = in->p;

	*got = len < in->n ? len : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

#endif

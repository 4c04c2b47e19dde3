/* SPDX-License-Identifier: MIT */
#ifndef MT6D_FUZZ_NLREAD_H
#define MT6D_FUZZ_NLREAD_H

#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "fuzz_input.h"

/* Where the last whole message of the @len bytes at @p ends (0: there is none). */
static inline size_t fuzz_nl_whole(const uint8_t *p, size_t len)
{
	size_t off = 0, end = 0;
	uint32_t mlen;

	while (len - off >= sizeof(struct nlmsghdr)) {
		memcpy(&mlen, p + off, sizeof(mlen));
		if (mlen < sizeof(struct nlmsghdr) || mlen > len - off)
			break;
		end = off + mlen;
		if (NLMSG_ALIGN(mlen) >= len - off)
			break;
		off += NLMSG_ALIGN(mlen);
	}
	return end;
}

/*
 * The next read of a netlink socket in the input, in a buffer of its own size, so that
 * AddressSanitizer reports any access past it; NULL at the end of the input. Its *@len
 * bytes are a 16-bit big-endian header and up to that many bytes (fewer at the end of the
 * input), the header's top bit aside: unless it is set, the read ends where its last whole
 * message ends, as the kernel's reads do. A parser that reads past a message's nlmsg_len
 * then reads past the buffer as soon as the fuzzer shortens one length; with the bit set,
 * trailing bytes that make no message stay, for the parsers' handling of those.
 */
static inline uint8_t *fuzz_nl_read(struct fuzz_input *in, size_t *len)
{
	uint16_t head;
	const uint8_t *src;
	uint8_t *buf;

	if (!in->n)
		return NULL;
	head = fuzz_u16(in);
	src = fuzz_bytes(in, head & 0x7fff, len);
	if (!(head & 0x8000))
		*len = fuzz_nl_whole(src, *len);
	buf = malloc(*len ? *len : 1);
	if (!buf)
		abort();
	memcpy(buf, src, *len);
	return buf;
}

#endif

// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the DATA_BUNDLE payload (bundle.h), which the tunnel reads from
 * every opened bundle frame before it writes a packet of it to the TUN device:
 *
 *  - the whole input as a payload: when mt6d_bundle_check() accepts it, mt6d_bundle_next()
 *    must walk exactly as many records, each an inner packet of exactly its length that
 *    lies inside the payload, and leave nothing but zeros behind; when it refuses it, the
 *    walk must still stay inside the payload;
 *  - the input cut into packets (a length byte, then that many bytes, their IP header fixed
 *    up to be IPv4 or IPv6 of exactly that length), added with mt6d_bundle_add() to a
 *    bundle of the tunnel's size until it is full, then padded with up to 255 zeros: check
 *    must accept it and next must give back the same packets, in order.
 */

#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "frame.h"
#include "fuzz_input.h"

#define CAP 4096
#define PAD_MAX 255

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const uint8_t *p, size_t len)
{
	int n = mt6d_bundle_check(p, len), seen = 0;
	const uint8_t *pkt;
	size_t off = 0, pkt_len, inner;

	while (mt6d_bundle_next(p, len, &off, &pkt, &pkt_len)) {
		if (pkt < p || pkt_len > len || (size_t)(pkt - p) > len - pkt_len || off > len)
			abort();
		if (n > 0 && (mt6d_frame_check_inner(pkt, pkt_len, &inner) < 0 || inner != pkt_len))
			abort();
		if (++seen > (int)len)
			abort();
	}
	if (n < 0)
		return;
	if (seen != n)
		abort();
	for (; off < len; off++)
		if (p[off])
			abort();
}

/* Makes @p (@len bytes, 20 to 255) an IPv4 or IPv6 packet of exactly @len bytes. */
static void fix_header(uint8_t *p, size_t len)
{
	if (len >= 40 && p[0] & 1) {
		p[0] = 0x60 | (p[0] & 0x0f);
		p[4] = 0;
		p[5] = (uint8_t)(len - 40);
	} else {
		p[0] = 0x40 | ((p[0] & 0x0f) < 5 ? 5 : (p[0] & 0x0f));
		p[2] = 0;
		p[3] = (uint8_t)len;
	}
}

static void round_trip(struct fuzz_input *in)
{
	static uint8_t buf[CAP + PAD_MAX], pkts[MT6D_BUNDLE_MAX_PKTS][UINT8_MAX];
	size_t lens[MT6D_BUNDLE_MAX_PKTS], len = 0, off = 0, got, pkt_len;
	const uint8_t *pkt;
	int n = 0, i;

	while (n < MT6D_BUNDLE_MAX_PKTS && in->n) {
		size_t want = fuzz_u8(in);
		const uint8_t *b;

		if (want < 20)
			want = 20;
		b = fuzz_bytes(in, want, &got);
		memset(pkts[n], 0, want);
		memcpy(pkts[n], b, got);
		fix_header(pkts[n], want);
		if (mt6d_bundle_add(buf, CAP, &len, pkts[n], want) < 0)
			break;
		lens[n++] = want;
	}
	if (!n)
		return;
	got = fuzz_u8(in);
	memset(buf + len, 0, got);
	len += got;
	if (mt6d_bundle_check(buf, len) != n)
		abort();
	for (i = 0; mt6d_bundle_next(buf, len, &off, &pkt, &pkt_len); i++)
		if (i >= n || pkt_len != lens[i] || memcmp(pkt, pkts[i], pkt_len))
			abort();
	if (i != n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	walk(data, size);
	round_trip(&in);
	return 0;
}

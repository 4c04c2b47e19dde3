// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "bundle.h"
#include "check.h"
#include "frame.h"

static size_t make_ipv6(uint8_t *buf, size_t payload, uint8_t fill)
{
	memset(buf, fill, 40 + payload);
	buf[0] = 0x60;
	buf[4] = (uint8_t)(payload >> 8);
	buf[5] = (uint8_t)payload;
	return 40 + payload;
}

static size_t make_ipv4(uint8_t *buf, size_t len, uint8_t fill)
{
	memset(buf, fill, len);
	buf[0] = 0x45;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	return len;
}

static void test_round_trip(void)
{
	uint8_t a[100], b[60], c[140], buf[512];
	size_t la = make_ipv6(a, 60, 0xa1), lb = make_ipv4(b, 60, 0xb2), lc = make_ipv6(c, 100, 0);
	const uint8_t *want[] = { a, b, c }, *pkt;
	size_t lens[] = { la, lb, lc }, len = 0, off = 0, pkt_len;
	int i = 0;

	CHECK(mt6d_bundle_add(buf, sizeof(buf), &len, a, la) == 0 &&
		      mt6d_bundle_add(buf, sizeof(buf), &len, b, lb) == 0 &&
		      mt6d_bundle_add(buf, sizeof(buf), &len, c, lc) == 0,
	      "three packets go in");
	CHECK(len == 3 * MT6D_BUNDLE_REC_HDR + la + lb + lc, "records: %zu bytes", len);
	CHECK(buf[0] == 0 && buf[1] == 100 && buf[102] == 0 && buf[103] == 60,
	      "record lengths are big endian");
	CHECK(mt6d_bundle_check(buf, len) == 3, "three packets come out");
	while (mt6d_bundle_next(buf, len, &off, &pkt, &pkt_len) && i < 3) {
		CHECK(pkt_len == lens[i] && !memcmp(pkt, want[i], pkt_len), "packet %d intact", i);
		i++;
	}
	CHECK(i == 3 && off == len, "the walk ends at the end (%d, %zu)", i, off);

	/* Padding: a zero length ends the records, zeros after it, a lone zero byte too. */
	memset(buf + len, 0, 7);
	CHECK(mt6d_bundle_check(buf, len + 7) == 3, "zero padding is cut off");
	CHECK(mt6d_bundle_check(buf, len + 1) == 3, "one zero byte of padding");
	buf[len + 6] = 1;
	CHECK(mt6d_bundle_check(buf, len + 7) == -EBADMSG, "padding that is not zero");
	buf[len + 6] = 0;
	buf[len] = 1;
	CHECK(mt6d_bundle_check(buf, len + 1) == -EBADMSG, "a lone nonzero byte after the end");
}

static void test_refused(void)
{
	uint8_t a[100], buf[512] = { 0 };
	size_t la = make_ipv6(a, 60, 0x11), len = 0;

	CHECK(mt6d_bundle_check(buf, 0) == -EBADMSG, "empty payload");
	memset(buf, 0, 64);
	CHECK(mt6d_bundle_check(buf, 64) == -EBADMSG, "nothing but padding");
	CHECK(mt6d_bundle_add(buf, sizeof(buf), &len, a, la) == 0, "one packet");
	CHECK(mt6d_bundle_check(buf, len) == 1, "one packet comes out");
	CHECK(mt6d_bundle_check(buf, len - 1) == -EBADMSG, "record longer than the payload");
	buf[1] = (uint8_t)(la + 8);
	memset(buf + len, 0, 8);
	CHECK(mt6d_bundle_check(buf, len + 8) == -EBADMSG,
	      "a record longer than its packet (padding inside a record)");
	buf[1] = (uint8_t)(la - 1);
	CHECK(mt6d_bundle_check(buf, len) == -EBADMSG, "a record shorter than its packet");
	buf[1] = (uint8_t)la;
	buf[2] = 0x50;
	CHECK(mt6d_bundle_check(buf, len) == -EBADMSG, "a record that is not IP");
}

static void test_limits(void)
{
	uint8_t p[20], buf[(MT6D_BUNDLE_MAX_PKTS + 1) * 22];
	size_t lp = make_ipv4(p, 20, 0), len = 0, before;

	for (int i = 0; i <= MT6D_BUNDLE_MAX_PKTS; i++)
		CHECK(mt6d_bundle_add(buf, sizeof(buf), &len, p, lp) == 0, "packet %d in", i);
	CHECK(mt6d_bundle_check(buf, len - 22) == MT6D_BUNDLE_MAX_PKTS, "the most packets");
	CHECK(mt6d_bundle_check(buf, len) == -EBADMSG, "one more than the most");
	before = len;
	CHECK(mt6d_bundle_add(buf, sizeof(buf), &len, p, lp) == -ENOSPC && len == before,
	      "no room: refused, nothing written");
	len = 0;
	CHECK(mt6d_bundle_add(buf, 21, &len, p, lp) == -ENOSPC && len == 0,
	      "a record needs its length too");
	CHECK(mt6d_bundle_add(buf, 22, &len, p, lp) == 0 && len == 22, "exactly the room");
	CHECK(mt6d_bundle_add(buf, sizeof(buf), &len, p, 0) == -ENOSPC, "empty packet");
}

static void test_frame_type(void)
{
	uint8_t buf[MT6D_FRAME_HDR_LEN];
	struct mt6d_frame f = { .type = MT6D_FRAME_DATA_BUNDLE };

	mt6d_frame_put_hdr(buf, &f);
	CHECK(mt6d_frame_parse(buf, sizeof(buf), &f) == 0 && f.type == MT6D_FRAME_DATA_BUNDLE,
	      "DATA_BUNDLE frames parse");
}

int main(void)
{
	test_round_trip();
	test_refused();
	test_limits();
	test_frame_type();
	return check_done();
}

// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "check.h"
#include "frame.h"

static size_t make_ipv6(uint8_t *buf, size_t payload)
{
	memset(buf, 0, 40 + payload);
	buf[0] = 0x60;
	buf[4] = (uint8_t)(payload >> 8);
	buf[5] = (uint8_t)payload;
	return 40 + payload;
}

int main(void)
{
	uint8_t buf[MT6D_FRAME_HDR_LEN + 2000];
	struct mt6d_frame in = { .type = MT6D_FRAME_DATA, .epoch = 0x01020304,
				 .counter = 0x1122334455667788ull };
	struct mt6d_frame out;
	size_t len;

	mt6d_frame_put_hdr(buf, &in);
	len = MT6D_FRAME_HDR_LEN + make_ipv6(buf + MT6D_FRAME_HDR_LEN, 100);
	CHECK(mt6d_frame_parse(buf, len, &out) == 0, "round trip parses");
	CHECK(out.type == in.type && out.epoch == in.epoch && out.counter == in.counter,
	      "header fields survive");
	CHECK(out.payload == buf + MT6D_FRAME_HDR_LEN && out.payload_len == 140, "payload span");
	CHECK(buf[8] == 0x11 && buf[15] == 0x88, "counter is big endian");

	CHECK(mt6d_frame_parse(buf, len - 1, &out) == -EBADMSG, "truncated inner packet");
	CHECK(mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN - 1, &out) == -EBADMSG, "short header");
	CHECK(mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN, &out) == -EBADMSG, "empty DATA");

	buf[MT6D_FRAME_HDR_LEN] = 0x50;
	CHECK(mt6d_frame_parse(buf, len, &out) == -EBADMSG, "inner version 5");
	buf[MT6D_FRAME_HDR_LEN] = 0x60;

	/* IPv4: total length must match too. */
	in.counter = 1;
	mt6d_frame_put_hdr(buf, &in);
	memset(buf + MT6D_FRAME_HDR_LEN, 0, 60);
	buf[MT6D_FRAME_HDR_LEN] = 0x45;
	buf[MT6D_FRAME_HDR_LEN + 3] = 60;
	CHECK(mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN + 60, &out) == 0, "IPv4 packet");
	CHECK(mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN + 59, &out) == -EBADMSG, "IPv4 short");
	buf[MT6D_FRAME_HDR_LEN] = 0x44;
	CHECK(mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN + 60, &out) == -EBADMSG, "IPv4 IHL < 5");

	buf[0] = 2;
	CHECK(mt6d_frame_parse(buf, len, &out) == -EPROTONOSUPPORT, "unknown version");
	buf[0] = MT6D_FRAME_VERSION;
	buf[2] = 1;
	CHECK(mt6d_frame_parse(buf, len, &out) == -EBADMSG, "non-zero flags");
	buf[2] = 0;
	buf[1] = 0x7f;
	CHECK(mt6d_frame_parse(buf, len, &out) == -ENOMSG, "unknown type");
	buf[1] = 0;
	CHECK(mt6d_frame_parse(buf, len, &out) == -ENOMSG, "type zero");
	buf[1] = MT6D_FRAME_HELLO;
	CHECK(mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN + 3, &out) == 0 && out.payload_len == 3,
	      "HELLO passes to its own checks");
	return check_done();
}

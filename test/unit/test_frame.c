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
	struct mt6d_frame in = { .type = MT6D_FRAME_DATA,
				 .epoch = 0x01020304,
				 .counter = 0x1122334455667788ull };
	struct mt6d_frame out;
	uint8_t *p;
	size_t len;

	mt6d_frame_put_hdr(buf, &in);
	len = MT6D_FRAME_HDR_LEN + make_ipv6(buf + MT6D_FRAME_HDR_LEN, 100);
	CHECK(mt6d_frame_parse(buf, len, &out) == 0, "round trip parses");
	CHECK(out.type == in.type && out.epoch == in.epoch && out.counter == in.counter,
	      "header fields survive");
	CHECK(out.payload == buf + MT6D_FRAME_HDR_LEN && out.payload_len == 140, "payload span");
	CHECK(buf[0] == 3 && buf[4] == 0x01 && buf[7] == 0x04, "version 3, key epoch big endian");
	CHECK(buf[2] == 0 && out.gen == 0, "generation 0: flags 0");
	CHECK(buf[8] == 0x11 && buf[15] == 0x88, "counter is big endian");
	in.counter = UINT64_MAX;
	in.epoch = UINT32_MAX;
	mt6d_frame_put_hdr(buf, &in);
	CHECK(mt6d_frame_parse(buf, len, &out) == 0 && out.counter == UINT64_MAX &&
		      out.epoch == UINT32_MAX,
	      "largest counter and epoch survive");

	CHECK(mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN - 1, &out) == -EBADMSG, "short header");
	CHECK(mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN, &out) == 0 && out.payload_len == 0,
	      "empty payload parses (the tag check refuses it)");

	/* The opened payload: an IP packet of the length its header says. */
	p = buf + MT6D_FRAME_HDR_LEN;
	CHECK(mt6d_frame_check_inner(p, 140, NULL) == 0, "IPv6 packet");
	CHECK(mt6d_frame_check_inner(p, 139, NULL) == -EBADMSG, "truncated inner packet");
	CHECK(mt6d_frame_check_inner(p, 0, NULL) == -EBADMSG, "empty inner packet");
	p[0] = 0x50;
	CHECK(mt6d_frame_check_inner(p, 140, NULL) == -EBADMSG, "inner version 5");
	memset(p, 0, 60);
	p[0] = 0x45;
	p[3] = 60;
	CHECK(mt6d_frame_check_inner(p, 60, NULL) == 0, "IPv4 packet");
	CHECK(mt6d_frame_check_inner(p, 59, NULL) == -EBADMSG, "IPv4 short");
	{
		size_t inner = 0;

		memset(p + 60, 0, 68);
		CHECK(mt6d_frame_check_inner(p, 128, &inner) == 0 && inner == 60,
		      "padding: zeros after the packet are cut off (inner %zu)", inner);
		p[100] = 1;
		CHECK(mt6d_frame_check_inner(p, 128, &inner) == -EBADMSG,
		      "padding: anything but zeros after the packet is refused");
		p[100] = 0;
	}
	CHECK(mt6d_frame_padded_len(60, 32, 256) == 224 &&
		      mt6d_frame_padded_len(224, 32, 256) == 224 &&
		      mt6d_frame_padded_len(225, 32, 256) == 480,
	      "padded length: frame (payload + 32) a multiple of 256");
	CHECK(mt6d_frame_padded_len(61, 32, 0) == 61, "padding off: length unchanged");
	p[0] = 0x44;
	CHECK(mt6d_frame_check_inner(p, 60, NULL) == -EBADMSG, "IPv4 IHL < 5");

	in.counter = 1;
	mt6d_frame_put_hdr(buf, &in);
	buf[0] = 1;
	CHECK(mt6d_frame_parse(buf, len, &out) == -EPROTONOSUPPORT, "version 1 refused");
	buf[0] = MT6D_FRAME_VERSION;
	buf[0] = 2;
	CHECK(mt6d_frame_parse(buf, len, &out) == -EPROTONOSUPPORT, "version 2 refused");
	buf[0] = MT6D_FRAME_VERSION;
	buf[2] = MT6D_FRAME_F_GEN;
	CHECK(mt6d_frame_parse(buf, len, &out) == 0 && out.gen == 1, "generation bit read");
	buf[2] = 2;
	CHECK(mt6d_frame_parse(buf, len, &out) == -EBADMSG, "unknown flag refused");
	buf[2] = 0;
	buf[3] = 1;
	CHECK(mt6d_frame_parse(buf, len, &out) == -EBADMSG, "non-zero reserved byte refused");
	buf[3] = 0;
	buf[1] = 0x7f;
	CHECK(mt6d_frame_parse(buf, len, &out) == -ENOMSG, "unknown type");
	buf[1] = 0;
	CHECK(mt6d_frame_parse(buf, len, &out) == -ENOMSG, "type zero");
	buf[1] = MT6D_FRAME_HANDSHAKE;
	CHECK(mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN + 3, &out) == 0 && out.payload_len == 3,
	      "HANDSHAKE passes to its own checks");
	return check_done();
}

// SPDX-License-Identifier: MIT
/*
 * The choice of SCTP stream for inner packets: one flow keeps its stream under one key,
 * and another association's key (association hopping) deals the flows out afresh, so a
 * stream id in clear on the wire does not carry over from one association to the next.
 */
#include <string.h>

#include "check.h"
#include "flow.h"

#define STREAMS 16
#define FLOWS 256

/* An IPv6 UDP packet of flow @i: fd00:a::2 port 1024 + i to fd00:b::2 port 53. */
static void udp6(uint8_t pkt[48], unsigned int i)
{
	memset(pkt, 0, 48);
	pkt[0] = 0x60;
	pkt[5] = 8;
	pkt[6] = 17;
	pkt[8] = 0xfd;
	pkt[10] = 0x0a;
	pkt[23] = 2;
	pkt[24] = 0xfd;
	pkt[26] = 0x0b;
	pkt[39] = 2;
	pkt[40] = (uint8_t)((1024 + i) >> 8);
	pkt[41] = (uint8_t)(1024 + i);
	pkt[43] = 53;
}

int main(void)
{
	unsigned int moved = 0, used_a = 0, counts[STREAMS] = { 0 };
	uint8_t pkt[48];

	for (unsigned int i = 0; i < FLOWS; i++) {
		uint16_t a, b;

		udp6(pkt, i);
		a = mt6d_flow_stream(pkt, sizeof(pkt), STREAMS, 0x1234abcd);
		b = mt6d_flow_stream(pkt, sizeof(pkt), STREAMS, 0x9e3779b9);
		CHECK(a < STREAMS && b < STREAMS, "flow %u: stream out of range", i);
		CHECK(a == mt6d_flow_stream(pkt, sizeof(pkt), STREAMS, 0x1234abcd),
		      "flow %u: the same key gives the same stream", i);
		moved += a != b;
		counts[a]++;
	}
	for (unsigned int s = 0; s < STREAMS; s++)
		used_a += counts[s] > 0;
	/* A new key moves about 15 flows in 16; keep a wide margin, the point is "most". */
	CHECK(moved >= FLOWS * 3 / 4, "another key moves most flows: %u of %u", moved, FLOWS);
	CHECK(used_a == STREAMS, "256 flows use all %d streams under one key: %u", STREAMS, used_a);
	CHECK(mt6d_flow_stream(pkt, 20, STREAMS, 1) == 0, "a short packet goes to stream 0");
	CHECK(mt6d_flow_stream(pkt, sizeof(pkt), 1, 1) == 0, "one stream: stream 0");
	return check_done();
}

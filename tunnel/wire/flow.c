// SPDX-License-Identifier: MIT
#include "flow.h"

#include <string.h>

/* FNV-1a: no secret is needed, only a stable spread of flows over a few streams. */
static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 136 || proto == 132;
}

/* MurmurHash3's finaliser: every bit of @h reaches the low bits a stream id keeps. */
static uint32_t mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint16_t mt6d_flow_stream(const uint8_t *pkt, size_t len, uint16_t streams, uint32_t key)
{
	uint32_t h = 2166136261u;
	size_t l4;
	uint8_t proto;

	if (streams <= 1 || len < 20)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		proto = pkt[9];
		l4 = (size_t)(pkt[0] & 0x0f) * 4;
		h = fnv1a(h, pkt + 12, 8);
		/* Fragments after the first carry no ports. */
		if ((pkt[6] & 0x3f) || pkt[7])
			proto = 0;
		break;
	case 6:
		if (len < 40)
			return 0;
		/* Extension headers are not walked: such packets hash by address only. */
		proto = pkt[6];
		l4 = 40;
		h = fnv1a(h, pkt + 8, 32);
		break;
	default:
		return 0;
	}
	h = fnv1a(h, &proto, 1);
	if (has_ports(proto) && len >= l4 + 4)
		h = fnv1a(h, pkt + l4, 4);
	return (uint16_t)(mix32(h ^ key) % streams);
}

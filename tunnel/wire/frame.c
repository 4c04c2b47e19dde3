// SPDX-License-Identifier: MIT
#include "frame.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

void mt6d_frame_put_hdr(uint8_t hdr[MT6D_FRAME_HDR_LEN], const struct mt6d_frame *f)
{
	uint32_t epoch = htobe32(f->epoch);
	uint64_t counter = htobe64(f->counter);

	hdr[0] = MT6D_FRAME_VERSION;
	hdr[1] = f->type;
	hdr[2] = f->gen ? MT6D_FRAME_F_GEN : 0;
	hdr[3] = 0;
	memcpy(hdr + 4, &epoch, sizeof(epoch));
	memcpy(hdr + 8, &counter, sizeof(counter));
}

/* The inner packet must be what its own header says it is, or the TUN device rejects it. */
int mt6d_frame_check_inner(const uint8_t *p, size_t len, size_t *inner_len)
{
	size_t claimed;

	if (len < 20)
		return -EBADMSG;
	switch (p[0] >> 4) {
	case 4:
		claimed = (size_t)p[2] << 8 | p[3];
		if (claimed < 20 || (p[0] & 0x0f) < 5)
			return -EBADMSG;
		break;
	case 6:
		if (len < 40)
			return -EBADMSG;
		/* A jumbogram (payload length 0) never fits a tunnel MTU. */
		claimed = ((size_t)p[4] << 8 | p[5]) + 40;
		break;
	default:
		return -EBADMSG;
	}
	if (claimed > len)
		return -EBADMSG;
	/* What follows the packet is padding ([tunnel] padding): zeros, nothing else. */
	for (size_t i = claimed; i < len; i++)
		if (p[i])
			return -EBADMSG;
	if (inner_len)
		*inner_len = claimed;
	return 0;
}

size_t mt6d_frame_padded_len(size_t len, size_t overhead, unsigned int multiple)
{
	size_t total = len + overhead;

	if (multiple < 2)
		return len;
	return (total + multiple - 1) / multiple * multiple - overhead;
}

int mt6d_frame_parse(const uint8_t *buf, size_t len, struct mt6d_frame *f)
{
	uint32_t epoch;
	uint64_t counter;

	if (len < MT6D_FRAME_HDR_LEN)
		return -EBADMSG;
	if (buf[0] != MT6D_FRAME_VERSION)
		return -EPROTONOSUPPORT;
	if ((buf[2] & ~MT6D_FRAME_F_GEN) || buf[3])
		return -EBADMSG;
	memcpy(&epoch, buf + 4, sizeof(epoch));
	memcpy(&counter, buf + 8, sizeof(counter));
	f->type = buf[1];
	f->gen = buf[2] & MT6D_FRAME_F_GEN;
	f->epoch = be32toh(epoch);
	f->counter = be64toh(counter);
	f->payload = buf + MT6D_FRAME_HDR_LEN;
	f->payload_len = len - MT6D_FRAME_HDR_LEN;
	switch (f->type) {
	case MT6D_FRAME_DATA:
	case MT6D_FRAME_HANDSHAKE:
	case MT6D_FRAME_DATA_GSO:
	case MT6D_FRAME_KEEPALIVE:
	case MT6D_FRAME_DATA_BUNDLE:
		return 0;
	default:
		return -ENOMSG;
	}
}

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_FRAME_H
#define MT6D_FRAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * One SCTP message carries one frame:
 *
 *   0       1       2       3       4               8                      16
 *   +-------+-------+-------+-------+---------------+----------------------+----------
 *   |version| type  |  flags (0)    | key epoch     | counter (big endian) | payload
 *   +-------+-------+-------+-------+---------------+----------------------+----------
 *
 * The header is the AEAD's associated data and the counter its nonce input: a sealed
 * frame appends the tag after the payload. Version 1 carries payloads in clear.
 */
#define MT6D_FRAME_VERSION 1
#define MT6D_FRAME_HDR_LEN 16

enum mt6d_frame_type {
	MT6D_FRAME_DATA = 1,	/* payload: one inner IPv4 or IPv6 packet */
	MT6D_FRAME_HELLO = 2,	/* payload: struct of the authenticated liveness message */
	MT6D_FRAME_TYPE_MAX,
};

struct mt6d_frame {
	uint8_t type;
	uint32_t epoch;
	uint64_t counter;
	const uint8_t *payload;
	size_t payload_len;
};

/* Writes the header for @f into @hdr. */
void mt6d_frame_put_hdr(uint8_t hdr[MT6D_FRAME_HDR_LEN], const struct mt6d_frame *f);

/*
 * Parses @buf. -EBADMSG: too short, non-zero flags, or a DATA payload that is not an
 * IP packet of the length its header claims; -EPROTONOSUPPORT: other version;
 * -ENOMSG: unknown type. @f->payload points into @buf.
 */
int mt6d_frame_parse(const uint8_t *buf, size_t len, struct mt6d_frame *f)
	__attribute__((warn_unused_result));

#endif

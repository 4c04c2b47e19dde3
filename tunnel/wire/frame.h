/* SPDX-License-Identifier: MIT */
#ifndef MT6D_FRAME_H
#define MT6D_FRAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * One SCTP message carries one frame, and a frame one inner packet (or, DATA_BUNDLE, several
 * small ones that were queued together):
 *
 *   0       1       2       3       4               8                      16
 *   +-------+-------+-------+-------+---------------+----------------------+----------
 *   |version| type  | flags | 0     | key epoch     | counter (big endian) | payload
 *   +-------+-------+-------+-------+---------------+----------------------+----------
 *
 * The whole header is the AEAD's associated data; the key generation (flags bit 0: which
 * handshake on the association made the keys) and the key epoch select the key, and the
 * counter is its nonce input (nonce = IV xor counter). DATA payloads are sealed and end
 * in the tag; HANDSHAKE payloads are Noise messages (handshake.h), protected by Noise.
 * Versions 1 (payloads in clear) and 2 (the handshake before Noise) are not accepted.
 */
#define MT6D_FRAME_VERSION 3
#define MT6D_FRAME_F_GEN 0x01
#define MT6D_FRAME_HDR_LEN 16

enum mt6d_frame_type {
	MT6D_FRAME_DATA = 1,	    /* payload: one inner IPv4 or IPv6 packet */
	MT6D_FRAME_HANDSHAKE = 2,   /* payload: the session handshake (handshake.h) */
	MT6D_FRAME_DATA_GSO = 3,    /* payload: a virtio-net header and the packet (offload.h) */
	MT6D_FRAME_KEEPALIVE = 4,   /* sealed, empty: the peer is there (association hopping) */
	MT6D_FRAME_DATA_BUNDLE = 5, /* payload: several small inner packets (bundle.h) */
	MT6D_FRAME_TYPE_MAX,
};

struct mt6d_frame {
	uint8_t type;
	uint8_t gen; /* key generation's parity, 0 or 1 */
	uint32_t epoch;
	uint64_t counter;
	const uint8_t *payload;
	size_t payload_len;
};

/* Writes the header for @f into @hdr. */
void mt6d_frame_put_hdr(uint8_t hdr[MT6D_FRAME_HDR_LEN], const struct mt6d_frame *f);

/*
 * Parses the header of @buf. -EBADMSG: too short, or flags other than MT6D_FRAME_F_GEN;
 * -EPROTONOSUPPORT: other version; -ENOMSG: unknown type. @f->payload points into
 * @buf (still sealed for DATA).
 */
int mt6d_frame_parse(const uint8_t *buf, size_t len, struct mt6d_frame *f)
	__attribute__((warn_unused_result));

/*
 * Checks an opened DATA payload: an IPv4 or IPv6 packet of the length its own header
 * claims (the TUN device rejects anything else), followed by nothing but zero padding.
 * 0 with the packet's length in *@inner_len (when not NULL), or -EBADMSG.
 */
int mt6d_frame_check_inner(const uint8_t *p, size_t len, size_t *inner_len)
	__attribute__((warn_unused_result));

/*
 * Padding ([tunnel] padding): the payload length that makes a frame of @len payload bytes
 * plus @overhead (header and tag) a multiple of @multiple bytes; @len when @multiple < 2.
 */
size_t mt6d_frame_padded_len(size_t len, size_t overhead, unsigned int multiple);

#endif

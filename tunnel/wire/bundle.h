/* SPDX-License-Identifier: MIT */
#ifndef MT6D_BUNDLE_H
#define MT6D_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The payload of a DATA_BUNDLE frame: several small inner packets that were queued on the
 * TUN device at once, sealed as one frame so that they cost one SCTP message:
 *
 *   +--------+------------+--------+------------+-----+--------+-----------
 *   | length | packet     | length | packet     | ... | 0 0    | 0 0 0 ...
 *   +--------+------------+--------+------------+-----+--------+-----------
 *
 * Each record is a 16-bit big-endian length and one IPv4 or IPv6 packet of exactly that
 * length (its own header agrees). A zero length, or the end of the payload, ends the
 * records; only zeros may follow (padding, [tunnel] padding).
 */
#define MT6D_BUNDLE_REC_HDR 2
/* Packets of at most this many bytes are bundled; larger ones travel alone. */
#define MT6D_BUNDLE_SMALL 512
/* The most packets one bundle carries: every record is at least a 20-byte IPv4 header. */
#define MT6D_BUNDLE_MAX_PKTS 64

/* Appends @pkt (@pkt_len bytes) to the records in @buf (*@len bytes of @cap). -ENOSPC. */
int mt6d_bundle_add(uint8_t *buf, size_t cap, size_t *len, const void *pkt, size_t pkt_len);

/*
 * Checks an opened bundle payload before anything of it is delivered: one or more
 * records, each an inner packet of exactly its length (mt6d_frame_check_inner()), no more
 * than MT6D_BUNDLE_MAX_PKTS, then nothing but zeros. The number of packets, or -EBADMSG.
 */
int mt6d_bundle_check(const uint8_t *p, size_t len) __attribute__((warn_unused_result));

/*
 * The packet of the record at *@off in a payload that mt6d_bundle_check() accepted, and
 * *@off moved past it: 1, or 0 when no record is left.
 */
int mt6d_bundle_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **pkt,
		     size_t *pkt_len);

#endif

// SPDX-License-Identifier: MIT
#include "bundle.h"

#include <errno.h>
#include <string.h>

#include "frame.h"

int mt6d_bundle_add(uint8_t *buf, size_t cap, size_t *len, const void *pkt, size_t pkt_len)
{
	if (!pkt_len || pkt_len > UINT16_MAX || *len > cap ||
	    cap - *len < MT6D_BUNDLE_REC_HDR + pkt_len)
		return -ENOSPC;
	buf[*len] = (uint8_t)(pkt_len >> 8);
	buf[*len + 1] = (uint8_t)pkt_len;
	memcpy(buf + *len + MT6D_BUNDLE_REC_HDR, pkt, pkt_len);
	*len += MT6D_BUNDLE_REC_HDR + pkt_len;
	return 0;
}

/* The length of the record at @off: 0 for the end of the records. */
static size_t record_len(const uint8_t *p, size_t len, size_t off)
{
	if (len - off < MT6D_BUNDLE_REC_HDR)
		return 0;
	return (size_t)p[off] << 8 | p[off + 1];
}

int mt6d_bundle_check(const uint8_t *p, size_t len)
{
	size_t off = 0, rec, inner;
	int n = 0;

	while (off < len && (rec = record_len(p, len, off))) {
		off += MT6D_BUNDLE_REC_HDR;
		if (rec > len - off || n == MT6D_BUNDLE_MAX_PKTS ||
		    mt6d_frame_check_inner(p + off, rec, &inner) < 0 || inner != rec)
			return -EBADMSG;
		off += rec;
		n++;
	}
	/* The end: padding, all zeros (a lone odd byte too). */
	for (; off < len; off++)
		if (p[off])
			return -EBADMSG;
	return n ? n : -EBADMSG;
}

int mt6d_bundle_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **pkt,
		     size_t *pkt_len)
{
	size_t rec;

	if (*off >= len || !(rec = record_len(p, len, *off)) ||
	    rec > len - *off - MT6D_BUNDLE_REC_HDR)
		return 0;
	*pkt = p + *off + MT6D_BUNDLE_REC_HDR;
	*pkt_len = rec;
	*off += MT6D_BUNDLE_REC_HDR + rec;
	return 1;
}

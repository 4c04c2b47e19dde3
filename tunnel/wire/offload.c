// SPDX-License-Identifier: MIT
#include "offload.h"

#include <errno.h>
#include <linux/virtio_net.h>

static unsigned int le16(const uint8_t *p)
{
	return (unsigned int)p[0] | (unsigned int)p[1] << 8;
}

bool mt6d_vnet_hdr_plain(const uint8_t hdr[MT6D_VNET_HDR_LEN])
{
	return hdr[0] == 0 && hdr[1] == VIRTIO_NET_HDR_GSO_NONE;
}

int mt6d_vnet_hdr_check(const uint8_t hdr[MT6D_VNET_HDR_LEN], size_t len)
{
	unsigned int flags = hdr[0], gso = hdr[1] & ~VIRTIO_NET_HDR_GSO_ECN;
	unsigned int gso_size = le16(hdr + 4), csum_start = le16(hdr + 6);
	unsigned int csum_offset = le16(hdr + 8);

	if (flags & ~(unsigned int)(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		return -EBADMSG;
	if ((hdr[1] & VIRTIO_NET_HDR_GSO_ECN) && gso == VIRTIO_NET_HDR_GSO_NONE)
		return -EBADMSG;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		/* Segmentation needs the checksum left to the kernel and a segment size. */
		if (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || gso_size == 0 || gso_size >= len)
			return -EBADMSG;
		break;
	default:
		return -EBADMSG;
	}
	if ((flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && (size_t)csum_start + csum_offset + 2 > len)
		return -EBADMSG;
	return 0;
}

int mt6d_vnet_csum_finish(const uint8_t hdr[MT6D_VNET_HDR_LEN], uint8_t *pkt, size_t len)
{
	unsigned int flags = hdr[0], start = le16(hdr + 6), field = le16(hdr + 8);
	uint32_t sum = 0;
	size_t i;

	if (flags & ~(unsigned int)(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID) ||
	    hdr[1] != VIRTIO_NET_HDR_GSO_NONE)
		return -EINVAL;
	if (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if ((size_t)start + field + 2 > len)
		return -EINVAL;
	/*
	 * The field holds the pseudo-header's sum already: the one's complement sum from
	 * csum_start to the end, folded and complemented, is the checksum (0 sent as 0xffff,
	 * which UDP requires and TCP reads the same).
	 */
	for (i = start; i + 1 < len; i += 2)
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	if (i < len)
		sum += (uint32_t)pkt[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	if (!sum)
		sum = 0xffff;
	pkt[start + field] = (uint8_t)(sum >> 8);
	pkt[start + field + 1] = (uint8_t)sum;
	return 0;
}

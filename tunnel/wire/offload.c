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

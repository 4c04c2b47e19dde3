// SPDX-License-Identifier: MIT
/* The virtio-net header of TUN offloads: what is sent as plain DATA, what a peer may ask. */
#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>

#include "check.h"
#include "frame.h"
#include "offload.h"

static void hdr(uint8_t h[MT6D_VNET_HDR_LEN], uint8_t flags, uint8_t gso, unsigned int gso_size,
		unsigned int csum_start, unsigned int csum_offset)
{
	memset(h, 0, MT6D_VNET_HDR_LEN);
	h[0] = flags;
	h[1] = gso;
	h[4] = (uint8_t)gso_size;
	h[5] = (uint8_t)(gso_size >> 8);
	h[6] = (uint8_t)csum_start;
	h[7] = (uint8_t)(csum_start >> 8);
	h[8] = (uint8_t)csum_offset;
	h[9] = (uint8_t)(csum_offset >> 8);
}

int main(void)
{
	uint8_t h[MT6D_VNET_HDR_LEN], buf[MT6D_FRAME_HDR_LEN + 4];
	const struct mt6d_frame f = { .type = MT6D_FRAME_DATA_GSO };
	struct mt6d_frame out;

	hdr(h, 0, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 0);
	CHECK(mt6d_vnet_hdr_plain(h) && mt6d_vnet_hdr_check(h, 60) == 0, "all-zero is plain");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 40, 16);
	CHECK(!mt6d_vnet_hdr_plain(h), "checksum request is not plain");
	CHECK(mt6d_vnet_hdr_check(h, 60) == 0, "IPv6/TCP checksum at 56 of 60");
	CHECK(mt6d_vnet_hdr_check(h, 57) == -EBADMSG, "checksum field past the end");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, 1372, 40, 16);
	CHECK(!mt6d_vnet_hdr_plain(h) && mt6d_vnet_hdr_check(h, 65000) == 0, "TCPv6 GSO");
	CHECK(mt6d_vnet_hdr_check(h, 1000) == -EBADMSG, "segment larger than the packet");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 1400,
	    20, 16);
	CHECK(mt6d_vnet_hdr_check(h, 30000) == 0, "TCPv4 GSO with ECN");
	hdr(h, 0, VIRTIO_NET_HDR_GSO_TCPV6, 1372, 0, 0);
	CHECK(mt6d_vnet_hdr_check(h, 65000) == -EBADMSG, "GSO without a checksum request");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, 0, 40, 16);
	CHECK(mt6d_vnet_hdr_check(h, 65000) == -EBADMSG, "GSO with segment size 0");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, 1372, 40, 6);
	CHECK(mt6d_vnet_hdr_check(h, 65000) == -EBADMSG, "UFO refused");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, 5 /* UDP_L4 */, 1372, 40, 6);
	CHECK(mt6d_vnet_hdr_check(h, 65000) == -EBADMSG, "USO refused (not offered)");
	hdr(h, 0x80, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 0);
	CHECK(mt6d_vnet_hdr_check(h, 60) == -EBADMSG, "unknown flag");
	hdr(h, 0, VIRTIO_NET_HDR_GSO_ECN, 0, 0, 0);
	CHECK(mt6d_vnet_hdr_check(h, 60) == -EBADMSG, "ECN without segmentation");

	mt6d_frame_put_hdr(buf, &f);
	CHECK(mt6d_frame_parse(buf, sizeof(buf), &out) == 0 && out.type == MT6D_FRAME_DATA_GSO &&
		      out.payload_len == 4,
	      "DATA_GSO frames parse");
	return check_done();
}

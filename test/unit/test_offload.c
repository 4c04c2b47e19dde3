// SPDX-License-Identifier: MIT
/* The virtio-net header of TUN offloads: what is sent as plain DATA, what a peer may ask. */
#include <errno.h>
#include <stdbool.h>
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

/* The one's complement sum of @len bytes at @p, added to @sum, not folded. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sum += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * An IPv6/UDP packet of @len bytes (48 and more) with its checksum field as the kernel
 * leaves it for the device (the pseudo-header's sum) and the matching header; returns
 * the pseudo-header's sum.
 */
static uint32_t udp_partial(uint8_t *pkt, size_t len, uint8_t h[MT6D_VNET_HDR_LEN])
{
	size_t ulen = len - 40;
	uint32_t pseudo;

	for (size_t i = 0; i < len; i++)
		pkt[i] = (uint8_t)(i * 37 + 11);
	pkt[0] = 0x60;
	pkt[4] = (uint8_t)(ulen >> 8);
	pkt[5] = (uint8_t)ulen;
	pkt[6] = 17;
	pkt[44] = (uint8_t)(ulen >> 8);
	pkt[45] = (uint8_t)ulen;
	pseudo = sum16(0, pkt + 8, 32) + (uint32_t)ulen + 17;
	pkt[46] = (uint8_t)(fold(pseudo) >> 8);
	pkt[47] = (uint8_t)fold(pseudo);
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 40, 6);
	return pseudo;
}

/* What a receiver checks: pseudo-header plus the whole UDP datagram sum to 0xffff. */
static bool udp_csum_ok(const uint8_t *pkt, size_t len, uint32_t pseudo)
{
	return fold(sum16(pseudo, pkt + 40, len - 40)) == 0xffff;
}

static void csum_finish(void)
{
	uint8_t h[MT6D_VNET_HDR_LEN], pkt[200], copy[200];
	uint32_t pseudo;
	uint16_t zero;

	for (size_t len = 48; len <= 51; len++) {
		pseudo = udp_partial(pkt, len, h);
		CHECK(!udp_csum_ok(pkt, len, pseudo), "partial checksum is not yet valid (%zu)",
		      len);
		CHECK(mt6d_vnet_csum_finish(h, pkt, len) == 0 && udp_csum_ok(pkt, len, pseudo),
		      "UDP checksum finished, %zu bytes", len);
	}
	pseudo = udp_partial(pkt, 200, h);
	CHECK(mt6d_vnet_csum_finish(h, pkt, 200) == 0 && udp_csum_ok(pkt, 200, pseudo),
	      "UDP checksum finished, 200 bytes");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID, VIRTIO_NET_HDR_GSO_NONE,
	    0, 40, 6);
	pseudo = udp_partial(pkt, 120, h);
	CHECK(mt6d_vnet_csum_finish(h, pkt, 120) == 0 && udp_csum_ok(pkt, 120, pseudo),
	      "with DATA_VALID too");

	/* A datagram whose checksum comes out as 0, which UDP sends as 0xffff. */
	pseudo = udp_partial(pkt, 50, h);
	pkt[46] = pkt[47] = pkt[48] = pkt[49] = 0;
	zero = (uint16_t)(0xffff - fold(sum16(pseudo, pkt + 40, 10)));
	pkt[48] = (uint8_t)(zero >> 8);
	pkt[49] = (uint8_t)zero;
	pkt[46] = (uint8_t)(fold(pseudo) >> 8);
	pkt[47] = (uint8_t)fold(pseudo);
	CHECK(mt6d_vnet_csum_finish(h, pkt, 50) == 0 && pkt[46] == 0xff && pkt[47] == 0xff &&
		      udp_csum_ok(pkt, 50, pseudo),
	      "a checksum of 0 is sent as 0xffff");

	udp_partial(pkt, 120, h);
	memcpy(copy, pkt, sizeof(pkt));
	hdr(h, VIRTIO_NET_HDR_F_DATA_VALID, VIRTIO_NET_HDR_GSO_NONE, 0, 40, 6);
	CHECK(mt6d_vnet_csum_finish(h, pkt, 120) == 0 && !memcmp(pkt, copy, sizeof(pkt)),
	      "no checksum asked for: packet unchanged");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, 1000, 40, 16);
	CHECK(mt6d_vnet_csum_finish(h, pkt, 120) == -EINVAL, "segmentation refused");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 40, 79);
	CHECK(mt6d_vnet_csum_finish(h, pkt, 120) == -EINVAL, "checksum field past the end");
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 40, 78);
	CHECK(mt6d_vnet_csum_finish(h, pkt, 120) == 0, "checksum field in the last two bytes");
	hdr(h, 0x80, VIRTIO_NET_HDR_GSO_NONE, 0, 40, 6);
	CHECK(mt6d_vnet_csum_finish(h, pkt, 120) == -EINVAL, "unknown flag refused");
	CHECK(memcmp(pkt, copy, 46) == 0, "refusals leave the packet's headers alone");
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
	csum_finish();
	return check_done();
}

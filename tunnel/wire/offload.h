/* SPDX-License-Identifier: MIT */
#ifndef MT6D_OFFLOAD_H
#define MT6D_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * TUN offloads (IFF_VNET_HDR + TUNSETOFFLOAD): every packet read from or written to the
 * device follows a 10-byte virtio-net header, and a read may return a TCP "super-packet"
 * of up to 64 KiB whose segmentation (and checksum) the kernel left undone. mt6d carries
 * such a packet as one DATA_GSO frame, whose payload is the header followed by the
 * packet; the peer writes both to its own TUN device, whose kernel finishes the work.
 * One SCTP message then moves up to 64 KiB instead of one MTU.
 *
 * The header travels exactly as virtio 1.0 defines it (little-endian fields):
 *   flags u8, gso_type u8, hdr_len u16, gso_size u16, csum_start u16, csum_offset u16
 */
#define MT6D_VNET_HDR_LEN 10

/* True when the header asks nothing of the kernel: the packet goes as a plain DATA frame. */
bool mt6d_vnet_hdr_plain(const uint8_t hdr[MT6D_VNET_HDR_LEN]);

/*
 * Finishes the checksum the kernel left to the device (VIRTIO_NET_HDR_F_NEEDS_CSUM) of a
 * packet without segmentation, @pkt of @len bytes, as a device without checksum offload
 * would: then the packet asks nothing more of the kernel and can travel as plain DATA.
 * 0 (also when no checksum was asked for), or -EINVAL for segmentation, an unknown flag
 * or a checksum field outside the packet.
 */
int mt6d_vnet_csum_finish(const uint8_t hdr[MT6D_VNET_HDR_LEN], uint8_t *pkt, size_t len);

/*
 * Checks a received header against the packet of @len bytes that follows it: only TCP
 * segmentation (IPv4, IPv6, with or without ECN) and a checksum request, with the
 * checksum field inside the packet. 0 or -EBADMSG.
 */
int mt6d_vnet_hdr_check(const uint8_t hdr[MT6D_VNET_HDR_LEN], size_t len)
	__attribute__((warn_unused_result));

#endif

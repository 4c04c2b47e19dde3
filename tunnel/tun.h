/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TUN_H
#define MT6D_TUN_H

#include <stdbool.h>

/*
 * Opens (creating when needed) the TUN device @name without packet information,
 * non-blocking. With @offload, every packet is preceded by a virtio-net header
 * (offload.h) and the device takes TCP segmentation and checksums (IPv4 and IPv6)
 * from the stack, so reads may return super-packets. Returns the descriptor or -errno;
 * the kernel's interface name is written to @ifname (IFNAMSIZ bytes).
 */
int tun_open(const char *name, char *ifname, bool offload) __attribute__((warn_unused_result));

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TUN_H
#define MT6D_TUN_H

/*
 * Opens (creating when needed) the TUN device @name without packet information,
 * non-blocking. Returns the descriptor or -errno; the kernel's interface name is
 * written to @ifname (IFNAMSIZ bytes).
 */
int tun_open(const char *name, char *ifname) __attribute__((warn_unused_result));

#endif

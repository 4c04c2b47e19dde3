/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TEST_PCAPFILE_H
#define MT6D_TEST_PCAPFILE_H

#include <stddef.h>
#include <stdint.h>

/* One captured frame: its bytes as captured, and when (seconds since the epoch). */
struct pcap_frame {
	const uint8_t *data;
	size_t len;
	double ts;
};

/*
 * Calls @fn with every captured frame of @path, a little-endian microsecond pcap of
 * Ethernet frames (link type 1), what tcpdump writes on a veth here. Returns 0 at the
 * end of the file, -1 when it cannot be opened or is not such a pcap; a truncated last
 * record ends the walk.
 */
int pcap_each(const char *path, void (*fn)(const struct pcap_frame *f, void *ctx), void *ctx);

#endif

// SPDX-License-Identifier: MIT
/* The pcap reader of the VM test helpers (pcapfile.h). */
#include <stdio.h>

#include "pcapfile.h"

#define SNAP_MAX 262144

static uint32_t get32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int pcap_each(const char *path, void (*fn)(const struct pcap_frame *f, void *ctx), void *ctx)
{
	static uint8_t buf[SNAP_MAX];
	uint8_t gh[24], rh[16];
	FILE *in = fopen(path, "rb");

	if (!in)
		return -1;
	if (fread(gh, 1, sizeof(gh), in) != sizeof(gh) || get32le(gh) != 0xa1b2c3d4 ||
	    get32le(gh + 20) != 1) {
		fclose(in);
		return -1;
	}
	while (fread(rh, 1, sizeof(rh), in) == sizeof(rh)) {
		struct pcap_frame f = { .data = buf,
					.len = get32le(rh + 8),
					.ts = get32le(rh) + get32le(rh + 4) / 1e6 };

		if (f.len > sizeof(buf) || fread(buf, 1, f.len, in) != f.len)
			break;
		fn(&f, ctx);
	}
	fclose(in);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * pcapgrep: which addresses occur anywhere in the packets of a capture.
 *
 *   pcapgrep FILE.pcap ADDRESS...
 *
 * ADDRESS is an IPv6 or IPv4 address in text form; its 16 (or 4) bytes are searched
 * for in every captured byte of every packet, link header, IP and SCTP headers and
 * payload alike, at any offset. One line per address, "ADDRESS PACKETS", then
 * "packets N truncated T": N packets read, T of them captured shorter than they were
 * on the wire (a truncated capture proves nothing about the bytes it lacks).
 * Exit status 0 when the file was read to its end, 1 on a malformed file or bad usage.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define MAX_SNAP (256 * 1024)

struct needle {
	const char *text;
	uint8_t bytes[16];
	size_t len;
	unsigned long hits;
};

static uint32_t get32(const uint8_t *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap32(v) : v;
}

static int parse_needle(struct needle *n, const char *text)
{
	n->text = text;
	if (inet_pton(AF_INET6, text, n->bytes) == 1)
		n->len = 16;
	else if (inet_pton(AF_INET, text, n->bytes) == 1)
		n->len = 4;
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t hdr[24], rec[16], *pkt = malloc(MAX_SNAP);
	unsigned long packets = 0, truncated = 0;
	struct needle *needles;
	int swap, nn = argc - 2;
	FILE *f;

	if (argc < 3 || !pkt) {
		fprintf(stderr, "usage: pcapgrep FILE.pcap ADDRESS...\n");
		return 1;
	}
	needles = calloc((size_t)nn, sizeof(*needles));
	if (!needles)
		return 1;
	for (int i = 0; i < nn; i++) {
		if (parse_needle(&needles[i], argv[i + 2]) < 0) {
			fprintf(stderr, "pcapgrep: %s is not an IPv6 or IPv4 address\n",
				argv[i + 2]);
			return 1;
		}
	}
	f = fopen(argv[1], "rb");
	if (!f || fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr)) {
		fprintf(stderr, "pcapgrep: %s: cannot read a pcap header\n", argv[1]);
		return 1;
	}
	if (get32(hdr, 0) == PCAP_MAGIC_US || get32(hdr, 0) == PCAP_MAGIC_NS)
		swap = 0;
	else if (get32(hdr, 1) == PCAP_MAGIC_US || get32(hdr, 1) == PCAP_MAGIC_NS)
		swap = 1;
	else {
		fprintf(stderr, "pcapgrep: %s: not a pcap file (pcapng is not read)\n", argv[1]);
		return 1;
	}
	for (;;) {
		size_t got = fread(rec, 1, sizeof(rec), f);
		uint32_t caplen, len;

		if (got == 0)
			break;
		if (got != sizeof(rec)) {
			fprintf(stderr, "pcapgrep: %s: record header cut short\n", argv[1]);
			return 1;
		}
		caplen = get32(rec + 8, swap);
		len = get32(rec + 12, swap);
		if (caplen > MAX_SNAP || fread(pkt, 1, caplen, f) != caplen) {
			fprintf(stderr, "pcapgrep: %s: packet %lu cut short\n", argv[1],
				packets + 1);
			return 1;
		}
		packets++;
		if (caplen < len)
			truncated++;
		for (int i = 0; i < nn; i++)
			if (caplen >= needles[i].len &&
			    memmem(pkt, caplen, needles[i].bytes, needles[i].len))
				needles[i].hits++;
	}
	for (int i = 0; i < nn; i++)
		printf("%s %lu\n", needles[i].text, needles[i].hits);
	printf("packets %lu truncated %lu\n", packets, truncated);
	fclose(f);
	free(needles);
	free(pkt);
	return 0;
}

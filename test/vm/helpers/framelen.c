// SPDX-License-Identifier: MIT
/*
 * What an observer on the path learns of mt6d's frame sizes, for the VM tests: reads a
 * pcap capture (Ethernet, as tcpdump writes it on a veth) and prints, for every SCTP
 * message that is an mt6d data frame (its cleartext header says version 3, type DATA,
 * DATA_GSO or DATA_BUNDLE), the IPv6 source address, the frame's length and its type; a
 * message SCTP cut into several DATA chunks (B ... E) is summed, assuming, as in the
 * tests, that one sender's fragmented messages do not interleave:
 *
 *   framelen FILE.pcap
 *   2001:db8:1:1:8d5e:ee01:2c1:99f1 256 1
 *
 * Exit status 0, or 1 when the file cannot be read as a pcap of Ethernet frames.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pcapfile.h"

#define ETH_LEN 14
#define IP6_LEN 40
#define SCTP_HDR_LEN 12
#define DATA_HDR_LEN 16

/* A message being put together from its DATA chunks; one sender at a time is enough. */
static struct {
	char src[INET6_ADDRSTRLEN];
	size_t len;
	int frame; /* its first chunk starts with an mt6d data frame header: its type */
} part;

static void data_chunk(const char *src, const uint8_t *c, size_t clen)
{
	const uint8_t *d = c + DATA_HDR_LEN;
	size_t dlen = clen - DATA_HDR_LEN;

	if (c[1] & 2) { /* B: a message begins */
		snprintf(part.src, sizeof(part.src), "%s", src);
		part.len = 0;
		part.frame =
			dlen >= 2 && d[0] == 3 && (d[1] == 1 || d[1] == 3 || d[1] == 5) ? d[1] : 0;
	} else if (strcmp(part.src, src)) {
		return;
	}
	part.len += dlen;
	if ((c[1] & 1) && part.frame) /* E: it ends */
		printf("%s %zu %d\n", part.src, part.len, part.frame);
	if (c[1] & 1)
		part.src[0] = 0;
}

/* The DATA chunks of one frame's SCTP packet, if it is one. */
static void packet(const struct pcap_frame *pf, void *ctx)
{
	const uint8_t *f = pf->data;
	size_t len = pf->len;
	const uint8_t *ip = f + ETH_LEN, *c, *end;
	char src[INET6_ADDRSTRLEN];

	(void)ctx;
	if (len < ETH_LEN + IP6_LEN + SCTP_HDR_LEN || f[12] != 0x86 || f[13] != 0xdd ||
	    (ip[0] >> 4) != 6 || ip[6] != IPPROTO_SCTP)
		return;
	end = ip + IP6_LEN + (ip[4] << 8 | ip[5]);
	if (end > f + len)
		end = f + len;
	inet_ntop(AF_INET6, ip + 8, src, sizeof(src));
	for (c = ip + IP6_LEN + SCTP_HDR_LEN; c + 4 <= end;) {
		size_t clen = (size_t)(c[2] << 8 | c[3]);

		if (clen < 4 || c + clen > end)
			break;
		if (c[0] == 0 && clen > DATA_HDR_LEN)
			data_chunk(src, c, clen);
		c += (clen + 3) & ~(size_t)3;
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: framelen FILE.pcap\n");
		return 1;
	}
	if (pcap_each(argv[1], packet, NULL) < 0) {
		fprintf(stderr, "framelen: %s: not a pcap of Ethernet frames\n", argv[1]);
		return 1;
	}
	return 0;
}

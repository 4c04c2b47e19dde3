// SPDX-License-Identifier: MIT
/*
 * An on-path injector for the VM tests. It watches one end of a link (a packet socket on
 * IFACE, both directions), learns from real SCTP packets of the association on PORT what
 * an observer can read off the wire -- the link and IPv6 headers, the ports, the
 * verification tag the far end expects, the TSNs both ways and the shape of the AUTH chunk
 * -- and sends forged packets toward the far end, as if from the near end:
 *
 *   sctp_forge IFACE PORT KIND...
 *
 * KIND is one of
 *   abort      ABORT
 *   shutdown   SHUTDOWN acknowledging what the near end last acknowledged
 *   sack       SACK whose cumulative TSN is 1000 ahead of what the far end has sent
 *   fwdtsn     FORWARD-TSN skipping the near end's next 100 TSNs
 *   data       DATA (unordered, 16 random bytes) with the near end's next TSN
 * and KIND+auth puts the chunk behind a copy of a real AUTH chunk whose HMAC is zeroed
 * (the receiver must fail it: SCTP_IERROR_BAD_SIG). Each forgery waits (up to 10 s) until
 * what it needs has been seen, is sent once, and is reported on stdout as
 *   forged KIND vtag 0xVTAG tsn N
 * Forged packets carry hop limit 77, so that the receiver can count them (nft).
 * Exit status 0 when every forgery was sent, 1 when one was not, 2 on usage errors.
 *
 * The near end is this namespace's side of IFACE: outgoing frames are near -> far.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETH_LEN 14
#define IP6_LEN 40
#define SCTP_HDR_LEN 12
#define FRAME_MAX 2048
#define FORGED_HOPLIMIT 77
#define AUTH_MAX 64

enum {
	CID_DATA = 0x00,
	CID_SACK = 0x03,
	CID_ABORT = 0x06,
	CID_SHUTDOWN = 0x07,
	CID_AUTH = 0x0f,
	CID_FWD_TSN = 0xc0,
};

struct wire {
	uint8_t tmpl[ETH_LEN + IP6_LEN + SCTP_HDR_LEN]; /* the newest near -> far packet */
	bool have_tmpl;
	uint8_t auth[AUTH_MAX]; /* an AUTH chunk seen near -> far */
	size_t auth_len;
	uint32_t near_tsn, far_tsn, near_acked; /* newest near DATA, far DATA, near's cum ack */
	bool have_near_tsn, have_far_tsn, have_near_acked;
	unsigned long frames;
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* TSNs compare in serial number arithmetic (RFC 1982). */
static bool tsn_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* CRC32c (Castagnoli, reflected 0x82f63b78), as SCTP's checksum (RFC 4960 appendix B). */
static uint32_t crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return ~crc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void learn(struct wire *w, const uint8_t *f, size_t len, bool outgoing, uint16_t port)
{
	const uint8_t *ip = f + ETH_LEN, *sh = ip + IP6_LEN, *c, *end;

	if (len < ETH_LEN + IP6_LEN + SCTP_HDR_LEN || f[12] != 0x86 || f[13] != 0xdd ||
	    (ip[0] >> 4) != 6 || ip[6] != IPPROTO_SCTP)
		return;
	if ((uint16_t)(sh[0] << 8 | sh[1]) != port && (uint16_t)(sh[2] << 8 | sh[3]) != port)
		return;
	end = ip + IP6_LEN + (ip[4] << 8 | ip[5]);
	if (end > f + len)
		end = f + len;
	w->frames++;
	if (outgoing) {
		memcpy(w->tmpl, f, sizeof(w->tmpl));
		w->have_tmpl = true;
	}
	for (c = sh + SCTP_HDR_LEN; c + 4 <= end;) {
		size_t clen = (size_t)(c[2] << 8 | c[3]);

		if (clen < 4 || c + clen > end)
			break;
		if (c[0] == CID_DATA && clen >= 16) {
			uint32_t tsn = get32(c + 4);
			uint32_t *t = outgoing ? &w->near_tsn : &w->far_tsn;
			bool *have = outgoing ? &w->have_near_tsn : &w->have_far_tsn;

			if (!*have || tsn_after(tsn, *t))
				*t = tsn;
			*have = true;
		} else if (c[0] == CID_SACK && clen >= 16 && outgoing) {
			w->near_acked = get32(c + 4);
			w->have_near_acked = true;
		} else if (c[0] == CID_AUTH && outgoing && clen >= 8 && clen <= AUTH_MAX) {
			memcpy(w->auth, c, clen);
			w->auth_len = clen;
		}
		c += (clen + 3) & ~(size_t)3;
	}
}

/* Appends the forged chunk of @kind at @p; returns its length, 0 while not ready. */
static size_t make_chunk(const struct wire *w, const char *kind, uint8_t *p, uint32_t *tsn)
{
	if (!strcmp(kind, "abort")) {
		p[0] = CID_ABORT, p[1] = 0, put16(p + 2, 4);
		*tsn = 0;
		return 4;
	}
	if (!strcmp(kind, "shutdown")) {
		if (!w->have_near_acked)
			return 0;
		p[0] = CID_SHUTDOWN, p[1] = 0, put16(p + 2, 8);
		put32(p + 4, *tsn = w->near_acked);
		return 8;
	}
	if (!strcmp(kind, "sack")) {
		if (!w->have_far_tsn)
			return 0;
		memset(p, 0, 16);
		p[0] = CID_SACK, put16(p + 2, 16);
		put32(p + 4, *tsn = w->far_tsn + 1000);
		put32(p + 8, 0x20000); /* a_rwnd; no gap blocks, no duplicates */
		return 16;
	}
	if (!strcmp(kind, "fwdtsn")) {
		if (!w->have_near_tsn)
			return 0;
		p[0] = CID_FWD_TSN, p[1] = 0, put16(p + 2, 8);
		put32(p + 4, *tsn = w->near_tsn + 100);
		return 8;
	}
	if (!strcmp(kind, "data")) {
		if (!w->have_near_tsn)
			return 0;
		memset(p, 0, 16);
		p[0] = CID_DATA, p[1] = 0x07; /* unordered, beginning and end */
		put16(p + 2, 16 + 16);
		put32(p + 4, *tsn = w->near_tsn + 1);
		for (int i = 0; i < 16; i++)
			p[16 + i] = (uint8_t)random();
		return 32;
	}
	return 0;
}

static bool known_kind(const char *kind)
{
	static const char *const kinds[] = { "abort", "shutdown", "sack", "fwdtsn", "data" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}

/* Builds and sends one forgery; 1 sent, 0 not ready yet, -1 error. */
static int forge(int fd, const struct sockaddr_ll *ll, const struct wire *w, const char *arg)
{
	uint8_t f[FRAME_MAX], *ip = f + ETH_LEN, *sh = ip + IP6_LEN, *p = sh + SCTP_HDR_LEN;
	char kind[32];
	bool auth;
	size_t clen, slen;
	uint32_t tsn = 0, crc;

	snprintf(kind, sizeof(kind), "%s", arg);
	auth = strlen(kind) > 5 && !strcmp(kind + strlen(kind) - 5, "+auth");
	if (auth)
		kind[strlen(kind) - 5] = 0;
	if (!w->have_tmpl || (auth && !w->auth_len))
		return 0;
	memcpy(f, w->tmpl, sizeof(w->tmpl));
	if (auth) {
		memcpy(p, w->auth, w->auth_len);
		memset(p + 8, 0, w->auth_len - 8); /* key id and HMAC id kept, the HMAC zeroed */
		p += (w->auth_len + 3) & ~(size_t)3;
	}
	clen = make_chunk(w, kind, p, &tsn);
	if (!clen)
		return 0;
	p += clen;
	slen = (size_t)(p - sh);
	put16(ip + 4, (uint16_t)slen);
	ip[7] = FORGED_HOPLIMIT;
	memset(sh + 8, 0, 4);
	crc = crc32c(sh, slen);
	/* The CRC goes on the wire least significant byte first (sctp_compute_cksum). */
	sh[8] = (uint8_t)crc, sh[9] = (uint8_t)(crc >> 8);
	sh[10] = (uint8_t)(crc >> 16), sh[11] = (uint8_t)(crc >> 24);
	if (sendto(fd, f, (size_t)(p - f), 0, (const struct sockaddr *)ll, sizeof(*ll)) < 0) {
		fprintf(stderr, "sctp_forge: send %s: %s\n", arg, strerror(errno));
		return -1;
	}
	printf("forged %s vtag 0x%08x tsn %u\n", arg, get32(sh + 4), tsn);
	fflush(stdout);
	return 1;
}

/* Reads frames for @secs seconds, learning from those of the association. */
static void sniff(int fd, struct wire *w, uint16_t port, double secs)
{
	double deadline = now_s() + secs;
	uint8_t f[FRAME_MAX];

	for (;;) {
		double left = deadline - now_s();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			return;
		n = recvfrom(fd, f, sizeof(f), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n > 0)
			learn(w, f, (size_t)n, from.sll_pkttype == PACKET_OUTGOING, port);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct wire w = { 0 };
	int fd, failed = 0;
	uint16_t port;

	if (argc < 4) {
		fprintf(stderr, "usage: sctp_forge IFACE PORT KIND[+auth]...\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		char kind[32];

		snprintf(kind, sizeof(kind), "%s", argv[i]);
		if (strlen(kind) > 5 && !strcmp(kind + strlen(kind) - 5, "+auth"))
			kind[strlen(kind) - 5] = 0;
		if (!known_kind(kind)) {
			fprintf(stderr, "sctp_forge: unknown kind %s\n", argv[i]);
			return 2;
		}
	}
	port = (uint16_t)atoi(argv[2]);
	ll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (!ll.sll_ifindex) {
		fprintf(stderr, "sctp_forge: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
		fprintf(stderr, "sctp_forge: packet socket: %s\n", strerror(errno));
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		double deadline = now_s() + 10;
		int ret = 0;

		/* Fresh state for each forgery: what the previous one did is on the wire now. */
		sniff(fd, &w, port, 0.3);
		while (now_s() < deadline && !(ret = forge(fd, &ll, &w, argv[i])))
			sniff(fd, &w, port, 0.05);
		if (ret != 1) {
			fprintf(stderr, "sctp_forge: %s not sent (%lu packets of port %u seen)\n",
				argv[i], w.frames, port);
			failed = 1;
		}
	}
	close(fd);
	return failed;
}

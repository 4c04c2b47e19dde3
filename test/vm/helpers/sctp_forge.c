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
 *   restart    INIT from the near end's address, then a COOKIE-ECHO with the cookie of
 *              the far end's INIT-ACK: RFC 4960 5.2.4 action A, a restart of the
 *              association, unless the far end insists on AUTH for COOKIE-ECHO
 * and KIND+auth puts the chunk (for restart: the COOKIE-ECHO) behind a copy of a real
 * AUTH chunk whose HMAC is zeroed (the receiver must fail it: SCTP_IERROR_BAD_SIG). Each
 * forgery waits (up to 10 s) until what it needs has been seen, is sent once, and is
 * reported on stdout as
 *   forged KIND vtag 0xVTAG tsn N
 * or, for restart, once the far end answered the INIT (or did not within 3 s), as
 *   forged KIND vtag 0xVTAG cookie N bytes: COOKIE-ACK yes|no
 * where yes means the far end took the cookie, i.e. restarted the association.
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
#define PARAM_STATE_COOKIE 7

enum {
	CID_DATA = 0x00,
	CID_INIT = 0x01,
	CID_INIT_ACK = 0x02,
	CID_SACK = 0x03,
	CID_ABORT = 0x06,
	CID_SHUTDOWN = 0x07,
	CID_COOKIE_ECHO = 0x0a,
	CID_COOKIE_ACK = 0x0b,
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
	static const char *const kinds[] = { "abort",  "shutdown", "sack",
					     "fwdtsn", "data",	   "restart" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}

/* Completes the packet whose SCTP header is at @sh and whose last chunk ends at @end. */
static int send_packet(int fd, const struct sockaddr_ll *ll, uint8_t *f, uint8_t *end,
		       const char *what)
{
	uint8_t *ip = f + ETH_LEN, *sh = ip + IP6_LEN;
	size_t slen = (size_t)(end - sh);
	uint32_t crc;

	put16(ip + 4, (uint16_t)slen);
	ip[7] = FORGED_HOPLIMIT;
	memset(sh + 8, 0, 4);
	crc = crc32c(sh, slen);
	/* The CRC goes on the wire least significant byte first (sctp_compute_cksum). */
	sh[8] = (uint8_t)crc, sh[9] = (uint8_t)(crc >> 8);
	sh[10] = (uint8_t)(crc >> 16), sh[11] = (uint8_t)(crc >> 24);
	if (sendto(fd, f, (size_t)(end - f), 0, (const struct sockaddr *)ll, sizeof(*ll)) < 0) {
		fprintf(stderr, "sctp_forge: send %s: %s\n", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* Puts a copy of the AUTH chunk seen on the wire, its HMAC zeroed, at @p; returns the end. */
static uint8_t *put_bad_auth(const struct wire *w, uint8_t *p)
{
	memcpy(p, w->auth, w->auth_len);
	memset(p + 8, 0, w->auth_len - 8); /* key id and HMAC id kept, the HMAC zeroed */
	return p + ((w->auth_len + 3) & ~(size_t)3);
}

static bool is_auth_kind(const char *arg, char *kind, size_t size)
{
	size_t n;

	snprintf(kind, size, "%s", arg);
	n = strlen(kind);
	if (n <= 5 || strcmp(kind + n - 5, "+auth"))
		return false;
	kind[n - 5] = 0;
	return true;
}

/*
 * Waits up to @secs for a far -> near packet to the near end's port @port with
 * verification tag @vtag whose first chunk is of @type; copies it to @f and returns its
 * length, 0 if none came.
 */
static size_t await_chunk(int fd, uint16_t port, uint32_t vtag, uint8_t type, double secs,
			  uint8_t *f)
{
	double deadline = now_s() + secs;

	for (;;) {
		double left = deadline - now_s();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		const uint8_t *sh = f + ETH_LEN + IP6_LEN;
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			return 0;
		n = recvfrom(fd, f, FRAME_MAX, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < ETH_LEN + IP6_LEN + SCTP_HDR_LEN + 4 ||
		    from.sll_pkttype == PACKET_OUTGOING || f[12] != 0x86 || f[13] != 0xdd ||
		    f[ETH_LEN + 6] != IPPROTO_SCTP)
			continue;
		if ((uint16_t)(sh[2] << 8 | sh[3]) == port && get32(sh + 4) == vtag &&
		    sh[SCTP_HDR_LEN] == type)
			return (size_t)n;
	}
}

/* The State Cookie parameter of the INIT-ACK in frame @f (length @len); NULL if none. */
static const uint8_t *find_cookie(const uint8_t *f, size_t len, size_t *cookie_len)
{
	const uint8_t *c = f + ETH_LEN + IP6_LEN + SCTP_HDR_LEN, *end = f + len, *p;
	size_t clen = (size_t)(c[2] << 8 | c[3]);

	if (c + clen < end)
		end = c + clen;
	for (p = c + 20; p + 4 <= end;) {
		size_t plen = (size_t)(p[2] << 8 | p[3]);

		if (plen < 4 || p + plen > end)
			return NULL;
		if ((p[0] << 8 | p[1]) == PARAM_STATE_COOKIE) {
			*cookie_len = plen - 4;
			return p + 4;
		}
		p += (plen + 3) & ~(size_t)3;
	}
	return NULL;
}

static int restart(int fd, const struct sockaddr_ll *ll, const struct wire *w, const char *arg,
		   bool auth)
{
	uint8_t f[FRAME_MAX], ack[FRAME_MAX], *sh = f + ETH_LEN + IP6_LEN, *p = sh + SCTP_HDR_LEN;
	uint32_t tag = (uint32_t)random() | 1;
	const uint8_t *cookie;
	size_t n, cookie_len = 0;
	uint16_t port;
	bool took;

	memcpy(f, w->tmpl, sizeof(w->tmpl));
	port = (uint16_t)(sh[0] << 8 | sh[1]);

	/* INIT: tag, a_rwnd, 10 streams each way, a random initial TSN; no parameters. */
	memset(sh + 4, 0, 4);
	p[0] = CID_INIT, p[1] = 0, put16(p + 2, 20);
	put32(p + 4, tag);
	put32(p + 8, 0x20000);
	put16(p + 12, 10), put16(p + 14, 10);
	put32(p + 16, (uint32_t)random());
	if (send_packet(fd, ll, f, p + 20, arg) < 0)
		return -1;
	n = await_chunk(fd, port, tag, CID_INIT_ACK, 3, ack);
	cookie = n ? find_cookie(ack, n, &cookie_len) : NULL;
	if (!cookie || cookie_len + 64 + AUTH_MAX > FRAME_MAX - sizeof(w->tmpl)) {
		fprintf(stderr, "sctp_forge: %s: %s\n", arg,
			n ? "INIT-ACK without a usable cookie" : "no INIT-ACK within 3 s");
		return -1;
	}
	/* COOKIE-ECHO under the tag the far end chose in its INIT-ACK. */
	memcpy(sh + 4, ack + ETH_LEN + IP6_LEN + SCTP_HDR_LEN + 4, 4);
	if (auth)
		p = put_bad_auth(w, p);
	p[0] = CID_COOKIE_ECHO, p[1] = 0, put16(p + 2, (uint16_t)(4 + cookie_len));
	memcpy(p + 4, cookie, cookie_len);
	memset(p + 4 + cookie_len, 0, 3);
	if (send_packet(fd, ll, f, p + ((4 + cookie_len + 3) & ~(size_t)3), arg) < 0)
		return -1;
	took = await_chunk(fd, port, tag, CID_COOKIE_ACK, 2, ack) > 0;
	printf("forged %s vtag 0x%08x cookie %zu bytes: COOKIE-ACK %s\n", arg, get32(sh + 4),
	       cookie_len, took ? "yes" : "no");
	fflush(stdout);
	return 1;
}

/* Builds and sends one forgery; 1 sent, 0 not ready yet, -1 error. */
static int forge(int fd, const struct sockaddr_ll *ll, const struct wire *w, const char *arg)
{
	uint8_t f[FRAME_MAX], *sh = f + ETH_LEN + IP6_LEN, *p = sh + SCTP_HDR_LEN;
	char kind[32];
	bool auth = is_auth_kind(arg, kind, sizeof(kind));
	size_t clen;
	uint32_t tsn = 0;

	if (!w->have_tmpl || (auth && !w->auth_len))
		return 0;
	if (!strcmp(kind, "restart"))
		return restart(fd, ll, w, arg, auth);
	memcpy(f, w->tmpl, sizeof(w->tmpl));
	if (auth)
		p = put_bad_auth(w, p);
	clen = make_chunk(w, kind, p, &tsn);
	if (!clen)
		return 0;
	if (send_packet(fd, ll, f, p + clen, arg) < 0)
		return -1;
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

		is_auth_kind(argv[i], kind, sizeof(kind));
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

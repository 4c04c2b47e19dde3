// SPDX-License-Identifier: MIT
/*
 * A paced stream of numbered UDP datagrams and its receiver, for the VM tests: what a path
 * does to one flow's packets (lost, duplicated, out of order, delayed).
 *
 *   udpseq send ADDR PORT COUNT RATE SIZE
 *   udpseq recv PORT COUNT IDLE_MS [GAP_MS]
 *
 * send: COUNT datagrams of SIZE bytes (16..1400) to [ADDR]:PORT, RATE per second on an
 * absolute schedule (a sender that fell behind catches up instead of drifting). Each one
 * carries a magic number, its sequence number 0..COUNT-1 and its CLOCK_MONOTONIC send time.
 * Prints "sent N errors E seconds S" (E: sends the kernel refused).
 *
 * recv: binds [::]:PORT, prints "listening on port PORT" (readiness for a script), and
 * counts what arrives until IDLE_MS pass without a datagram (10 s before the first one;
 * a third of IDLE_MS once every number has arrived, time enough for a late duplicate).
 * Then it prints one line:
 *   received R unique U lost L duplicates D reordered O delay_avg_ms A delay_max_ms M
 *   sockdrops S foreign F
 * lost is COUNT - U. A duplicate is a datagram whose number arrived before. Reordered
 * counts first arrivals numbered below the highest number seen before them (RFC 4737's
 * reordered packets). Delays are one-way, from send to receive, over first arrivals: both
 * ends run in one VM, so they read the same clock whatever their network namespaces.
 * sockdrops is what the receiving socket's queue dropped (SO_RXQ_OVFL), so a loss of the
 * receiver's own making is not blamed on the path; foreign counts datagrams that are not
 * this stream's. The line ends with "first_s F last_s L": the CLOCK_MONOTONIC times (in
 * the VM, the uptime) of the stream's first and last arrival, 0 when none came.
 *
 * With GAP_MS, every silence of at least GAP_MS between two arrivals of the stream is
 * printed as it ends, "gap AT_S LEN_S": when the silence began (the earlier arrival, same
 * clock) and how long it lasted; tools/soak reads its outages from these lines. Every
 * TICK_NS (10 s) it also prints "tick AT_S MAX_SEQ UNIQUE", the highest number and the
 * count of distinct numbers received so far, so a script can tell in which stretch of
 * the stream the losses fell.
 *
 * Exit status 0, or 1 on bad usage or a socket error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x6d743673u /* "mt6s" */
#define HDR_LEN 16	  /* magic, sequence number, send time */
#define MAX_SIZE 1400
#define MAX_COUNT 10000000ul
#define FIRST_WAIT_MS 10000
#define TICK_NS 10000000000ull
/* Room for a queue of a few seconds of the stream, so the receiver does not drop it. */
#define RCVBUF (8 * 1024 * 1024)

static int usage(void)
{
	fprintf(stderr, "usage: udpseq send ADDR PORT COUNT RATE SIZE\n"
			"       udpseq recv PORT COUNT IDLE_MS [GAP_MS]\n");
	return 1;
}

static int number(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || end == s || *end || *out < min || *out > max) {
		fprintf(stderr, "udpseq: %s: expected a number from %lu to %lu\n", s, min, max);
		return -1;
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int do_send(char **argv)
{
	unsigned long port, count, rate, size, errors = 0;
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	uint8_t buf[MAX_SIZE] = { 0 };
	uint64_t t0, period;
	int fd;

	if (inet_pton(AF_INET6, argv[0], &dst.sin6_addr) != 1) {
		fprintf(stderr, "udpseq: %s is not an IPv6 address\n", argv[0]);
		return 1;
	}
	if (number(argv[1], 1, 65535, &port) || number(argv[2], 1, MAX_COUNT, &count) ||
	    number(argv[3], 1, 1000000, &rate) || number(argv[4], HDR_LEN, MAX_SIZE, &size))
		return 1;
	dst.sin6_port = htons((uint16_t)port);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		perror("udpseq: socket");
		return 1;
	}
	period = 1000000000u / rate;
	t0 = now_ns();
	for (unsigned long i = 0; i < count; i++) {
		uint64_t due = t0 + i * period, sent;
		struct timespec ts = { .tv_sec = (time_t)(due / 1000000000u),
				       .tv_nsec = (long)(due % 1000000000u) };
		uint32_t w;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		w = htonl(MAGIC);
		memcpy(buf, &w, 4);
		w = htonl((uint32_t)i);
		memcpy(buf + 4, &w, 4);
		sent = now_ns();
		memcpy(buf + 8, &sent, 8);
		/* An ICMP error for an earlier datagram fails this send: count it, go on. */
		if (send(fd, buf, size, 0) < 0)
			errors++;
	}
	printf("sent %lu errors %lu seconds %.2f\n", count, errors, (double)(now_ns() - t0) / 1e9);
	close(fd);
	return 0;
}

struct tally {
	unsigned long count, received, unique, dups, reordered, foreign;
	uint32_t sockdrops;
	long max_seq;
	double delay_sum_ms, delay_max_ms;
	uint64_t gap_ns, first_at, last_at, next_tick;
	uint8_t *seen;
};

/* A silence of gap_ns or more, between the previous arrival of the stream and this one. */
static void note_arrival(struct tally *t, uint64_t at)
{
	if (t->gap_ns && t->last_at && at - t->last_at >= t->gap_ns) {
		printf("gap %.3f %.3f\n", (double)t->last_at / 1e9,
		       (double)(at - t->last_at) / 1e9);
		fflush(stdout);
	}
	if (t->gap_ns && at >= t->next_tick) {
		printf("tick %.3f %ld %lu\n", (double)at / 1e9, t->max_seq, t->unique);
		fflush(stdout);
		t->next_tick = at + TICK_NS;
	}
	if (!t->first_at)
		t->first_at = at;
	t->last_at = at;
}

static void tally_one(struct tally *t, const uint8_t *buf, ssize_t len, uint64_t at)
{
	uint32_t magic, seq;
	uint64_t sent;
	double ms;

	if (len < HDR_LEN) {
		t->foreign++;
		return;
	}
	memcpy(&magic, buf, 4);
	memcpy(&seq, buf + 4, 4);
	memcpy(&sent, buf + 8, 8);
	seq = ntohl(seq);
	if (ntohl(magic) != MAGIC || seq >= t->count) {
		t->foreign++;
		return;
	}
	t->received++;
	note_arrival(t, at);
	if (t->seen[seq]) {
		t->dups++;
		return;
	}
	t->seen[seq] = 1;
	t->unique++;
	if ((long)seq < t->max_seq)
		t->reordered++;
	else
		t->max_seq = seq;
	ms = at > sent ? (double)(at - sent) / 1e6 : 0;
	t->delay_sum_ms += ms;
	if (ms > t->delay_max_ms)
		t->delay_max_ms = ms;
}

/* How long the receiver waits for the next datagram before it stops. */
static int wait_ms(const struct tally *t, unsigned long idle)
{
	if (t->unique == t->count)
		return (int)idle / 3;
	if (t->received || t->foreign)
		return (int)idle;
	return FIRST_WAIT_MS;
}

static int do_recv(char **argv)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct tally t = { .max_seq = -1 };
	unsigned long port, idle, gap_ms = 0;
	int fd, one = 1, size = RCVBUF;

	if (number(argv[0], 1, 65535, &port) || number(argv[1], 1, MAX_COUNT, &t.count) ||
	    number(argv[2], 1, 600000, &idle) || (argv[3] && number(argv[3], 1, 600000, &gap_ms)))
		return 1;
	t.gap_ns = (uint64_t)gap_ms * 1000000u;
	t.seen = calloc(t.count, 1);
	any.sin6_port = htons((uint16_t)port);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (!t.seen || fd < 0) {
		perror("udpseq: socket");
		return 1;
	}
	/* FORCE passes net.core.rmem_max (we run as root); plain SO_RCVBUF as a fallback. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
		perror("udpseq: bind");
		return 1;
	}
	printf("listening on port %lu\n", port);
	fflush(stdout);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		union {
			char buf[CMSG_SPACE(sizeof(uint32_t))];
			struct cmsghdr align;
		} ctl;
		uint8_t buf[MAX_SIZE + 1];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = ctl.buf,
				      .msg_controllen = sizeof(ctl.buf) };
		int n = poll(&pfd, 1, wait_ms(&t, idle));
		ssize_t len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("udpseq: poll");
			return 1;
		}
		if (n == 0)
			break;
		len = recvmsg(fd, &msg, 0);
		if (len < 0) {
			perror("udpseq: recvmsg");
			return 1;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
				memcpy(&t.sockdrops, CMSG_DATA(c), sizeof(t.sockdrops));
		tally_one(&t, buf, len, now_ns());
	}
	printf("received %lu unique %lu lost %lu duplicates %lu reordered %lu "
	       "delay_avg_ms %.2f delay_max_ms %.2f sockdrops %u foreign %lu first_s %.3f "
	       "last_s %.3f\n",
	       t.received, t.unique, t.count - t.unique, t.dups, t.reordered,
	       t.unique ? t.delay_sum_ms / (double)t.unique : 0, t.delay_max_ms, t.sockdrops,
	       t.foreign, (double)t.first_at / 1e9, (double)t.last_at / 1e9);
	close(fd);
	free(t.seen);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "send"))
		return do_send(argv + 2);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "recv"))
		return do_recv(argv + 2);
	return usage();
}

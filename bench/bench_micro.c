// SPDX-License-Identifier: MIT
/*
 * mt6d's native micro-benchmark: the per-packet user-space work of mt6d-tunnel without
 * the kernel. For each cipher and inner packet size it times sealing a frame (header,
 * nonce, AEAD) and opening it on the peer's keyring (parse, replay window, AEAD), and
 * the framing alone (flow hash, header, parse, inner check). Prints ns per packet, the
 * rate, and ratios against AES-256-GCM and against no cipher.
 *
 *   bench-micro [--quick]        table of all ciphers and sizes
 *   bench-micro --forward N SIZE  seal + open N packets of SIZE bytes with
 *                                      AES-256-GCM in forward_loop() (for callgrind)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow.h"
#include "frame.h"
#include "keyring.h"

#define MAX_PKT 65535
#define BUF_LEN (MT6D_FRAME_HDR_LEN + MAX_PKT + MT6D_AEAD_TAG_MAX)

static const size_t sizes[] = { 64, 512, 1400, 9000, 65535 };
static const enum mt6d_cipher ciphers[] = {
	MT6D_CIPHER_AES_256_GCM,
	MT6D_CIPHER_CHACHA20_POLY1305,
	MT6D_CIPHER_NONE,
};
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))
#define N_CIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))

struct pair {
	struct keyring tx, rx;
	uint8_t buf[BUF_LEN];
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* An IPv6/TCP packet of @len bytes whose header says so (the receive path checks). */
static void make_packet(uint8_t *p, size_t len)
{
	memset(p, 0xa5, len);
	memset(p, 0, 40 + 20 < len ? 60 : len);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = 6;
	p[8] = 0x20;
	p[24] = 0x20;
	p[40] = 0x12;
	p[42] = 0x01;
}

static int pair_init(struct pair *p, enum mt6d_cipher c)
{
	const uint8_t s1[32] = { 1 }, s2[32] = { 2 };

	keyring_init(&p->tx, c, UINT64_MAX / 2, 0);
	keyring_init(&p->rx, c, UINT64_MAX / 2, 0);
	if (keyring_install(&p->tx, s1, s2, 0) || keyring_install(&p->rx, s2, s1, 0))
		return -EIO;
	return 0;
}

static int seal_one(struct pair *p, size_t len, size_t *frame_len)
{
	return keyring_seal(&p->tx, MT6D_FRAME_DATA, p->buf, len, frame_len, 0);
}

static int open_one(struct pair *p, size_t frame_len)
{
	struct mt6d_frame f;
	int ret = mt6d_frame_parse(p->buf, frame_len, &f);

	if (!ret)
		ret = keyring_open(&p->rx, p->buf, frame_len, &f, 0);
	if (!ret)
		ret = mt6d_frame_check_inner(f.payload, f.payload_len, NULL);
	return ret;
}

/* Iterations for about @budget_ns of work at @len bytes (at least a few). */
static long iterations(size_t len, double budget_ns)
{
	long n = (long)(budget_ns / (200.0 + (double)len * 2.0));

	return n < 50 ? 50 : n;
}

/* ns per packet of sealing alone and of seal + open; 0 on success. */
static int time_cipher(enum mt6d_cipher c, size_t len, double budget, double *seal_ns,
		       double *open_ns)
{
	struct pair *p = malloc(sizeof(*p));
	long n = iterations(len, budget);
	size_t fl = 0;
	double t0, t1, t2;
	int ret = p ? pair_init(p, c) : -ENOMEM;

	if (ret)
		goto out;
	make_packet(p->buf + MT6D_FRAME_HDR_LEN, len);
	t0 = now_ns();
	for (long i = 0; i < n && !ret; i++)
		ret = seal_one(p, len, &fl);
	t1 = now_ns();
	/* The receiver's window follows the sender's counter: seal and open in turn. */
	make_packet(p->buf + MT6D_FRAME_HDR_LEN, len);
	/* Opening works in place: the buffer holds the plaintext again after each turn. */
	for (long i = 0; i < n && !ret; i++) {
		ret = seal_one(p, len, &fl);
		if (!ret)
			ret = open_one(p, fl);
	}
	t2 = now_ns();
	if (ret)
		goto out;
	*seal_ns = (t1 - t0) / (double)n;
	*open_ns = (t2 - t1) / (double)n - *seal_ns;
out:
	if (p) {
		keyring_clear(&p->tx);
		keyring_clear(&p->rx);
	}
	free(p);
	return ret;
}

/* Framing alone: flow hash, header build, parse, inner check. */
static double time_framing(size_t len, double budget)
{
	static uint8_t buf[BUF_LEN];
	long n = iterations(0, budget);
	struct mt6d_frame f = { .type = MT6D_FRAME_DATA };
	unsigned int sink = 0;
	double t0;

	make_packet(buf + MT6D_FRAME_HDR_LEN, len);
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		struct mt6d_frame g;

		sink += mt6d_flow_stream(buf + MT6D_FRAME_HDR_LEN, len, 16, 0x5eed);
		f.counter = (uint64_t)i;
		mt6d_frame_put_hdr(buf, &f);
		if (mt6d_frame_parse(buf, MT6D_FRAME_HDR_LEN + len, &g) == 0)
			sink += mt6d_frame_check_inner(g.payload, g.payload_len, NULL) == 0;
	}
	if (sink == 1)
		puts("");
	return (now_ns() - t0) / (double)n;
}

static int table(double budget)
{
	double seal[N_CIPHERS][N_SIZES], open[N_CIPHERS][N_SIZES];

	printf("%-18s %6s %10s %10s %10s %9s %9s\n", "cipher", "bytes", "seal ns", "open ns",
	       "Gbit/s", "vs aes", "vs none");
	for (size_t c = 0; c < N_CIPHERS; c++)
		for (size_t s = 0; s < N_SIZES; s++)
			if (time_cipher(ciphers[c], sizes[s], budget, &seal[c][s], &open[c][s])) {
				fprintf(stderr, "bench-micro: %s at %zu bytes failed\n",
					mt6d_cipher_name(ciphers[c]), sizes[s]);
				return 1;
			}
	for (size_t c = 0; c < N_CIPHERS; c++)
		for (size_t s = 0; s < N_SIZES; s++) {
			double both = seal[c][s] + open[c][s];
			double none = seal[N_CIPHERS - 1][s] + open[N_CIPHERS - 1][s];

			printf("%-18s %6zu %10.0f %10.0f %10.2f %9.2f %9.2f\n",
			       mt6d_cipher_name(ciphers[c]), sizes[s], seal[c][s], open[c][s],
			       (double)sizes[s] * 8.0 / both, both / (seal[0][s] + open[0][s]),
			       both / none);
		}
	printf("\n%-18s %6s %10s\n", "framing", "bytes", "ns/packet");
	for (size_t s = 0; s < N_SIZES; s++)
		printf("%-18s %6zu %10.1f\n", "flow+hdr+parse", sizes[s],
		       time_framing(sizes[s], budget));
	return 0;
}

/* Kept out of line so callgrind can count exactly this (--toggle-collect=forward_loop). */
__attribute__((noinline)) int forward_loop(struct pair *p, long n, size_t len);
__attribute__((noinline)) int forward_loop(struct pair *p, long n, size_t len)
{
	size_t fl;
	int ret = 0;

	for (long i = 0; i < n && !ret; i++) {
		(void)mt6d_flow_stream(p->buf + MT6D_FRAME_HDR_LEN, len, 16, 0x5eed);
		ret = seal_one(p, len, &fl);
		if (!ret)
			ret = open_one(p, fl);
	}
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--forward")) {
		struct pair *p = malloc(sizeof(*p));
		long n = atol(argv[2]);
		size_t len = (size_t)atol(argv[3]);
		int ret;

		if (!p || n <= 0 || len < 60 || len > MAX_PKT ||
		    pair_init(p, MT6D_CIPHER_AES_256_GCM))
			return 2;
		make_packet(p->buf + MT6D_FRAME_HDR_LEN, len);
		ret = forward_loop(p, n, len);
		keyring_clear(&p->tx);
		keyring_clear(&p->rx);
		free(p);
		return ret ? 1 : 0;
	}
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--quick"))) {
		fprintf(stderr, "usage: bench-micro [--quick] | --forward N SIZE\n");
		return 2;
	}
	return table(argc == 2 ? 2e7 : 3e8);
}

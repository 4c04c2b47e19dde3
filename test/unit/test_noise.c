// SPDX-License-Identifier: MIT
/*
 * Noise_NNpsk0 (tunnel/crypto/noise.c) against published vectors (cacophony's, see
 * noise-vectors.txt) and vectors from an independent implementation (dissononce, through
 * tools/gen-noise-vectors), then the failures: wrong PSK or prologue, tampering, calls out
 * of turn, a replayed message after completion, split too early.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "noise.h"

#define MAX_MSGS 16

struct msg {
	uint8_t *payload, *ct;
	size_t plen, clen;
};

/* Side 0 is the initiator, side 1 the responder. */
struct vector {
	char protocol[64];
	uint8_t *prologue[2];
	size_t prologue_len[2];
	uint8_t psk[2][NOISE_KEY_LEN];
	uint8_t eph[2][NOISE_DH_LEN];
	uint8_t hash[NOISE_HASH_LEN];
	struct msg msg[MAX_MSGS];
	int nmsg;
};

/* Hex (or "-" for empty) into a new buffer; its length in *@len. NULL when malformed. */
static uint8_t *unhex(const char *s, size_t *len)
{
	size_t n = strcmp(s, "-") ? strlen(s) : 0;
	uint8_t *out = malloc(n / 2 + 1);

	if (!out || n % 2) {
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1) {
			free(out);
			return NULL;
		}
		out[i] = (uint8_t)b;
	}
	*len = n / 2;
	return out;
}

static int unhex_fixed(const char *s, uint8_t *out, size_t want)
{
	size_t len;
	uint8_t *b = unhex(s, &len);
	int ret = b && len == want ? 0 : -EINVAL;

	if (!ret)
		memcpy(out, b, want);
	free(b);
	return ret;
}

static void vector_free(struct vector *v)
{
	for (int i = 0; i < 2; i++)
		free(v->prologue[i]);
	for (int i = 0; i < v->nmsg; i++) {
		free(v->msg[i].payload);
		free(v->msg[i].ct);
	}
	memset(v, 0, sizeof(*v));
}

/* One "key value [value]" line into @v; -EINVAL when it makes no sense. */
static int vector_line(struct vector *v, char *line)
{
	char *key = strtok(line, " \t\n"), *a = strtok(NULL, " \t\n"), *b = strtok(NULL, " \t\n");
	int side = key && !strncmp(key, "resp_", 5);
	const char *field = key ? key + (side ? 5 : strncmp(key, "init_", 5) ? 0 : 5) : NULL;
	struct msg *m;

	if (!key || !a)
		return -EINVAL;
	if (!strcmp(key, "protocol"))
		return snprintf(v->protocol, sizeof(v->protocol), "%s", a) <
				       (int)sizeof(v->protocol)
			       ? 0
			       : -EINVAL;
	if (!strcmp(key, "handshake_hash"))
		return unhex_fixed(a, v->hash, sizeof(v->hash));
	if (!strcmp(field, "prologue")) {
		free(v->prologue[side]);
		v->prologue[side] = unhex(a, &v->prologue_len[side]);
		return v->prologue[side] ? 0 : -EINVAL;
	}
	if (!strcmp(field, "psk"))
		return unhex_fixed(a, v->psk[side], NOISE_KEY_LEN);
	if (!strcmp(field, "ephemeral"))
		return unhex_fixed(a, v->eph[side], NOISE_DH_LEN);
	if (strcmp(key, "msg") || !b || v->nmsg == MAX_MSGS)
		return -EINVAL;
	m = &v->msg[v->nmsg++];
	m->payload = unhex(a, &m->plen);
	m->ct = unhex(b, &m->clen);
	return m->payload && m->ct ? 0 : -EINVAL;
}

static int cipher_of(const char *protocol, enum noise_cipher *c)
{
	for (enum noise_cipher i = NOISE_AESGCM; i <= NOISE_CHACHAPOLY; i++) {
		if (!strcmp(protocol, noise_protocol_name(i))) {
			*c = i;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * Runs both sides with the vector's ephemerals. Each side reads the vector's ciphertext,
 * not the other side's output, so writer and reader are checked on their own.
 */
static void run_vector(const struct vector *v, const char *what)
{
	/* Zeroed so that a failed step leaves CipherStates that refuse, not garbage. */
	struct noise_hs hs[2];
	struct noise_cs send[2] = { 0 }, recv[2] = { 0 };
	uint8_t key[2][2][NOISE_KEY_LEN] = { 0 }, hash[2][NOISE_HASH_LEN] = { 0 };
	enum noise_cipher c;
	int ok = 1;

	if (cipher_of(v->protocol, &c) || v->nmsg < 2) {
		CHECK(0, "%s: unknown protocol %s or no handshake", what, v->protocol);
		return;
	}
	for (int i = 0; i < 2; i++) {
		ok &= !noise_hs_init(&hs[i], i == 0, c, v->prologue[i], v->prologue_len[i],
				     v->psk[i]);
		ok &= !noise_hs_fix_ephemeral(&hs[i], v->eph[i]);
	}
	CHECK(ok, "%s: init", what);
	for (int m = 0; m < v->nmsg; m++) {
		const struct msg *e = &v->msg[m];
		int s = m % 2, r = 1 - s;
		size_t cap = e->plen + NOISE_HS_OVERHEAD, len = 0, plen = 0;
		uint8_t *out = malloc(cap), *pt = malloc(e->clen + 1);

		if (m < 2) {
			CHECK(!noise_hs_write(&hs[s], e->payload, e->plen, out, cap, &len) &&
				      len == e->clen && !memcmp(out, e->ct, len),
			      "%s: handshake message %d ciphertext", what, m);
			CHECK(!noise_hs_read(&hs[r], e->ct, e->clen, pt, e->clen, &plen) &&
				      plen == e->plen && !memcmp(pt, e->payload, plen),
			      "%s: handshake message %d payload", what, m);
		} else {
			CHECK(e->clen == e->plen + NOISE_TAG_LEN &&
				      !noise_cs_encrypt(&send[s], NULL, 0, e->payload, e->plen,
							out) &&
				      !memcmp(out, e->ct, e->clen),
			      "%s: transport message %d ciphertext", what, m);
			CHECK(!noise_cs_decrypt(&recv[r], NULL, 0, e->ct, e->clen, pt) &&
				      !memcmp(pt, e->payload, e->plen),
			      "%s: transport message %d payload", what, m);
		}
		free(out);
		free(pt);
		if (m != 1)
			continue;
		CHECK(noise_hs_done(&hs[0]) && noise_hs_done(&hs[1]), "%s: done", what);
		for (int i = 0; i < 2; i++) {
			CHECK(!noise_hs_split(&hs[i], key[i][0], key[i][1], hash[i]),
			      "%s: split %d", what, i);
			CHECK(!memcmp(hash[i], v->hash, NOISE_HASH_LEN),
			      "%s: handshake hash, side %d", what, i);
			noise_cs_init(&send[i], c, key[i][0]);
			noise_cs_init(&recv[i], c, key[i][1]);
		}
		CHECK(!memcmp(key[0][0], key[1][1], NOISE_KEY_LEN) &&
			      !memcmp(key[0][1], key[1][0], NOISE_KEY_LEN) &&
			      memcmp(key[0][0], key[0][1], NOISE_KEY_LEN),
		      "%s: initiator sends with what the responder receives with, and back", what);
	}
	for (int i = 0; i < 2; i++) {
		noise_cs_clear(&send[i]);
		noise_cs_clear(&recv[i]);
	}
}

/* Checks every vector of @path; the number checked, per cipher, into @count. */
static void check_file(const char *path, int count[2])
{
	struct vector v = { 0 };
	char *line = NULL, what[256];
	size_t cap = 0;
	int lineno = 0, open = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		CHECK(0, "cannot open %s", path);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		enum noise_cipher c;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!strcmp(line, "end\n")) {
			snprintf(what, sizeof(what), "%s:%d %s", path, lineno, v.protocol);
			run_vector(&v, what);
			if (!cipher_of(v.protocol, &c))
				count[c]++;
			vector_free(&v);
			open = 0;
			continue;
		}
		open = 1;
		if (vector_line(&v, line)) {
			CHECK(0, "%s:%d: unparsable line", path, lineno);
			break;
		}
	}
	CHECK(!open, "%s: vector without an end line", path);
	vector_free(&v);
	free(line);
	fclose(f);
}

static int is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return 0;
	return 1;
}

static const uint8_t psk_a[NOISE_KEY_LEN] = { 1, 2, 3 }, psk_b[NOISE_KEY_LEN] = { 1, 2, 4 };
static const uint8_t prologue[] = "mt6d test prologue";

struct pair {
	struct noise_hs i, r;
	uint8_t m1[NOISE_HS_OVERHEAD + 8], m2[NOISE_HS_OVERHEAD + 8];
	size_t m1_len, m2_len;
};

static int start(struct pair *p, enum noise_cipher c, const uint8_t *psk_r, size_t prologue_r)
{
	if (noise_hs_init(&p->i, true, c, prologue, sizeof(prologue), psk_a) ||
	    noise_hs_init(&p->r, false, c, prologue, prologue_r, psk_r))
		return -1;
	return noise_hs_write(&p->i, (const uint8_t *)"hello 1", 8, p->m1, sizeof(p->m1),
			      &p->m1_len);
}

/* A fresh handshake up to message 2 written (with an 8-byte payload), not yet read. */
static int to_msg2(struct pair *p, enum noise_cipher c)
{
	size_t len;

	if (start(p, c, psk_a, sizeof(prologue)) ||
	    noise_hs_read(&p->r, p->m1, p->m1_len, p->m2, sizeof(p->m2), &len))
		return -1;
	return noise_hs_write(&p->r, (const uint8_t *)"hello 2", 8, p->m2, sizeof(p->m2),
			      &p->m2_len);
}

static void check_failures(enum noise_cipher c)
{
	const char *n = noise_protocol_name(c);
	uint8_t buf[64], sk[2][NOISE_KEY_LEN], rk[2][NOISE_KEY_LEN], h[2][NOISE_HASH_LEN];
	struct noise_hs snap;
	struct pair p;
	size_t len;

	/* Wrong PSK, wrong prologue: message 1 does not open; the responder is wiped. */
	CHECK(!start(&p, c, psk_b, sizeof(prologue)), "%s: start", n);
	CHECK(noise_hs_read(&p.r, p.m1, p.m1_len, buf, sizeof(buf), &len) == -EBADMSG,
	      "%s: wrong PSK refused", n);
	CHECK(is_zero(&p.r, sizeof(p.r)), "%s: failed responder state wiped", n);
	CHECK(noise_hs_write(&p.r, NULL, 0, p.m2, sizeof(p.m2), &len) == -EPROTO,
	      "%s: failed state refuses to go on", n);
	noise_hs_clear(&p.i);
	CHECK(!start(&p, c, psk_a, sizeof(prologue) - 1), "%s: start", n);
	CHECK(noise_hs_read(&p.r, p.m1, p.m1_len, buf, sizeof(buf), &len) == -EBADMSG,
	      "%s: wrong prologue refused", n);
	noise_hs_clear(&p.i);

	/* Out of turn: nothing changes. */
	CHECK(!noise_hs_init(&p.i, true, c, NULL, 0, psk_a) &&
		      !noise_hs_init(&p.r, false, c, NULL, 0, psk_a),
	      "%s: init", n);
	snap = p.r;
	CHECK(noise_hs_write(&p.r, NULL, 0, p.m2, sizeof(p.m2), &len) == -EPROTO &&
		      !memcmp(&snap, &p.r, sizeof(snap)),
	      "%s: responder cannot speak first", n);
	snap = p.i;
	CHECK(noise_hs_read(&p.i, p.m1, p.m1_len, buf, sizeof(buf), &len) == -EPROTO &&
		      !memcmp(&snap, &p.i, sizeof(snap)),
	      "%s: initiator cannot read first", n);
	CHECK(noise_hs_split(&p.i, sk[0], rk[0], h[0]) == -EPROTO &&
		      !memcmp(&snap, &p.i, sizeof(snap)),
	      "%s: no split before the handshake is done", n);
	CHECK(noise_hs_write(&p.i, NULL, 0, p.m1, NOISE_HS_OVERHEAD - 1, &len) == -EMSGSIZE &&
		      !memcmp(&snap, &p.i, sizeof(snap)),
	      "%s: a short buffer changes nothing", n);
	CHECK(!noise_hs_write(&p.i, NULL, 0, p.m1, sizeof(p.m1), &p.m1_len) &&
		      p.m1_len == NOISE_HS_OVERHEAD,
	      "%s: message 1", n);
	snap = p.i;
	CHECK(noise_hs_write(&p.i, NULL, 0, buf, sizeof(buf), &len) == -EPROTO &&
		      !memcmp(&snap, &p.i, sizeof(snap)),
	      "%s: no second message 1", n);
	CHECK(!noise_hs_read(&p.r, p.m1, p.m1_len, buf, sizeof(buf), &len) && len == 0,
	      "%s: responder reads message 1", n);
	snap = p.r;
	CHECK(noise_hs_read(&p.r, p.m1, p.m1_len, buf, sizeof(buf), &len) == -EPROTO &&
		      !memcmp(&snap, &p.r, sizeof(snap)),
	      "%s: message 1 read twice refused", n);
	CHECK(!noise_hs_write(&p.r, NULL, 0, p.m2, sizeof(p.m2), &p.m2_len) &&
		      noise_hs_done(&p.r) && !noise_hs_done(&p.i),
	      "%s: message 2", n);

	noise_hs_clear(&p.i);
	noise_hs_clear(&p.r);

	/* A flipped bit in message 2 (its e, its payload, its tag) fails the initiator. */
	for (size_t at = 0; at < 3; at++) {
		size_t where[] = { 0, NOISE_DH_LEN, sizeof(p.m2) - 1 };

		CHECK(!to_msg2(&p, c), "%s: handshake up to message 2", n);
		p.m2[where[at]] ^= 0x10;
		CHECK(noise_hs_read(&p.i, p.m2, p.m2_len, buf, sizeof(buf), &len) == -EBADMSG,
		      "%s: bit flipped in byte %zu of message 2 refused", n, where[at]);
		CHECK(is_zero(&p.i, sizeof(p.i)), "%s: state wiped after tampering", n);
		noise_hs_clear(&p.r);
	}
	CHECK(!to_msg2(&p, c), "%s: handshake up to message 2", n);
	CHECK(noise_hs_read(&p.i, p.m2, p.m2_len - 1, buf, sizeof(buf), &len) == -EBADMSG,
	      "%s: truncated message 2 refused", n);
	noise_hs_clear(&p.r);
	CHECK(!to_msg2(&p, c) && !noise_hs_read(&p.i, p.m2, p.m2_len, buf, sizeof(buf), &len) &&
		      len == 8 && !memcmp(buf, "hello 2", 8),
	      "%s: handshake completes", n);

	/* After completion: message 1 or 2 again is out of turn, state unchanged. */
	snap = p.r;
	CHECK(noise_hs_read(&p.r, p.m1, p.m1_len, buf, sizeof(buf), &len) == -EPROTO &&
		      !memcmp(&snap, &p.r, sizeof(snap)),
	      "%s: message 1 after completion refused, state unchanged", n);
	snap = p.i;
	CHECK(noise_hs_read(&p.i, p.m2, p.m2_len, buf, sizeof(buf), &len) == -EPROTO &&
		      !memcmp(&snap, &p.i, sizeof(snap)),
	      "%s: message 2 after completion refused, state unchanged", n);
	CHECK(noise_hs_write(&p.i, NULL, 0, buf, sizeof(buf), &len) == -EPROTO,
	      "%s: no write after completion", n);
	CHECK(!noise_hs_split(&p.i, sk[0], rk[0], h[0]) &&
		      !noise_hs_split(&p.r, sk[1], rk[1], h[1]),
	      "%s: split", n);
	CHECK(!memcmp(sk[0], rk[1], NOISE_KEY_LEN) && !memcmp(rk[0], sk[1], NOISE_KEY_LEN) &&
		      !memcmp(h[0], h[1], NOISE_HASH_LEN),
	      "%s: both sides agree", n);
	CHECK(is_zero(&p.i, sizeof(p.i)) && is_zero(&p.r, sizeof(p.r)), "%s: split wipes", n);
	CHECK(noise_hs_split(&p.i, sk[0], rk[0], h[0]) == -EPROTO, "%s: split only once", n);
	CHECK(noise_hs_fix_ephemeral(&p.i, psk_a) == -EPROTO, "%s: no fixed key after split", n);
}

/* The largest payload Noise allows goes through; one byte more is refused. */
static void check_sizes(enum noise_cipher c)
{
	const char *n = noise_protocol_name(c);
	size_t cap = NOISE_MAX_MSG_LEN + 1, len, plen;
	uint8_t *big = calloc(1, cap), *msg = malloc(cap), *pt = malloc(cap);
	struct noise_hs i, r;

	CHECK(!noise_hs_init(&i, true, c, NULL, 0, psk_a) &&
		      !noise_hs_init(&r, false, c, NULL, 0, psk_a),
	      "%s: init", n);
	CHECK(noise_hs_read(&r, big, NOISE_HS_OVERHEAD - 1, pt, cap, &plen) == -EBADMSG,
	      "%s: message shorter than e and a tag refused", n);
	CHECK(!noise_hs_init(&r, false, c, NULL, 0, psk_a) &&
		      noise_hs_read(&r, big, NOISE_MAX_MSG_LEN + 1, pt, cap, &plen) == -EBADMSG,
	      "%s: message longer than 65535 bytes refused", n);
	CHECK(!noise_hs_init(&r, false, c, NULL, 0, psk_a), "%s: init", n);
	CHECK(noise_hs_write(&i, big, NOISE_MAX_PAYLOAD + 1, msg, cap, &len) == -EMSGSIZE,
	      "%s: payload beyond 65535-byte messages refused", n);
	CHECK(!noise_hs_write(&i, big, NOISE_MAX_PAYLOAD, msg, cap, &len) &&
		      len == NOISE_MAX_MSG_LEN,
	      "%s: largest message written", n);
	CHECK(noise_hs_read(&r, msg, len, pt, NOISE_MAX_PAYLOAD - 1, &plen) == -EMSGSIZE,
	      "%s: short payload buffer refused", n);
	CHECK(!noise_hs_read(&r, msg, len, pt, cap, &plen) && plen == NOISE_MAX_PAYLOAD &&
		      !memcmp(pt, big, plen),
	      "%s: largest message read", n);
	noise_hs_clear(&i);
	noise_hs_clear(&r);
	free(big);
	free(msg);
	free(pt);
}

/* Payloads in place: written at out + NOISE_DH_LEN, read back over the ciphertext. */
static void check_in_place(enum noise_cipher c)
{
	const char *n = noise_protocol_name(c);
	uint8_t m[NOISE_HS_OVERHEAD + 5];
	struct noise_hs i, r;
	size_t len, plen;

	memcpy(m + NOISE_DH_LEN, "12345", 5);
	CHECK(!noise_hs_init(&i, true, c, NULL, 0, psk_a) &&
		      !noise_hs_init(&r, false, c, NULL, 0, psk_a) &&
		      !noise_hs_write(&i, m + NOISE_DH_LEN, 5, m, sizeof(m), &len) &&
		      memcmp(m + NOISE_DH_LEN, "12345", 5) &&
		      !noise_hs_read(&r, m, len, m + NOISE_DH_LEN, 5, &plen) && plen == 5 &&
		      !memcmp(m + NOISE_DH_LEN, "12345", 5),
	      "%s: message 1 in place", n);
	noise_hs_clear(&i);
	noise_hs_clear(&r);
}

/* CipherState: nonce limit, a failed decrypt keeps n, a cleared one refuses. */
static void check_cs(enum noise_cipher c)
{
	const char *n = noise_protocol_name(c);
	uint8_t key[NOISE_KEY_LEN] = { 9 }, ct[4 + NOISE_TAG_LEN], pt[4];
	struct noise_cs a, b;

	noise_cs_init(&a, c, key);
	noise_cs_init(&b, c, key);
	a.n = b.n = UINT64_MAX - 1;
	CHECK(!noise_cs_encrypt(&a, NULL, 0, (const uint8_t *)"abcd", 4, ct), "%s: n = 2^64-2", n);
	CHECK(noise_cs_encrypt(&a, NULL, 0, (const uint8_t *)"abcd", 4, ct) == -EOVERFLOW,
	      "%s: n = 2^64-1 reserved", n);
	ct[0] ^= 1;
	CHECK(noise_cs_decrypt(&b, NULL, 0, ct, sizeof(ct), pt) == -EBADMSG &&
		      b.n == UINT64_MAX - 1 && is_zero(pt, sizeof(pt)),
	      "%s: failed decrypt keeps n, wipes output", n);
	ct[0] ^= 1;
	CHECK(!noise_cs_decrypt(&b, NULL, 0, ct, sizeof(ct), pt) && !memcmp(pt, "abcd", 4),
	      "%s: decrypt", n);
	noise_cs_clear(&a);
	CHECK(noise_cs_encrypt(&a, NULL, 0, pt, 4, ct) == -ENOKEY, "%s: no key, no output", n);
}

int main(int argc, char **argv)
{
	int published[2] = { 0 }, dissononce[2] = { 0 };
	struct noise_hs hs;

	if (argc != 3) {
		fprintf(stderr, "usage: %s noise-vectors.txt noise-vectors-dissononce.txt\n",
			argv[0]);
		return 2;
	}
	check_file(argv[1], published);
	check_file(argv[2], dissononce);
	CHECK(published[NOISE_AESGCM] >= 1 && published[NOISE_CHACHAPOLY] >= 1,
	      "published vectors: %d AESGCM, %d ChaChaPoly", published[0], published[1]);
	CHECK(dissononce[NOISE_AESGCM] >= 3 && dissononce[NOISE_CHACHAPOLY] >= 3,
	      "dissononce vectors: %d AESGCM, %d ChaChaPoly", dissononce[0], dissononce[1]);
	printf("vectors: published %d + %d, dissononce %d + %d\n", published[0], published[1],
	       dissononce[0], dissononce[1]);

	for (enum noise_cipher c = NOISE_AESGCM; c <= NOISE_CHACHAPOLY; c++) {
		check_failures(c);
		check_sizes(c);
		check_in_place(c);
		check_cs(c);
	}
	CHECK(noise_hs_init(&hs, true, (enum noise_cipher)7, NULL, 0, psk_a) == -EINVAL,
	      "unknown cipher refused");
	CHECK(!strcmp(noise_protocol_name(NOISE_AESGCM), "Noise_NNpsk0_25519_AESGCM_SHA256") &&
		      !strcmp(noise_protocol_name(NOISE_CHACHAPOLY),
			      "Noise_NNpsk0_25519_ChaChaPoly_SHA256"),
	      "protocol names");
	return check_done();
}

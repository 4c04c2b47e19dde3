// SPDX-License-Identifier: MIT
/*
 * The session handshake (Noise NNpsk0 and a confirmation) between two in-memory sides, with
 * their key rings: keys agree, every message out of turn or replayed is refused, and no
 * message installs a second key set on an association. The sequence that reused AES-GCM
 * nonces before (the responder proven by sealed data, then an old message 1 accepted as a
 * new peer, then the real reply re-installing the first keys with the counters at 0) is
 * driven step by step, and every (key, nonce) the responder seals with is checked unique.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "check.h"
#include "handshake.h"
#include "keyring.h"

#define MAX_SEALED 16

struct side {
	struct handshake hs;
	struct keyring keys;
};

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

static const uint8_t psk[32] = { 1, 2, 3 };

/* a = 2001:db8:1:1::1 (sorts first: the initiator), b = 2001:db8:2:2::2. */
static void setup(struct side *a, struct side *b, const uint8_t *psk_b, enum mt6d_cipher ca,
		  enum mt6d_cipher cb)
{
	struct in6_addr pa = addr("2001:db8:1:1::"), ia = addr("::1");
	struct in6_addr pb = addr("2001:db8:2:2::"), ib = addr("::2");

	CHECK(!handshake_init(&a->hs, psk, 32, ca, &pa, &ia, &pb, &ib), "init a");
	CHECK(!handshake_init(&b->hs, psk_b, 32, cb, &pb, &ib, &pa, &ia), "init b");
	CHECK(a->hs.initiator && !b->hs.initiator, "a initiates, b responds");
	CHECK(!handshake_reset(&a->hs) && !handshake_reset(&b->hs), "reset");
	keyring_init(&a->keys, ca, 0, 0);
	keyring_init(&b->keys, cb, 0, 0);
}

static void teardown(struct side *a, struct side *b)
{
	handshake_clear(&a->hs);
	handshake_clear(&b->hs);
	keyring_clear(&a->keys);
	keyring_clear(&b->keys);
}

/* Takes @msg into @s; keys go into its ring. Returns the result, the reply in @reply. */
static enum handshake_result take(struct side *s, const uint8_t *msg, size_t len, uint8_t *reply,
				  size_t *reply_len)
{
	struct handshake_keys k;
	enum handshake_result r = handshake_receive(&s->hs, msg, len, reply, reply_len, &k);

	if (r == HANDSHAKE_KEYS)
		CHECK(!keyring_install(&s->keys, k.tx, k.rx, 0), "install");
	return r;
}

static size_t seal(struct keyring *k, uint8_t *buf, uint64_t *counter)
{
	struct mt6d_frame f;
	size_t len = 0;

	memset(buf, 0x5a, MT6D_FRAME_HDR_LEN + 8);
	CHECK(!keyring_seal(k, MT6D_FRAME_DATA, buf, 8, &len, 0), "seal");
	CHECK(!mt6d_frame_parse(buf, len, &f), "parse");
	*counter = f.counter;
	return len;
}

static bool opens(struct keyring *k, uint8_t *buf, size_t len)
{
	struct mt6d_frame f;

	return !mt6d_frame_parse(buf, len, &f) && !keyring_open(k, buf, len, &f, 0);
}

static void test_full(void)
{
	uint8_t m1[HANDSHAKE_MSG_MAX], m2[HANDSHAKE_MSG_MAX], m3[HANDSHAKE_MSG_MAX];
	uint8_t frame[64];
	size_t l1, l2, l3, flen;
	struct side a, b;
	uint64_t c;

	setup(&a, &b, psk, MT6D_CIPHER_AES_256_GCM, MT6D_CIPHER_AES_256_GCM);
	CHECK(handshake_start(&b.hs, m1, &l1) == -EPROTO, "the responder does not start");
	CHECK(!handshake_start(&a.hs, m1, &l1) && m1[0] == HANDSHAKE_MSG1, "message 1");
	CHECK(handshake_start(&a.hs, m1, &l1) == -EPROTO, "message 1 only once");
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_KEYS && l2 && m2[0] == HANDSHAKE_MSG2,
	      "b answers with message 2 and has keys");
	CHECK(!b.hs.authenticated, "b does not trust a yet (message 1 can be replayed)");
	CHECK(take(&a, m2, l2, m3, &l3) == HANDSHAKE_KEYS && l3 && m3[0] == HANDSHAKE_CONFIRM,
	      "a has keys and confirms");
	CHECK(a.hs.authenticated, "message 2 proves b to a");
	CHECK(take(&b, m3, l3, m2, &l2) == HANDSHAKE_CONFIRMED && b.hs.authenticated && !l2,
	      "the confirmation proves a to b");
	flen = seal(&a.keys, frame, &c);
	CHECK(opens(&b.keys, frame, flen), "a's frame opens at b");
	flen = seal(&b.keys, frame, &c);
	CHECK(opens(&a.keys, frame, flen), "b's frame opens at a");

	/* Everything again, on the same association: refused. */
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_BAD && !l2, "message 1 again refused");
	CHECK(take(&b, m3, l3, m2, &l2) == HANDSHAKE_BAD, "confirmation again refused");
	CHECK(take(&a, m1, l1, m2, &l2) == HANDSHAKE_BAD, "own message 1 reflected refused");
	CHECK(take(&a, m3, l3, m2, &l2) == HANDSHAKE_BAD, "own confirmation reflected refused");
	m1[0] = 7;
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_BAD, "unknown kind refused");
	CHECK(take(&b, m1, 0, m2, &l2) == HANDSHAKE_BAD, "empty refused");
	teardown(&a, &b);
}

/* The old nonce-reuse sequence, on the responder. */
static void test_no_second_key_set(void)
{
	uint8_t m1[HANDSHAKE_MSG_MAX], m2[HANDSHAKE_MSG_MAX], m3[HANDSHAKE_MSG_MAX];
	uint8_t x[HANDSHAKE_MSG_MAX], frame[64];
	uint64_t counters[MAX_SEALED];
	size_t l1, l2, l3, lx, flen, n = 0;
	struct side a, b;
	bool unique = true;

	setup(&a, &b, psk, MT6D_CIPHER_AES_256_GCM, MT6D_CIPHER_AES_256_GCM);
	CHECK(!handshake_start(&a.hs, m1, &l1), "message 1");
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_KEYS, "message 2");
	CHECK(take(&a, m2, l2, m3, &l3) == HANDSHAKE_KEYS, "confirmation built");
	/* 1. b is proven by sealed data before the confirmation arrives. */
	flen = seal(&a.keys, frame, &counters[0]);
	CHECK(opens(&b.keys, frame, flen), "a's first frame opens at b");
	handshake_peer_proven(&b.hs);
	CHECK(b.hs.authenticated, "b trusts a through sealed data");
	seal(&b.keys, frame, &counters[n++]);
	seal(&b.keys, frame, &counters[n++]);
	/* 2. The old message 1 again: not a new peer, no keys. */
	CHECK(take(&b, m1, l1, x, &lx) == HANDSHAKE_BAD && !lx, "old message 1 refused");
	seal(&b.keys, frame, &counters[n++]);
	/* 3. The real confirmation, late: nothing to install either. */
	CHECK(take(&b, m3, l3, x, &lx) == HANDSHAKE_BAD, "late confirmation changes nothing");
	seal(&b.keys, frame, &counters[n++]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			unique &= counters[i] != counters[j];
	CHECK(unique, "every frame b sealed under the one key has its own nonce");
	flen = seal(&b.keys, frame, &counters[0]);
	CHECK(opens(&a.keys, frame, flen), "a still opens b's frames: no key changed");
	teardown(&a, &b);
}

static void test_wrong_psk(void)
{
	uint8_t m1[HANDSHAKE_MSG_MAX], m2[HANDSHAKE_MSG_MAX];
	static const uint8_t other[32] = { 9 };
	size_t l1, l2;
	struct side a, b;

	setup(&a, &b, other, MT6D_CIPHER_AES_256_GCM, MT6D_CIPHER_AES_256_GCM);
	CHECK(!handshake_start(&a.hs, m1, &l1), "message 1");
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_BAD && !l2, "another PSK: refused, no reply");
	CHECK(b.hs.step == HANDSHAKE_FAILED, "b's handshake on this association is over");
	teardown(&a, &b);
}

static void test_tampered(void)
{
	uint8_t m1[HANDSHAKE_MSG_MAX], m2[HANDSHAKE_MSG_MAX], m3[HANDSHAKE_MSG_MAX];
	size_t l1, l2, l3;
	struct side a, b;

	setup(&a, &b, psk, MT6D_CIPHER_CHACHA20_POLY1305, MT6D_CIPHER_CHACHA20_POLY1305);
	CHECK(!handshake_start(&a.hs, m1, &l1), "message 1");
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_KEYS, "message 2");
	m2[5] ^= 1;
	CHECK(take(&a, m2, l2, m3, &l3) == HANDSHAKE_BAD && !a.hs.authenticated,
	      "flipped bit in message 2 refused");
	m2[5] ^= 1;
	CHECK(take(&a, m2, l2, m3, &l3) == HANDSHAKE_BAD, "a failed state stays failed");
	teardown(&a, &b);

	setup(&a, &b, psk, MT6D_CIPHER_CHACHA20_POLY1305, MT6D_CIPHER_CHACHA20_POLY1305);
	CHECK(!handshake_start(&a.hs, m1, &l1), "message 1");
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_KEYS, "message 2");
	CHECK(take(&a, m2, l2, m3, &l3) == HANDSHAKE_KEYS, "confirmation");
	m3[3] ^= 0x80;
	CHECK(take(&b, m3, l3, m2, &l2) == HANDSHAKE_BAD && !b.hs.authenticated,
	      "forged confirmation refused");
	m3[3] ^= 0x80;
	CHECK(take(&b, m3, l3, m2, &l2) == HANDSHAKE_CONFIRMED, "the real one still works");
	teardown(&a, &b);
}

static void test_cipher_mismatch(void)
{
	uint8_t m1[HANDSHAKE_MSG_MAX], m2[HANDSHAKE_MSG_MAX], m3[HANDSHAKE_MSG_MAX];
	size_t l1, l2, l3;
	struct side a, b;

	setup(&a, &b, psk, MT6D_CIPHER_AES_256_GCM, MT6D_CIPHER_CHACHA20_POLY1305);
	CHECK(!handshake_start(&a.hs, m1, &l1), "message 1");
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_MISMATCH && l2,
	      "b sees the mismatch and still answers");
	CHECK(b.hs.peer_cipher == MT6D_CIPHER_AES_256_GCM, "b knows a's cipher");
	CHECK(take(&a, m2, l2, m3, &l3) == HANDSHAKE_MISMATCH && !l3 && !a.hs.authenticated,
	      "a sees it too, no keys");
	CHECK(a.hs.peer_cipher == MT6D_CIPHER_CHACHA20_POLY1305, "a knows b's cipher");
	teardown(&a, &b);
}

/* A new association: fresh ephemerals, so keys never repeat. */
static void test_reset(void)
{
	uint8_t m1[HANDSHAKE_MSG_MAX], m2[HANDSHAKE_MSG_MAX], m3[HANDSHAKE_MSG_MAX];
	uint8_t first[HANDSHAKE_MSG_MAX];
	size_t l1, l2, l3;
	struct side a, b;

	setup(&a, &b, psk, MT6D_CIPHER_AES_256_GCM, MT6D_CIPHER_AES_256_GCM);
	CHECK(!handshake_start(&a.hs, m1, &l1), "message 1");
	memcpy(first, m1, l1);
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_KEYS, "message 2");
	CHECK(!handshake_reset(&a.hs) && !handshake_reset(&b.hs), "next association");
	CHECK(!handshake_start(&a.hs, m1, &l1) && memcmp(m1, first, l1), "a new message 1");
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_KEYS, "message 2 again");
	CHECK(take(&a, m2, l2, m3, &l3) == HANDSHAKE_KEYS && a.hs.authenticated, "done again");
	teardown(&a, &b);
}

/*
 * A rekey on the same association: a fresh handshake for generation 1 makes new keys in
 * the other ring; frames carry the generation; an old message for another generation is
 * refused without a reply.
 */
static void test_rekey(void)
{
	uint8_t m1[HANDSHAKE_MSG_MAX], m2[HANDSHAKE_MSG_MAX], m3[HANDSHAKE_MSG_MAX];
	uint8_t r1[HANDSHAKE_MSG_MAX], r2[HANDSHAKE_MSG_MAX], r3[HANDSHAKE_MSG_MAX], x[64];
	size_t l1, l2, l3, q1, q2, q3, xl;
	struct handshake ra, rb;
	struct handshake_keys k;
	struct keyring a1, b1;
	struct side a, b;
	struct mt6d_frame f;
	uint64_t c;

	setup(&a, &b, psk, MT6D_CIPHER_AES_256_GCM, MT6D_CIPHER_AES_256_GCM);
	CHECK(!handshake_start(&a.hs, m1, &l1), "message 1");
	CHECK(take(&b, m1, l1, m2, &l2) == HANDSHAKE_KEYS, "message 2");
	CHECK(take(&a, m2, l2, m3, &l3) == HANDSHAKE_KEYS, "confirmation");
	CHECK(take(&b, m3, l3, x, &xl) == HANDSHAKE_CONFIRMED, "generation 0 done");

	ra = a.hs;
	rb = b.hs;
	memset(&ra.noise, 0, sizeof(ra.noise));
	memset(&rb.noise, 0, sizeof(rb.noise));
	keyring_init(&a1, MT6D_CIPHER_AES_256_GCM, 0, 0);
	keyring_init(&b1, MT6D_CIPHER_AES_256_GCM, 0, 0);
	keyring_set_gen(&a1, 1);
	keyring_set_gen(&b1, 1);
	CHECK(!handshake_restart(&ra, 1) && !handshake_restart(&rb, 1), "rekey states");
	CHECK(!handshake_start(&ra, r1, &q1), "rekey message 1");
	CHECK(handshake_receive(&rb, r1, q1, r2, &q2, &k) == HANDSHAKE_KEYS &&
		      !keyring_install(&b1, k.tx, k.rx, 0),
	      "rekey message 2, b's ring of generation 1");
	CHECK(handshake_receive(&ra, r2, q2, r3, &q3, &k) == HANDSHAKE_KEYS &&
		      !keyring_install(&a1, k.tx, k.rx, 0),
	      "rekey done at a, a's ring of generation 1");
	CHECK(handshake_receive(&rb, r3, q3, x, &xl, &k) == HANDSHAKE_CONFIRMED,
	      "rekey confirmed at b");

	xl = seal(&a1, x, &c);
	CHECK(!mt6d_frame_parse(x, xl, &f) && f.gen == 1, "a frame of generation 1 says so");
	CHECK(keyring_open(&b.keys, x, xl, &f, 0) == -ENOKEY,
	      "the ring of generation 0 refuses it");
	CHECK(opens(&b1, x, xl), "the ring of generation 1 opens it");
	xl = seal(&a.keys, x, &c);
	CHECK(opens(&b.keys, x, xl), "generation 0 still opens during the overlap");

	/* The next rekey expects generation 2: old messages get nothing. */
	CHECK(!handshake_restart(&rb, 2), "b waits for generation 2");
	CHECK(handshake_receive(&rb, r1, q1, x, &xl, &k) == HANDSHAKE_BAD && !xl,
	      "the rekey message 1 of generation 1 again: refused, no reply");
	CHECK(!handshake_restart(&rb, 2), "b waits again");
	CHECK(handshake_receive(&rb, m1, l1, x, &xl, &k) == HANDSHAKE_BAD && !xl,
	      "the first message 1 (generation 0) again: refused, no reply");
	handshake_clear(&ra);
	handshake_clear(&rb);
	keyring_clear(&a1);
	keyring_clear(&b1);
	teardown(&a, &b);
}

int main(void)
{
	test_full();
	test_no_second_key_set();
	test_wrong_psk();
	test_tampered();
	test_cipher_mismatch();
	test_reset();
	test_rekey();
	return check_done();
}

// SPDX-License-Identifier: MIT
/*
 * Sealing and opening between two keyrings: counters, rekeys and their overlap, and
 * epochs skipped when all their frames are lost.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "keyring.h"

#define PLEN 60

struct frame_buf {
	uint8_t b[MT6D_FRAME_HDR_LEN + PLEN + 16];
	size_t len;
};

static int seal(struct keyring *k, struct frame_buf *f, uint8_t tag, uint64_t now)
{
	memset(f->b + MT6D_FRAME_HDR_LEN, tag, PLEN);
	return keyring_seal(k, MT6D_FRAME_DATA, f->b, PLEN, &f->len, now);
}

/* Opens a copy of @in (opening works in place); the tag byte must come back. */
static int open_copy(struct keyring *k, const struct frame_buf *in, uint64_t now)
{
	struct frame_buf c = *in;
	struct mt6d_frame f;
	int ret = mt6d_frame_parse(c.b, c.len, &f);

	if (ret)
		return ret;
	ret = keyring_open(k, c.b, c.len, &f, now);
	if (!ret && f.payload_len != PLEN)
		return -EMSGSIZE;
	return ret;
}

/* Seals frames from @k into @f until the one in @f is @epoch/@counter. */
static int seal_at(struct keyring *k, struct frame_buf *f, uint32_t epoch, uint64_t counter)
{
	struct mt6d_frame hdr;

	for (int i = 0; i < 1000; i++) {
		int ret = seal(k, f, (uint8_t)i, 0);

		if (ret)
			return ret;
		ret = mt6d_frame_parse(f->b, f->len, &hdr);
		if (ret)
			return ret;
		if (hdr.epoch == epoch && hdr.counter == counter)
			return 0;
	}
	return -ETIMEDOUT;
}

static bool ring_is(const struct keyring *k, uint32_t prev, uint32_t cur, uint32_t next)
{
	return k->rx[0].aead && k->rx[0].epoch == prev && k->rx[1].aead && k->rx[1].epoch == cur &&
	       k->rx[2].aead && k->rx[2].epoch == next;
}

/*
 * Epochs whose every frame was lost: the receiver follows to the first frame it sees, up to
 * KEYRING_MAX_SKIP epochs past the next one, only once its tag verifies.
 */
static void test_skip(void)
{
	uint8_t s1[32] = { 3 }, s2[32] = { 4 };
	struct keyring a, a2, b, before;
	struct frame_buf f, e4, e5[3], e6[2], fake, far, farther;

	/* Three messages an epoch. */
	keyring_init(&a, MT6D_CIPHER_CHACHA20_POLY1305, 0, 3);
	keyring_init(&a2, MT6D_CIPHER_CHACHA20_POLY1305, 0, 3);
	keyring_init(&b, MT6D_CIPHER_CHACHA20_POLY1305, 0, 3);
	CHECK(!keyring_install(&a, s1, s2, 0) && !keyring_install(&a2, s1, s2, 0) &&
		      !keyring_install(&b, s2, s1, 0),
	      "skip: install");
	CHECK(!seal_at(&a, &f, 1, 0) && !open_copy(&b, &f, 10) && ring_is(&b, 0, 1, 2),
	      "skip: receiver in epoch 1");

	/* Epochs 2, 3 and 4 go by unseen; the last frame of 4 only comes late. */
	CHECK(!seal_at(&a, &e4, 4, 2) && !seal_at(&a, &e5[0], 5, 0), "skip: sender in epoch 5");
	CHECK(!seal(&a, &e5[1], 51, 20) && !seal(&a, &e5[2], 52, 20), "skip: more of epoch 5");
	CHECK(open_copy(&b, &e5[1], 20) == 0, "skip: the first frame of epoch 5 seen opens");
	CHECK(ring_is(&b, 4, 5, 6), "skip: previous 4, current 5, next 6");
	CHECK(b.skipped_rx == 3 && b.rekeys_rx == 2, "skip: 2, 3 and 4 counted as skipped");
	CHECK(b.rx[1].win.top == 2, "skip: epoch 5's window holds counter 1 alone");
	CHECK(!open_copy(&b, &e5[0], 20) && !open_copy(&b, &e5[2], 20),
	      "skip: later and earlier frames of epoch 5 open");
	CHECK(open_copy(&b, &e5[1], 20) == -EALREADY, "skip: and the first one only once");
	CHECK(!open_copy(&b, &e4, 21), "skip: the late frame of epoch 4 opens");
	CHECK(!seal_at(&a, &e6[0], 6, 0) && !seal(&a, &e6[1], 61, 30) &&
		      !open_copy(&b, &e6[0], 30) && ring_is(&b, 5, 6, 7),
	      "skip: then on to epoch 6 as usual");

	/*
	 * Forgeries claiming epoch current + 3 = 9: a genuine frame of epoch 6 with the epoch
	 * rewritten, and a genuine frame of epoch 9 with a flipped tag bit. Neither moves
	 * anything: the keyring is the same to the byte.
	 */
	memcpy(&before, &b, sizeof(b));
	fake = e6[1];
	fake.b[7] = 9;
	CHECK(open_copy(&b, &fake, 40) == -EBADMSG, "skip: epoch 6 frame claiming 9 fails");
	CHECK(!seal_at(&a2, &fake, 9, 1), "skip: a genuine frame of epoch 9");
	fake.b[fake.len - 1] ^= 1;
	CHECK(open_copy(&b, &fake, 40) == -EBADMSG, "skip: epoch 9 frame, bad tag, fails");
	CHECK(!memcmp(&b, &before, sizeof(b)), "skip: forgeries leave the keyring unchanged");
	CHECK(!open_copy(&b, &e6[1], 40) && ring_is(&b, 5, 6, 7),
	      "skip: the next genuine frame of epoch 6 opens, epochs as before");

	/* The bound: next (7) + KEYRING_MAX_SKIP is reached, one more is not. */
	CHECK(!seal_at(&a2, &far, 7 + KEYRING_MAX_SKIP, 0) &&
		      !seal_at(&a2, &farther, 7 + KEYRING_MAX_SKIP + 1, 0),
	      "skip: sender far ahead");
	memcpy(&before, &b, sizeof(b));
	CHECK(open_copy(&b, &farther, 50) == -EKEYEXPIRED, "skip: beyond the bound, expired");
	CHECK(!memcmp(&b, &before, sizeof(b)), "skip: and nothing moved");
	CHECK(!open_copy(&b, &far, 50) &&
		      ring_is(&b, 6 + KEYRING_MAX_SKIP, 7 + KEYRING_MAX_SKIP, 8 + KEYRING_MAX_SKIP),
	      "skip: exactly KEYRING_MAX_SKIP epochs past the next opens");
	CHECK(!open_copy(&b, &farther, 50), "skip: then the farther one is next");

	keyring_clear(&a);
	keyring_clear(&a2);
	keyring_clear(&b);
}

/* The byte limit: a key seals at most that many payload bytes, then the next epoch. */
static void test_byte_limit(void)
{
	uint8_t s1[32] = { 1 }, s2[32] = { 2 };
	struct keyring a, b;
	struct frame_buf f[4];
	struct mt6d_frame hdr;

	keyring_init(&a, MT6D_CIPHER_AES_256_GCM, 0, 0);
	keyring_init(&b, MT6D_CIPHER_AES_256_GCM, 0, 0);
	keyring_set_byte_limit(&a, 2 * PLEN);
	CHECK(!keyring_install(&a, s1, s2, 0) && !keyring_install(&b, s2, s1, 0), "install");
	CHECK(keyring_proves_peer(&b), "a frame that opens under AES-256-GCM proves the peer");
	for (int i = 0; i < 3; i++)
		CHECK(!seal(&a, &f[i], (uint8_t)i, 0), "seal %d", i);
	CHECK(!mt6d_frame_parse(f[1].b, f[1].len, &hdr) && hdr.epoch == 0 && hdr.counter == 1,
	      "two payloads fill the limit in epoch 0");
	CHECK(!mt6d_frame_parse(f[2].b, f[2].len, &hdr) && hdr.epoch == 1 && hdr.counter == 0,
	      "the third goes under the next key");
	CHECK(!open_copy(&b, &f[0], 0) && !open_copy(&b, &f[2], 0), "the receiver follows");
	keyring_clear(&a);
	keyring_clear(&b);
}

int main(void)
{
	test_byte_limit();
	uint8_t s1[32] = { 1 }, s2[32] = { 2 };
	struct keyring a, b;
	struct frame_buf f[8], late;
	struct mt6d_frame hdr;

	keyring_init(&a, MT6D_CIPHER_AES_256_GCM, 1000, 4);
	keyring_init(&b, MT6D_CIPHER_AES_256_GCM, 1000, 4);
	CHECK(seal(&a, &f[0], 1, 0) == -ENOKEY, "no sealing before keys");
	CHECK(!keyring_install(&a, s1, s2, 0) && !keyring_install(&b, s2, s1, 0), "install");
	CHECK(keyring_overhead(&a) == 32, "16-byte header and 16-byte tag");

	for (int i = 0; i < 4; i++)
		CHECK(!seal(&a, &f[i], (uint8_t)i, 10), "seal %d", i);
	CHECK(!mt6d_frame_parse(f[3].b, f[3].len, &hdr) && hdr.epoch == 0 && hdr.counter == 3,
	      "counters 0..3 in epoch 0");
	CHECK(!open_copy(&b, &f[1], 10) && !open_copy(&b, &f[0], 10), "out of order opens");
	CHECK(open_copy(&b, &f[1], 10) == -EALREADY, "replay refused");
	late = f[2];

	/* The fifth message rekeys by count: epoch 1, counter 0. */
	CHECK(!seal(&a, &f[4], 4, 20), "seal past the count limit");
	CHECK(!mt6d_frame_parse(f[4].b, f[4].len, &hdr) && hdr.epoch == 1 && hdr.counter == 0,
	      "rekey by count: epoch 1, counter 0");
	CHECK(a.rekeys_tx == 1, "one rekey");
	CHECK(!open_copy(&b, &f[4], 20) && b.rekeys_rx == 1, "receiver follows to epoch 1");
	/* Overlap: a message of epoch 0 that arrives late still opens, once. */
	CHECK(!open_copy(&b, &late, 25), "late message of the old epoch opens");
	CHECK(open_copy(&b, &late, 26) == -EALREADY, "and only once");
	CHECK(open_copy(&b, &f[3], 20 + KEYRING_OVERLAP_MS) == -ENOKEY,
	      "old epoch gone after the overlap");

	/* Rekey by time. */
	CHECK(!seal(&a, &f[5], 5, 20 + 1000), "seal after the time limit");
	CHECK(!mt6d_frame_parse(f[5].b, f[5].len, &hdr) && hdr.epoch == 2, "rekey by time");
	CHECK(!open_copy(&b, &f[5], 1100), "receiver follows to epoch 2");

	/* Tampering, and frames from two epochs ahead (never precomputed). */
	f[6] = f[5];
	f[6].b[MT6D_FRAME_HDR_LEN + 2] ^= 1;
	CHECK(open_copy(&b, &f[6], 1100) == -EALREADY, "replay checked before the tag");
	CHECK(!seal(&a, &f[6], 6, 1100), "seal 6");
	f[6].b[MT6D_FRAME_HDR_LEN + 2] ^= 1;
	CHECK(open_copy(&b, &f[6], 1100) == -EBADMSG, "flipped bit fails the tag");
	f[6].b[MT6D_FRAME_HDR_LEN + 2] ^= 1;
	CHECK(!open_copy(&b, &f[6], 1100), "the window did not move on the failure");
	f[7] = f[6];
	f[7].b[7] = 9; /* epoch 9: within reach, tried, but the header is not what was sealed */
	CHECK(open_copy(&b, &f[7], 1100) == -EBADMSG, "epoch rewritten in the header");
	f[7].b[7] = 0;
	CHECK(open_copy(&b, &f[7], 1100) == -ENOKEY, "epoch long gone");

	/* The other direction has its own keys: a's own frame does not open at a. */
	CHECK(open_copy(&a, &f[6], 1100) != 0, "own frame reflected does not open");

	/* Epochs never wrap. */
	a.tx_epoch = UINT32_MAX;
	a.tx_counter = 4;
	CHECK(seal(&a, &f[0], 0, 1100) == -EOVERFLOW, "no epoch after the last");

	/* A new session: other secrets, and the old receiver cannot open its frames. */
	CHECK(!keyring_install(&a, s2, s2, 2000), "reinstall");
	CHECK(!seal(&a, &f[0], 0, 2000), "seal in the new session");
	CHECK(open_copy(&b, &f[0], 2000) != 0, "old session keys do not open it");
	CHECK(!keyring_install(&b, s1, s1, 2000), "receiver in a session with other secrets");
	CHECK(open_copy(&b, &f[0], 2000) == -EBADMSG, "other session's keys fail the tag");

	keyring_clear(&a);
	keyring_clear(&b);
	keyring_init(&a, MT6D_CIPHER_NONE, 0, 0);
	keyring_init(&b, MT6D_CIPHER_NONE, 0, 0);
	CHECK(!keyring_install(&a, s1, s2, 0) && !keyring_install(&b, s2, s1, 0), "none: install");
	CHECK(keyring_overhead(&a) == 16, "none: header only");
	CHECK(!seal(&a, &f[0], 0x33, 0) && f[0].b[MT6D_FRAME_HDR_LEN] == 0x33, "none: clear");
	CHECK(!open_copy(&b, &f[0], 0) && open_copy(&b, &f[0], 0) == -EALREADY,
	      "none: replay window still applies");
	/* A frame sealed under other secrets opens too: without a tag, opening proves nothing. */
	CHECK(!keyring_install(&a, s2, s2, 0), "none: a stranger's secrets");
	CHECK(!seal(&a, &f[1], 0x44, 0) && !seal(&a, &f[1], 0x44, 0) && !open_copy(&b, &f[1], 0),
	      "none: a stranger's frame opens");
	CHECK(!keyring_proves_peer(&b), "none: an opened frame does not prove the peer");
	keyring_clear(&a);
	keyring_clear(&b);
	test_skip();
	return check_done();
}

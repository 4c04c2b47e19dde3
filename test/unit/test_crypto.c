// SPDX-License-Identifier: MIT
/* AEAD round trips and nonces, and the replay window's edges. */
#include <errno.h>
#include <string.h>

#include "aead.h"
#include "check.h"
#include "replay.h"

static void test_aead(enum mt6d_cipher c)
{
	const uint8_t key[32] = { 7 }, iv[12] = { 1, 2, 3 }, ad[16] = { 9 };
	uint8_t msg[100], buf[100 + 16], out[100 + 16], other[100 + 16];
	struct mt6d_aead *a = NULL;
	size_t tag = mt6d_aead_tag_len(c);
	const char *name = mt6d_cipher_name(c);

	memset(msg, 0x5a, sizeof(msg));
	CHECK(!mt6d_aead_new(&a, c, key, iv), "%s: new", name);
	if (!a)
		return;
	CHECK(!mt6d_aead_seal(a, 5, ad, sizeof(ad), msg, sizeof(msg), buf), "%s: seal", name);
	CHECK(!mt6d_aead_seal(a, 6, ad, sizeof(ad), msg, sizeof(msg), other), "%s: seal 6", name);
	if (tag) {
		CHECK(memcmp(buf, msg, sizeof(msg)), "%s: ciphertext differs from plaintext", name);
		CHECK(memcmp(buf, other, sizeof(msg)), "%s: another counter, another nonce", name);
	}
	CHECK(!mt6d_aead_open(a, 5, ad, sizeof(ad), buf, sizeof(msg) + tag, out) &&
	      !memcmp(out, msg, sizeof(msg)), "%s: round trip", name);
	if (tag) {
		CHECK(mt6d_aead_open(a, 6, ad, sizeof(ad), buf, sizeof(msg) + tag, out) == -EBADMSG,
		      "%s: wrong counter fails the tag", name);
		buf[3] ^= 1;
		CHECK(mt6d_aead_open(a, 5, ad, sizeof(ad), buf, sizeof(msg) + tag, out) == -EBADMSG,
		      "%s: flipped ciphertext bit fails", name);
		buf[3] ^= 1;
		CHECK(mt6d_aead_open(a, 5, ad, sizeof(ad) - 1, buf, sizeof(msg) + tag, out) ==
			      -EBADMSG, "%s: other associated data fails", name);
		CHECK(mt6d_aead_open(a, 5, ad, sizeof(ad), buf, 15, out) == -EBADMSG,
		      "%s: shorter than a tag", name);
		/* In place, as the tunnel does it. */
		CHECK(!mt6d_aead_seal(a, 9, ad, sizeof(ad), msg, sizeof(msg), buf) &&
		      !mt6d_aead_open(a, 9, ad, sizeof(ad), buf, sizeof(msg) + tag, buf) &&
		      !memcmp(buf, msg, sizeof(msg)), "%s: in place", name);
	}
	mt6d_aead_free(a);
}

static void test_replay(void)
{
	struct mt6d_replay r;

	mt6d_replay_reset(&r);
	CHECK(mt6d_replay_check(&r, 0) == 0, "first counter 0");
	mt6d_replay_update(&r, 0);
	CHECK(mt6d_replay_check(&r, 0) == -EALREADY, "duplicate 0");
	CHECK(mt6d_replay_check(&r, 1) == 0, "next");
	mt6d_replay_update(&r, 5);
	CHECK(mt6d_replay_check(&r, 3) == 0, "out of order inside the window");
	mt6d_replay_update(&r, 3);
	CHECK(mt6d_replay_check(&r, 3) == -EALREADY, "late duplicate");
	CHECK(mt6d_replay_check(&r, 5) == -EALREADY, "top duplicate");

	/* Far ahead: the window slides and forgets what falls behind it. */
	mt6d_replay_update(&r, 100000);
	CHECK(mt6d_replay_check(&r, 5) == -ESTALE, "far behind after a jump");
	CHECK(mt6d_replay_check(&r, 100001 - MT6D_REPLAY_WINDOW) == 0, "oldest in the window");
	CHECK(mt6d_replay_check(&r, 100000 - MT6D_REPLAY_WINDOW) == -ESTALE,
	      "just behind the window");
	CHECK(mt6d_replay_check(&r, 99999) == 0, "just below the top");
	/* A ring word reused after the slide must not keep old bits. */
	CHECK(mt6d_replay_check(&r, 100000 - 64 * 3 + 5) == 0, "reused word is clean");
	for (uint64_t c = 100001; c < 100001 + 3 * MT6D_REPLAY_WINDOW; c += 7)
		mt6d_replay_update(&r, c);
	CHECK(mt6d_replay_check(&r, 100001 + 3 * MT6D_REPLAY_WINDOW - 7 * 2 + 1) == 0,
	      "unseen counter after many slides");

	/* The sender never gets near a wrap; the receiver refuses such counters. */
	CHECK(mt6d_replay_check(&r, MT6D_COUNTER_LIMIT - 1) == 0, "largest counter accepted");
	CHECK(mt6d_replay_check(&r, MT6D_COUNTER_LIMIT) == -EOVERFLOW, "limit refused");
	CHECK(mt6d_replay_check(&r, UINT64_MAX) == -EOVERFLOW, "wrap refused");
}

int main(void)
{
	test_aead(MT6D_CIPHER_AES_256_GCM);
	test_aead(MT6D_CIPHER_CHACHA20_POLY1305);
	test_aead(MT6D_CIPHER_NONE);
	test_replay();
	return check_done();
}

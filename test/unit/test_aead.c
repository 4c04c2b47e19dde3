// SPDX-License-Identifier: MIT
/* AEAD round trips and nonces, for each cipher. */
#include <errno.h>
#include <string.h>

#include "aead.h"
#include "check.h"

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
		      !memcmp(out, msg, sizeof(msg)),
	      "%s: round trip", name);
	if (tag) {
		CHECK(mt6d_aead_open(a, 6, ad, sizeof(ad), buf, sizeof(msg) + tag, out) == -EBADMSG,
		      "%s: wrong counter fails the tag", name);
		buf[3] ^= 1;
		CHECK(mt6d_aead_open(a, 5, ad, sizeof(ad), buf, sizeof(msg) + tag, out) == -EBADMSG,
		      "%s: flipped ciphertext bit fails", name);
		buf[3] ^= 1;
		CHECK(mt6d_aead_open(a, 5, ad, sizeof(ad) - 1, buf, sizeof(msg) + tag, out) ==
			      -EBADMSG,
		      "%s: other associated data fails", name);
		CHECK(mt6d_aead_open(a, 5, ad, sizeof(ad), buf, 15, out) == -EBADMSG,
		      "%s: shorter than a tag", name);
		/* In place, as the tunnel does it. */
		CHECK(!mt6d_aead_seal(a, 9, ad, sizeof(ad), msg, sizeof(msg), buf) &&
			      !mt6d_aead_open(a, 9, ad, sizeof(ad), buf, sizeof(msg) + tag, buf) &&
			      !memcmp(buf, msg, sizeof(msg)),
		      "%s: in place", name);
	}
	mt6d_aead_free(a);
}

int main(void)
{
	test_aead(MT6D_CIPHER_AES_256_GCM);
	test_aead(MT6D_CIPHER_CHACHA20_POLY1305);
	test_aead(MT6D_CIPHER_NONE);
	return check_done();
}

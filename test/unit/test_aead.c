// SPDX-License-Identifier: MIT
/* AEAD known answers (GCM spec, RFC 8439), round trips and nonces, for each cipher. */
#include <errno.h>
#include <string.h>

#include "aead.h"
#include "check.h"
#include "hex.h"

/*
 * A published vector through the wrapper. The wrapper's nonce is the IV xor the counter in
 * the last 8 bytes; each vector runs twice: once with its nonce as the IV and counter 0,
 * once with the last 8 bytes moved into the counter, so that the effective nonce is the
 * vector's only if the xor lands where aead.h says.
 */
struct aead_kat {
	const char *name;
	enum mt6d_cipher cipher;
	const char *key, *nonce, *ad, *pt, *ct_tag;
	const char *pt_text; /* the plaintext as text, when @pt is NULL */
};

static const struct aead_kat kats[] = {
	{
		/* McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16. */
		.name = "GCM spec test case 16 (AES-256, 60-byte text, 20-byte AAD)",
		.cipher = MT6D_CIPHER_AES_256_GCM,
		.key = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
		.nonce = "cafebabefacedbaddecaf888",
		.ad = "feedfacedeadbeeffeedfacedeadbeefabaddad2",
		.pt = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
		.ct_tag = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
			  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
			  "76fc6ece0f4e1768cddf8853bb2d551b",
	},
	{
		.name = "RFC 8439 2.8.2 (ChaCha20-Poly1305)",
		.cipher = MT6D_CIPHER_CHACHA20_POLY1305,
		.key = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
		.nonce = "070000004041424344454647",
		.ad = "50515253c0c1c2c3c4c5c6c7",
		.pt_text = "Ladies and Gentlemen of the class of '99: If I could offer you "
			   "only one tip for the future, sunscreen would be it.",
		.ct_tag = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
			  "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
			  "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
			  "3ff4def08e4b7a9de576d26586cec64b6116"
			  "1ae10b594f09e26a7e902ecbd0600691",
	},
};

static void test_kat_one(const struct aead_kat *v, const uint8_t key[32], const uint8_t iv[12],
			 uint64_t counter, const uint8_t *ad, size_t ad_len, const uint8_t *pt,
			 size_t len, const uint8_t *ct_tag)
{
	uint8_t buf[256], out[256];
	struct mt6d_aead *a = NULL;

	CHECK(!mt6d_aead_new(&a, v->cipher, key, iv), "%s: new", v->name);
	if (!a)
		return;
	CHECK(!mt6d_aead_seal(a, counter, ad, ad_len, pt, len, buf) &&
		      !memcmp(buf, ct_tag, len + 16),
	      "%s, counter %#llx: ciphertext and tag", v->name, (unsigned long long)counter);
	CHECK(!mt6d_aead_open(a, counter, ad, ad_len, ct_tag, len + 16, out) &&
		      !memcmp(out, pt, len),
	      "%s, counter %#llx: opens", v->name, (unsigned long long)counter);
	memcpy(buf, ct_tag, len + 16);
	buf[len + 15] ^= 0x80;
	CHECK(mt6d_aead_open(a, counter, ad, ad_len, buf, len + 16, out) == -EBADMSG,
	      "%s: last tag bit flipped fails", v->name);
	mt6d_aead_free(a);
}

static void test_kat(const struct aead_kat *v)
{
	uint8_t key[32], nonce[12], iv[12], ad[64], pt[128], ct_tag[128 + 16];
	long ad_len = unhex(v->ad, ad, sizeof(ad)), len, ct_len;
	uint64_t counter = 0;

	if (v->pt) {
		len = unhex(v->pt, pt, sizeof(pt));
	} else {
		len = (long)strlen(v->pt_text);
		memcpy(pt, v->pt_text, (size_t)len);
	}
	ct_len = unhex(v->ct_tag, ct_tag, sizeof(ct_tag));
	if (unhex(v->key, key, sizeof(key)) != 32 || unhex(v->nonce, nonce, sizeof(nonce)) != 12 ||
	    ad_len < 0 || len < 0 || ct_len != len + 16) {
		CHECK(0, "%s: bad vector", v->name);
		return;
	}
	test_kat_one(v, key, nonce, 0, ad, (size_t)ad_len, pt, (size_t)len, ct_tag);

	/* The same nonce as IV 4 bytes || 0^8 xor the counter. */
	memcpy(iv, nonce, 4);
	memset(iv + 4, 0, 8);
	for (int i = 4; i < 12; i++)
		counter = counter << 8 | nonce[i];
	test_kat_one(v, key, iv, counter, ad, (size_t)ad_len, pt, (size_t)len, ct_tag);
}

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
	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++)
		test_kat(&kats[i]);
	test_aead(MT6D_CIPHER_AES_256_GCM);
	test_aead(MT6D_CIPHER_CHACHA20_POLY1305);
	test_aead(MT6D_CIPHER_NONE);
	return check_done();
}

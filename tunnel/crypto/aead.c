// SPDX-License-Identifier: MIT
/* AEAD on tunnel frames: libcrypto's EVP interface, one context per key. */
#include "aead.h"

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define TAG_LEN 16

struct mt6d_aead {
	enum mt6d_cipher cipher;
	EVP_CIPHER_CTX *enc, *dec;
	uint8_t iv[MT6D_AEAD_IV_LEN];
};

static const char *const cipher_names[] = {
	[MT6D_CIPHER_AES_256_GCM] = "aes-256-gcm",
	[MT6D_CIPHER_CHACHA20_POLY1305] = "chacha20-poly1305",
	[MT6D_CIPHER_NONE] = "none",
};

const char *mt6d_cipher_name(enum mt6d_cipher c)
{
	return (size_t)c < sizeof(cipher_names) / sizeof(cipher_names[0]) ? cipher_names[c] : "?";
}

size_t mt6d_aead_tag_len(enum mt6d_cipher c)
{
	return c == MT6D_CIPHER_NONE ? 0 : TAG_LEN;
}

static const EVP_CIPHER *evp_cipher(enum mt6d_cipher c)
{
	switch (c) {
	case MT6D_CIPHER_AES_256_GCM:
		return EVP_aes_256_gcm();
	case MT6D_CIPHER_CHACHA20_POLY1305:
		return EVP_chacha20_poly1305();
	default:
		return NULL;
	}
}

/* Both directions keep their own context so the key schedule runs once per key. */
static EVP_CIPHER_CTX *ctx_new(const EVP_CIPHER *cipher, const uint8_t *key, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx)
		return NULL;
	if (EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, MT6D_AEAD_IV_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, enc) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int mt6d_aead_new(struct mt6d_aead **out, enum mt6d_cipher c, const uint8_t key[MT6D_AEAD_KEY_LEN],
		  const uint8_t iv[MT6D_AEAD_IV_LEN])
{
	struct mt6d_aead *a;
	const EVP_CIPHER *cipher = evp_cipher(c);

	if (c != MT6D_CIPHER_NONE && !cipher)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->cipher = c;
	memcpy(a->iv, iv, sizeof(a->iv));
	if (cipher) {
		a->enc = ctx_new(cipher, key, 1);
		a->dec = ctx_new(cipher, key, 0);
		if (!a->enc || !a->dec) {
			mt6d_aead_free(a);
			return -EIO;
		}
	}
	*out = a;
	return 0;
}

void mt6d_aead_free(struct mt6d_aead *a)
{
	if (!a)
		return;
	EVP_CIPHER_CTX_free(a->enc);
	EVP_CIPHER_CTX_free(a->dec);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

void mt6d_aead_nonce(const uint8_t iv[MT6D_AEAD_IV_LEN], uint64_t counter,
		     uint8_t nonce[MT6D_AEAD_IV_LEN])
{
	uint64_t be = htobe64(counter);
	uint8_t c[8];

	memcpy(c, &be, sizeof(c));
	memcpy(nonce, iv, MT6D_AEAD_IV_LEN);
	for (int i = 0; i < 8; i++)
		nonce[MT6D_AEAD_IV_LEN - 8 + i] ^= c[i];
}

int mt6d_aead_seal(struct mt6d_aead *a, uint64_t counter, const uint8_t *ad, size_t ad_len,
		   const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t nonce[MT6D_AEAD_IV_LEN];
	int n;

	if (len > INT_MAX || ad_len > INT_MAX)
		return -EMSGSIZE;
	if (a->cipher == MT6D_CIPHER_NONE) {
		memmove(out, in, len);
		return 0;
	}
	mt6d_aead_nonce(a->iv, counter, nonce);
	if (EVP_EncryptInit_ex(a->enc, NULL, NULL, NULL, nonce) != 1 ||
	    (ad_len && EVP_EncryptUpdate(a->enc, NULL, &n, ad, (int)ad_len) != 1) ||
	    EVP_EncryptUpdate(a->enc, out, &n, in, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(a->enc, out + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->enc, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, out + len) != 1)
		return -EIO;
	return 0;
}

int mt6d_aead_open(struct mt6d_aead *a, uint64_t counter, const uint8_t *ad, size_t ad_len,
		   const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t nonce[MT6D_AEAD_IV_LEN], tag[TAG_LEN];
	size_t clen;
	int n;

	if (len > INT_MAX || ad_len > INT_MAX)
		return -EMSGSIZE;
	if (a->cipher == MT6D_CIPHER_NONE) {
		memmove(out, in, len);
		return 0;
	}
	if (len < TAG_LEN)
		return -EBADMSG;
	clen = len - TAG_LEN;
	/* The tag may be overwritten when @out == @in: keep a copy. */
	memcpy(tag, in + clen, TAG_LEN);
	mt6d_aead_nonce(a->iv, counter, nonce);
	if (EVP_DecryptInit_ex(a->dec, NULL, NULL, NULL, nonce) != 1 ||
	    (ad_len && EVP_DecryptUpdate(a->dec, NULL, &n, ad, (int)ad_len) != 1) ||
	    EVP_DecryptUpdate(a->dec, out, &n, in, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->dec, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, tag) != 1)
		return -EIO;
	if (EVP_DecryptFinal_ex(a->dec, out + n, &n) != 1) {
		OPENSSL_cleanse(out, clen);
		return -EBADMSG;
	}
	return 0;
}

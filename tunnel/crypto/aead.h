/* SPDX-License-Identifier: MIT */
#ifndef MT6D_AEAD_H
#define MT6D_AEAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * One AEAD key with its IV: an owner around an EVP_CIPHER_CTX. The nonce of message
 * number @counter is the 96-bit IV xor the big-endian counter in its last 8 bytes, so a
 * key never sees the same nonce twice as long as the caller never repeats a counter.
 */
enum mt6d_cipher {
	MT6D_CIPHER_AES_256_GCM,
	MT6D_CIPHER_CHACHA20_POLY1305,
	MT6D_CIPHER_NONE, /* measurement only: no confidentiality, no tag */
};

#define MT6D_AEAD_KEY_LEN 32
#define MT6D_AEAD_IV_LEN 12
#define MT6D_AEAD_TAG_MAX 16

struct mt6d_aead;

/* Bytes the tag adds to each message: 16, or 0 for MT6D_CIPHER_NONE. */
size_t mt6d_aead_tag_len(enum mt6d_cipher c);

/* "aes-256-gcm", "chacha20-poly1305", "none". */
const char *mt6d_cipher_name(enum mt6d_cipher c);

/* The nonce of message number @counter: @iv xor the big-endian @counter in its last 8 bytes. */
void mt6d_aead_nonce(const uint8_t iv[MT6D_AEAD_IV_LEN], uint64_t counter,
		     uint8_t nonce[MT6D_AEAD_IV_LEN]);

int mt6d_aead_new(struct mt6d_aead **out, enum mt6d_cipher c, const uint8_t key[MT6D_AEAD_KEY_LEN],
		  const uint8_t iv[MT6D_AEAD_IV_LEN]) __attribute__((warn_unused_result));
void mt6d_aead_free(struct mt6d_aead *a);

/*
 * Encrypts @len bytes of @in into @out and appends the tag (@out holds len + tag_len
 * bytes; it may equal @in). @ad is authenticated, not encrypted.
 */
int mt6d_aead_seal(struct mt6d_aead *a, uint64_t counter, const uint8_t *ad, size_t ad_len,
		   const uint8_t *in, size_t len, uint8_t *out) __attribute__((warn_unused_result));

/*
 * Checks the tag at the end of @in (@len includes it) and decrypts into @out
 * (len - tag_len bytes; may equal @in). -EBADMSG: too short or the tag does not verify,
 * and then @out holds nothing usable.
 */
int mt6d_aead_open(struct mt6d_aead *a, uint64_t counter, const uint8_t *ad, size_t ad_len,
		   const uint8_t *in, size_t len, uint8_t *out) __attribute__((warn_unused_result));

#endif

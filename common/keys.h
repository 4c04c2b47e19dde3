/* SPDX-License-Identifier: MIT */
#ifndef MT6D_KEYS_H
#define MT6D_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define MT6D_KEY_LEN 32
#define MT6D_HMAC_LEN 32

/* HKDF "info" labels: one key per purpose, all derived from the PSK. */
#define MT6D_KDF_ADDR "mt6d address key"
#define MT6D_KDF_SCTP_AUTH "mt6d sctp-auth key"
#define MT6D_KDF_NOISE_PSK "mt6d noise psk"
#define MT6D_KDF_PORT "mt6d port key"

/* HKDF-SHA256(salt = "mt6d-v1", ikm = psk, info) into @out. */
int mt6d_kdf(const uint8_t *psk, size_t psk_len, const char *info, uint8_t *out, size_t out_len)
	__attribute__((warn_unused_result));

/* HKDF-SHA256 with an explicit salt and input key material. */
int mt6d_hkdf(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
	      const char *info, uint8_t *out, size_t out_len) __attribute__((warn_unused_result));

/* HMAC-SHA256 of the concatenation of @n parts. */
struct mt6d_iov {
	const void *base;
	size_t len;
};
int mt6d_hmac(const uint8_t *key, size_t key_len, const struct mt6d_iov *parts, size_t n,
	      uint8_t out[MT6D_HMAC_LEN]) __attribute__((warn_unused_result));

/* Constant-time comparison; 0 when equal. */
int mt6d_memcmp_ct(const void *a, const void *b, size_t len);

void mt6d_wipe(void *p, size_t len);

#endif

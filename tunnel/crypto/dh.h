/* SPDX-License-Identifier: MIT */
#ifndef MT6D_DH_H
#define MT6D_DH_H

#include <stdint.h>

/* Ephemeral X25519 (RFC 7748): one key pair per association, forgotten after use. */
#define MT6D_DH_LEN 32

struct mt6d_dh {
	void *pkey; /* EVP_PKEY with the private key; NULL when none */
	uint8_t pub[MT6D_DH_LEN];
};

/* Draws a fresh key pair, replacing any previous one. */
int mt6d_dh_generate(struct mt6d_dh *dh) __attribute__((warn_unused_result));

/*
 * Takes @priv as the private key (RFC 7748 clamps it when used), replacing any previous
 * one, and computes the public value. The daemon always draws its keys with
 * mt6d_dh_generate(); this is for known-answer tests and fixed keys.
 */
int mt6d_dh_set_private(struct mt6d_dh *dh, const uint8_t priv[MT6D_DH_LEN])
	__attribute__((warn_unused_result));

/*
 * The shared secret with @peer_pub. -EINVAL when the peer's value is a low-order point
 * (the result would be all zeros and add no secret).
 */
int mt6d_dh_shared(const struct mt6d_dh *dh, const uint8_t peer_pub[MT6D_DH_LEN],
		   uint8_t out[MT6D_DH_LEN]) __attribute__((warn_unused_result));

void mt6d_dh_clear(struct mt6d_dh *dh);

#endif

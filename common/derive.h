/* SPDX-License-Identifier: MIT */
#ifndef MT6D_DERIVE_H
#define MT6D_DERIVE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "keys.h"

/*
 * Hashed addresses: prefix (upper 64 bits) || first 64 bits of
 *   HMAC-SHA256(K_addr, "mt6d-addr-v1" || prefix[0..8] || true IID[8..16] || be64(slot) || retry)
 * with K_addr = HKDF(PSK, MT6D_KDF_ADDR) and retry = 0, 1, ... until the IID is not one
 * reserved by RFC 5453. The prefix stands for the side: both gateways derive both
 * their own and the peer's addresses from the shared key.
 */
struct mt6d_deriver {
	uint8_t k_addr[MT6D_KEY_LEN];
};

int mt6d_deriver_init(struct mt6d_deriver *d, const uint8_t *psk, size_t psk_len)
	__attribute__((warn_unused_result));
void mt6d_deriver_clear(struct mt6d_deriver *d);

/* floor(unix time / interval); slots start at the epoch. */
uint64_t mt6d_slot(time_t now, unsigned int interval);

/* True when the interface identifier (lower 64 bits of @addr) is reserved (RFC 5453). */
bool mt6d_iid_reserved(const struct in6_addr *addr);

int mt6d_hashed_addr(const struct mt6d_deriver *d, const struct in6_addr *prefix,
		     const struct in6_addr *iid, uint64_t slot, struct in6_addr *out)
	__attribute__((warn_unused_result));

#endif

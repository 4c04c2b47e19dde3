/* SPDX-License-Identifier: MIT */
#ifndef MT6D_DERIVE_H
#define MT6D_DERIVE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h" /* MT6D_UPLINK_NAME_MAX */
#include "keys.h"

/*
 * Hashed addresses: prefix (upper 64 bits) || first 64 bits of
 *   HMAC-SHA256(K_addr, "mt6d-addr-v1" || prefix[0..8] || true IID[8..16] || be64(slot) || retry)
 * with K_addr = HKDF(PSK, MT6D_KDF_ADDR) and retry = 0, 1, ... until the IID is not one
 * reserved by RFC 5453. The prefix stands for the side: both gateways derive both
 * their own and the peer's addresses from the shared key.
 *
 * An uplink with a name (a gateway with several uplinks names each one) has a derivation
 * label of its own:
 *   HMAC-SHA256(K_addr, "mt6d-uplink-v1" || u8(len) || name || prefix[0..8] ||
 *               true IID[8..16] || be64(slot) || retry)
 * so the addresses of one slot on two uplinks are unrelated, even on one prefix; and since
 * the prefix is in the input too, an uplink that is renumbered moves to addresses unrelated
 * to those on its old prefix. The unnamed uplink ("" or NULL) keeps the first formula.
 */
struct mt6d_deriver {
	uint8_t k_addr[MT6D_KEY_LEN];
	uint8_t k_port[MT6D_KEY_LEN];
};

int mt6d_deriver_init(struct mt6d_deriver *d, const uint8_t *psk, size_t psk_len)
	__attribute__((warn_unused_result));
void mt6d_deriver_clear(struct mt6d_deriver *d);

/* floor(unix time / interval); slots start at the epoch. */
uint64_t mt6d_slot(time_t now, unsigned int interval);

/* True when the interface identifier (lower 64 bits of @addr) is reserved (RFC 5453). */
bool mt6d_iid_reserved(const struct in6_addr *addr);

/* -EINVAL when @uplink is MT6D_UPLINK_NAME_MAX bytes or longer. */
int mt6d_hashed_addr(const struct mt6d_deriver *d, const char *uplink,
		     const struct in6_addr *prefix, const struct in6_addr *iid, uint64_t slot,
		     struct in6_addr *out) __attribute__((warn_unused_result));

/*
 * Association hopping: the tunnel moves to a new SCTP association, on new ports, every
 * @association_slots slots; the association epoch is floor(slot / association_slots).
 * Each side's port in epoch e, candidate i (a side takes its first free candidate, the
 * peer tries them in order):
 *   lo + be32(HMAC-SHA256(K_port, "mt6d-port-v1" || prefix[0..8] || be64(e) || i)[0..4])
 *        mod (hi - lo + 1)
 * with K_port = HKDF(PSK, MT6D_KDF_PORT): unrelated to the addresses' key, so ports and
 * addresses cannot be told from each other. The modulo's bias is below 2^-17.
 */
#define MT6D_PORT_CANDIDATES 4

/*
 * The peer's candidate to connect to after @failed failed attempts in one epoch: the first
 * on every other attempt (a peer's first candidate is nearly always free: only another
 * SCTP socket can hold it), the others in turn in between (0, 1, 0, 2, 0, 3, 0, 1, ...).
 * An attempt fails as well when the peer is down or the path dark; moving on through the
 * candidates alone would then leave the one the peer listens on for several attempts.
 */
unsigned int mt6d_port_attempt(unsigned int failed);

uint64_t mt6d_assoc_epoch(uint64_t slot, unsigned int association_slots);

/* -EINVAL when @candidate >= MT6D_PORT_CANDIDATES, @lo is 0 or @lo > @hi. */
int mt6d_assoc_port(const struct mt6d_deriver *d, const struct in6_addr *prefix, uint64_t epoch,
		    unsigned int candidate, uint16_t lo, uint16_t hi, uint16_t *port)
	__attribute__((warn_unused_result));

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_HANDSHAKE_H
#define MT6D_HANDSHAKE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "dh.h"
#include "keys.h"

/*
 * The session handshake, run at the start of every association inside the tunnel.
 * Each side sends an ephemeral X25519 public value and a fresh random, echoes the
 * peer's random once known, and MACs it all with a PSK-derived key:
 *
 *   pub[32] || random[32] || echo[32] ||
 *   HMAC-SHA256(K_hs, "mt6d-handshake-v2" || sender id[16] || pub || random || echo)
 *
 * (sender id = its /64 prefix || IID, never sent, only MACed: a reflected message does
 * not verify.) The session secrets are HKDF(salt = randoms and publics of both sides,
 * ikm = X25519 secret || PSK): a restart draws new values on both sides, so no key/nonce
 * pair repeats, and the ephemeral secret gives forward secrecy.
 *
 * SCTP-AUTH with a wrong key still lets the association come up (INIT and COOKIE are
 * not authenticated): the peer counts as authenticated only once it echoed our random
 * with a valid MAC, or once a frame sealed with the session keys opened.
 */
#define MT6D_HS_RAND_LEN 32
#define MT6D_HS_LEN (MT6D_DH_LEN + 2 * MT6D_HS_RAND_LEN + MT6D_HMAC_LEN)
#define MT6D_SESSION_SECRET_LEN 32

struct handshake {
	uint8_t key[MT6D_KEY_LEN];
	uint8_t psk[64];
	size_t psk_len;
	uint8_t local_id[16]; /* prefix[8] || iid[8] of this side */
	uint8_t peer_id[16];
	struct mt6d_dh dh; /* ours, fresh per association */
	uint8_t rand[MT6D_HS_RAND_LEN];
	uint8_t peer_pub[MT6D_DH_LEN];
	uint8_t peer_rand[MT6D_HS_RAND_LEN];
	bool have_peer;	    /* peer_pub and peer_rand are set */
	bool echoed;	    /* we have sent a message echoing peer_rand */
	bool authenticated; /* the peer echoed our random with a valid MAC */
};

int handshake_init(struct handshake *h, const uint8_t *psk, size_t psk_len,
		   const struct in6_addr *local_prefix, const struct in6_addr *local_iid,
		   const struct in6_addr *peer_prefix, const struct in6_addr *peer_iid)
	__attribute__((warn_unused_result));
void handshake_clear(struct handshake *h);

/* Forgets the peer and draws a new key pair and random: call for each new association. */
int handshake_reset(struct handshake *h) __attribute__((warn_unused_result));

/* Builds our message (echoing the peer's random once known) into @out. */
int handshake_build(struct handshake *h, uint8_t out[MT6D_HS_LEN])
	__attribute__((warn_unused_result));

enum handshake_result {
	HANDSHAKE_BAD = -1,	/* wrong length or MAC, or a change after authentication */
	HANDSHAKE_OK = 0,	/* valid, nothing to send */
	HANDSHAKE_REPLY = 1,	/* valid, send handshake_build() now */
	HANDSHAKE_NEW_PEER = 2, /* valid, new peer values: install new keys, then reply */
};
enum handshake_result handshake_receive(struct handshake *h, const uint8_t *p, size_t len);

/* The two session secrets (needs the peer's values): ours to send with, the peer's. */
int handshake_secrets(const struct handshake *h, uint8_t tx[MT6D_SESSION_SECRET_LEN],
		      uint8_t rx[MT6D_SESSION_SECRET_LEN]) __attribute__((warn_unused_result));

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_HELLO_H
#define MT6D_HELLO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "keys.h"

/*
 * Authenticated liveness for one association. SCTP-AUTH with a wrong key still lets
 * the association come up (INIT and COOKIE are not authenticated) and then silently
 * discards everything: the tunnel delivers nothing until each side has proven the
 * PSK by answering the other's fresh nonce.
 *
 * HELLO payload: nonce[16] || echo[16] || HMAC-SHA256(K_hello, "mt6d-hello-v1" ||
 *                sender prefix[8] || sender IID[8] || nonce || echo)
 */
#define MT6D_NONCE_LEN 16
#define MT6D_HELLO_LEN (2 * MT6D_NONCE_LEN + MT6D_HMAC_LEN)

struct hello {
	uint8_t key[MT6D_KEY_LEN];
	uint8_t local_id[16];	/* prefix[8] || iid[8] of this side */
	uint8_t peer_id[16];
	uint8_t nonce[MT6D_NONCE_LEN];	/* ours, fresh per association */
	uint8_t peer_nonce[MT6D_NONCE_LEN];
	bool have_peer_nonce;
	bool echoed;		/* we have sent a HELLO echoing peer_nonce */
	bool authenticated;	/* the peer echoed our nonce with a valid MAC */
};

int hello_init(struct hello *h, const uint8_t *psk, size_t psk_len,
	       const struct in6_addr *local_prefix, const struct in6_addr *local_iid,
	       const struct in6_addr *peer_prefix, const struct in6_addr *peer_iid)
	__attribute__((warn_unused_result));
void hello_clear(struct hello *h);

/* Forgets the peer and draws a new nonce: call for each new association. */
int hello_reset(struct hello *h) __attribute__((warn_unused_result));

/* Builds our HELLO (echoing the peer's nonce once known) into @out. */
int hello_build(struct hello *h, uint8_t out[MT6D_HELLO_LEN]) __attribute__((warn_unused_result));

enum hello_result {
	HELLO_BAD = -1,		/* wrong length or MAC: drop and count */
	HELLO_OK = 0,		/* valid, nothing to send */
	HELLO_REPLY = 1,	/* valid, send hello_build() now */
};
enum hello_result hello_receive(struct hello *h, const uint8_t *p, size_t len);

#endif

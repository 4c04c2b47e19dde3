/* SPDX-License-Identifier: MIT */
#ifndef MT6D_HANDSHAKE_H
#define MT6D_HANDSHAKE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "aead.h"
#include "noise.h"

/*
 * The session handshake, run once on every association, inside it:
 * Noise_NNpsk0_25519_ChaChaPoly_SHA256 (noise.h), a standard, analysed pattern, with
 * one key-confirmation message after it. The side whose id (prefix || IID) sorts first
 * is the Noise initiator, whoever sent the INIT. The first byte of a message says which:
 *
 *   1  initiator -> responder  Noise message 1 (-> psk, e)
 *   2  responder -> initiator  Noise message 2 (<- e, ee)
 *   3  initiator -> responder  confirmation: ChaChaPoly(k_i2r, n = 0, ad = handshake hash)
 *                              of nothing: proves the initiator completed message 2
 *
 * Payload of messages 1 and 2 (encrypted and bound into the handshake hash): version,
 * the sender's traffic cipher, the key generation the handshake makes, a zero byte. A
 * cipher that differs gives a one-line diagnosis instead of silent drops. Generation 0 is
 * the association's first handshake; the initiator runs another one on the same
 * association every rekey interval, for generation + 1 (fresh ephemerals: keys that a
 * compromise of the current ones does not reveal), and a message for any other
 * generation than the one expected is refused. The prologue binds both ids in their roles, so a
 * message of another pair of gateways does not verify. Noise's PSK is
 * mt6d_kdf(PSK, MT6D_KDF_NOISE_PSK).
 *
 * Bound to its association by SCTP-AUTH, not by the prologue: the messages travel as DATA,
 * which both ends require to be authenticated, and the kernel's key for that is the
 * association's own (RFC 4895 6.2: the PSK-derived endpoint-pair key with both ends'
 * RANDOM parameters, 32 bytes drawn for each association in sctp_association_init()). A
 * message captured on one association is discarded by the kernel on any other before it
 * reaches the tunnel. Linux exposes no value of the association both ends could put in a
 * prologue (the verification tags only through sock_diag).
 *
 * Each side's traffic secret for keyring_install() is HKDF(salt = handshake hash,
 * ikm = its Noise send key, "mt6d traffic secret"); the Noise keys serve nothing else but
 * the confirmation. The state refuses every message out of turn and every message once
 * the keys are set: no handshake message can install a second key set on an association
 * (a replay of message 1 draws a message 2 whose keys only the original initiator could
 * compute, and never gets confirmed). Ephemeral secrets are wiped as Noise finishes; the
 * confirmation key as soon as the peer is confirmed.
 */
#define HANDSHAKE_VERSION 3
#define HANDSHAKE_PAYLOAD_LEN 4
#define HANDSHAKE_MSG_MAX (1 + NOISE_HS_OVERHEAD + HANDSHAKE_PAYLOAD_LEN)
#define HANDSHAKE_SECRET_LEN 32
#define HANDSHAKE_PROLOGUE_LEN (17 + 2 * 16)

enum handshake_kind {
	HANDSHAKE_MSG1 = 1,
	HANDSHAKE_MSG2 = 2,
	HANDSHAKE_CONFIRM = 3,
};

enum handshake_step {
	HANDSHAKE_IDLE,		/* initiator: message 1 not sent; responder: waiting for it */
	HANDSHAKE_WAIT_MSG2,	/* initiator */
	HANDSHAKE_WAIT_CONFIRM, /* responder: keys set, the initiator not yet confirmed */
	HANDSHAKE_DONE,		/* keys set and the peer confirmed */
	HANDSHAKE_FAILED,	/* a message failed: nothing more on this association */
};

struct handshake {
	struct noise_hs noise;
	struct noise_cs confirm; /* responder: the initiator's key, until it confirms */
	uint8_t hash[NOISE_HASH_LEN];
	uint8_t psk[NOISE_KEY_LEN]; /* Noise's PSK */
	uint8_t prologue[HANDSHAKE_PROLOGUE_LEN];
	enum mt6d_cipher cipher; /* ours, for the traffic */
	enum mt6d_cipher peer_cipher;
	uint8_t gen; /* the key generation this handshake makes */
	bool initiator;
	enum handshake_step step;
	bool authenticated; /* the peer proved the key in the handshake */
};

struct handshake_keys {
	uint8_t tx[HANDSHAKE_SECRET_LEN], rx[HANDSHAKE_SECRET_LEN];
};

int handshake_init(struct handshake *h, const uint8_t *psk, size_t psk_len, enum mt6d_cipher cipher,
		   const struct in6_addr *local_prefix, const struct in6_addr *local_iid,
		   const struct in6_addr *peer_prefix, const struct in6_addr *peer_iid)
	__attribute__((warn_unused_result));
void handshake_clear(struct handshake *h);

/* Starts over for a new association: a fresh Noise state (fresh ephemeral), generation 0. */
int handshake_reset(struct handshake *h) __attribute__((warn_unused_result));
/* A fresh Noise state for key generation @gen on the same association (a rekey). */
int handshake_restart(struct handshake *h, uint8_t gen) __attribute__((warn_unused_result));
/* Wipes the Noise state and what it made; every message is refused until a reset. */
void handshake_forget(struct handshake *h);

/* Initiator: message 1 into @out (HANDSHAKE_MSG_MAX bytes), its length into *@len. */
int handshake_start(struct handshake *h, uint8_t *out, size_t *len)
	__attribute__((warn_unused_result));

enum handshake_result {
	HANDSHAKE_BAD = -1,	 /* out of turn, or it did not verify: drop it, count it */
	HANDSHAKE_MISMATCH = -2, /* the peer's version or cipher differs: see peer_cipher */
	HANDSHAKE_OK = 0,	 /* nothing to do */
	HANDSHAKE_KEYS = 1,	 /* install @keys, then send @reply if *@reply_len */
	HANDSHAKE_CONFIRMED = 2, /* responder: the initiator proved the key */
};

/*
 * Takes the peer's message @msg. @reply (HANDSHAKE_MSG_MAX bytes) gets what to send back,
 * *@reply_len its length (0: nothing). @keys is wiped by the caller after use.
 */
enum handshake_result handshake_receive(struct handshake *h, const uint8_t *msg, size_t len,
					uint8_t *reply, size_t *reply_len,
					struct handshake_keys *keys);

/* The peer proved the key some other way (a sealed frame opened): the confirmation key goes. */
void handshake_peer_proven(struct handshake *h);

#endif

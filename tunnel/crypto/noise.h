/* SPDX-License-Identifier: MIT */
#ifndef MT6D_NOISE_H
#define MT6D_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dh.h"

/*
 * The Noise Protocol Framework (revision 34), cut down to the one handshake mt6d runs:
 *
 *   Noise_NNpsk0_25519_AESGCM_SHA256 or Noise_NNpsk0_25519_ChaChaPoly_SHA256
 *     -> psk, e        message 1: e.pub[32] || payload sealed (16-byte tag)
 *     <- e, ee         message 2: e.pub[32] || payload sealed (16-byte tag)
 *
 * CipherState, SymmetricState and HandshakeState follow the spec's sections 5 and 9 with
 * the token sequence written out rather than interpreted. Both messages are authenticated
 * by the PSK; message 2 also by both ephemerals, so Split()'s keys are fresh per handshake.
 * Message 1's payload is protected by the PSK alone (no forward secrecy) and can be
 * replayed: the responder learns that the initiator is live only from its first transport
 * message. A completed state refuses any further message, so a replayed message 1 or 2
 * cannot re-key; a new handshake takes a new state, hence new ephemerals.
 *
 * @psk is Noise's 32-byte pre-shared key, not the configured PSK: the daemon derives it
 * from its PSK with a KDF label of its own (mt6d_kdf), so no key serves two purposes.
 *
 * Errors. -EPROTO: out of turn (a write when the peer is to send, a read when we are, any
 * message after the handshake, split before it is done, or a state that was cleared or
 * has failed); -EMSGSIZE: a caller's buffer is too small or a payload too long; -EINVAL:
 * bad arguments. Those three change nothing. -EBADMSG: a message failed (tag did not
 * verify, wrong length, or a low-order ephemeral key from the peer). The spec (section 5)
 * says that once DECRYPT() or DH() signals an error "the handshake has failed and the
 * HandshakeState is deleted": so -EBADMSG, like -EIO or -ENOMEM from libcrypto midway,
 * wipes the state and every later call returns -EPROTO.
 */
#define NOISE_KEY_LEN 32
#define NOISE_HASH_LEN 32
#define NOISE_DH_LEN MT6D_DH_LEN
#define NOISE_TAG_LEN 16
#define NOISE_MAX_MSG_LEN 65535
/* What a handshake message adds to its payload: the ephemeral key and the tag. */
#define NOISE_HS_OVERHEAD (NOISE_DH_LEN + NOISE_TAG_LEN)
#define NOISE_MAX_PAYLOAD (NOISE_MAX_MSG_LEN - NOISE_HS_OVERHEAD)

enum noise_cipher {
	NOISE_AESGCM,	  /* nonce: 4 zero bytes || big-endian n */
	NOISE_CHACHAPOLY, /* nonce: 4 zero bytes || little-endian n */
};

/* "Noise_NNpsk0_25519_AESGCM_SHA256" or "..._ChaChaPoly_SHA256"; NULL when unknown. */
const char *noise_protocol_name(enum noise_cipher c);

/*
 * A CipherState: key k and nonce n. Each call builds its own EVP context (fine for
 * handshake-sized traffic; the datapath keeps its own contexts in aead.c).
 */
struct noise_cs {
	uint8_t k[NOISE_KEY_LEN];
	uint64_t n;
	enum noise_cipher cipher;
	bool has_key;
};

/* InitializeKey(key) with n = 0. */
void noise_cs_init(struct noise_cs *cs, enum noise_cipher c, const uint8_t key[NOISE_KEY_LEN]);

/*
 * EncryptWithAd: @out gets len + NOISE_TAG_LEN bytes (@out may equal @in). -EOVERFLOW
 * once n reached 2^64-1 (reserved by the spec). -ENOKEY without a key: the spec passes
 * plaintext through then, which NNpsk0 never needs (its psk token keys the first
 * message), so an empty or cleared CipherState refuses rather than send in clear.
 */
int noise_cs_encrypt(struct noise_cs *cs, const uint8_t *ad, size_t ad_len, const uint8_t *in,
		     size_t len, uint8_t *out) __attribute__((warn_unused_result));

/*
 * DecryptWithAd: @len includes the tag, @out gets len - NOISE_TAG_LEN bytes. -EBADMSG
 * when the tag does not verify; then n is unchanged and @out is wiped. -EOVERFLOW and
 * -ENOKEY as above.
 */
int noise_cs_decrypt(struct noise_cs *cs, const uint8_t *ad, size_t ad_len, const uint8_t *in,
		     size_t len, uint8_t *out) __attribute__((warn_unused_result));

void noise_cs_clear(struct noise_cs *cs);

/*
 * The handshake state of one side. A plain struct so that the owner can embed it; the
 * fields belong to noise.c. The ephemeral private key lives only until "ee" used it, the
 * PSK until its token was processed, the chaining key until the last message was
 * processed (Split() runs then, holding only its two keys and h until noise_hs_split()).
 */
struct noise_hs {
	struct noise_cs cs;
	uint8_t ck[NOISE_HASH_LEN];
	uint8_t h[NOISE_HASH_LEN];
	uint8_t psk[NOISE_KEY_LEN];
	struct mt6d_dh e;
	uint8_t re[NOISE_DH_LEN];
	uint8_t k1[NOISE_KEY_LEN], k2[NOISE_KEY_LEN]; /* Split()'s output, once done */
	bool initiator;
	bool e_fixed;
	uint8_t step;
};

/*
 * Initialize(): InitializeSymmetric(protocol name), MixHash(prologue). @hs may be
 * uninitialized memory; a used one must go through noise_hs_clear() first.
 */
int noise_hs_init(struct noise_hs *hs, bool initiator, enum noise_cipher c, const uint8_t *prologue,
		  size_t prologue_len, const uint8_t psk[NOISE_KEY_LEN])
	__attribute__((warn_unused_result));

/*
 * WriteMessage(): the next message, carrying @payload (@plen bytes, at most
 * NOISE_MAX_PAYLOAD), into @out (@cap >= plen + NOISE_HS_OVERHEAD); *@out_len its length.
 * @payload may sit at @out + NOISE_DH_LEN (in place) but must not overlap @out otherwise.
 */
int noise_hs_write(struct noise_hs *hs, const uint8_t *payload, size_t plen, uint8_t *out,
		   size_t cap, size_t *out_len) __attribute__((warn_unused_result));

/*
 * ReadMessage(): the peer's next message; its payload (len - NOISE_HS_OVERHEAD bytes,
 * @cap must hold them) into @payload, its length into *@plen. @payload may be
 * @msg + NOISE_DH_LEN (in place) but must not overlap @msg otherwise.
 */
int noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *payload, size_t cap,
		  size_t *plen) __attribute__((warn_unused_result));

/* Both messages are processed: noise_hs_split() may be called. */
bool noise_hs_done(const struct noise_hs *hs);

/*
 * Split()'s keys from this side's point of view (the initiator sends with the first, the
 * responder with the second), each for a CipherState with n = 0, and GetHandshakeHash()
 * for channel binding. Wipes the whole handshake state.
 */
int noise_hs_split(struct noise_hs *hs, uint8_t send_key[NOISE_KEY_LEN],
		   uint8_t recv_key[NOISE_KEY_LEN], uint8_t hash[NOISE_HASH_LEN])
	__attribute__((warn_unused_result));

/* Wipes every secret and frees the ephemeral key; the state then refuses every call. */
void noise_hs_clear(struct noise_hs *hs);

/*
 * Test vectors only: the ephemeral private key this side's "e" token will use instead of
 * a fresh one. A fixed ephemeral with a fixed PSK repeats message keys and nonces, so
 * never in the daemon. Before this side's "e" token, else -EPROTO.
 */
int noise_hs_fix_ephemeral(struct noise_hs *hs, const uint8_t priv[NOISE_DH_LEN])
	__attribute__((warn_unused_result));

#endif

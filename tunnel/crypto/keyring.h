/* SPDX-License-Identifier: MIT */
#ifndef MT6D_KEYRING_H
#define MT6D_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aead.h"
#include "frame.h"
#include "replay.h"

/*
 * The traffic keys of one association, per direction. Each direction's session secret
 * starts a chain: key epoch e uses HKDF(secret_e, "traffic") as key and IV, and
 * secret_e+1 = HKDF(secret_e, "next"); a used secret is wiped, so a later compromise
 * does not open older traffic. The sender moves to the next epoch after rekey_ms or
 * rekey_msgs messages, whichever comes first, and starts its counter at 0 again; a
 * counter never reaches MT6D_COUNTER_LIMIT and an epoch never wraps (-EOVERFLOW: the
 * association must start over). The receiver holds the previous epoch for
 * KEYRING_OVERLAP_MS (late messages of unordered delivery still open), the current one,
 * and the next one precomputed, and moves on when a message of the next one opens.
 *
 * When every message of the next epoch is lost (partial reliability, sparse traffic), the
 * first message the receiver sees is of a later epoch. Up to KEYRING_MAX_SKIP epochs past
 * the next one, the receiver derives that epoch's key on trial and moves there (previous =
 * the epoch before it) only if the message's tag verifies; further ahead it gives up with
 * -EKEYEXPIRED and the association must start over.
 */
#define KEYRING_OVERLAP_MS 30000
#define KEYRING_REKEY_MS (120 * 1000)
#define KEYRING_REKEY_MSGS (UINT64_C(1) << 32)
/*
 * Bytes sealed under one key before the next epoch: 2^36 (64 GiB) keeps AES-GCM and
 * ChaCha20-Poly1305 far inside their confidentiality and integrity limits for this many
 * messages (2^32 at most, above), with a margin against multi-key attacks.
 */
#define KEYRING_REKEY_BYTES (UINT64_C(1) << 36)
/*
 * The sender moves one epoch per message at most, so skipping 16 epochs takes 16
 * consecutive epochs whose every message was lost: at the shortest rekey interval the
 * configuration allows (10 s) that is nearly three minutes with nothing getting through
 * one way, and a direction that lost everything for so long is better started over. The
 * bound is also the price of a frame with a forged epoch: 16 HKDF steps, one key set-up
 * and one AEAD open before its tag fails (about 45 us on a 2020s x86 core, against 1 us
 * for a genuine 1400-byte frame), and the ring does not move. Only the peer can send on
 * the association (SCTP-AUTH with a key derived from the PSK), so this bounds what a
 * misbehaving peer can cost, not the network.
 */
#define KEYRING_MAX_SKIP 16

struct keyring_rx {
	struct mt6d_aead *aead; /* NULL: slot empty */
	uint32_t epoch;
	uint64_t retire_ms; /* previous epoch: usable until then */
	struct mt6d_replay win;
};

struct keyring {
	enum mt6d_cipher cipher;
	uint8_t gen; /* key generation parity its frames carry (frame.h), 0 or 1 */
	uint64_t rekey_ms, rekey_msgs, rekey_bytes;
	bool installed;

	struct mt6d_aead *tx;
	uint32_t tx_epoch;
	uint64_t tx_counter, tx_since_ms, tx_bytes;
	uint8_t tx_secret[32]; /* secret of epoch tx_epoch + 1 */

	struct keyring_rx rx[3]; /* previous, current, next */
	uint8_t rx_secret[32];	 /* secret of the epoch after rx[2] */
	uint64_t rekeys_tx, rekeys_rx;
	uint64_t skipped_rx; /* epochs jumped over, their messages all lost */
};

/*
 * One step of the chain, exactly as the keyring takes it: the key and IV of the epoch
 * whose secret is @secret, and the secret of the epoch after it (@next may be @secret).
 * Exposed so known-answer tests can check the schedule against another implementation.
 */
int keyring_derive(const uint8_t secret[32], uint8_t key[MT6D_AEAD_KEY_LEN],
		   uint8_t iv[MT6D_AEAD_IV_LEN], uint8_t next[32])
	__attribute__((warn_unused_result));

/* @rekey_ms, @rekey_msgs: 0 for the defaults. */
void keyring_init(struct keyring *k, enum mt6d_cipher cipher, uint64_t rekey_ms,
		  uint64_t rekey_msgs);
/* The key generation parity the ring's frames carry (0 after keyring_init()). */
void keyring_set_gen(struct keyring *k, uint8_t gen);
/* The byte limit per key instead of KEYRING_REKEY_BYTES (tests; 0: the default). */
void keyring_set_byte_limit(struct keyring *k, uint64_t bytes);
/* Forgets every key (also the secrets). */
void keyring_clear(struct keyring *k);

/* Starts both chains at epoch 0 from the handshake's session secrets. */
int keyring_install(struct keyring *k, const uint8_t tx_secret[32], const uint8_t rx_secret[32],
		    uint64_t now_ms) __attribute__((warn_unused_result));

/* Bytes a sealed frame adds to its payload: header and tag. */
size_t keyring_overhead(const struct keyring *k);

/*
 * Whether a frame that keyring_open() accepted proves its sender holds the keys: only
 * with a tag. With encryption none any frame in the replay window "opens".
 */
bool keyring_proves_peer(const struct keyring *k);

/*
 * Seals the @len payload bytes at @buf + MT6D_FRAME_HDR_LEN in place into a frame of
 * @type at @buf (the buffer needs room for the tag after them); *@out_len is the frame's
 * length. -ENOKEY before keyring_install(), -EOVERFLOW when no epoch is left.
 */
int keyring_seal(struct keyring *k, uint8_t type, uint8_t *buf, size_t len, size_t *out_len,
		 uint64_t now_ms) __attribute__((warn_unused_result));

/*
 * Opens the frame @f (parsed from @buf of @len bytes) in place; on success @f->payload
 * and @f->payload_len describe the plaintext. -ENOKEY: no key for its epoch (one gone
 * by, or none yet); -EKEYEXPIRED: its epoch is more than KEYRING_MAX_SKIP past the next
 * one, so this direction cannot follow any more: count it and start the association over;
 * -EALREADY/-ESTALE/-EOVERFLOW: replayed, behind the window, counter out of range;
 * -EBADMSG: the tag does not verify (also under a key derived on trial for a skipped
 * epoch). The replay windows and the epochs held change only on success.
 */
int keyring_open(struct keyring *k, uint8_t *buf, size_t len, struct mt6d_frame *f, uint64_t now_ms)
	__attribute__((warn_unused_result));

#endif

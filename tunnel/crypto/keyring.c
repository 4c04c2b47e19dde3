// SPDX-License-Identifier: MIT
#include "keyring.h"

#include <errno.h>
#include <string.h>

#include "keys.h"

enum { RX_PREV, RX_CUR, RX_NEXT };

static const uint8_t chain_salt[] = "mt6d-keyring-v2";

/* HKDF(secret, "traffic") is the key, then the IV. */
#define KM_LEN (MT6D_AEAD_KEY_LEN + MT6D_AEAD_IV_LEN)

void keyring_init(struct keyring *k, enum mt6d_cipher cipher, uint64_t rekey_ms,
		  uint64_t rekey_msgs)
{
	memset(k, 0, sizeof(*k));
	k->cipher = cipher;
	k->rekey_ms = rekey_ms ? rekey_ms : KEYRING_REKEY_MS;
	k->rekey_msgs =
		rekey_msgs && rekey_msgs < MT6D_COUNTER_LIMIT ? rekey_msgs : KEYRING_REKEY_MSGS;
	k->rekey_bytes = KEYRING_REKEY_BYTES;
}

void keyring_set_gen(struct keyring *k, uint8_t gen)
{
	k->gen = gen & 1;
}

void keyring_set_byte_limit(struct keyring *k, uint64_t bytes)
{
	k->rekey_bytes = bytes ? bytes : KEYRING_REKEY_BYTES;
}

static void rx_free(struct keyring_rx *r)
{
	mt6d_aead_free(r->aead);
	memset(r, 0, sizeof(*r));
}

void keyring_clear(struct keyring *k)
{
	mt6d_aead_free(k->tx);
	k->tx = NULL;
	for (int i = 0; i < 3; i++)
		rx_free(&k->rx[i]);
	mt6d_wipe(k->tx_secret, sizeof(k->tx_secret));
	mt6d_wipe(k->rx_secret, sizeof(k->rx_secret));
	k->installed = false;
	k->tx_epoch = 0;
	k->tx_counter = 0;
	k->tx_bytes = 0;
}

static int derive_traffic(const uint8_t secret[32], uint8_t km[KM_LEN])
{
	return mt6d_hkdf(chain_salt, sizeof(chain_salt) - 1, secret, 32, "traffic", km, KM_LEN);
}

/* @next may be @secret. */
static int derive_next(const uint8_t secret[32], uint8_t next[32])
{
	uint8_t nx[32];
	int ret = mt6d_hkdf(chain_salt, sizeof(chain_salt) - 1, secret, 32, "next", nx, 32);

	if (!ret)
		memcpy(next, nx, sizeof(nx));
	mt6d_wipe(nx, sizeof(nx));
	return ret;
}

int keyring_derive(const uint8_t secret[32], uint8_t key[MT6D_AEAD_KEY_LEN],
		   uint8_t iv[MT6D_AEAD_IV_LEN], uint8_t next[32])
{
	uint8_t km[KM_LEN];
	int ret = derive_traffic(secret, km);

	if (!ret)
		ret = derive_next(secret, next);
	if (!ret) {
		memcpy(key, km, MT6D_AEAD_KEY_LEN);
		memcpy(iv, km + MT6D_AEAD_KEY_LEN, MT6D_AEAD_IV_LEN);
	}
	mt6d_wipe(km, sizeof(km));
	return ret;
}

/* The key of the epoch whose secret is @secret. */
static int traffic_key(enum mt6d_cipher cipher, const uint8_t secret[32], struct mt6d_aead **out)
{
	uint8_t km[KM_LEN];
	int ret = derive_traffic(secret, km);

	if (!ret)
		ret = mt6d_aead_new(out, cipher, km, km + MT6D_AEAD_KEY_LEN);
	mt6d_wipe(km, sizeof(km));
	return ret;
}

/* The key of the epoch whose secret is @secret, which then becomes the next secret. */
static int chain_step(enum mt6d_cipher cipher, uint8_t secret[32], struct mt6d_aead **out)
{
	int ret = traffic_key(cipher, secret, out);

	if (!ret) {
		ret = derive_next(secret, secret);
		if (ret < 0) {
			mt6d_aead_free(*out);
			*out = NULL;
		}
	}
	return ret;
}

int keyring_install(struct keyring *k, const uint8_t tx_secret[32], const uint8_t rx_secret[32],
		    uint64_t now_ms)
{
	int ret;

	keyring_clear(k);
	memcpy(k->tx_secret, tx_secret, 32);
	memcpy(k->rx_secret, rx_secret, 32);
	ret = chain_step(k->cipher, k->tx_secret, &k->tx);
	if (!ret)
		ret = chain_step(k->cipher, k->rx_secret, &k->rx[RX_CUR].aead);
	if (!ret)
		ret = chain_step(k->cipher, k->rx_secret, &k->rx[RX_NEXT].aead);
	if (ret < 0) {
		keyring_clear(k);
		return ret;
	}
	k->rx[RX_CUR].epoch = 0;
	k->rx[RX_NEXT].epoch = 1;
	k->tx_since_ms = now_ms;
	k->installed = true;
	return 0;
}

size_t keyring_overhead(const struct keyring *k)
{
	return MT6D_FRAME_HDR_LEN + mt6d_aead_tag_len(k->cipher);
}

bool keyring_proves_peer(const struct keyring *k)
{
	return mt6d_aead_tag_len(k->cipher) != 0;
}

static int tx_rekey(struct keyring *k, uint64_t now_ms)
{
	struct mt6d_aead *next = NULL;
	int ret;

	if (k->tx_epoch == UINT32_MAX)
		return -EOVERFLOW;
	ret = chain_step(k->cipher, k->tx_secret, &next);
	if (ret < 0)
		return ret;
	mt6d_aead_free(k->tx);
	k->tx = next;
	k->tx_epoch++;
	k->tx_counter = 0;
	k->tx_bytes = 0;
	k->tx_since_ms = now_ms;
	k->rekeys_tx++;
	return 0;
}

int keyring_seal(struct keyring *k, uint8_t type, uint8_t *buf, size_t len, size_t *out_len,
		 uint64_t now_ms)
{
	struct mt6d_frame f = { .type = type };
	int ret;

	if (!k->installed)
		return -ENOKEY;
	if (k->tx_counter >= k->rekey_msgs || now_ms - k->tx_since_ms >= k->rekey_ms ||
	    (k->tx_bytes && k->tx_bytes + len > k->rekey_bytes)) {
		ret = tx_rekey(k, now_ms);
		if (ret < 0)
			return ret;
	}
	f.gen = k->gen;
	f.epoch = k->tx_epoch;
	f.counter = k->tx_counter;
	mt6d_frame_put_hdr(buf, &f);
	ret = mt6d_aead_seal(k->tx, f.counter, buf, MT6D_FRAME_HDR_LEN, buf + MT6D_FRAME_HDR_LEN,
			     len, buf + MT6D_FRAME_HDR_LEN);
	if (ret < 0)
		return ret;
	/* Counted even if the send fails later: a counter is never used twice. */
	k->tx_counter++;
	k->tx_bytes += len;
	*out_len = MT6D_FRAME_HDR_LEN + len + mt6d_aead_tag_len(k->cipher);
	return 0;
}

/* The receiver moves on: current becomes previous, next becomes current. */
static int rx_advance(struct keyring *k, uint64_t now_ms)
{
	struct keyring_rx next = { .epoch = k->rx[RX_NEXT].epoch + 1 };
	int ret = 0;

	/* Past the last epoch there is nothing to precompute; the sender stops there too. */
	if (k->rx[RX_NEXT].epoch != UINT32_MAX) {
		ret = chain_step(k->cipher, k->rx_secret, &next.aead);
		if (ret < 0)
			return ret;
	}
	rx_free(&k->rx[RX_PREV]);
	k->rx[RX_PREV] = k->rx[RX_CUR];
	k->rx[RX_PREV].retire_ms = now_ms + KEYRING_OVERLAP_MS;
	k->rx[RX_CUR] = k->rx[RX_NEXT];
	k->rx[RX_NEXT] = next;
	k->rekeys_rx++;
	return 0;
}

static struct keyring_rx *rx_find(struct keyring *k, uint32_t epoch, uint64_t now_ms)
{
	struct keyring_rx *prev = &k->rx[RX_PREV];

	if (prev->aead && now_ms >= prev->retire_ms)
		rx_free(prev);
	for (int i = 0; i < 3; i++)
		if (k->rx[i].aead && k->rx[i].epoch == epoch)
			return &k->rx[i];
	return NULL;
}

/* Opens @buf in place with @a; on success @f describes the plaintext. */
static int frame_open(struct mt6d_aead *a, size_t tag, uint8_t *buf, size_t len,
		      struct mt6d_frame *f)
{
	int ret;

	if (len < MT6D_FRAME_HDR_LEN + tag)
		return -EBADMSG;
	ret = mt6d_aead_open(a, f->counter, buf, MT6D_FRAME_HDR_LEN, buf + MT6D_FRAME_HDR_LEN,
			     len - MT6D_FRAME_HDR_LEN, buf + MT6D_FRAME_HDR_LEN);
	if (ret < 0)
		return ret;
	f->payload = buf + MT6D_FRAME_HDR_LEN;
	f->payload_len = len - MT6D_FRAME_HDR_LEN - tag;
	return 0;
}

/*
 * A frame of epoch E past the next one: the frames of the epochs between were all lost.
 * Walks a copy of the chain secret (that of next + 1) forward to E and opens the frame
 * with E's key, on trial: until the tag verifies nothing in @k changes, so a forged epoch
 * number costs at most KEYRING_MAX_SKIP HKDF steps and one AEAD open, and moves nothing.
 * Once it verifies, the ring becomes E - 1 (the late frames most likely to come), E with
 * the frame's counter in a fresh window, and E + 1; the skipped secrets are wiped.
 */
static int rx_skip(struct keyring *k, uint8_t *buf, size_t len, struct mt6d_frame *f,
		   uint64_t now_ms)
{
	struct keyring_rx *next = &k->rx[RX_NEXT];
	struct keyring_rx ring[3] = { { 0 } };
	uint8_t s[32], before[32];
	uint32_t e = f->epoch;
	bool prev_is_next;
	int ret = 0;

	/* Behind the ring, or the ring is at the last epoch: nothing to derive. */
	if (!next->aead || e <= next->epoch)
		return -ENOKEY;
	if (e - next->epoch > KEYRING_MAX_SKIP)
		return -EKEYEXPIRED;
	/* The cheap refusals first. The window of a new epoch is empty: only its range. */
	ret = mt6d_replay_check(&ring[RX_CUR].win, f->counter);
	if (ret < 0)
		return ret;
	if (len < MT6D_FRAME_HDR_LEN + mt6d_aead_tag_len(k->cipher))
		return -EBADMSG;
	prev_is_next = e - 1 == next->epoch;
	memcpy(s, k->rx_secret, sizeof(s));
	for (uint32_t i = next->epoch + 1; i < e && !ret; i++) {
		memcpy(before, s, sizeof(s));
		ret = derive_next(s, s);
	}
	if (!ret)
		ret = traffic_key(k->cipher, s, &ring[RX_CUR].aead);
	if (!ret)
		ret = frame_open(ring[RX_CUR].aead, mt6d_aead_tag_len(k->cipher), buf, len, f);
	if (ret < 0)
		goto out;

	/* Verified. Everything that can fail comes before the ring changes. */
	if (!prev_is_next)
		ret = traffic_key(k->cipher, before, &ring[RX_PREV].aead);
	/* Past the last epoch there is nothing to precompute; the sender stops there too. */
	if (!ret && e != UINT32_MAX) {
		ret = derive_next(s, s);
		if (!ret)
			ret = chain_step(k->cipher, s, &ring[RX_NEXT].aead);
	}
	if (ret < 0) {
		/* The caller sees an error: the payload must not be used. */
		mt6d_wipe(buf + MT6D_FRAME_HDR_LEN, len - MT6D_FRAME_HDR_LEN);
		goto out;
	}
	if (prev_is_next) {
		ring[RX_PREV] = *next;
		next->aead = NULL;
	}
	ring[RX_PREV].epoch = e - 1;
	ring[RX_PREV].retire_ms = now_ms + KEYRING_OVERLAP_MS;
	ring[RX_CUR].epoch = e;
	mt6d_replay_update(&ring[RX_CUR].win, f->counter);
	ring[RX_NEXT].epoch = e + 1;
	k->skipped_rx += e - k->rx[RX_CUR].epoch - 1;
	k->rekeys_rx++;
	for (int i = 0; i < 3; i++) {
		rx_free(&k->rx[i]);
		k->rx[i] = ring[i];
		ring[i].aead = NULL;
	}
	memcpy(k->rx_secret, s, sizeof(s));
out:
	for (int i = 0; i < 3; i++)
		mt6d_aead_free(ring[i].aead);
	mt6d_wipe(s, sizeof(s));
	mt6d_wipe(before, sizeof(before));
	return ret;
}

int keyring_open(struct keyring *k, uint8_t *buf, size_t len, struct mt6d_frame *f, uint64_t now_ms)
{
	struct keyring_rx *r;
	int ret;

	if (!k->installed || f->gen != k->gen)
		return -ENOKEY;
	r = rx_find(k, f->epoch, now_ms);
	if (!r)
		return rx_skip(k, buf, len, f, now_ms);
	ret = mt6d_replay_check(&r->win, f->counter);
	if (ret < 0)
		return ret;
	ret = frame_open(r->aead, mt6d_aead_tag_len(k->cipher), buf, len, f);
	if (ret < 0)
		return ret;
	mt6d_replay_update(&r->win, f->counter);
	if (r == &k->rx[RX_NEXT]) {
		ret = rx_advance(k, now_ms);
		if (ret < 0)
			return ret;
	}
	return 0;
}

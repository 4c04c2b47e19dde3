// SPDX-License-Identifier: MIT
#include "keyring.h"

#include <errno.h>
#include <string.h>

#include "keys.h"

enum { RX_PREV, RX_CUR, RX_NEXT };

static const uint8_t chain_salt[] = "mt6d-keyring-v2";

void keyring_init(struct keyring *k, enum mt6d_cipher cipher, uint64_t rekey_ms,
		  uint64_t rekey_msgs)
{
	memset(k, 0, sizeof(*k));
	k->cipher = cipher;
	k->rekey_ms = rekey_ms ? rekey_ms : KEYRING_REKEY_MS;
	k->rekey_msgs = rekey_msgs && rekey_msgs < MT6D_COUNTER_LIMIT ? rekey_msgs
								     : KEYRING_REKEY_MSGS;
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
}

int keyring_derive(const uint8_t secret[32], uint8_t key[MT6D_AEAD_KEY_LEN],
		   uint8_t iv[MT6D_AEAD_IV_LEN], uint8_t next[32])
{
	uint8_t km[MT6D_AEAD_KEY_LEN + MT6D_AEAD_IV_LEN], nx[32];
	int ret;

	ret = mt6d_hkdf(chain_salt, sizeof(chain_salt) - 1, secret, 32, "traffic", km, sizeof(km));
	if (!ret)
		ret = mt6d_hkdf(chain_salt, sizeof(chain_salt) - 1, secret, 32, "next", nx,
				sizeof(nx));
	if (!ret) {
		memcpy(key, km, MT6D_AEAD_KEY_LEN);
		memcpy(iv, km + MT6D_AEAD_KEY_LEN, MT6D_AEAD_IV_LEN);
		memcpy(next, nx, sizeof(nx));
	}
	mt6d_wipe(km, sizeof(km));
	mt6d_wipe(nx, sizeof(nx));
	return ret;
}

/* The key of the epoch whose secret is @secret, which then becomes the next secret. */
static int chain_step(enum mt6d_cipher cipher, uint8_t secret[32], struct mt6d_aead **out)
{
	uint8_t key[MT6D_AEAD_KEY_LEN], iv[MT6D_AEAD_IV_LEN], next[32];
	int ret;

	ret = keyring_derive(secret, key, iv, next);
	if (!ret)
		ret = mt6d_aead_new(out, cipher, key, iv);
	if (!ret)
		memcpy(secret, next, sizeof(next));
	mt6d_wipe(key, sizeof(key));
	mt6d_wipe(iv, sizeof(iv));
	mt6d_wipe(next, sizeof(next));
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
	if (k->tx_counter >= k->rekey_msgs || now_ms - k->tx_since_ms >= k->rekey_ms) {
		ret = tx_rekey(k, now_ms);
		if (ret < 0)
			return ret;
	}
	f.epoch = k->tx_epoch;
	f.counter = k->tx_counter;
	mt6d_frame_put_hdr(buf, &f);
	ret = mt6d_aead_seal(k->tx, f.counter, buf, MT6D_FRAME_HDR_LEN, buf + MT6D_FRAME_HDR_LEN,
			     len, buf + MT6D_FRAME_HDR_LEN);
	if (ret < 0)
		return ret;
	/* Counted even if the send fails later: a counter is never used twice. */
	k->tx_counter++;
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

int keyring_open(struct keyring *k, uint8_t *buf, size_t len, struct mt6d_frame *f,
		 uint64_t now_ms)
{
	struct keyring_rx *r;
	size_t tag = mt6d_aead_tag_len(k->cipher);
	int ret;

	if (!k->installed)
		return -ENOKEY;
	r = rx_find(k, f->epoch, now_ms);
	if (!r)
		return -ENOKEY;
	ret = mt6d_replay_check(&r->win, f->counter);
	if (ret < 0)
		return ret;
	if (len < MT6D_FRAME_HDR_LEN + tag)
		return -EBADMSG;
	ret = mt6d_aead_open(r->aead, f->counter, buf, MT6D_FRAME_HDR_LEN,
			     buf + MT6D_FRAME_HDR_LEN, len - MT6D_FRAME_HDR_LEN,
			     buf + MT6D_FRAME_HDR_LEN);
	if (ret < 0)
		return ret;
	mt6d_replay_update(&r->win, f->counter);
	f->payload = buf + MT6D_FRAME_HDR_LEN;
	f->payload_len = len - MT6D_FRAME_HDR_LEN - tag;
	if (r == &k->rx[RX_NEXT]) {
		ret = rx_advance(k, now_ms);
		if (ret < 0)
			return ret;
	}
	return 0;
}

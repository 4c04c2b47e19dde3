// SPDX-License-Identifier: MIT
#include "handshake.h"

#include <errno.h>
#include <string.h>

#include "keys.h"

static const char prologue_label[17] = "mt6d handshake 3";
static const char traffic_info[] = "mt6d traffic secret";

static void put_id(uint8_t id[16], const struct in6_addr *prefix, const struct in6_addr *iid)
{
	memcpy(id, prefix->s6_addr, 8);
	memcpy(id + 8, iid->s6_addr + 8, 8);
}

int handshake_init(struct handshake *h, const uint8_t *psk, size_t psk_len, enum mt6d_cipher cipher,
		   const struct in6_addr *local_prefix, const struct in6_addr *local_iid,
		   const struct in6_addr *peer_prefix, const struct in6_addr *peer_iid)
{
	uint8_t local[16], peer[16];

	memset(h, 0, sizeof(*h));
	put_id(local, local_prefix, local_iid);
	put_id(peer, peer_prefix, peer_iid);
	h->initiator = memcmp(local, peer, sizeof(local)) < 0;
	h->cipher = cipher;
	/* The label (with its NUL), then the initiator's id and the responder's. */
	memcpy(h->prologue, prologue_label, sizeof(prologue_label));
	memcpy(h->prologue + 17, h->initiator ? local : peer, 16);
	memcpy(h->prologue + 33, h->initiator ? peer : local, 16);
	h->step = HANDSHAKE_FAILED; /* until handshake_reset() */
	return mt6d_kdf(psk, psk_len, MT6D_KDF_NOISE_PSK, h->psk, sizeof(h->psk));
}

void handshake_clear(struct handshake *h)
{
	noise_hs_clear(&h->noise);
	noise_cs_clear(&h->confirm);
	mt6d_wipe(h, sizeof(*h));
}

int handshake_reset(struct handshake *h)
{
	return handshake_restart(h, 0);
}

void handshake_forget(struct handshake *h)
{
	noise_hs_clear(&h->noise);
	noise_cs_clear(&h->confirm);
	mt6d_wipe(h->hash, sizeof(h->hash));
	h->authenticated = false;
	h->step = HANDSHAKE_FAILED;
}

int handshake_restart(struct handshake *h, uint8_t gen)
{
	handshake_forget(h);
	h->gen = gen;
	if (noise_hs_init(&h->noise, h->initiator, NOISE_CHACHAPOLY, h->prologue,
			  sizeof(h->prologue), h->psk) < 0)
		return -EIO;
	h->step = HANDSHAKE_IDLE;
	return 0;
}

static void put_payload(const struct handshake *h, uint8_t p[HANDSHAKE_PAYLOAD_LEN])
{
	p[0] = HANDSHAKE_VERSION;
	p[1] = (uint8_t)h->cipher;
	p[2] = h->gen;
	p[3] = 0;
}

/* The peer's payload is well formed and for the generation expected. */
static bool payload_valid(const struct handshake *h, const uint8_t *p, size_t len)
{
	return len == HANDSHAKE_PAYLOAD_LEN && p[0] == HANDSHAKE_VERSION && p[2] == h->gen && !p[3];
}

/* The peer's payload agrees with ours: same version, same traffic cipher. */
static bool payload_agrees(struct handshake *h, const uint8_t *p, size_t len)
{
	if (len != HANDSHAKE_PAYLOAD_LEN || p[0] != HANDSHAKE_VERSION || p[3])
		return false;
	h->peer_cipher = (enum mt6d_cipher)p[1];
	return p[1] == (uint8_t)h->cipher;
}

/* Split(), the traffic secrets and, on the responder, the key that checks the confirmation. */
static int finish(struct handshake *h, struct handshake_keys *keys)
{
	uint8_t send[NOISE_KEY_LEN], recv[NOISE_KEY_LEN];
	int ret = noise_hs_split(&h->noise, send, recv, h->hash);

	if (!ret)
		ret = mt6d_hkdf(h->hash, sizeof(h->hash), send, sizeof(send), traffic_info,
				keys->tx, sizeof(keys->tx));
	if (!ret)
		ret = mt6d_hkdf(h->hash, sizeof(h->hash), recv, sizeof(recv), traffic_info,
				keys->rx, sizeof(keys->rx));
	if (!ret && !h->initiator)
		noise_cs_init(&h->confirm, NOISE_CHACHAPOLY, recv);
	if (!ret && h->initiator)
		noise_cs_init(&h->confirm, NOISE_CHACHAPOLY, send);
	mt6d_wipe(send, sizeof(send));
	mt6d_wipe(recv, sizeof(recv));
	return ret;
}

int handshake_start(struct handshake *h, uint8_t *out, size_t *len)
{
	uint8_t payload[HANDSHAKE_PAYLOAD_LEN];
	size_t n;
	int ret;

	if (!h->initiator || h->step != HANDSHAKE_IDLE)
		return -EPROTO;
	put_payload(h, payload);
	out[0] = HANDSHAKE_MSG1;
	ret = noise_hs_write(&h->noise, payload, sizeof(payload), out + 1, HANDSHAKE_MSG_MAX - 1,
			     &n);
	if (ret < 0) {
		h->step = HANDSHAKE_FAILED;
		return ret;
	}
	*len = n + 1;
	h->step = HANDSHAKE_WAIT_MSG2;
	return 0;
}

/* Responder: message 1 in, message 2 out, keys set. */
static enum handshake_result on_msg1(struct handshake *h, const uint8_t *m, size_t len,
				     uint8_t *reply, size_t *reply_len, struct handshake_keys *keys)
{
	uint8_t payload[HANDSHAKE_PAYLOAD_LEN], mine[HANDSHAKE_PAYLOAD_LEN];
	size_t plen, n;
	bool agrees;

	if (h->initiator || h->step != HANDSHAKE_IDLE)
		return HANDSHAKE_BAD;
	if (noise_hs_read(&h->noise, m, len, payload, sizeof(payload), &plen) < 0) {
		/* Noise deletes a failed state: the association is of no more use. */
		h->step = HANDSHAKE_FAILED;
		return HANDSHAKE_BAD;
	}
	if (!payload_valid(h, payload, plen)) {
		/* Another generation (an old rekey's message 1): no reply, no keys. */
		h->step = HANDSHAKE_FAILED;
		return HANDSHAKE_BAD;
	}
	agrees = payload_agrees(h, payload, plen);
	/* Answered even on a mismatch, so that the initiator can say what differs. */
	put_payload(h, mine);
	reply[0] = HANDSHAKE_MSG2;
	if (noise_hs_write(&h->noise, mine, sizeof(mine), reply + 1, HANDSHAKE_MSG_MAX - 1, &n) <
		    0 ||
	    !agrees || finish(h, keys) < 0) {
		h->step = HANDSHAKE_FAILED;
		*reply_len = agrees ? 0 : n + 1;
		return agrees ? HANDSHAKE_BAD : HANDSHAKE_MISMATCH;
	}
	*reply_len = n + 1;
	h->step = HANDSHAKE_WAIT_CONFIRM;
	return HANDSHAKE_KEYS;
}

/* Initiator: message 2 in, keys set, the confirmation out. */
static enum handshake_result on_msg2(struct handshake *h, const uint8_t *m, size_t len,
				     uint8_t *reply, size_t *reply_len, struct handshake_keys *keys)
{
	uint8_t payload[HANDSHAKE_PAYLOAD_LEN];
	size_t plen;

	if (!h->initiator || h->step != HANDSHAKE_WAIT_MSG2)
		return HANDSHAKE_BAD;
	if (noise_hs_read(&h->noise, m, len, payload, sizeof(payload), &plen) < 0 ||
	    !payload_valid(h, payload, plen)) {
		h->step = HANDSHAKE_FAILED;
		return HANDSHAKE_BAD;
	}
	if (!payload_agrees(h, payload, plen)) {
		h->step = HANDSHAKE_FAILED;
		return HANDSHAKE_MISMATCH;
	}
	reply[0] = HANDSHAKE_CONFIRM;
	if (finish(h, keys) < 0 ||
	    noise_cs_encrypt(&h->confirm, h->hash, sizeof(h->hash), NULL, 0, reply + 1) < 0) {
		h->step = HANDSHAKE_FAILED;
		return HANDSHAKE_BAD;
	}
	noise_cs_clear(&h->confirm);
	*reply_len = 1 + NOISE_TAG_LEN;
	/* Message 2 is keyed by our fresh ephemeral and the PSK: the responder is proven. */
	h->authenticated = true;
	h->step = HANDSHAKE_DONE;
	return HANDSHAKE_KEYS;
}

/* Responder: the initiator's confirmation. */
static enum handshake_result on_confirm(struct handshake *h, const uint8_t *m, size_t len)
{
	uint8_t none[1];

	if (h->initiator || h->step != HANDSHAKE_WAIT_CONFIRM || len != NOISE_TAG_LEN)
		return HANDSHAKE_BAD;
	if (noise_cs_decrypt(&h->confirm, h->hash, sizeof(h->hash), m, len, none) < 0)
		return HANDSHAKE_BAD;
	handshake_peer_proven(h);
	return HANDSHAKE_CONFIRMED;
}

enum handshake_result handshake_receive(struct handshake *h, const uint8_t *msg, size_t len,
					uint8_t *reply, size_t *reply_len,
					struct handshake_keys *keys)
{
	*reply_len = 0;
	if (len < 1)
		return HANDSHAKE_BAD;
	switch (msg[0]) {
	case HANDSHAKE_MSG1:
		return on_msg1(h, msg + 1, len - 1, reply, reply_len, keys);
	case HANDSHAKE_MSG2:
		return on_msg2(h, msg + 1, len - 1, reply, reply_len, keys);
	case HANDSHAKE_CONFIRM:
		return on_confirm(h, msg + 1, len - 1);
	default:
		return HANDSHAKE_BAD;
	}
}

void handshake_peer_proven(struct handshake *h)
{
	/* Called for every frame that opens: nothing to do once the peer is confirmed. */
	if (h->authenticated && h->step != HANDSHAKE_WAIT_CONFIRM)
		return;
	noise_cs_clear(&h->confirm);
	h->authenticated = true;
	if (h->step == HANDSHAKE_WAIT_CONFIRM)
		h->step = HANDSHAKE_DONE;
}

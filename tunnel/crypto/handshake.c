// SPDX-License-Identifier: MIT
#include "handshake.h"

#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

static const char hs_label[] = "mt6d-handshake-v2";
static const char session_info[] = "mt6d session secrets v2";

static void put_id(uint8_t id[16], const struct in6_addr *prefix, const struct in6_addr *iid)
{
	memcpy(id, prefix->s6_addr, 8);
	memcpy(id + 8, iid->s6_addr + 8, 8);
}

int handshake_init(struct handshake *h, const uint8_t *psk, size_t psk_len,
		   const struct in6_addr *local_prefix, const struct in6_addr *local_iid,
		   const struct in6_addr *peer_prefix, const struct in6_addr *peer_iid)
{
	memset(h, 0, sizeof(*h));
	if (psk_len > sizeof(h->psk))
		return -EINVAL;
	memcpy(h->psk, psk, psk_len);
	h->psk_len = psk_len;
	put_id(h->local_id, local_prefix, local_iid);
	put_id(h->peer_id, peer_prefix, peer_iid);
	return mt6d_kdf(psk, psk_len, MT6D_KDF_HANDSHAKE, h->key, sizeof(h->key));
}

void handshake_clear(struct handshake *h)
{
	mt6d_dh_clear(&h->dh);
	mt6d_wipe(h, sizeof(*h));
}

int handshake_reset(struct handshake *h)
{
	h->have_peer = false;
	h->echoed = false;
	h->authenticated = false;
	memset(h->peer_pub, 0, sizeof(h->peer_pub));
	memset(h->peer_rand, 0, sizeof(h->peer_rand));
	if (RAND_bytes(h->rand, sizeof(h->rand)) != 1)
		return -EIO;
	return mt6d_dh_generate(&h->dh);
}

static int hs_mac(const struct handshake *h, const uint8_t id[16], const uint8_t *msg,
		  uint8_t mac[MT6D_HMAC_LEN])
{
	const struct mt6d_iov parts[] = {
		{ hs_label, sizeof(hs_label) - 1 },
		{ id, 16 },
		{ msg, MT6D_DH_LEN + 2 * MT6D_HS_RAND_LEN },
	};

	return mt6d_hmac(h->key, sizeof(h->key), parts, sizeof(parts) / sizeof(parts[0]), mac);
}

int handshake_build(struct handshake *h, uint8_t out[MT6D_HS_LEN])
{
	uint8_t *echo = out + MT6D_DH_LEN + MT6D_HS_RAND_LEN;

	if (!h->dh.pkey)
		return -EINVAL;
	memcpy(out, h->dh.pub, MT6D_DH_LEN);
	memcpy(out + MT6D_DH_LEN, h->rand, MT6D_HS_RAND_LEN);
	if (h->have_peer) {
		memcpy(echo, h->peer_rand, MT6D_HS_RAND_LEN);
		h->echoed = true;
	} else {
		memset(echo, 0, MT6D_HS_RAND_LEN);
	}
	return hs_mac(h, h->local_id, out, echo + MT6D_HS_RAND_LEN);
}

enum handshake_result handshake_receive(struct handshake *h, const uint8_t *p, size_t len)
{
	const uint8_t *pub = p, *rnd = p + MT6D_DH_LEN, *echo = rnd + MT6D_HS_RAND_LEN;
	const uint8_t *mac = echo + MT6D_HS_RAND_LEN;
	uint8_t want[MT6D_HMAC_LEN];
	bool fresh;

	if (len != MT6D_HS_LEN)
		return HANDSHAKE_BAD;
	/* The sender's identity is in the MAC: our own message reflected does not verify. */
	if (hs_mac(h, h->peer_id, p, want) < 0 || mt6d_memcmp_ct(want, mac, sizeof(want)))
		return HANDSHAKE_BAD;
	fresh = !h->have_peer || memcmp(h->peer_pub, pub, MT6D_DH_LEN) ||
		memcmp(h->peer_rand, rnd, MT6D_HS_RAND_LEN);
	/* Once keys are confirmed, an older message of the peer must not replace them. */
	if (fresh && h->authenticated)
		return HANDSHAKE_BAD;
	if (fresh) {
		memcpy(h->peer_pub, pub, MT6D_DH_LEN);
		memcpy(h->peer_rand, rnd, MT6D_HS_RAND_LEN);
		h->have_peer = true;
		h->echoed = false;
	}
	if (!mt6d_memcmp_ct(echo, h->rand, MT6D_HS_RAND_LEN))
		h->authenticated = true;
	if (fresh)
		return HANDSHAKE_NEW_PEER;
	return h->echoed ? HANDSHAKE_OK : HANDSHAKE_REPLY;
}

int handshake_secrets(const struct handshake *h, uint8_t tx[MT6D_SESSION_SECRET_LEN],
		      uint8_t rx[MT6D_SESSION_SECRET_LEN])
{
	/* Roles by identity, so both sides order the inputs and outputs alike. */
	bool lo = memcmp(h->local_id, h->peer_id, sizeof(h->local_id)) < 0;
	uint8_t salt[2 * (MT6D_HS_RAND_LEN + MT6D_DH_LEN)], ikm[MT6D_DH_LEN + sizeof(h->psk)];
	uint8_t out[2 * MT6D_SESSION_SECRET_LEN];
	const uint8_t *r_lo = lo ? h->rand : h->peer_rand, *r_hi = lo ? h->peer_rand : h->rand;
	const uint8_t *p_lo = lo ? h->dh.pub : h->peer_pub, *p_hi = lo ? h->peer_pub : h->dh.pub;
	int ret;

	if (!h->have_peer)
		return -EAGAIN;
	memcpy(salt, r_lo, MT6D_HS_RAND_LEN);
	memcpy(salt + MT6D_HS_RAND_LEN, r_hi, MT6D_HS_RAND_LEN);
	memcpy(salt + 2 * MT6D_HS_RAND_LEN, p_lo, MT6D_DH_LEN);
	memcpy(salt + 2 * MT6D_HS_RAND_LEN + MT6D_DH_LEN, p_hi, MT6D_DH_LEN);
	ret = mt6d_dh_shared(&h->dh, h->peer_pub, ikm);
	if (!ret) {
		memcpy(ikm + MT6D_DH_LEN, h->psk, h->psk_len);
		ret = mt6d_hkdf(salt, sizeof(salt), ikm, MT6D_DH_LEN + h->psk_len, session_info,
				out, sizeof(out));
	}
	if (!ret) {
		memcpy(lo ? tx : rx, out, MT6D_SESSION_SECRET_LEN);
		memcpy(lo ? rx : tx, out + MT6D_SESSION_SECRET_LEN, MT6D_SESSION_SECRET_LEN);
	}
	mt6d_wipe(ikm, sizeof(ikm));
	mt6d_wipe(out, sizeof(out));
	return ret;
}

// SPDX-License-Identifier: MIT
#include "hello.h"

#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

static const char hello_label[] = "mt6d-hello-v1";

static void put_id(uint8_t id[16], const struct in6_addr *prefix, const struct in6_addr *iid)
{
	memcpy(id, prefix->s6_addr, 8);
	memcpy(id + 8, iid->s6_addr + 8, 8);
}

int hello_init(struct hello *h, const uint8_t *psk, size_t psk_len,
	       const struct in6_addr *local_prefix, const struct in6_addr *local_iid,
	       const struct in6_addr *peer_prefix, const struct in6_addr *peer_iid)
{
	memset(h, 0, sizeof(*h));
	put_id(h->local_id, local_prefix, local_iid);
	put_id(h->peer_id, peer_prefix, peer_iid);
	return mt6d_kdf(psk, psk_len, MT6D_KDF_HELLO, h->key, sizeof(h->key));
}

void hello_clear(struct hello *h)
{
	mt6d_wipe(h, sizeof(*h));
}

int hello_reset(struct hello *h)
{
	h->have_peer_nonce = false;
	h->echoed = false;
	h->authenticated = false;
	memset(h->peer_nonce, 0, sizeof(h->peer_nonce));
	return RAND_bytes(h->nonce, sizeof(h->nonce)) == 1 ? 0 : -EIO;
}

static int hello_mac(const struct hello *h, const uint8_t id[16], const uint8_t *nonce,
		     const uint8_t *echo, uint8_t mac[MT6D_HMAC_LEN])
{
	const struct mt6d_iov parts[] = {
		{ hello_label, sizeof(hello_label) - 1 },
		{ id, 16 },
		{ nonce, MT6D_NONCE_LEN },
		{ echo, MT6D_NONCE_LEN },
	};

	return mt6d_hmac(h->key, sizeof(h->key), parts, sizeof(parts) / sizeof(parts[0]), mac);
}

int hello_build(struct hello *h, uint8_t out[MT6D_HELLO_LEN])
{
	uint8_t *nonce = out, *echo = out + MT6D_NONCE_LEN, *mac = out + 2 * MT6D_NONCE_LEN;

	memcpy(nonce, h->nonce, MT6D_NONCE_LEN);
	if (h->have_peer_nonce) {
		memcpy(echo, h->peer_nonce, MT6D_NONCE_LEN);
		h->echoed = true;
	} else {
		memset(echo, 0, MT6D_NONCE_LEN);
	}
	return hello_mac(h, h->local_id, nonce, echo, mac);
}

enum hello_result hello_receive(struct hello *h, const uint8_t *p, size_t len)
{
	const uint8_t *nonce = p, *echo = p + MT6D_NONCE_LEN, *mac = p + 2 * MT6D_NONCE_LEN;
	uint8_t want[MT6D_HMAC_LEN];

	if (len != MT6D_HELLO_LEN)
		return HELLO_BAD;
	/* The sender's identity is in the MAC: our own HELLO reflected back does not verify. */
	if (hello_mac(h, h->peer_id, nonce, echo, want) < 0 ||
	    mt6d_memcmp_ct(want, mac, sizeof(want)))
		return HELLO_BAD;
	if (!h->have_peer_nonce || memcmp(h->peer_nonce, nonce, MT6D_NONCE_LEN)) {
		memcpy(h->peer_nonce, nonce, MT6D_NONCE_LEN);
		h->have_peer_nonce = true;
		h->echoed = false;
	}
	if (!mt6d_memcmp_ct(echo, h->nonce, MT6D_NONCE_LEN))
		h->authenticated = true;
	return h->echoed ? HELLO_OK : HELLO_REPLY;
}

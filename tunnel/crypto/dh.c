// SPDX-License-Identifier: MIT
#include "dh.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* Makes @pkey (owned from now on) the key pair of @dh. */
static int dh_take(struct mt6d_dh *dh, EVP_PKEY *pkey)
{
	size_t len = sizeof(dh->pub);

	if (!pkey)
		return -EIO;
	if (EVP_PKEY_get_raw_public_key(pkey, dh->pub, &len) != 1 || len != sizeof(dh->pub)) {
		EVP_PKEY_free(pkey);
		return -EIO;
	}
	EVP_PKEY_free(dh->pkey);
	dh->pkey = pkey;
	return 0;
}

int mt6d_dh_generate(struct mt6d_dh *dh)
{
	return dh_take(dh, EVP_PKEY_Q_keygen(NULL, NULL, "X25519"));
}

int mt6d_dh_set_private(struct mt6d_dh *dh, const uint8_t priv[MT6D_DH_LEN])
{
	return dh_take(dh, EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, MT6D_DH_LEN));
}

int mt6d_dh_shared(const struct mt6d_dh *dh, const uint8_t peer_pub[MT6D_DH_LEN],
		   uint8_t out[MT6D_DH_LEN])
{
	static const uint8_t zero[MT6D_DH_LEN];
	EVP_PKEY *peer;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = MT6D_DH_LEN;
	int ret = -EINVAL;

	if (!dh->pkey)
		return -EINVAL;
	peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer_pub, MT6D_DH_LEN);
	if (!peer)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new(dh->pkey, NULL);
	/* libcrypto refuses an all-zero result itself; the check below makes it explicit. */
	if (ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
	    EVP_PKEY_derive(ctx, out, &len) == 1 && len == MT6D_DH_LEN &&
	    CRYPTO_memcmp(out, zero, MT6D_DH_LEN))
		ret = 0;
	else
		OPENSSL_cleanse(out, MT6D_DH_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return ret;
}

void mt6d_dh_clear(struct mt6d_dh *dh)
{
	EVP_PKEY_free(dh->pkey);
	OPENSSL_cleanse(dh, sizeof(*dh));
}

// SPDX-License-Identifier: MIT
/*
 * Noise_NNpsk0_25519_{AESGCM,ChaChaPoly}_SHA256 over libcrypto. The AEAD calls EVP
 * directly rather than aead.c: mt6d_aead's nonce is its IV xor a big-endian counter,
 * which cannot express ChaChaPoly's little-endian n.
 */
#include "noise.h"

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keys.h"

#define NONCE_LEN 12

/* Where the handshake stands; a zeroed (cleared, failed, split) state is STEP_NONE. */
enum { STEP_NONE, STEP_MSG1, STEP_MSG2, STEP_DONE };

static const char *const protocol_names[] = {
	[NOISE_AESGCM] = "Noise_NNpsk0_25519_AESGCM_SHA256",
	[NOISE_CHACHAPOLY] = "Noise_NNpsk0_25519_ChaChaPoly_SHA256",
};

const char *noise_protocol_name(enum noise_cipher c)
{
	if ((size_t)c >= sizeof(protocol_names) / sizeof(protocol_names[0]))
		return NULL;
	return protocol_names[c];
}

/* Section 12.3/12.4: 32 zero bits, then n big-endian (AESGCM) or little-endian. */
static void make_nonce(enum noise_cipher c, uint64_t n, uint8_t nonce[NONCE_LEN])
{
	uint64_t v = c == NOISE_AESGCM ? htobe64(n) : htole64(n);

	memset(nonce, 0, 4);
	memcpy(nonce + 4, &v, sizeof(v));
}

/* ENCRYPT() or DECRYPT() of @len bytes; the tag is written to or checked at @tag. */
static int aead(enum noise_cipher c, int enc, const uint8_t *k, uint64_t n, const uint8_t *ad,
		size_t ad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	const EVP_CIPHER *cipher = c == NOISE_AESGCM ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
	uint8_t nonce[NONCE_LEN], fin[NOISE_TAG_LEN];
	EVP_CIPHER_CTX *ctx;
	int outl, ret = -EIO;

	if (len > INT_MAX || ad_len > INT_MAX)
		return -EMSGSIZE;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	make_nonce(c, n, nonce);
	if (EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, k, nonce, enc) != 1 ||
	    (ad_len && EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)ad_len) != 1) ||
	    (len && EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1) ||
	    (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, NOISE_TAG_LEN, tag) != 1))
		goto out;
	/* Both AEADs are stream modes: Final() only computes or checks the tag. */
	if (EVP_CipherFinal_ex(ctx, fin, &outl) != 1) {
		if (!enc)
			ret = -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, NOISE_TAG_LEN, tag) != 1)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

void noise_cs_init(struct noise_cs *cs, enum noise_cipher c, const uint8_t key[NOISE_KEY_LEN])
{
	memcpy(cs->k, key, NOISE_KEY_LEN);
	cs->n = 0;
	cs->cipher = c;
	cs->has_key = true;
}

/*
 * The spec passes data through while k is empty. In NNpsk0 the psk token sets k before
 * anything is encrypted, so an empty k only means a cleared state: refuse, never send
 * in clear.
 */
int noise_cs_encrypt(struct noise_cs *cs, const uint8_t *ad, size_t ad_len, const uint8_t *in,
		     size_t len, uint8_t *out)
{
	int ret;

	if (!cs->has_key)
		return -ENOKEY;
	if (cs->n == UINT64_MAX)
		return -EOVERFLOW;
	ret = aead(cs->cipher, 1, cs->k, cs->n, ad, ad_len, in, len, out, out + len);
	if (!ret)
		cs->n++;
	return ret;
}

int noise_cs_decrypt(struct noise_cs *cs, const uint8_t *ad, size_t ad_len, const uint8_t *in,
		     size_t len, uint8_t *out)
{
	uint8_t tag[NOISE_TAG_LEN];
	int ret;

	if (!cs->has_key)
		return -ENOKEY;
	if (cs->n == UINT64_MAX)
		return -EOVERFLOW;
	if (len < NOISE_TAG_LEN)
		return -EBADMSG;
	len -= NOISE_TAG_LEN;
	/* Decrypting in place may overwrite the tag when @out is ahead of @in. */
	memcpy(tag, in + len, NOISE_TAG_LEN);
	ret = aead(cs->cipher, 0, cs->k, cs->n, ad, ad_len, in, len, out, tag);
	if (!ret)
		cs->n++;
	else if (len)
		OPENSSL_cleanse(out, len);
	return ret;
}

void noise_cs_clear(struct noise_cs *cs)
{
	OPENSSL_cleanse(cs, sizeof(*cs));
}

/* HASH(a || b) into @out, which may be @a. */
static int hash2(uint8_t out[NOISE_HASH_LEN], const uint8_t *a, size_t alen, const uint8_t *b,
		 size_t blen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int outl = 0;
	int ret = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, alen) == 1 && EVP_DigestUpdate(ctx, b, blen) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, &outl) == 1 && outl == NOISE_HASH_LEN)
		ret = 0;
	EVP_MD_CTX_free(ctx);
	return ret;
}

/*
 * Section 4.3's HKDF: temp_key = HMAC(ck, ikm), output1 = HMAC(temp_key, 0x01),
 * output2 = HMAC(temp_key, output1 || 0x02), output3 = HMAC(temp_key, output2 || 0x03).
 * @out1 may be @ck (ck is read only for temp_key).
 */
static int hkdf(const uint8_t *ck, const uint8_t *ikm, size_t ikm_len, uint8_t *out1, uint8_t *out2,
		uint8_t *out3)
{
	static const uint8_t one = 1, two = 2, three = 3;
	uint8_t temp[NOISE_HASH_LEN];
	struct mt6d_iov p[2] = { { ikm, ikm_len } };
	int ret;

	ret = mt6d_hmac(ck, NOISE_HASH_LEN, p, ikm_len ? 1 : 0, temp);
	if (ret)
		goto out;
	p[0] = (struct mt6d_iov){ &one, 1 };
	ret = mt6d_hmac(temp, sizeof(temp), p, 1, out1);
	if (ret)
		goto out;
	p[0] = (struct mt6d_iov){ out1, NOISE_HASH_LEN };
	p[1] = (struct mt6d_iov){ &two, 1 };
	ret = mt6d_hmac(temp, sizeof(temp), p, 2, out2);
	if (ret || !out3)
		goto out;
	p[0] = (struct mt6d_iov){ out2, NOISE_HASH_LEN };
	p[1] = (struct mt6d_iov){ &three, 1 };
	ret = mt6d_hmac(temp, sizeof(temp), p, 2, out3);
out:
	mt6d_wipe(temp, sizeof(temp));
	return ret;
}

static int mix_hash(struct noise_hs *hs, const uint8_t *data, size_t len)
{
	return hash2(hs->h, hs->h, sizeof(hs->h), data, len);
}

static int mix_key(struct noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t k[NOISE_HASH_LEN];
	int ret = hkdf(hs->ck, ikm, len, hs->ck, k, NULL);

	if (!ret)
		noise_cs_init(&hs->cs, hs->cs.cipher, k);
	mt6d_wipe(k, sizeof(k));
	return ret;
}

static int mix_key_and_hash(struct noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t h[NOISE_HASH_LEN], k[NOISE_HASH_LEN];
	int ret = hkdf(hs->ck, ikm, len, hs->ck, h, k);

	if (!ret)
		ret = mix_hash(hs, h, sizeof(h));
	if (!ret)
		noise_cs_init(&hs->cs, hs->cs.cipher, k);
	mt6d_wipe(h, sizeof(h));
	mt6d_wipe(k, sizeof(k));
	return ret;
}

static int encrypt_and_hash(struct noise_hs *hs, const uint8_t *in, size_t len, uint8_t *out)
{
	int ret = noise_cs_encrypt(&hs->cs, hs->h, sizeof(hs->h), in, len, out);

	return ret ? ret : mix_hash(hs, out, len + NOISE_TAG_LEN);
}

/* h is computed over the ciphertext first so that @out may overlap @in. */
static int decrypt_and_hash(struct noise_hs *hs, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t h[NOISE_HASH_LEN];
	int ret = hash2(h, hs->h, sizeof(hs->h), in, len);

	if (!ret)
		ret = noise_cs_decrypt(&hs->cs, hs->h, sizeof(hs->h), in, len, out);
	if (!ret)
		memcpy(hs->h, h, sizeof(h));
	return ret;
}

/* "psk": MixKeyAndHash(psk), which is then no longer needed. */
static int token_psk(struct noise_hs *hs)
{
	int ret = mix_key_and_hash(hs, hs->psk, sizeof(hs->psk));

	mt6d_wipe(hs->psk, sizeof(hs->psk));
	return ret;
}

/* "e" (section 9.2: with a PSK, MixHash(e.pub) is followed by MixKey(e.pub)). */
static int token_e_write(struct noise_hs *hs, uint8_t *out)
{
	int ret = hs->e_fixed ? 0 : mt6d_dh_generate(&hs->e);

	if (ret)
		return ret;
	memcpy(out, hs->e.pub, NOISE_DH_LEN);
	ret = mix_hash(hs, hs->e.pub, NOISE_DH_LEN);
	return ret ? ret : mix_key(hs, hs->e.pub, NOISE_DH_LEN);
}

static int token_e_read(struct noise_hs *hs, const uint8_t *msg)
{
	int ret;

	memcpy(hs->re, msg, NOISE_DH_LEN);
	ret = mix_hash(hs, hs->re, NOISE_DH_LEN);
	return ret ? ret : mix_key(hs, hs->re, NOISE_DH_LEN);
}

/* "ee": MixKey(DH(e, re)); our ephemeral private key is done with. */
static int token_ee(struct noise_hs *hs)
{
	uint8_t dh[NOISE_DH_LEN];
	int ret = mt6d_dh_shared(&hs->e, hs->re, dh);

	/* A low-order re (all-zero result) is a DH() error: the handshake has failed. */
	if (ret == -EINVAL)
		ret = -EBADMSG;
	if (!ret)
		ret = mix_key(hs, dh, sizeof(dh));
	mt6d_wipe(dh, sizeof(dh));
	mt6d_dh_clear(&hs->e);
	return ret;
}

/* After the last message: Split() at once, so ck and k go before noise_hs_split(). */
static int advance(struct noise_hs *hs)
{
	int ret;

	if (++hs->step != STEP_DONE)
		return 0;
	ret = hkdf(hs->ck, NULL, 0, hs->k1, hs->k2, NULL);
	mt6d_wipe(hs->ck, sizeof(hs->ck));
	noise_cs_clear(&hs->cs);
	return ret;
}

static bool our_turn(const struct noise_hs *hs, bool write)
{
	if (hs->step == STEP_MSG1)
		return hs->initiator == write;
	if (hs->step == STEP_MSG2)
		return hs->initiator != write;
	return false;
}

int noise_hs_init(struct noise_hs *hs, bool initiator, enum noise_cipher c, const uint8_t *prologue,
		  size_t prologue_len, const uint8_t psk[NOISE_KEY_LEN])
{
	const char *name = noise_protocol_name(c);
	size_t name_len;
	int ret;

	if (!name || !psk || (prologue_len && !prologue))
		return -EINVAL;
	memset(hs, 0, sizeof(*hs));
	hs->initiator = initiator;
	hs->cs.cipher = c;
	memcpy(hs->psk, psk, NOISE_KEY_LEN);
	/* InitializeSymmetric(): a name of HASHLEN bytes or less is h, zero-padded. */
	name_len = strlen(name);
	ret = 0;
	if (name_len <= NOISE_HASH_LEN)
		memcpy(hs->h, name, name_len);
	else
		ret = hash2(hs->h, (const uint8_t *)name, name_len, NULL, 0);
	if (ret)
		goto fail;
	memcpy(hs->ck, hs->h, sizeof(hs->ck));
	ret = mix_hash(hs, prologue, prologue_len);
	if (ret)
		goto fail;
	hs->step = STEP_MSG1;
	return 0;
fail:
	noise_hs_clear(hs);
	return ret;
}

int noise_hs_fix_ephemeral(struct noise_hs *hs, const uint8_t priv[NOISE_DH_LEN])
{
	EVP_PKEY *pkey;
	uint8_t pub[NOISE_DH_LEN];
	size_t len = sizeof(pub);

	if (hs->step == STEP_NONE || hs->step == STEP_DONE ||
	    (hs->initiator && hs->step != STEP_MSG1))
		return -EPROTO;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, NOISE_DH_LEN);
	if (!pkey)
		return -EINVAL;
	if (EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 || len != sizeof(pub)) {
		EVP_PKEY_free(pkey);
		return -EIO;
	}
	mt6d_dh_clear(&hs->e);
	hs->e.pkey = pkey;
	memcpy(hs->e.pub, pub, sizeof(pub));
	hs->e_fixed = true;
	return 0;
}

int noise_hs_write(struct noise_hs *hs, const uint8_t *payload, size_t plen, uint8_t *out,
		   size_t cap, size_t *out_len)
{
	bool first = hs->step == STEP_MSG1;
	int ret;

	if (!our_turn(hs, true))
		return -EPROTO;
	if (plen > NOISE_MAX_PAYLOAD || cap < plen + NOISE_HS_OVERHEAD)
		return -EMSGSIZE;
	if (!out || !out_len || (plen && !payload))
		return -EINVAL;
	ret = first ? token_psk(hs) : 0;
	if (!ret)
		ret = token_e_write(hs, out);
	if (!ret && !first)
		ret = token_ee(hs);
	if (!ret)
		ret = encrypt_and_hash(hs, payload, plen, out + NOISE_DH_LEN);
	if (!ret)
		ret = advance(hs);
	if (ret) {
		noise_hs_clear(hs);
		return ret;
	}
	*out_len = plen + NOISE_HS_OVERHEAD;
	return 0;
}

int noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *payload, size_t cap,
		  size_t *plen)
{
	bool first = hs->step == STEP_MSG1;
	int ret = -EBADMSG;

	if (!our_turn(hs, false))
		return -EPROTO;
	if (!msg || !plen || (cap && !payload))
		return -EINVAL;
	if (len < NOISE_HS_OVERHEAD || len > NOISE_MAX_MSG_LEN)
		goto fail;
	if (cap < len - NOISE_HS_OVERHEAD)
		return -EMSGSIZE;
	ret = first ? token_psk(hs) : 0;
	if (!ret)
		ret = token_e_read(hs, msg);
	if (!ret && !first)
		ret = token_ee(hs);
	if (!ret)
		ret = decrypt_and_hash(hs, msg + NOISE_DH_LEN, len - NOISE_DH_LEN, payload);
	if (!ret)
		ret = advance(hs);
	if (ret)
		goto fail;
	*plen = len - NOISE_HS_OVERHEAD;
	return 0;
fail:
	noise_hs_clear(hs);
	return ret;
}

bool noise_hs_done(const struct noise_hs *hs)
{
	return hs->step == STEP_DONE;
}

int noise_hs_split(struct noise_hs *hs, uint8_t send_key[NOISE_KEY_LEN],
		   uint8_t recv_key[NOISE_KEY_LEN], uint8_t hash[NOISE_HASH_LEN])
{
	if (hs->step != STEP_DONE)
		return -EPROTO;
	memcpy(send_key, hs->initiator ? hs->k1 : hs->k2, NOISE_KEY_LEN);
	memcpy(recv_key, hs->initiator ? hs->k2 : hs->k1, NOISE_KEY_LEN);
	memcpy(hash, hs->h, NOISE_HASH_LEN);
	noise_hs_clear(hs);
	return 0;
}

void noise_hs_clear(struct noise_hs *hs)
{
	mt6d_dh_clear(&hs->e);
	OPENSSL_cleanse(hs, sizeof(*hs));
}

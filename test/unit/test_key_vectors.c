// SPDX-License-Identifier: MIT
/*
 * Every key mt6d derives outside the handshake, against vectors from an independent
 * implementation (tools/gen-key-vectors): the PSK-derived keys, the traffic-key chain,
 * the per-frame nonce and whole sealed frames. A round trip cannot tell a wrong but
 * symmetric schedule from the right one; these vectors can.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aead.h"
#include "check.h"
#include "frame.h"
#include "hex.h"
#include "keyring.h"
#include "keys.h"

#define HEX_MAX 1024

static const struct {
	const char *name, *info;
} kdf_labels[] = {
	{ "addr", MT6D_KDF_ADDR },
	{ "sctp-auth", MT6D_KDF_SCTP_AUTH },
};

/* kdf <label> <psk> <key> */
static void check_kdf(const char *line)
{
	char label[32], psk_hex[HEX_MAX + 1], key_hex[65];
	uint8_t psk[HEX_MAX / 2], want[32], out[32];
	const char *info = NULL;
	long psk_len;

	if (sscanf(line, "kdf %31s %1024s %64s", label, psk_hex, key_hex) != 3 ||
	    (psk_len = unhex(psk_hex, psk, sizeof(psk))) <= 0 ||
	    unhex(key_hex, want, sizeof(want)) != 32) {
		CHECK(0, "unparsable: %s", line);
		return;
	}
	for (size_t i = 0; i < sizeof(kdf_labels) / sizeof(kdf_labels[0]); i++)
		if (!strcmp(label, kdf_labels[i].name))
			info = kdf_labels[i].info;
	CHECK(info, "unknown label %s", label);
	if (!info)
		return;
	CHECK(!mt6d_kdf(psk, (size_t)psk_len, info, out, sizeof(out)) &&
		      !memcmp(out, want, sizeof(want)),
	      "kdf %s, psk %.16s...", label, psk_hex);
}

/* chain <secret of epoch 0> <epoch> <key> <iv> <secret of epoch + 1> */
static void check_chain(const char *line)
{
	char s_hex[65], key_hex[65], iv_hex[25], next_hex[65];
	uint8_t s[32], key[32], iv[12], next[32], k[32], v[12];
	unsigned int epoch;
	int ret = 0;

	if (sscanf(line, "chain %64s %u %64s %24s %64s", s_hex, &epoch, key_hex, iv_hex,
		   next_hex) != 5 ||
	    unhex(s_hex, s, 32) != 32 || unhex(key_hex, key, 32) != 32 ||
	    unhex(iv_hex, iv, 12) != 12 || unhex(next_hex, next, 32) != 32) {
		CHECK(0, "unparsable: %s", line);
		return;
	}
	for (unsigned int e = 0; e <= epoch && !ret; e++)
		ret = keyring_derive(s, k, v, s);
	CHECK(!ret, "chain: derive");
	CHECK(!memcmp(k, key, 32), "chain %.8s... epoch %u: key", s_hex, epoch);
	CHECK(!memcmp(v, iv, 12), "chain %.8s... epoch %u: iv", s_hex, epoch);
	CHECK(!memcmp(s, next, 32), "chain %.8s... epoch %u: next secret", s_hex, epoch);
}

/*
 * nonce <iv> <counter> <nonce>: the computation, and what the AEAD does with it: sealing
 * under the IV at the counter equals sealing under the nonce itself at counter 0.
 */
static void check_nonce(const char *line)
{
	static const uint8_t key[MT6D_AEAD_KEY_LEN] = { 0x6b };
	char iv_hex[25], nonce_hex[25];
	uint8_t iv[12], want[12], out[12], a_ct[32], b_ct[32];
	struct mt6d_aead *a = NULL, *b = NULL;
	uint64_t counter;

	if (sscanf(line, "nonce %24s %" SCNu64 " %24s", iv_hex, &counter, nonce_hex) != 3 ||
	    unhex(iv_hex, iv, 12) != 12 || unhex(nonce_hex, want, 12) != 12) {
		CHECK(0, "unparsable: %s", line);
		return;
	}
	mt6d_aead_nonce(iv, counter, out);
	CHECK(!memcmp(out, want, 12), "nonce of counter %" PRIu64, counter);
	for (int c = 0; c < MT6D_CIPHER_NONE; c++) {
		CHECK(!mt6d_aead_new(&a, (enum mt6d_cipher)c, key, iv) &&
			      !mt6d_aead_new(&b, (enum mt6d_cipher)c, key, want) &&
			      !mt6d_aead_seal(a, counter, NULL, 0, key, 16, a_ct) &&
			      !mt6d_aead_seal(b, 0, NULL, 0, key, 16, b_ct) &&
			      !memcmp(a_ct, b_ct, 32),
		      "%s seals counter %" PRIu64 " under that nonce",
		      mt6d_cipher_name((enum mt6d_cipher)c), counter);
		mt6d_aead_free(a);
		mt6d_aead_free(b);
		a = b = NULL;
	}
}

static int cipher_by_name(const char *name, enum mt6d_cipher *c)
{
	for (int i = 0; i <= MT6D_CIPHER_NONE; i++) {
		if (!strcmp(name, mt6d_cipher_name((enum mt6d_cipher)i))) {
			*c = (enum mt6d_cipher)i;
			return 0;
		}
	}
	return -1;
}

/*
 * frame <cipher> <secret> <rekey-msgs> <type> <epoch> <counter> <payload> <frame>: a sender
 * whose session secret is <secret> seals its way to <epoch>/<counter>, and the frame it
 * writes for <payload> must be <frame> byte for byte; a receiver at epoch 0 opens <frame>
 * (past epoch 1, by skipping the epochs between).
 */
static void check_frame(const char *line)
{
	static const uint8_t other[32] = { 0xee };
	char cipher_name[32], s_hex[65], p_hex[HEX_MAX + 1], f_hex[HEX_MAX + 1];
	uint8_t s[32], payload[HEX_MAX / 2], want[HEX_MAX / 2], buf[HEX_MAX / 2];
	unsigned int type, epoch;
	uint64_t rekey, counter, skip;
	struct keyring tx, rx;
	struct mt6d_frame f;
	enum mt6d_cipher c;
	long plen = 0, flen;
	size_t out_len = 0;
	int ret = 0;

	if (sscanf(line, "frame %31s %64s %" SCNu64 " %u %u %" SCNu64 " %1024s %1024s", cipher_name,
		   s_hex, &rekey, &type, &epoch, &counter, p_hex, f_hex) != 8 ||
	    cipher_by_name(cipher_name, &c) || unhex(s_hex, s, 32) != 32 ||
	    (strcmp(p_hex, "-") && (plen = unhex(p_hex, payload, sizeof(payload))) <= 0) ||
	    (flen = unhex(f_hex, want, sizeof(want))) <= 0 || (epoch && !rekey)) {
		CHECK(0, "unparsable: %s", line);
		return;
	}
	keyring_init(&tx, c, 0, rekey);
	keyring_init(&rx, c, 0, rekey);
	CHECK(!keyring_install(&tx, s, other, 0) && !keyring_install(&rx, other, s, 0),
	      "frame: install");
	/* Seal and drop frames until the next one is <epoch>/<counter>. */
	skip = epoch * rekey + counter;
	for (uint64_t i = 0; i < skip && !ret; i++)
		ret = keyring_seal(&tx, MT6D_FRAME_DATA, buf, 0, &out_len, 0);
	memcpy(buf + MT6D_FRAME_HDR_LEN, payload, (size_t)plen);
	ret = ret ? ret : keyring_seal(&tx, (uint8_t)type, buf, (size_t)plen, &out_len, 0);
	CHECK(!ret && out_len == (size_t)flen && !memcmp(buf, want, out_len),
	      "%s frame, epoch %u, counter %" PRIu64 ": bytes", cipher_name, epoch, counter);

	memcpy(buf, want, (size_t)flen);
	ret = mt6d_frame_parse(buf, (size_t)flen, &f);
	CHECK(!ret && f.epoch == epoch && f.counter == counter && f.type == type,
	      "frame header parses back");
	ret = ret ? ret : keyring_open(&rx, buf, (size_t)flen, &f, 0);
	CHECK(!ret && f.payload_len == (size_t)plen && !memcmp(f.payload, payload, (size_t)plen),
	      "%s frame, epoch %u, counter %" PRIu64 ": opens", cipher_name, epoch, counter);
	keyring_clear(&tx);
	keyring_clear(&rx);
}

static const struct {
	const char *kind;
	void (*check)(const char *line);
} kinds[] = {
	{ "kdf ", check_kdf },
	{ "chain ", check_chain },
	{ "nonce ", check_nonce },
	{ "frame ", check_frame },
};

int main(int argc, char **argv)
{
	int seen[sizeof(kinds) / sizeof(kinds[0])] = { 0 };
	char line[4096];
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s key-vectors.txt\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t i;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strncmp(line, kinds[i].kind, strlen(kinds[i].kind)))
				break;
		CHECK(i < sizeof(kinds) / sizeof(kinds[0]), "unknown vector: %s", line);
		if (i < sizeof(kinds) / sizeof(kinds[0])) {
			kinds[i].check(line);
			seen[i]++;
		}
	}
	fclose(f);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		CHECK(seen[i] >= 4, "only %d %svectors", seen[i], kinds[i].kind);
	return check_done();
}

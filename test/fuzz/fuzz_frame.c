// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for everything the tunnel applies to a received SCTP message: the frame
 * header parser, the handshake check, keyring_open() with its replay windows and key
 * epochs, and the inner packet check. The input is a sequence of messages, each a 16-bit
 * big-endian length and that many bytes (the last one may be short), delivered in order to
 * fresh receivers, as tunnel.c's on_message() would:
 *
 *  - a receiver with cipher "none", whose tags are empty, so arbitrary input opens and
 *    drives the replay window, the epoch overlap and mt6d_frame_check_inner(); it also
 *    owns a responder's handshake (Noise message 1 and the confirmation), which a
 *    HANDSHAKE frame reaches, and checks DATA_GSO frames' virtio-net headers (offload.h);
 *  - a receiver with aes-256-gcm, where tags must fail without side effects;
 *  - the same gcm receiver again with the message's bytes sealed as a DATA payload by the
 *    matching sender, so a real open reaches the inner packet check.
 *
 * The clock moves by one second per message, so old epochs retire within an input.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "frame.h"
#include "handshake.h"
#include "keyring.h"
#include "offload.h"

#define MSG_MAX 2048
#define STEP_MS 1000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t secret_a[32] = { 1 }, secret_b[32] = { 2 };

/*
 * The responder's handshake, set up once and copied for each input: it holds no ephemeral
 * key before it answers, so the copies share nothing that one of them could free.
 */
static struct handshake hs_pristine;

static void setup(void)
{
	static const uint8_t psk[32] = { 1, 2, 3 };
	struct in6_addr pa, ia, pb, ib;

	inet_pton(AF_INET6, "2001:db8:1:1::", &pa);
	inet_pton(AF_INET6, "::1", &ia);
	inet_pton(AF_INET6, "2001:db8:2:2::", &pb);
	inet_pton(AF_INET6, "::2", &ib);
	if (handshake_init(&hs_pristine, psk, sizeof(psk), MT6D_CIPHER_NONE, &pb, &ib, &pa, &ia) ||
	    handshake_reset(&hs_pristine) || hs_pristine.initiator)
		abort();
}

/* Parses and opens @buf as tunnel.c does; @buf is changed in place. @hs may be NULL. */
static void receive(struct keyring *k, struct handshake *hs, uint8_t *buf, size_t len, uint64_t now)
{
	uint8_t reply[HANDSHAKE_MSG_MAX];
	struct handshake_keys keys;
	struct mt6d_frame f;
	size_t reply_len;

	if (mt6d_frame_parse(buf, len, &f) < 0)
		return;
	if (f.payload != buf + MT6D_FRAME_HDR_LEN || f.payload_len != len - MT6D_FRAME_HDR_LEN ||
	    f.type >= MT6D_FRAME_TYPE_MAX)
		abort();
	if (f.type == MT6D_FRAME_HANDSHAKE) {
		if (hs &&
		    handshake_receive(hs, f.payload, f.payload_len, reply, &reply_len, &keys) ==
			    HANDSHAKE_KEYS &&
		    keyring_install(k, keys.tx, keys.rx, now) < 0)
			abort();
		return;
	}
	if (keyring_open(k, buf, len, &f, now) < 0)
		return;
	if (f.payload < buf || f.payload + f.payload_len > buf + len)
		abort();
	/* A super-packet: the virtio-net header first, as tunnel.c's on_data() reads it. */
	if (f.type == MT6D_FRAME_DATA_GSO) {
		if (f.payload_len < MT6D_VNET_HDR_LEN)
			return;
		if (mt6d_vnet_hdr_check(f.payload, f.payload_len - MT6D_VNET_HDR_LEN) < 0)
			return;
		f.payload += MT6D_VNET_HDR_LEN;
		f.payload_len -= MT6D_VNET_HDR_LEN;
	}
	(void)mt6d_frame_check_inner(f.payload, f.payload_len, NULL);
}

/* Seals @p as a DATA frame from @tx and hands it to @rx, which must open it. */
static void round_trip(struct keyring *tx, struct keyring *rx, const uint8_t *p, size_t len,
		       uint64_t now)
{
	uint8_t buf[MT6D_FRAME_HDR_LEN + MSG_MAX + MT6D_AEAD_TAG_MAX];
	struct mt6d_frame f;
	size_t out;

	memcpy(buf + MT6D_FRAME_HDR_LEN, p, len);
	if (keyring_seal(tx, MT6D_FRAME_DATA, buf, len, &out, now) < 0)
		abort();
	if (mt6d_frame_parse(buf, out, &f) < 0 || keyring_open(rx, buf, out, &f, now) < 0 ||
	    f.payload_len != len || memcmp(f.payload, p, len))
		abort();
	(void)mt6d_frame_check_inner(f.payload, f.payload_len, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct keyring none, gcm, gcm_tx;
	struct handshake hs;
	uint64_t now = 0;
	uint8_t *msg;
	size_t len;

	if (!ready) {
		setup();
		ready = 1;
	}
	hs = hs_pristine;
	keyring_init(&none, MT6D_CIPHER_NONE, 0, 0);
	keyring_init(&gcm, MT6D_CIPHER_AES_256_GCM, 0, 0);
	keyring_init(&gcm_tx, MT6D_CIPHER_AES_256_GCM, 0, 4);
	if (keyring_install(&none, secret_a, secret_b, now) ||
	    keyring_install(&gcm, secret_a, secret_b, now) ||
	    keyring_install(&gcm_tx, secret_b, secret_a, now))
		abort();

	while (size >= 2) {
		len = (size_t)data[0] << 8 | data[1];
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		if (len > MSG_MAX)
			len = MSG_MAX;
		/* A copy of exactly @len bytes, so ASan sees any read past the message. */
		msg = malloc(len ? len : 1);

		if (!msg)
			abort();
		memcpy(msg, data, len);
		receive(&none, &hs, msg, len, now);
		memcpy(msg, data, len);
		receive(&gcm, NULL, msg, len, now);
		free(msg);
		round_trip(&gcm_tx, &gcm, data, len, now);
		data += len;
		size -= len;
		now += STEP_MS;
	}
	keyring_clear(&none);
	keyring_clear(&gcm);
	keyring_clear(&gcm_tx);
	handshake_clear(&hs);
	return 0;
}

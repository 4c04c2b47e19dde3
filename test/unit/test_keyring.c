// SPDX-License-Identifier: MIT
/* Sealing and opening between two keyrings: counters, rekeys and their overlap. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "keyring.h"

#define PLEN 60

struct frame_buf {
	uint8_t b[MT6D_FRAME_HDR_LEN + PLEN + 16];
	size_t len;
};

static int seal(struct keyring *k, struct frame_buf *f, uint8_t tag, uint64_t now)
{
	memset(f->b + MT6D_FRAME_HDR_LEN, tag, PLEN);
	return keyring_seal(k, MT6D_FRAME_DATA, f->b, PLEN, &f->len, now);
}

/* Opens a copy of @in (opening works in place); the tag byte must come back. */
static int open_copy(struct keyring *k, const struct frame_buf *in, uint64_t now)
{
	struct frame_buf c = *in;
	struct mt6d_frame f;
	int ret = mt6d_frame_parse(c.b, c.len, &f);

	if (ret)
		return ret;
	ret = keyring_open(k, c.b, c.len, &f, now);
	if (!ret && f.payload_len != PLEN)
		return -EMSGSIZE;
	return ret;
}

int main(void)
{
	uint8_t s1[32] = { 1 }, s2[32] = { 2 };
	struct keyring a, b;
	struct frame_buf f[8], late;
	struct mt6d_frame hdr;

	keyring_init(&a, MT6D_CIPHER_AES_256_GCM, 1000, 4);
	keyring_init(&b, MT6D_CIPHER_AES_256_GCM, 1000, 4);
	CHECK(seal(&a, &f[0], 1, 0) == -ENOKEY, "no sealing before keys");
	CHECK(!keyring_install(&a, s1, s2, 0) && !keyring_install(&b, s2, s1, 0), "install");
	CHECK(keyring_overhead(&a) == 32, "16-byte header and 16-byte tag");

	for (int i = 0; i < 4; i++)
		CHECK(!seal(&a, &f[i], (uint8_t)i, 10), "seal %d", i);
	CHECK(!mt6d_frame_parse(f[3].b, f[3].len, &hdr) && hdr.epoch == 0 && hdr.counter == 3,
	      "counters 0..3 in epoch 0");
	CHECK(!open_copy(&b, &f[1], 10) && !open_copy(&b, &f[0], 10), "out of order opens");
	CHECK(open_copy(&b, &f[1], 10) == -EALREADY, "replay refused");
	late = f[2];

	/* The fifth message rekeys by count: epoch 1, counter 0. */
	CHECK(!seal(&a, &f[4], 4, 20), "seal past the count limit");
	CHECK(!mt6d_frame_parse(f[4].b, f[4].len, &hdr) && hdr.epoch == 1 && hdr.counter == 0,
	      "rekey by count: epoch 1, counter 0");
	CHECK(a.rekeys_tx == 1, "one rekey");
	CHECK(!open_copy(&b, &f[4], 20) && b.rekeys_rx == 1, "receiver follows to epoch 1");
	/* Overlap: a message of epoch 0 that arrives late still opens, once. */
	CHECK(!open_copy(&b, &late, 25), "late message of the old epoch opens");
	CHECK(open_copy(&b, &late, 26) == -EALREADY, "and only once");
	CHECK(open_copy(&b, &f[3], 20 + KEYRING_OVERLAP_MS) == -ENOKEY,
	      "old epoch gone after the overlap");

	/* Rekey by time. */
	CHECK(!seal(&a, &f[5], 5, 20 + 1000), "seal after the time limit");
	CHECK(!mt6d_frame_parse(f[5].b, f[5].len, &hdr) && hdr.epoch == 2, "rekey by time");
	CHECK(!open_copy(&b, &f[5], 1100), "receiver follows to epoch 2");

	/* Tampering, and frames from two epochs ahead (never precomputed). */
	f[6] = f[5];
	f[6].b[MT6D_FRAME_HDR_LEN + 2] ^= 1;
	CHECK(open_copy(&b, &f[6], 1100) == -EALREADY, "replay checked before the tag");
	CHECK(!seal(&a, &f[6], 6, 1100), "seal 6");
	f[6].b[MT6D_FRAME_HDR_LEN + 2] ^= 1;
	CHECK(open_copy(&b, &f[6], 1100) == -EBADMSG, "flipped bit fails the tag");
	f[6].b[MT6D_FRAME_HDR_LEN + 2] ^= 1;
	CHECK(!open_copy(&b, &f[6], 1100), "the window did not move on the failure");
	f[7] = f[6];
	f[7].b[7] = 9; /* epoch 9 */
	CHECK(open_copy(&b, &f[7], 1100) == -ENOKEY, "unknown epoch");

	/* The other direction has its own keys: a's own frame does not open at a. */
	CHECK(open_copy(&a, &f[6], 1100) != 0, "own frame reflected does not open");

	/* Epochs never wrap. */
	a.tx_epoch = UINT32_MAX;
	a.tx_counter = 4;
	CHECK(seal(&a, &f[0], 0, 1100) == -EOVERFLOW, "no epoch after the last");

	/* A new session: other secrets, and the old receiver cannot open its frames. */
	CHECK(!keyring_install(&a, s2, s2, 2000), "reinstall");
	CHECK(!seal(&a, &f[0], 0, 2000), "seal in the new session");
	CHECK(open_copy(&b, &f[0], 2000) != 0, "old session keys do not open it");
	CHECK(!keyring_install(&b, s1, s1, 2000), "receiver in a session with other secrets");
	CHECK(open_copy(&b, &f[0], 2000) == -EBADMSG, "other session's keys fail the tag");

	keyring_init(&a, MT6D_CIPHER_NONE, 0, 0);
	keyring_init(&b, MT6D_CIPHER_NONE, 0, 0);
	CHECK(!keyring_install(&a, s1, s2, 0) && !keyring_install(&b, s2, s1, 0), "none: install");
	CHECK(keyring_overhead(&a) == 16, "none: header only");
	CHECK(!seal(&a, &f[0], 0x33, 0) && f[0].b[MT6D_FRAME_HDR_LEN] == 0x33, "none: clear");
	CHECK(!open_copy(&b, &f[0], 0) && open_copy(&b, &f[0], 0) == -EALREADY,
	      "none: replay window still applies");
	keyring_clear(&a);
	keyring_clear(&b);
	return check_done();
}

// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for mt6d-tunnel's reading of SCTP notifications (assoc.c), reached as the
 * daemon reaches it: datapath_receive() with a read the kernel flagged MSG_NOTIFICATION.
 * The kernel writes them, but the tunnel must still read each within the length it was
 * given (sn_length, and what was read), whatever the type says.
 *
 * The input is a sequence of reads, each a flags byte, a 16-bit big-endian length and that
 * many bytes (the last may be short), delivered in order to one tunnel (tunnel_fixture.h,
 * the initiating gateway, aes-256-gcm). Flags bits 0-1: how the peer's SCTP-AUTH check comes
 * out should the read bring an association up (3: no AUTH at all, 2: a chunk type missing,
 * else fine); bit 2: the read ended without MSG_EOR (a piece of a larger notification).
 *
 * Checks besides the sanitizers' (every byte past the read is poisoned): the tunnel's
 * sessions stay consistent, and a notification that claims more bytes than were read, or
 * fewer than its own header, changes nothing at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_endpoint.h"
#include "fuzz_input.h"
#include "tunnel_fixture.h"

#define STEP_MS 100

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a notification may change: the links, the attempt under way and the counters. */
struct seen {
	sctp_assoc_t cur, cand, connecting;
	bool cur_auth;
	struct tunnel_stats stats;
};

static void snapshot(const struct tunnel *t, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	s->cur = t->sess.cur.id;
	s->cand = t->sess.cand.id;
	s->connecting = t->sess.connecting;
	s->cur_auth = t->sess.cur.authenticated;
	s->stats = t->stats;
}

/* The length the notification gives itself (its header may be cut short). */
static bool length_fits(const uint8_t *p, size_t len)
{
	union sctp_notification n;

	if (len < sizeof(n.sn_header))
		return false;
	memcpy(&n.sn_header, p, sizeof(n.sn_header));
	return n.sn_header.sn_length >= sizeof(n.sn_header) && n.sn_header.sn_length <= len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fixture f;
	static const int verdicts[] = { 0, 0, -EPERM, -EACCES };
	struct fuzz_input in = { data, size };
	uint64_t now = 1000000;

	if (!f.t) {
		const struct fixture_params p = { .first = true,
						  .cipher = MT6D_CIPHER_AES_256_GCM };

		fixture_init(&f, &p);
	}
	fuzz_endpoint_reset();
	fixture_reset(&f, now);
	while (in.n) {
		uint8_t flags = fuzz_u8(&in);
		size_t want = fuzz_u16(&in), len;
		const uint8_t *msg = fuzz_bytes(&in, want, &len);
		bool eor = !(flags & 4), whole = eor && !f.t->rx_tail.discarding;
		struct seen before, after;
		sctp_assoc_t id;
		int fd;

		fuzz_endpoint_set_peer_auth(f.sk, verdicts[flags & 3]);
		snapshot(f.t, &before);
		fixture_receive(&f, 0, true, eor, msg, len, now);
		snapshot(f.t, &after);
		if (whole && !length_fits(msg, len) && memcmp(&before, &after, sizeof(before)))
			abort();
		fixture_check_session(&f);
		/* Aborts go to the peer, which is not part of this: forget them. */
		while (fuzz_endpoint_take_abort(&fd, &id))
			;
		now += STEP_MS;
	}
	return 0;
}

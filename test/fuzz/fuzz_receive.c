// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for mt6d-tunnel's receive dispatch, datapath_receive(): what the daemon
 * does with each read of its SCTP socket. Notifications (an association up, lost, restarted
 * or shut down, SCTP-AUTH events) go to assoc.c; handshake frames to assoc_keys.c, the first
 * handshake and the rekeys; data frames through the key ring (generation, epoch, tag,
 * replay window) and the inner packet check to the TUN device.
 *
 * Two tunnels run the daemon's code (tunnel_fixture.h): A, under test, and B, its peer.
 * Between them fuzz_endpoint.c holds what each sends, and the input decides what becomes of
 * it and what else A gets. The input: a scenario byte (bits 0-1 the cipher: none,
 * aes-256-gcm, chacha20-poly1305, aes-256-gcm; bit 2 offloads; bit 3 padding to 64 bytes;
 * bit 4 A initiates), then operations, an opcode byte (modulo OP_MAX) and its arguments:
 *
 *   OP_UP id verdict         association id (1..4) comes up on both sides; A's peer fails
 *                            its SCTP-AUTH check when verdict % 8 is 6 (none) or 7 (partial)
 *   OP_TO_A, OP_TO_B         the oldest message of the other side is delivered
 *   OP_LOSE_TO_A, _TO_B      ... is lost
 *   OP_TWICE_TO_A            ... is delivered to A and kept, to be delivered again
 *   OP_FLIP_TO_A off:16 x    ... reaches A with the byte at off (modulo its length) xor x
 *   OP_CUT_TO_A n:16         ... reaches A cut to n bytes (modulo its length)
 *   OP_PACKET kind len:16 .. B reads a packet from its TUN device: IPv6 (kind bit 0 clear)
 *                            or IPv4 whose length fields the harness sets, after a zero
 *                            virtio-net header or (kind bit 1) the first 10 bytes given;
 *                            with kind bit 2 it stays queued there (up to QUEUE_MAX), and
 *                            the next packet without it is read in the same wakeup, so
 *                            small ones leave bundled ([tunnel] coalesce is on)
 *   OP_FRAME id flags len:16 ..  A reads these bytes: on association id % 8, a notification
 *                            when flags bit 0, a piece without MSG_EOR when flags bit 1
 *   OP_EVENT id kind sides   a notification the kernel would send (kind % 8: association
 *                            lost, aborted, shut down, restarted, or could not start; shutdown
 *                            event; peer without SCTP-AUTH; peer address change), to A
 *                            (sides bit 0) and B (bit 1)
 *   OP_TIME n                the clock moves (n + 1) * 250 ms
 *   OP_REKEY side            A's (side bit 0 clear) or B's rekey timer, as assoc_tick() runs it
 *
 * An association one side aborts is lost to both, as the kernel reports it. Checks besides
 * the sanitizers': every packet A writes to TUN is one inner packet of the length its own
 * header gives (after a virtio-net header with offloads); under a cipher with a tag, A
 * writes only packets B read from its TUN device, each no more often than B read it, and a
 * virtio-net header as B read it: nothing forged, changed or replayed gets through; both
 * tunnels' sessions stay consistent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "bundle.h"
#include "fuzz_endpoint.h"
#include "fuzz_input.h"
#include "tunnel_fixture.h"

enum {
	OP_UP,
	OP_TO_A,
	OP_TO_B,
	OP_LOSE_TO_A,
	OP_LOSE_TO_B,
	OP_TWICE_TO_A,
	OP_FLIP_TO_A,
	OP_CUT_TO_A,
	OP_PACKET,
	OP_FRAME,
	OP_EVENT,
	OP_TIME,
	OP_REKEY,
	OP_MAX,
};

#define ASSOCS 4
#define SENT_MAX 64
#define PKT_MAX 4096
#define QUEUE_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A packet B read from its TUN device while it could send, and how often A wrote it. */
struct sent {
	uint8_t vnet[MT6D_VNET_HDR_LEN];
	size_t len;
	uint8_t *pkt;
	unsigned int sent, written;
};

struct run {
	struct fixture *a, *b;
	bool tagged; /* the cipher has a tag: the checks on what A writes apply */
	uint64_t now;
	struct sent sent[SENT_MAX];
	size_t n_sent;
	/* Packets queued on B's TUN device, as B will send them (see expect()). */
	struct queued {
		uint8_t vnet[MT6D_VNET_HDR_LEN];
		size_t len;
		uint8_t pkt[PKT_MAX];
	} queued[QUEUE_MAX];
	size_t n_queued;
	uint8_t buf[TUNNEL_MAX_FRAME];
};

/* Both combinations of the scenario's settings, made once. */
static struct fixture fixtures[2][4][2][2];

static struct fixture *fixture_for(bool first, enum mt6d_cipher cipher, bool offload, bool padding)
{
	struct fixture *f = &fixtures[first][cipher][offload][padding];

	if (!f->t) {
		const struct fixture_params p = {
			.first = first,
			.cipher = cipher,
			.offload = offload,
			.padding = padding ? 64 : 0,
		};

		fixture_init(f, &p);
	}
	return f;
}

static struct fixture *other(const struct run *r, const struct fixture *f)
{
	return f == r->a ? r->b : r->a;
}

static void deliver(struct run *r, struct fixture *to, const struct fuzz_sent *m, size_t len)
{
	fixture_receive(to, m->assoc, false, true, m->data, len, r->now);
}

/* A notification as the kernel writes it: @len bytes of @n, its own length set. */
static void notify(struct run *r, struct fixture *to, union sctp_notification *n, size_t len)
{
	n->sn_header.sn_length = (uint32_t)len;
	fixture_receive(to, 0, true, true, n, len, r->now);
}

static void assoc_change(struct run *r, struct fixture *to, sctp_assoc_t id, uint16_t state,
			 bool abort_chunk)
{
	union sctp_notification n;
	struct sctp_assoc_change *sac = &n.sn_assoc_change;
	/* A received ABORT comes attached: its chunk header, here without error causes. */
	static const uint8_t abort_hdr[4] = { 6, 0, 0, 4 };

	memset(&n, 0, sizeof(n));
	sac->sac_type = SCTP_ASSOC_CHANGE;
	sac->sac_state = state;
	sac->sac_assoc_id = id;
	sac->sac_outbound_streams = sac->sac_inbound_streams = TUNNEL_STREAMS;
	if (abort_chunk)
		memcpy(sac->sac_info, abort_hdr, sizeof(abort_hdr));
	notify(r, to, &n, sizeof(*sac) + (abort_chunk ? sizeof(abort_hdr) : 0));
}

static void event(struct run *r, struct fixture *to, sctp_assoc_t id, uint8_t kind)
{
	union sctp_notification n;
	struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&n.sn_paddr_change.spc_aaddr;

	memset(&n, 0, sizeof(n));
	switch (kind % 8) {
	case 0:
		assoc_change(r, to, id, SCTP_COMM_LOST, false);
		break;
	case 1:
		assoc_change(r, to, id, SCTP_COMM_LOST, true);
		break;
	case 2:
		assoc_change(r, to, id, SCTP_SHUTDOWN_COMP, false);
		break;
	case 3:
		assoc_change(r, to, id, SCTP_RESTART, false);
		break;
	case 4:
		assoc_change(r, to, id, SCTP_CANT_STR_ASSOC, false);
		break;
	case 5:
		n.sn_shutdown_event.sse_type = SCTP_SHUTDOWN_EVENT;
		n.sn_shutdown_event.sse_assoc_id = id;
		notify(r, to, &n, sizeof(n.sn_shutdown_event));
		break;
	case 6:
		n.sn_authkey_event.auth_type = SCTP_AUTHENTICATION_EVENT;
		n.sn_authkey_event.auth_indication = SCTP_AUTH_NO_AUTH;
		n.sn_authkey_event.auth_assoc_id = id;
		notify(r, to, &n, sizeof(n.sn_authkey_event));
		break;
	default:
		n.sn_paddr_change.spc_type = SCTP_PEER_ADDR_CHANGE;
		n.sn_paddr_change.spc_state = SCTP_ADDR_UNREACHABLE;
		n.sn_paddr_change.spc_assoc_id = id;
		sa->sin6_family = AF_INET6;
		inet_pton(AF_INET6, "2001:db8:2:2::2", &sa->sin6_addr);
		notify(r, to, &n, sizeof(n.sn_paddr_change));
		break;
	}
}

/* What an abort does to both ends: the association is lost, the far end sees the ABORT. */
static void settle_aborts(struct run *r)
{
	sctp_assoc_t id;
	int fd;

	for (int i = 0; i < 16 && fuzz_endpoint_take_abort(&fd, &id); i++) {
		struct fixture *by = fd == r->a->sk ? r->a : r->b;

		assoc_change(r, by, id, SCTP_COMM_LOST, false);
		assoc_change(r, other(r, by), id, SCTP_COMM_LOST, true);
	}
}

static void check_written(struct run *r, const uint8_t *out, size_t len)
{
	const size_t vh = r->a->cfg.offload ? MT6D_VNET_HDR_LEN : 0;
	const uint8_t *p = out + vh;
	size_t n = len - vh, claimed;
	static const uint8_t zero[MT6D_VNET_HDR_LEN];

	if (len < vh + 20)
		abort();
	/* Exactly one packet: the padding that may follow it inside the frame is not written. */
	claimed = p[0] >> 4 == 4 ? (size_t)p[2] << 8 | p[3] : ((size_t)p[4] << 8 | p[5]) + 40;
	if ((p[0] >> 4 != 4 && p[0] >> 4 != 6) || claimed != n)
		abort();
	if (!r->tagged)
		return;
	for (size_t i = 0; i < r->n_sent; i++) {
		struct sent *s = &r->sent[i];

		if (s->len != n || s->written == s->sent || memcmp(s->pkt, p, n))
			continue;
		/* A plain packet gets a header of zeros; a super-packet the one B read. */
		if (vh && memcmp(out, mt6d_vnet_hdr_plain(s->vnet) ? zero : s->vnet, vh))
			continue;
		s->written++;
		return;
	}
	fprintf(stderr, "A wrote a packet of %zu bytes that B never sent (or not so often)\n", n);
	abort();
}

/* What A wrote to its TUN device since the last look; it counted each write. */
static void check_tun(struct run *r, uint64_t rx_before)
{
	uint64_t writes = 0;
	size_t len;

	while ((len = fixture_tun_take(r->a, r->buf, sizeof(r->buf)))) {
		check_written(r, r->buf, len);
		writes++;
	}
	if (r->a->t->stats.rx_packets - rx_before != writes)
		abort();
}

/* The harness notes a packet that B sent: @vh bytes of virtio-net header, @len of packet. */
static void note_sent(struct run *r, const uint8_t *vnet, size_t vh, const uint8_t *ip, size_t len)
{
	struct sent *s;

	for (size_t i = 0; i < r->n_sent; i++) {
		s = &r->sent[i];
		if (s->len == len && !memcmp(s->pkt, ip, len) && !memcmp(s->vnet, vnet, vh)) {
			s->sent++;
			return;
		}
	}
	if (r->n_sent == SENT_MAX)
		abort();
	s = &r->sent[r->n_sent++];
	memcpy(s->vnet, vnet, vh);
	s->len = len;
	s->pkt = malloc(len);
	if (!s->pkt)
		abort();
	memcpy(s->pkt, ip, len);
	s->sent = 1;
	s->written = 0;
}

/*
 * How B sends the packet it read as @q: a small one whose checksum the kernel left to the
 * device gets it, and a plain header (forward_read(), mt6d_vnet_csum_finish()).
 */
static void expect(struct queued *q, size_t vh)
{
	if (vh && q->len <= MT6D_BUNDLE_SMALL && !mt6d_vnet_hdr_plain(q->vnet) &&
	    mt6d_vnet_csum_finish(q->vnet, q->pkt, q->len) == 0)
		memset(q->vnet, 0, vh);
}

/*
 * B reads @len bytes from its TUN device and forwards them with those queued before, and
 * the harness notes them; or they stay queued.
 */
static void packet(struct run *r, struct fuzz_input *in)
{
	const size_t vh = r->b->cfg.offload ? MT6D_VNET_HDR_LEN : 0;
	uint8_t kind = fuzz_u8(in), pkt[MT6D_VNET_HDR_LEN + PKT_MAX] = { 0 };
	size_t want = fuzz_u16(in) % PKT_MAX, got;
	const uint8_t *src = fuzz_bytes(in, want, &got);
	uint8_t *ip = pkt + vh;
	size_t len, min = kind & 1 ? 20 : 40;
	uint64_t before = r->b->t->stats.tx_packets;
	struct queued *q = &r->queued[r->n_queued];

	if (vh && (kind & 2) && got >= vh) {
		memcpy(pkt, src, vh);
		src += vh;
		got -= vh;
	}
	len = got > min ? got : min;
	memcpy(ip, src, got);
	if (kind & 1) {
		ip[0] = 0x45;
		ip[2] = (uint8_t)(len >> 8);
		ip[3] = (uint8_t)len;
	} else {
		ip[0] = 0x60;
		ip[4] = (uint8_t)((len - 40) >> 8);
		ip[5] = (uint8_t)(len - 40);
	}
	fixture_tun_put(r->b, pkt, vh + len);
	memcpy(q->vnet, pkt, MT6D_VNET_HDR_LEN);
	memcpy(q->pkt, ip, len);
	q->len = len;
	expect(q, vh);
	if (++r->n_queued < QUEUE_MAX && (kind & 4))
		return;
	datapath_forward(r->b->t, r->now);
	/* Sealed in one wakeup, all or none of them (the session does not change in it). */
	if (r->b->t->stats.tx_packets != before)
		for (size_t i = 0; i < r->n_queued; i++)
			note_sent(r, r->queued[i].vnet, vh, r->queued[i].pkt, r->queued[i].len);
	r->n_queued = 0;
}

static void frame(struct run *r, struct fuzz_input *in)
{
	sctp_assoc_t id = fuzz_u8(in) % 8;
	uint8_t flags = fuzz_u8(in);
	size_t want = fuzz_u16(in), got;
	const uint8_t *src = fuzz_bytes(in, want, &got);

	fixture_receive(r->a, id, flags & 1, !(flags & 2), src, got, r->now);
}

/* The oldest message of the side opposite @to, with what the opcode does to it. */
static void pass(struct run *r, struct fixture *to, int op, struct fuzz_input *in)
{
	struct fixture *from = other(r, to);
	const struct fuzz_sent *peek = fuzz_endpoint_peek(from->sk);
	struct fuzz_sent m;
	uint16_t off = op == OP_FLIP_TO_A || op == OP_CUT_TO_A ? fuzz_u16(in) : 0;
	uint8_t x = op == OP_FLIP_TO_A ? fuzz_u8(in) : 0;

	if (!peek)
		return;
	if (op == OP_TWICE_TO_A) {
		deliver(r, to, peek, peek->len);
		return;
	}
	if (!fuzz_endpoint_take(from->sk, &m))
		abort();
	if (op == OP_FLIP_TO_A && m.len)
		m.data[off % m.len] ^= x;
	if (op == OP_TO_A || op == OP_TO_B || op == OP_FLIP_TO_A)
		deliver(r, to, &m, m.len);
	else if (op == OP_CUT_TO_A)
		deliver(r, to, &m, m.len ? off % m.len : 0);
	free(m.data);
}

static void step(struct run *r, struct fuzz_input *in)
{
	uint8_t op = fuzz_u8(in) % OP_MAX, v, sides;
	sctp_assoc_t id;
	struct fixture *f;

	switch (op) {
	case OP_UP:
		id = fuzz_u8(in) % ASSOCS + 1;
		v = fuzz_u8(in) % 8;
		fuzz_endpoint_set_peer_auth(r->a->sk, v == 6 ? -EACCES : v == 7 ? -EPERM : 0);
		assoc_change(r, r->b, id, SCTP_COMM_UP, false);
		assoc_change(r, r->a, id, SCTP_COMM_UP, false);
		break;
	case OP_TO_A:
	case OP_LOSE_TO_A:
	case OP_TWICE_TO_A:
	case OP_FLIP_TO_A:
	case OP_CUT_TO_A:
		pass(r, r->a, op, in);
		break;
	case OP_TO_B:
	case OP_LOSE_TO_B:
		pass(r, r->b, op, in);
		break;
	case OP_PACKET:
		packet(r, in);
		break;
	case OP_FRAME:
		frame(r, in);
		break;
	case OP_EVENT:
		id = fuzz_u8(in) % ASSOCS + 1;
		v = fuzz_u8(in);
		sides = fuzz_u8(in);
		if (sides & 1)
			event(r, r->a, id, v);
		if (sides & 2)
			event(r, r->b, id, v);
		break;
	case OP_TIME:
		r->now += (fuzz_u8(in) + 1u) * 250;
		break;
	case OP_REKEY:
		f = fuzz_u8(in) & 1 ? r->b : r->a;
		if (f->t->sess.cur.id)
			assoc_rekey_tick(f->t, &f->t->sess.cur, r->now);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	struct fuzz_input in = { data, size };
	uint8_t scenario = fuzz_u8(&in);
	const enum mt6d_cipher ciphers[] = { MT6D_CIPHER_NONE, MT6D_CIPHER_AES_256_GCM,
					     MT6D_CIPHER_CHACHA20_POLY1305,
					     MT6D_CIPHER_AES_256_GCM };
	enum mt6d_cipher c = ciphers[scenario & 3];
	bool a_first = scenario & 16;

	r.a = fixture_for(a_first, c, scenario & 4, scenario & 8);
	r.b = fixture_for(!a_first, c, scenario & 4, scenario & 8);
	r.tagged = c != MT6D_CIPHER_NONE;
	/* Far from 0, which the session and the key ring read as "never". */
	r.now = 1000000;
	r.n_sent = 0;
	r.n_queued = 0; /* what the last input left queued, fixture_reset() drained */
	fuzz_endpoint_reset();
	fixture_reset(r.a, r.now);
	fixture_reset(r.b, r.now);
	while (in.n) {
		uint64_t rx_before = r.a->t->stats.rx_packets;

		step(&r, &in);
		settle_aborts(&r);
		check_tun(&r, rx_before);
		fixture_check_session(r.a);
		fixture_check_session(r.b);
	}
	for (size_t i = 0; i < r.n_sent; i++)
		free(r.sent[i].pkt);
	return 0;
}

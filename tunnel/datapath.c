// SPDX-License-Identifier: MIT
/*
 * The data path: an inner packet read from the TUN device becomes one sealed frame in one
 * SCTP message on the association in charge (small packets read in the same wakeup share
 * one, [tunnel] coalesce), and a frame from it that opens becomes the packets written to
 * the TUN device. Everything else is dropped and counted.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bundle.h"
#include "clock.h"
#include "flow.h"
#include "log.h"
#include "rx_tail.h"
#include "tunnel_int.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* While paused, the TUN device is not read and the socket in charge is watched for room. */
static void tun_set_paused(struct tunnel *t, bool paused)
{
	int sk = paused ? t->sess.cur.sk : t->paused_sk;

	if (t->tun_paused == paused)
		return;
	t->tun_paused = paused;
	t->paused_sk = paused ? sk : -1;
	if (mt6d_evloop_mod(t->d.loop, t->tun_fd, paused ? 0 : EPOLLIN) < 0 ||
	    (sk >= 0 && mt6d_evloop_mod(t->d.loop, sk, paused ? EPOLLIN | EPOLLOUT : EPOLLIN) < 0))
		fatal("epoll");
}

/* The association went: frames held back for it are lost, the TUN device is read again. */
void datapath_resume(struct tunnel *t)
{
	for (unsigned int i = 0; i < t->n_held; i++)
		t->stats.drop_send += t->held[i].pkts;
	t->n_held = 0;
	tun_set_paused(t, false);
}

static int send_frame(struct tunnel *t, uint16_t stream, const void *frame, size_t len)
{
	struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };

	return endpoint_send(t->sess.cur.sk, t->sess.cur.id, stream,
			     t->cfg->delivery == MT6D_DELIVERY_UNORDERED, &t->pr, &iov, 1);
}

/* The stream of an inner packet: its flow's, so one flow keeps to one stream. */
static uint16_t packet_stream(const struct tunnel *t, const uint8_t *pkt, size_t len)
{
	return mt6d_flow_stream(pkt, len, TUNNEL_STREAMS, t->sess.cur.stream_key);
}

/*
 * Seals the frame of @type at @frame, whose payload is @len bytes after the header and
 * carries @pkts inner packets of @bytes in all, and sends it on @stream. A frame the send
 * buffer has no room for is held back (t->held) and sent when there is.
 */
static void seal_and_send(struct tunnel *t, uint8_t *frame, uint8_t type, size_t len,
			  uint16_t stream, unsigned int pkts, size_t bytes, uint64_t now_ms)
{
	size_t frame_len;
	int ret;

	if (!session_authenticated(&t->sess)) {
		t->stats.drop_no_session += pkts;
		return;
	}
	if (t->cfg->padding) {
		/* Zeros up to the size class; the receiver cuts them off by the IP length. */
		size_t padded = mt6d_frame_padded_len(
			len, keyring_overhead(session_tx_keys(&t->sess.cur)), t->cfg->padding);

		memset(frame + MT6D_FRAME_HDR_LEN + len, 0, padded - len);
		len = padded;
	}
	ret = keyring_seal(session_tx_keys(&t->sess.cur), type, frame, len, &frame_len, now_ms);
	if (ret == -EOVERFLOW) {
		/* Not before 2^32 rekeys; a new association brings new keys. */
		assoc_abort(t, "key epochs exhausted; starting over");
	}
	if (ret < 0) {
		t->stats.drop_send += pkts;
		return;
	}
	/* Counted once sealed: a held frame leaves later or is counted as dropped. */
	t->stats.tx_packets += pkts;
	t->stats.tx_bytes += bytes;
	t->stats.tx_bundles += type == MT6D_FRAME_DATA_BUNDLE;
	ret = t->n_held ? -EAGAIN : send_frame(t, stream, frame, frame_len);
	t->sess.cur.last_tx_ms = now_ms;
	/* A wakeup stops reading at the first held frame, so two slots are enough. */
	if ((ret == -EAGAIN || ret == -ENOBUFS) && t->n_held < ARRAY_SIZE(t->held)) {
		t->held[t->n_held++] = (struct tunnel_held){ frame, frame_len, stream, pkts };
		return;
	}
	if (ret < 0)
		t->stats.drop_send += pkts;
}

/* Seals and sends the small packets gathered in this wakeup: one alone as DATA. */
static void flush_bundle(struct tunnel *t, uint64_t now_ms)
{
	uint8_t *payload = t->bundlebuf + MT6D_FRAME_HDR_LEN;
	size_t len = t->bundle_len, bytes = len - t->bundle_pkts * MT6D_BUNDLE_REC_HDR;
	uint8_t type = MT6D_FRAME_DATA_BUNDLE;

	if (!t->bundle_pkts)
		return;
	if (t->bundle_pkts == 1) {
		len -= MT6D_BUNDLE_REC_HDR;
		memmove(payload, payload + MT6D_BUNDLE_REC_HDR, len);
		type = MT6D_FRAME_DATA;
	}
	seal_and_send(t, t->bundlebuf, type, len, t->bundle_stream, t->bundle_pkts, bytes, now_ms);
	t->bundle_len = 0;
	t->bundle_pkts = 0;
}

/*
 * A plain packet of @len bytes read to txbuf + TUNNEL_PKT_OFF: a small one joins the
 * bundle ([tunnel] coalesce), sealed first if it is full or, with ordered delivery, on
 * another stream; any other packet goes alone, after the bundle so far.
 */
static void forward_plain(struct tunnel *t, size_t len, uint64_t now_ms)
{
	uint8_t *pkt = t->txbuf + TUNNEL_PKT_OFF;
	uint16_t stream = packet_stream(t, pkt, len);
	size_t cap = t->mtu < TUNNEL_BUNDLE_CAP ? t->mtu : TUNNEL_BUNDLE_CAP;
	size_t inner;
	/*
	 * Only a well-formed packet joins: the peer drops a bundle with a bad record whole,
	 * and a raw socket on this host must not cost the packets of other flows.
	 */
	bool small = t->cfg->coalesce && len <= MT6D_BUNDLE_SMALL &&
		     mt6d_frame_check_inner(pkt, len, &inner) == 0 && inner == len;

	if (t->bundle_pkts &&
	    (!small || t->bundle_pkts == MT6D_BUNDLE_MAX_PKTS ||
	     t->bundle_len + MT6D_BUNDLE_REC_HDR + len > cap ||
	     (t->cfg->delivery != MT6D_DELIVERY_UNORDERED && stream != t->bundle_stream)))
		flush_bundle(t, now_ms);
	/* Not while a bundle is held back in bundlebuf: the packet goes alone, held too. */
	if (small && !t->n_held &&
	    mt6d_bundle_add(t->bundlebuf + MT6D_FRAME_HDR_LEN, cap, &t->bundle_len, pkt, len) ==
		    0) {
		if (!t->bundle_pkts++)
			t->bundle_stream = stream;
		return;
	}
	seal_and_send(t, t->txbuf + MT6D_VNET_HDR_LEN, MT6D_FRAME_DATA, len, stream, 1, len,
		      now_ms);
}

void datapath_keepalive(struct tunnel *t, uint64_t now_ms)
{
	struct session_link *l = &t->sess.cur;
	uint8_t frame[MT6D_FRAME_HDR_LEN + MT6D_AEAD_TAG_MAX];
	size_t len;

	if (now_ms - l->last_tx_ms < t->cfg->recovery.heartbeat_interval || t->n_held)
		return;
	/* A sealed, empty frame: only the peer can have sent it, and it looks like any other. */
	if (keyring_seal(session_tx_keys(l), MT6D_FRAME_KEEPALIVE, frame, 0, &len, now_ms) < 0 ||
	    send_frame(t, 0, frame, len) < 0) {
		t->stats.drop_send++;
		return;
	}
	l->last_tx_ms = now_ms;
	t->stats.keepalives_tx++;
}

/*
 * One packet read from the TUN device: @n bytes, the virtio-net header (offloads) first.
 * A small packet whose checksum the kernel left undone (UDP and TCP from a host that
 * offloads it) gets it here, so that it can join a bundle.
 */
static void forward_read(struct tunnel *t, size_t n, uint64_t now_ms)
{
	const size_t vh = t->cfg->offload ? MT6D_VNET_HDR_LEN : 0;
	uint8_t *hdr = t->txbuf + MT6D_FRAME_HDR_LEN;

	if (n < vh)
		return;
	if (vh && !mt6d_vnet_hdr_plain(hdr) &&
	    !(t->cfg->coalesce && n - vh <= MT6D_BUNDLE_SMALL &&
	      mt6d_vnet_csum_finish(hdr, t->txbuf + TUNNEL_PKT_OFF, n - vh) == 0)) {
		/* The frame starts at 0, the virtio-net header in its payload for the peer. */
		flush_bundle(t, now_ms);
		seal_and_send(t, t->txbuf, MT6D_FRAME_DATA_GSO, n,
			      packet_stream(t, t->txbuf + TUNNEL_PKT_OFF, n - vh), 1, n - vh,
			      now_ms);
		return;
	}
	forward_plain(t, n - vh, now_ms);
}

void datapath_forward(struct tunnel *t, uint64_t now_ms)
{
	const size_t vh = t->cfg->offload ? MT6D_VNET_HDR_LEN : 0;

	/* Bounded batch: one wakeup must not starve the receive side. */
	for (int i = 0; i < 64 && !t->n_held; i++) {
		ssize_t n = read(t->tun_fd, t->txbuf + TUNNEL_PKT_OFF - vh, TUNNEL_MAX_PKT + vh);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("read %s", t->ifname);
			break;
		}
		forward_read(t, (size_t)n, now_ms);
	}
	/* Nothing waits for a later wakeup: what was gathered leaves now. */
	flush_bundle(t, now_ms);
	if (t->n_held)
		tun_set_paused(t, true);
}

void datapath_on_tun(int fd, uint32_t events, void *ctx)
{
	/* One clock read per wakeup: the whole batch falls in one key epoch. */
	datapath_forward(ctx, mt6d_mono_ms());
}

static void on_writable(struct tunnel *t)
{
	unsigned int sent = 0;

	for (; sent < t->n_held; sent++) {
		const struct tunnel_held *h = &t->held[sent];
		int ret = send_frame(t, h->stream, h->frame, h->len);

		if (ret == -EAGAIN || ret == -ENOBUFS)
			break;
		if (ret < 0)
			t->stats.drop_send += h->pkts;
	}
	t->n_held -= sent;
	memmove(t->held, t->held + sent, t->n_held * sizeof(t->held[0]));
	if (!t->n_held)
		tun_set_paused(t, false);
}

/* The inner packet of an opened frame, and where its write to the TUN device starts. */
static int inner_packet(struct tunnel *t, const struct mt6d_frame *f, const uint8_t **pkt,
			size_t *pkt_len, uint8_t **out)
{
	uint8_t *payload = t->rxbuf + (f->payload - t->rxbuf);

	if (f->type != MT6D_FRAME_DATA_GSO) {
		/* The frame header before the payload is spent: room for a plain vnet header. */
		*out = t->cfg->offload ? memset(payload - MT6D_VNET_HDR_LEN, 0, MT6D_VNET_HDR_LEN)
				       : payload;
		*pkt = f->payload;
		return mt6d_frame_check_inner(*pkt, f->payload_len, pkt_len);
	}
	if (!t->cfg->offload)
		return -ENOMSG;
	if (f->payload_len < MT6D_VNET_HDR_LEN)
		return -EBADMSG;
	*pkt = f->payload + MT6D_VNET_HDR_LEN;
	*out = payload;
	if (mt6d_frame_check_inner(*pkt, f->payload_len - MT6D_VNET_HDR_LEN, pkt_len) < 0)
		return -EBADMSG;
	return mt6d_vnet_hdr_check(f->payload, *pkt_len) < 0 ? -EBADMSG : 0;
}

/* A bundle's packets, each written to the TUN device; none unless all are well formed. */
static void deliver_bundle(struct tunnel *t, const struct mt6d_frame *f)
{
	static const uint8_t plain[MT6D_VNET_HDR_LEN]; /* a virtio-net header: no offload */
	struct iovec iov[2] = { { (void *)plain, t->cfg->offload ? sizeof(plain) : 0 } };
	const uint8_t *pkt;
	size_t off = 0, len;

	if (mt6d_bundle_check(f->payload, f->payload_len) < 0) {
		t->stats.drop_malformed++;
		return;
	}
	t->stats.rx_bundles++;
	while (mt6d_bundle_next(f->payload, f->payload_len, &off, &pkt, &len)) {
		iov[1] = (struct iovec){ (void *)pkt, len };
		if (writev(t->tun_fd, iov, 2) < 0) {
			t->stats.drop_tun++;
			continue;
		}
		t->stats.rx_packets++;
		t->stats.rx_bytes += len;
	}
}

static void on_data(struct tunnel *t, struct session_link *l, struct mt6d_frame *f, size_t len,
		    uint64_t now_ms)
{
	struct keyring *rx = session_rx_keys(l, f->gen);
	int ret = keyring_open(rx, t->rxbuf, len, f, now_ms);
	const uint8_t *pkt;
	uint8_t *out;
	size_t pkt_len;

	switch (ret) {
	case 0:
		break;
	case -EALREADY:
	case -ESTALE:
	case -EOVERFLOW:
		t->stats.drop_replay++;
		return;
	case -ENOKEY:
		/* Before the handshake gave keys, or an epoch long gone. */
		t->stats.drop_unauthenticated++;
		return;
	case -EKEYEXPIRED:
		/* SCTP-AUTH says the peer sent it: this direction cannot follow its keys. */
		log_warnx("association %d: the peer's key epoch is out of reach; starting over",
			  (int)l->id);
		assoc_refuse(t, l->id, &t->stats.drop_epoch);
		return;
	default:
		t->stats.drop_auth++;
		return;
	}
	/*
	 * Only the peer holds the session keys: a frame that opened proves the key too, as
	 * the handshake's confirmation would. Not without encryption: anything "opens" then.
	 */
	l->last_rx_ms = now_ms;
	if (keyring_proves_peer(rx)) {
		assoc_rekey_proven(t, l, f->gen, now_ms);
		handshake_peer_proven(&l->hs);
		assoc_authenticated(t, l, "sealed data");
	}
	if (f->type == MT6D_FRAME_KEEPALIVE) {
		t->stats.keepalives_rx++;
		return;
	}
	if (f->type == MT6D_FRAME_DATA_BUNDLE) {
		deliver_bundle(t, f);
		return;
	}
	ret = inner_packet(t, f, &pkt, &pkt_len, &out);
	if (ret == -ENOMSG) {
		t->stats.drop_unknown++;
		return;
	}
	if (ret < 0) {
		t->stats.drop_malformed++;
		return;
	}
	if (write(t->tun_fd, out, (size_t)(pkt + pkt_len - out)) < 0) {
		t->stats.drop_tun++;
		return;
	}
	t->stats.rx_packets++;
	t->stats.rx_bytes += pkt_len;
}

static void on_message(struct tunnel *t, const struct endpoint_msg *m, uint64_t now_ms)
{
	struct session_link *l = session_find(&t->sess, m->assoc);
	struct mt6d_frame f;
	int ret;

	if (!l) {
		/* Neither in charge nor a candidate: nothing from it reaches the TUN. */
		t->stats.drop_unauthenticated++;
		return;
	}
	ret = mt6d_frame_parse(t->rxbuf, m->len, &f);
	if (ret == -EPROTONOSUPPORT || ret == -ENOMSG) {
		t->stats.drop_unknown++;
		return;
	}
	if (ret < 0) {
		t->stats.drop_malformed++;
		return;
	}
	if (f.type == MT6D_FRAME_HANDSHAKE)
		assoc_handshake(t, l, &f, now_ms);
	else
		on_data(t, l, &f, m->len, now_ms);
}

void datapath_receive(struct tunnel *t, int sk, const struct endpoint_msg *m, uint64_t now_ms)
{
	bool dropped;

	/* Larger than any frame we send: every piece of it goes, the tail too. */
	if (!rx_tail_take(&t->rx_tail, m->complete, &dropped)) {
		if (dropped)
			t->stats.drop_malformed++;
		return;
	}
	if (m->notification)
		assoc_notification(t, sk, t->rxbuf, m->len);
	else
		on_message(t, m, now_ms);
}

void datapath_on_sctp(int fd, uint32_t events, void *ctx)
{
	struct tunnel *t = ctx;
	uint64_t now_ms;

	if (events & EPOLLOUT)
		on_writable(t);
	if (!(events & EPOLLIN))
		return;
	now_ms = mt6d_mono_ms();
	for (int i = 0; i < 64; i++) {
		struct endpoint_msg m;
		int ret = endpoint_recv(fd, t->rxbuf, sizeof(t->rxbuf), &m);

		if (ret == -EAGAIN || ret == -EINTR)
			return;
		if (ret < 0) {
			log_warnx("sctp receive: %s", strerror(-ret));
			return;
		}
		datapath_receive(t, fd, &m, now_ms);
	}
}

// SPDX-License-Identifier: MIT
/*
 * The data path: an inner packet read from the TUN device becomes one sealed frame in one
 * SCTP message on the association in charge, and a frame from it that opens becomes one
 * packet written to the TUN device. Everything else is dropped and counted.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "flow.h"
#include "log.h"
#include "rx_tail.h"
#include "tunnel_int.h"

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

/* The association went: a frame held back for it is lost, the TUN device is read again. */
void datapath_resume(struct tunnel *t)
{
	if (t->pending_len) {
		t->stats.drop_send++;
		t->pending_len = 0;
	}
	tun_set_paused(t, false);
}

static int send_frame(struct tunnel *t, uint16_t stream, const void *frame, size_t len)
{
	struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };

	return endpoint_send(t->sess.cur.sk, t->sess.cur.id, stream,
			     t->cfg->delivery == MT6D_DELIVERY_UNORDERED, &t->pr, &iov, 1);
}

/*
 * Seals the frame of @type whose payload (@len bytes) is at txbuf + @off + header and
 * sends it; the inner packet is at txbuf + TUNNEL_PKT_OFF (@pkt_len bytes). Returns true
 * when it left (or was dropped for good), false when the sealed frame is held back.
 */
static bool forward_packet(struct tunnel *t, uint8_t type, size_t off, size_t len, size_t pkt_len,
			   uint64_t now_ms)
{
	uint16_t stream = mt6d_flow_stream(t->txbuf + TUNNEL_PKT_OFF, pkt_len, TUNNEL_STREAMS,
					   t->sess.cur.stream_key);
	uint8_t *frame = t->txbuf + off;
	size_t frame_len;
	int ret;

	if (!session_authenticated(&t->sess)) {
		t->stats.drop_no_session++;
		return true;
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
		t->stats.drop_send++;
		return true;
	}
	/* Counted once sealed: a held frame leaves later or is counted as dropped. */
	t->stats.tx_packets++;
	t->stats.tx_bytes += pkt_len;
	ret = send_frame(t, stream, frame, frame_len);
	t->sess.cur.last_tx_ms = now_ms;
	if (ret == -EAGAIN || ret == -ENOBUFS) {
		t->pending_len = frame_len;
		t->pending_off = off;
		t->pending_stream = stream;
		return false;
	}
	if (ret < 0)
		t->stats.drop_send++;
	return true;
}

void datapath_keepalive(struct tunnel *t, uint64_t now_ms)
{
	struct session_link *l = &t->sess.cur;
	uint8_t frame[MT6D_FRAME_HDR_LEN + MT6D_AEAD_TAG_MAX];
	size_t len;

	if (now_ms - l->last_tx_ms < t->cfg->recovery.heartbeat_interval || t->pending_len)
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

void datapath_forward(struct tunnel *t, uint64_t now_ms)
{
	/* Bounded batch: one wakeup must not starve the receive side. */
	for (int i = 0; i < 64; i++) {
		const size_t vh = t->cfg->offload ? MT6D_VNET_HDR_LEN : 0;
		ssize_t n = read(t->tun_fd, t->txbuf + TUNNEL_PKT_OFF - vh, TUNNEL_MAX_PKT + vh);
		size_t pkt_len;
		bool sent;

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("read %s", t->ifname);
			return;
		}
		if ((size_t)n < vh)
			continue;
		pkt_len = (size_t)n - vh;
		if (vh && !mt6d_vnet_hdr_plain(t->txbuf + MT6D_FRAME_HDR_LEN))
			sent = forward_packet(t, MT6D_FRAME_DATA_GSO, 0, (size_t)n, pkt_len,
					      now_ms);
		else
			sent = forward_packet(t, MT6D_FRAME_DATA, MT6D_VNET_HDR_LEN, pkt_len,
					      pkt_len, now_ms);
		if (!sent) {
			tun_set_paused(t, true);
			return;
		}
	}
}

void datapath_on_tun(int fd, uint32_t events, void *ctx)
{
	/* One clock read per wakeup: the whole batch falls in one key epoch. */
	datapath_forward(ctx, mt6d_mono_ms());
}

static void on_writable(struct tunnel *t)
{
	if (t->pending_len) {
		int ret =
			send_frame(t, t->pending_stream, t->txbuf + t->pending_off, t->pending_len);

		if (ret == -EAGAIN || ret == -ENOBUFS)
			return;
		if (ret < 0)
			t->stats.drop_send++;
	}
	t->pending_len = 0;
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

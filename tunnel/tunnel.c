// SPDX-License-Identifier: MIT
/*
 * mt6d-tunnel's core: one TUN device, one SCTP endpoint, one peer. Inner packets
 * become one SCTP message each; the association's addresses are mt6d-addrmgr's
 * business, which reaches the same socket through the kernel.
 */
#include "tunnel.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "aead.h"
#include "clock.h"
#include "ctl.h"
#include "derive.h"
#include "evloop.h"
#include "flow.h"
#include "frame.h"
#include "handshake.h"
#include "log.h"
#include "metrics.h"
#include "nft.h"
#include "nftctr.h"
#include "offload.h"
#include "rtnl.h"
#include "runtime.h"
#include "endpoint.h"
#include "notify.h"
#include "session.h"
#include "status.h"
#include "tun.h"
#include "uplink.h"

#define TUNNEL_TICK_MS 500
#define TUNNEL_METRICS_TICKS 10	/* metrics every 5 s */
/* An IPv6 packet without a jumbo payload; a TCP super-packet of the TUN offloads fits. */
#define TUNNEL_MAX_PKT (65535 + 40)
#define TUNNEL_MAX_FRAME \
	(MT6D_FRAME_HDR_LEN + MT6D_VNET_HDR_LEN + TUNNEL_MAX_PKT + MT6D_AEAD_TAG_MAX)
/*
 * txbuf: the packet is read to TUNNEL_PKT_OFF, with the virtio-net header (offloads) in
 * front of it. A DATA_GSO frame starts at 0 (header, virtio-net header, packet); a plain
 * DATA frame starts at MT6D_VNET_HDR_LEN, its header over the unused virtio-net header.
 */
#define TUNNEL_PKT_OFF (MT6D_FRAME_HDR_LEN + MT6D_VNET_HDR_LEN)
#define TUNNEL_STREAMS 16
/*
 * What the outer packet adds besides the frame: IPv6 header 40, SCTP common header 12,
 * AUTH chunk 28 (HMAC-SHA1, the kernel's first choice), DATA chunk header 16.
 */
#define TUNNEL_OUTER_OVERHEAD (40 + 12 + 28 + 16)

struct tunnel {
	const struct mt6d_config *cfg;
	struct mt6d_evloop *loop;
	struct mt6d_rtnl *nl;
	struct mt6d_deriver deriver;
	struct session sess;
	long clock_offset_ms;		/* test-only, see clock.h */
	struct in6_addr local_prefix;
	char ifname[IFNAMSIZ];
	char runtime_path[256], ctl_path[256];
	char metrics_path[PATH_MAX];
	int tun_fd, sk, sig_fd, tick_fd, ctl_fd;
	unsigned int metrics_ticks;
	time_t assoc_since, last_rekey;	/* last_rekey: key agreement or new epoch */
	uint64_t rekeys_seen;
	bool bound, published, ready;
	struct mt6d_watchdog watchdog;

	/* One sealed frame (at txbuf + pending_off) held back while the send buffer is full. */
	size_t pending_len, pending_off;
	uint16_t pending_stream;
	struct endpoint_pr pr;	/* inner packets' partial reliability */
	unsigned int mtu;
	bool tun_paused;

	struct tunnel_stats stats;
	struct mt6d_nft *nft;		/* reads the guard table's counters; NULL: none */
	char guard_table[MT6D_NAME_MAX + sizeof(MT6D_GUARD_TABLE_PREFIX)];
	uint8_t rxbuf[TUNNEL_MAX_FRAME + 1];
	uint8_t txbuf[TUNNEL_MAX_FRAME];
};

static uint64_t tunnel_slot(const struct tunnel *t)
{
	return mt6d_slot(mt6d_clock_now(t->clock_offset_ms), t->cfg->interval);
}

static int local_addr(const struct tunnel *t, uint64_t slot, struct in6_addr *out)
{
	return mt6d_hashed_addr(&t->deriver, &t->local_prefix, &t->cfg->local_iid, slot, out);
}

/* The peer's addresses to try, most likely first; clocks may be a slot apart. */
static size_t peer_candidates(const struct tunnel *t, struct in6_addr *out)
{
	uint64_t s = tunnel_slot(t);
	const uint64_t slots[] = { s, s + 1, s - 1 };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (!mt6d_hashed_addr(&t->deriver, &t->cfg->peer_prefix.addr, &t->cfg->peer_iid,
				      slots[i], &out[n]))
			n++;
	return n;
}

static void tun_set_paused(struct tunnel *t, bool paused)
{
	if (t->tun_paused == paused)
		return;
	t->tun_paused = paused;
	if (mt6d_evloop_mod(t->loop, t->tun_fd, paused ? 0 : EPOLLIN) < 0 ||
	    mt6d_evloop_mod(t->loop, t->sk, paused ? EPOLLIN | EPOLLOUT : EPOLLIN) < 0)
		fatal("epoll");
}

static int send_frame(struct tunnel *t, uint16_t stream, const void *frame, size_t len)
{
	struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };

	return endpoint_send(t->sk, t->sess.assoc, stream,
			    t->cfg->delivery == MT6D_DELIVERY_UNORDERED, &t->pr, &iov, 1);
}

static void send_handshake(struct tunnel *t)
{
	uint8_t msg[MT6D_FRAME_HDR_LEN + MT6D_HS_LEN];
	const struct mt6d_frame f = { .type = MT6D_FRAME_HANDSHAKE };
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(msg) };
	int ret = handshake_build(&t->sess.hs, msg + MT6D_FRAME_HDR_LEN);

	mt6d_frame_put_hdr(msg, &f);
	/* Fully reliable whatever the data's policy: a lost handshake costs the session. */
	if (!ret)
		ret = endpoint_send(t->sk, t->sess.assoc, 0, 0, NULL, &iov, 1);
	if (ret < 0)
		log_warnx("cannot send the handshake on association %d: %s", (int)t->sess.assoc,
			  strerror(-ret));
}

static void session_down(struct tunnel *t, const char *why);

/*
 * Seals the frame of @type whose payload (@len bytes) is at txbuf + @off + header and
 * sends it; the inner packet is at txbuf + TUNNEL_PKT_OFF (@pkt_len bytes). Returns true
 * when it left (or was dropped for good), false when the sealed frame is held back.
 */
static bool forward_packet(struct tunnel *t, uint8_t type, size_t off, size_t len,
			   size_t pkt_len, uint64_t now_ms)
{
	uint16_t stream = mt6d_flow_stream(t->txbuf + TUNNEL_PKT_OFF, pkt_len, TUNNEL_STREAMS);
	uint8_t *frame = t->txbuf + off;
	size_t frame_len;
	int ret;

	if (!session_authenticated(&t->sess)) {
		t->stats.drop_no_session++;
		return true;
	}
	ret = keyring_seal(&t->sess.keys, type, frame, len, &frame_len, now_ms);
	if (ret == -EOVERFLOW) {
		/* Not before 2^32 rekeys; a new association brings new keys. */
		endpoint_abort(t->sk, t->sess.assoc);
		session_down(t, "key epochs exhausted; starting over");
	}
	if (ret < 0) {
		t->stats.drop_send++;
		return true;
	}
	/* Counted once sealed: a held frame leaves later or is counted as dropped. */
	t->stats.tx_packets++;
	t->stats.tx_bytes += pkt_len;
	ret = send_frame(t, stream, frame, frame_len);
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

static void on_tun(int fd, uint32_t events, void *ctx)
{
	struct tunnel *t = ctx;

	/* One clock read per wakeup: the whole batch falls in one key epoch. */
	const uint64_t now_ms = mt6d_mono_ms();

	/* Bounded batch: one wakeup must not starve the receive side. */
	for (int i = 0; i < 64; i++) {
		const size_t vh = t->cfg->offload ? MT6D_VNET_HDR_LEN : 0;
		ssize_t n = read(fd, t->txbuf + TUNNEL_PKT_OFF - vh, TUNNEL_MAX_PKT + vh);
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

static void on_writable(struct tunnel *t)
{
	if (t->pending_len) {
		int ret = send_frame(t, t->pending_stream, t->txbuf + t->pending_off,
				     t->pending_len);

		if (ret == -EAGAIN || ret == -ENOBUFS)
			return;
		if (ret < 0)
			t->stats.drop_send++;
	}
	t->pending_len = 0;
	tun_set_paused(t, false);
}

static void session_down(struct tunnel *t, const char *why)
{
	if (!t->sess.assoc)
		return;
	log_info("association %d down: %s", (int)t->sess.assoc, why);
	mt6d_notify_status("association down (%s); re-establishing", why);
	session_end(&t->sess);
	if (t->pending_len) {
		t->stats.drop_send++;
		t->pending_len = 0;
	}
	tun_set_paused(t, false);
}

static void session_up(struct tunnel *t, sctp_assoc_t id, bool restart)
{
	int ret;

	if (t->sess.assoc && t->sess.assoc != id) {
		/* One peer, one association: a newer one replaces a stale one. */
		log_info("association %d replaces %d", (int)id, (int)t->sess.assoc);
		endpoint_abort(t->sk, t->sess.assoc);
		session_end(&t->sess);
	}
	ret = endpoint_check_peer_auth(t->sk, id);
	if (ret < 0) {
		log_warnx("association %d refused: the peer does not %s; aborting", (int)id,
			  ret == -EACCES ? "use SCTP-AUTH at all"
					 : "authenticate DATA, ASCONF and ASCONF-ACK");
		endpoint_abort(t->sk, id);
		t->stats.refused_noauth++;
		return;
	}
	if (session_begin(&t->sess, id) < 0)
		fatalx("cannot draw a session nonce");
	t->stats.associations++;
	t->assoc_since = time(NULL);
	log_info("association %d %s; starting the handshake", (int)id,
		 restart ? "restarted" : "up");
	send_handshake(t);
}

static void on_assoc_change(struct tunnel *t, const struct sctp_assoc_change *sac, size_t len)
{
	switch (sac->sac_state) {
	case SCTP_COMM_UP:
	case SCTP_RESTART:
		session_up(t, sac->sac_assoc_id, sac->sac_state == SCTP_RESTART);
		break;
	case SCTP_COMM_LOST:
		/* The kernel reports a received ABORT as COMM_LOST too, with the chunk attached. */
		if (sac->sac_assoc_id == t->sess.assoc)
			session_down(t, len > sizeof(*sac) ? "aborted by the peer"
							    : "peer unreachable (retransmission limit)");
		break;
	case SCTP_SHUTDOWN_COMP:
		if (sac->sac_assoc_id == t->sess.assoc)
			session_down(t, "shut down by the peer");
		break;
	case SCTP_CANT_STR_ASSOC:
		if (sac->sac_assoc_id == t->sess.connecting)
			t->sess.connecting = 0;
		log_debug("association attempt %d failed", (int)sac->sac_assoc_id);
		break;
	}
}

static void on_notification(struct tunnel *t, const union sctp_notification *n, size_t len)
{
	char buf[INET6_ADDRSTRLEN];

	if (len < sizeof(n->sn_header))
		return;
	switch (n->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE:
		if (len >= sizeof(n->sn_assoc_change))
			on_assoc_change(t, &n->sn_assoc_change, len);
		break;
	case SCTP_PEER_ADDR_CHANGE: {
		const struct sctp_paddr_change *pc = &n->sn_paddr_change;
		const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)&pc->spc_aaddr;

		if (len < sizeof(*pc) || sa->sin6_family != AF_INET6)
			break;
		inet_ntop(AF_INET6, &sa->sin6_addr, buf, sizeof(buf));
		log_debug("association %d: peer address %s state %d", (int)pc->spc_assoc_id,
			  buf, pc->spc_state);
		break;
	}
	case SCTP_AUTHENTICATION_EVENT:
		if (len >= sizeof(n->sn_authkey_event) &&
		    n->sn_authkey_event.auth_indication == SCTP_AUTH_NO_AUTH) {
			log_warnx("association %d refused: the peer does not support SCTP-AUTH",
				  (int)n->sn_authkey_event.auth_assoc_id);
			endpoint_abort(t->sk, n->sn_authkey_event.auth_assoc_id);
			if (n->sn_authkey_event.auth_assoc_id == t->sess.assoc)
				session_end(&t->sess);
			t->stats.refused_noauth++;
		}
		break;
	case SCTP_SHUTDOWN_EVENT:
		if (n->sn_shutdown_event.sse_assoc_id == t->sess.assoc)
			session_down(t, "peer is shutting down");
		break;
	}
}

static void peer_authenticated(struct tunnel *t, const char *how)
{
	if (t->sess.authenticated)
		return;
	t->sess.authenticated = true;
	log_info("association %d: peer proved the key (%s); session keys in use, tunnel %s is "
		 "carrying traffic", (int)t->sess.assoc, how, t->ifname);
	/* Ready means traffic can flow: device up and an authenticated association. */
	mt6d_notify_status("association %d up and authenticated; carrying traffic on %s",
			 (int)t->sess.assoc, t->ifname);
	if (!t->ready && mt6d_notify_send("READY=1") == 0)
		t->ready = true;
}

static void on_handshake(struct tunnel *t, const struct mt6d_frame *f)
{
	uint8_t tx[MT6D_SESSION_SECRET_LEN], rx[MT6D_SESSION_SECRET_LEN];
	int ret;

	switch (handshake_receive(&t->sess.hs, f->payload, f->payload_len)) {
	case HANDSHAKE_BAD:
		t->stats.drop_handshake++;
		return;
	case HANDSHAKE_NEW_PEER:
		/* Keys from both sides' fresh values: install them before answering. */
		ret = handshake_secrets(&t->sess.hs, tx, rx);
		if (!ret)
			ret = keyring_install(&t->sess.keys, tx, rx, mt6d_mono_ms());
		if (!ret)
			t->last_rekey = time(NULL);
		mt6d_wipe(tx, sizeof(tx));
		mt6d_wipe(rx, sizeof(rx));
		if (ret < 0) {
			t->stats.drop_handshake++;
			return;
		}
		send_handshake(t);
		break;
	case HANDSHAKE_REPLY:
		send_handshake(t);
		break;
	case HANDSHAKE_OK:
		break;
	}
	if (t->sess.hs.authenticated)
		peer_authenticated(t, "handshake");
}

static void on_data(struct tunnel *t, struct mt6d_frame *f, size_t len, uint64_t now_ms)
{
	int ret = keyring_open(&t->sess.keys, t->rxbuf, len, f, now_ms);
	const uint8_t *pkt;
	uint8_t *payload, *out;
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
	default:
		t->stats.drop_auth++;
		return;
	}
	/* Only the peer holds the session keys: a frame that opened proves the key too. */
	peer_authenticated(t, "sealed data");
	payload = t->rxbuf + (f->payload - t->rxbuf);
	if (f->type == MT6D_FRAME_DATA_GSO) {
		if (!t->cfg->offload) {
			t->stats.drop_unknown++;
			return;
		}
		if (f->payload_len < MT6D_VNET_HDR_LEN) {
			t->stats.drop_malformed++;
			return;
		}
		pkt = f->payload + MT6D_VNET_HDR_LEN;
		pkt_len = f->payload_len - MT6D_VNET_HDR_LEN;
		if (mt6d_vnet_hdr_check(f->payload, pkt_len) < 0) {
			t->stats.drop_malformed++;
			return;
		}
		out = payload;
	} else {
		pkt = f->payload;
		pkt_len = f->payload_len;
		/* The frame header before the payload is spent: room for a plain vnet header. */
		out = t->cfg->offload ? memset(payload - MT6D_VNET_HDR_LEN, 0, MT6D_VNET_HDR_LEN)
				      : payload;
	}
	if (mt6d_frame_check_inner(pkt, pkt_len) < 0) {
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
	struct mt6d_frame f;
	int ret;

	if (m->assoc != t->sess.assoc) {
		/* Not the association we authenticated: nothing from it reaches the TUN. */
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
		on_handshake(t, &f);
	else
		on_data(t, &f, m->len, now_ms);
}

static void on_sctp(int fd, uint32_t events, void *ctx)
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
		if (!m.complete) {
			/* Larger than any frame we send: drop the rest of it as it arrives. */
			t->stats.drop_malformed++;
			continue;
		}
		if (m.notification)
			on_notification(t, (const union sctp_notification *)t->rxbuf, m.len);
		else
			on_message(t, &m, now_ms);
	}
}

/* Binds this slot's hashed address; until it works the tunnel retries every tick. */
static int try_bind(struct tunnel *t)
{
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN];
	int ret = local_addr(t, tunnel_slot(t), &addr);

	if (!ret)
		ret = endpoint_bind(t->sk, &addr, 1, t->cfg->port);
	if (ret < 0)
		return ret;
	inet_ntop(AF_INET6, &addr, buf, sizeof(buf));
	log_info("endpoint bound to %s port %u", buf, t->cfg->port);
	t->bound = true;
	ret = mt6d_runtime_publish(t->runtime_path, getpid(), t->sk);
	if (ret < 0)
		fatalx("cannot publish %s: %s", t->runtime_path, strerror(-ret));
	t->published = true;
	return 0;
}

static void try_connect(struct tunnel *t)
{
	struct in6_addr peers[3];
	size_t n = peer_candidates(t, peers);
	sctp_assoc_t id = 0;
	int ret = endpoint_connect(t->sk, peers, n, t->cfg->port, &id);

	if (ret < 0) {
		log_debug("connect: %s", strerror(-ret));
		return;
	}
	t->sess.connecting = id;
}

static const char *session_state(const struct tunnel *t)
{
	if (session_authenticated(&t->sess))
		return "authenticated";
	if (t->sess.assoc)
		return "proving-key";
	return t->sess.connecting ? "connecting" : "down";
}

static void snapshot(const struct tunnel *t, struct tunnel_status *st)
{
	struct mt6d_guard_counters guard;

	memset(st, 0, sizeof(*st));
	st->device = t->ifname;
	st->session = session_state(t);
	st->authenticated = session_authenticated(&t->sess);
	st->now = (uint64_t)time(NULL);
	st->last_rekey = (uint64_t)t->last_rekey;
	st->rekeys = t->sess.keys.rekeys_tx + t->sess.keys.rekeys_rx;
	st->stats = t->stats;
	/* The guard's drops happen in the kernel, before any packet reaches the tunnel. */
	if (t->nft && mt6d_nftctr_read_guard(t->nft, t->guard_table, &guard) == 0) {
		st->stats.drop_filter = guard.dropped;
		st->stats.drop_tripwire = guard.tripwire;
	}
	if (t->sess.assoc && assoc_info_get(t->sk, t->sess.assoc, &st->sctp) == 0) {
		st->has_assoc = true;
		st->assoc_id = (int)t->sess.assoc;
		st->assoc_age_s = st->now - (uint64_t)t->assoc_since;
	}
}

/* The keyring moves to a new epoch on its own: note when, to within a tick. */
static void note_rekeys(struct tunnel *t)
{
	uint64_t n = t->sess.keys.rekeys_tx + t->sess.keys.rekeys_rx;

	if (n != t->rekeys_seen) {
		t->rekeys_seen = n;
		if (n)
			t->last_rekey = time(NULL);
	}
}

static void write_metrics(struct tunnel *t)
{
	struct tunnel_status st;
	struct mt6d_metrics *m;
	int ret;

	if (!t->metrics_path[0] || ++t->metrics_ticks < TUNNEL_METRICS_TICKS)
		return;
	t->metrics_ticks = 0;
	snapshot(t, &st);
	ret = mt6d_metrics_begin(&m, t->metrics_path, t->cfg->name);
	if (!ret) {
		tunnel_status_metrics(m, &st);
		ret = mt6d_metrics_commit(m);
	}
	if (ret < 0)
		log_debug("metrics %s: %s", t->metrics_path, strerror(-ret));
}

/* "status" or "status json": one reply, "ok" on its own line and then the report. */
static void on_ctl(int fd, uint32_t events, void *ctx)
{
	struct tunnel *t = ctx;
	struct tunnel_status st;
	struct mt6d_show sh;
	char req[64], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int cfd = mt6d_ctl_accept(fd, req, sizeof(req));

	if (cfd < 0)
		return;
	if (strcmp(req, "status") && strcmp(req, "status json")) {
		mt6d_ctl_reply(cfd, "error unknown request\n");
		return;
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		mt6d_ctl_reply(cfd, "error out of memory\n");
		return;
	}
	snapshot(t, &st);
	fputs("ok\n", f);
	mt6d_show_init(&sh, f, !strcmp(req, "status json"));
	tunnel_status_show(&sh, &st);
	if (fclose(f) == 0)
		mt6d_ctl_reply(cfd, buf);
	else
		mt6d_ctl_reply(cfd, "error out of memory\n");
	free(buf);
}

static void on_tick(int fd, uint32_t events, void *ctx)
{
	struct tunnel *t = ctx;
	const char *why;
	int ret;

	mt6d_evloop_timer_drain(fd);
	mt6d_watchdog_kick(&t->watchdog);
	note_rekeys(t);
	write_metrics(t);
	if (!t->bound) {
		ret = try_bind(t);
		if (ret < 0) {
			log_debug("bind: %s", strerror(-ret));
			return;
		}
	}
	switch (session_check(&t->sess, &why)) {
	case SESSION_IDLE:
		break;
	case SESSION_CONNECT:
		try_connect(t);
		break;
	case SESSION_STALLED:
		/* One line an operator can act on; repeated at most once per deadline. */
		log_warnx("%s", why);
		mt6d_notify_status("%s", why);
		break;
	case SESSION_UNAUTHENTICATED:
		log_warnx("%s", why);
		endpoint_abort(t->sk, t->sess.assoc);
		session_end(&t->sess);
		break;
	}
}

static void log_stats(const struct tunnel *t)
{
	const struct tunnel_stats *s = &t->stats;

	log_info("tx %llu pkts %llu bytes, rx %llu pkts %llu bytes, associations %llu, "
		 "rekeys tx %llu rx %llu, drops: no-session %llu send %llu auth %llu replay %llu "
		 "malformed %llu unknown %llu unauthenticated %llu handshake %llu tun %llu, "
		 "refused without SCTP-AUTH %llu",
		 (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
		 (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
		 (unsigned long long)s->associations,
		 (unsigned long long)t->sess.keys.rekeys_tx,
		 (unsigned long long)t->sess.keys.rekeys_rx,
		 (unsigned long long)s->drop_no_session, (unsigned long long)s->drop_send,
		 (unsigned long long)s->drop_auth, (unsigned long long)s->drop_replay,
		 (unsigned long long)s->drop_malformed, (unsigned long long)s->drop_unknown,
		 (unsigned long long)s->drop_unauthenticated,
		 (unsigned long long)s->drop_handshake, (unsigned long long)s->drop_tun,
		 (unsigned long long)s->refused_noauth);
}

static void on_signal(int fd, uint32_t events, void *ctx)
{
	struct tunnel *t = ctx;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("signal %u: stopping", si.ssi_signo);
			log_stats(t);
			mt6d_evloop_stop(t->loop);
		} else if (si.ssi_signo == SIGUSR1) {
			log_stats(t);
		}
	}
}

/*
 * mtu = auto: the uplink's MTU less what the tunnel adds, so full-size inner packets
 * need no SCTP fragmentation; never below IPv6's minimum (SCTP fragments then).
 */
static unsigned int inner_mtu(const struct tunnel *t)
{
	struct ifreq ifr = { 0 };
	unsigned int overhead = TUNNEL_OUTER_OVERHEAD + (unsigned int)keyring_overhead(&t->sess.keys);
	int fd, mtu = 1500;

	if (t->cfg->mtu)
		return t->cfg->mtu;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->cfg->interface);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		mtu = ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return mtu - (int)overhead >= 1280 ? (unsigned int)mtu - overhead : 1280;
}

static int setup_device(struct tunnel *t)
{
	int ifindex, ret;

	t->mtu = inner_mtu(t);
	t->tun_fd = tun_open(t->cfg->device, t->ifname, t->cfg->offload);
	if (t->tun_fd < 0)
		return t->tun_fd;
	ifindex = (int)if_nametoindex(t->ifname);
	if (!ifindex)
		return -errno;
	ret = mt6d_rtnl_link_up(t->nl, ifindex, t->mtu);
	/* Host mode: the host's own inner address lives on the TUN device. */
	if (!ret && t->cfg->address.len)
		ret = mt6d_rtnl_addr_set(t->nl, ifindex, &t->cfg->address.addr, t->cfg->address.len,
				    UINT32_MAX, UINT32_MAX);
	for (size_t i = 0; !ret && i < t->cfg->n_routes; i++)
		ret = mt6d_rtnl_route_set(t->nl, ifindex, &t->cfg->routes[i].addr,
				     t->cfg->routes[i].len);
	return ret;
}

static int setup_loop(struct tunnel *t)
{
	int ret = mt6d_evloop_new(&t->loop);

	if (ret < 0)
		return ret;
	t->sig_fd = mt6d_evloop_signalfd();
	if (t->sig_fd < 0)
		return t->sig_fd;
	t->tick_fd = mt6d_evloop_timer_new(1, TUNNEL_TICK_MS);
	if (t->tick_fd < 0)
		return t->tick_fd;
	ret = mt6d_evloop_add(t->loop, t->sig_fd, EPOLLIN, on_signal, t);
	if (!ret)
		ret = mt6d_evloop_add(t->loop, t->tick_fd, EPOLLIN, on_tick, t);
	if (!ret)
		ret = mt6d_evloop_add(t->loop, t->tun_fd, EPOLLIN, on_tun, t);
	if (!ret)
		ret = mt6d_evloop_add(t->loop, t->sk, EPOLLIN, on_sctp, t);
	if (!ret && t->ctl_fd >= 0)
		ret = mt6d_evloop_add(t->loop, t->ctl_fd, EPOLLIN, on_ctl, t);
	return ret;
}

static int setup_keys(struct tunnel *t, uint8_t *auth_key)
{
	const struct mt6d_config *c = t->cfg;
	int ret = mt6d_deriver_init(&t->deriver, c->psk, c->psk_len);

	if (!ret)
		ret = mt6d_kdf(c->psk, c->psk_len, MT6D_KDF_SCTP_AUTH, auth_key, MT6D_KEY_LEN);
	if (!ret)
		ret = session_init(&t->sess, c, &t->local_prefix);
	return ret;
}

/* Volatile stores: the compiler may not drop writes of zero to calloc'd memory. */
static void prefault(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += 4096)
		((volatile uint8_t *)p)[i] = 0;
	((volatile uint8_t *)p)[len - 1] = 0;
}

int tunnel_new(struct tunnel **out, const struct mt6d_config *cfg)
{
	struct tunnel *t = calloc(1, sizeof(*t));
	uint8_t auth_key[MT6D_KEY_LEN];
	char rel[24];
	struct endpoint_params ep = {
		.port = cfg->port,
		.auth_key = auth_key,
		.auth_key_len = sizeof(auth_key),
		.bufsize = (int)cfg->buffer_size * 1024,
		.sack_delay = cfg->sack_delay,
		.streams = TUNNEL_STREAMS,
		.pr = {
			.policy = cfg->reliability.policy == MT6D_PR_RTX   ? SCTP_PR_SCTP_RTX
				  : cfg->reliability.policy == MT6D_PR_TTL ? SCTP_PR_SCTP_TTL
									   : SCTP_PR_SCTP_NONE,
			.value = cfg->reliability.value,
		},
		.rto_min = cfg->recovery.rto_min,
		.rto_max = cfg->recovery.rto_max,
		.hb_interval = cfg->recovery.heartbeat_interval,
		.path_max_retrans = (uint16_t)cfg->recovery.path_max_retrans,
		.pf_threshold = (uint16_t)cfg->recovery.pf_threshold,
		.max_retrans = (uint16_t)cfg->recovery.max_retrans,
	};
	int ifindex, ret;

	if (!t)
		return -ENOMEM;
	/*
	 * Touch the packet buffers now: their pages would otherwise arrive with the first
	 * large super-packet, and private memory is meant to be flat from the start.
	 */
	prefault(t->rxbuf, sizeof(t->rxbuf));
	prefault(t->txbuf, sizeof(t->txbuf));
	t->cfg = cfg;
	t->pr = ep.pr;
	t->tun_fd = t->sk = t->sig_fd = t->tick_fd = t->ctl_fd = -1;
	ret = mt6d_clock_offset_from_env(&t->clock_offset_ms);
	if (ret < 0) {
		log_warnx("%s: expected milliseconds from -%ld to %ld", MT6D_CLOCK_OFFSET_ENV,
			  MT6D_CLOCK_OFFSET_MAX_MS, MT6D_CLOCK_OFFSET_MAX_MS);
		goto fail;
	}
	if (t->clock_offset_ms)
		log_warnx("%s=%ld: slots follow a clock moved by %ld ms; for tests only",
			  MT6D_CLOCK_OFFSET_ENV, t->clock_offset_ms, t->clock_offset_ms);
	ret = mt6d_rtnl_open(&t->nl);
	if (ret < 0) {
		log_warnx("rtnetlink: %s", strerror(-ret));
		goto fail;
	}
	ret = mt6d_uplink_resolve(t->nl, cfg, &ifindex, &t->local_prefix);
	if (ret < 0) {
		log_warnx("%s: uplink %s: %s", cfg->path, cfg->interface,
			  ret == -ENOENT ? "no global /64 to derive addresses in; set [local] prefix"
					 : strerror(-ret));
		goto fail;
	}
	ret = setup_keys(t, auth_key);
	if (ret < 0) {
		log_warnx("key derivation failed");
		goto fail;
	}
	/* Only for the status: without nf_tables the guard's drops read as 0. */
	snprintf(t->guard_table, sizeof(t->guard_table), MT6D_GUARD_TABLE_PREFIX "%s", cfg->name);
	if (cfg->guard.enable) {
		ret = mt6d_nft_open(&t->nft);
		if (ret < 0)
			log_debug("no nf_tables socket for the guard's counters: %s", strerror(-ret));
	}
	ret = mt6d_runtime_mkdir();
	if (!ret)
		ret = mt6d_runtime_path(t->runtime_path, sizeof(t->runtime_path), cfg->name,
					"tunnel");
	if (!ret)
		ret = mt6d_runtime_path(t->ctl_path, sizeof(t->ctl_path), cfg->name, "tunnel.ctl");
	if (ret < 0) {
		log_warnx("runtime directory: %s", strerror(-ret));
		goto fail;
	}
	if (cfg->metrics_dir[0] &&
	    snprintf(t->metrics_path, sizeof(t->metrics_path), "%s/%s-tunnel.prom",
		     cfg->metrics_dir, cfg->name) >= (int)sizeof(t->metrics_path)) {
		log_warnx("%s: [metrics] directory: path too long", cfg->path);
		ret = -ENAMETOOLONG;
		goto fail;
	}
	t->ctl_fd = mt6d_ctl_listen(t->ctl_path);
	if (t->ctl_fd < 0) {
		ret = t->ctl_fd;
		log_warnx("control socket %s: %s", t->ctl_path,
			  ret == -EADDRINUSE ? "another mt6d-tunnel serves this tunnel"
					     : strerror(-ret));
		goto fail;
	}
	ret = setup_device(t);
	if (ret < 0) {
		log_warnx("TUN device %s: %s", cfg->device, strerror(-ret));
		goto fail;
	}
	t->sk = endpoint_open(&ep);
	if (t->sk < 0) {
		ret = t->sk;
		log_warnx("SCTP endpoint: %s%s", strerror(-ret),
			  ret == -EPROTONOSUPPORT ? " (this kernel has no SCTP; modprobe sctp)" : "");
		goto fail;
	}
	ret = setup_loop(t);
	if (ret < 0) {
		log_warnx("event loop: %s", strerror(-ret));
		goto fail;
	}
	mt6d_watchdog_init(&t->watchdog);
	mt6d_notify_status("TUN device %s up; waiting for the association", t->ifname);
	if (cfg->encryption == MT6D_CIPHER_NONE)
		log_warnx("%s: [tunnel] encryption = none: inner packets, their addresses "
			  "included, cross the network in clear; for measurement only", cfg->path);
	snprintf(rel, sizeof(rel), cfg->reliability.policy == MT6D_PR_RTX   ? "rtx:%u"
				   : cfg->reliability.policy == MT6D_PR_TTL ? "ttl:%u"
									    : "full",
		 cfg->reliability.value);
	log_info("TUN device %s up, mtu %u, offloads %s, %zu route(s), %s mode, encryption %s, "
		 "delivery %s, reliability %s; initiator: %s", t->ifname, t->mtu,
		 cfg->offload ? "on" : "off", cfg->n_routes,
		 cfg->address.len ? "host" : "gateway",
		 mt6d_cipher_name((enum mt6d_cipher)cfg->encryption),
		 cfg->delivery == MT6D_DELIVERY_ORDERED ? "ordered" : "unordered", rel,
		 t->sess.initiator ? "yes" : "no (waiting for the peer)");
	mt6d_wipe(auth_key, sizeof(auth_key));
	*out = t;
	return 0;
fail:
	mt6d_wipe(auth_key, sizeof(auth_key));
	tunnel_free(t);
	return ret;
}

int tunnel_run(struct tunnel *t)
{
	return mt6d_evloop_run(t->loop);
}

void tunnel_free(struct tunnel *t)
{
	if (!t)
		return;
	if (t->published)
		unlink(t->runtime_path);
	if (t->ctl_fd >= 0) {
		close(t->ctl_fd);
		unlink(t->ctl_path);
	}
	if (t->metrics_path[0])
		unlink(t->metrics_path);
	if (t->sk >= 0)
		close(t->sk);
	if (t->tun_fd >= 0)
		close(t->tun_fd);
	if (t->tick_fd >= 0)
		close(t->tick_fd);
	if (t->sig_fd >= 0)
		close(t->sig_fd);
	mt6d_evloop_free(t->loop);
	mt6d_nft_close(t->nft);
	mt6d_rtnl_close(t->nl);
	mt6d_deriver_clear(&t->deriver);
	session_clear(&t->sess);
	free(t);
}

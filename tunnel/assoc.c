// SPDX-License-Identifier: MIT
/*
 * The association in charge, and the one place that decides which it is: the tunnel
 * binds this slot's hashed address, connects (when it is the initiator), takes an
 * association that comes up, checks that the peer uses SCTP-AUTH, starts the handshake
 * on it (assoc_keys.c) and drops it when the peer does not prove the key in time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "runtime.h"
#include "tunnel_int.h"

uint64_t assoc_slot(const struct tunnel *t)
{
	return mt6d_slot(mt6d_daemon_now(&t->d), t->cfg->interval);
}

/*
 * What mt6d-addrmgr reads: the socket of the association in charge (the peer proved the key
 * on it) and its id, or while there is none the socket of the clock's epoch and id 0.
 */
void assoc_publish(struct tunnel *t)
{
	bool in_charge = session_authenticated(&t->sess);
	struct tunnel_ep *ep = in_charge ? hop_ep(t, t->sess.cur.sk) : NULL;
	struct mt6d_runtime_sock rs;
	int ret;

	/* Nothing before the first endpoint is bound (nor in the fuzzers, which bind none). */
	if (!t->bound)
		return;
	if (!ep) {
		ep = hop_current_ep(t);
		in_charge = false;
	}
	if (!ep)
		return;
	rs = (struct mt6d_runtime_sock){ .pid = getpid(),
					 .fd = ep->sk,
					 .assoc = in_charge ? t->sess.cur.id : 0,
					 .epoch = ep->epoch,
					 .port = ep->port,
					 .serial = ep->serial };
	ret = mt6d_runtime_publish(t->runtime_path, &rs);
	if (ret < 0)
		fatalx("cannot publish %s: %s", t->runtime_path, strerror(-ret));
	t->published = true;
	t->published_serial = ep->serial;
}

void assoc_down(struct tunnel *t, const char *why)
{
	sctp_assoc_t id = t->sess.cur.id;
	bool was_authenticated = session_authenticated(&t->sess);

	if (!id)
		return;
	log_info("association %d down: %s", (int)id, why);
	mt6d_notify_status("association down (%s); re-establishing", why);
	session_drop(&t->sess, id, mt6d_mono_ms());
	datapath_resume(t);
	if (was_authenticated)
		assoc_publish(t);
}

void assoc_abort(struct tunnel *t, const char *why)
{
	sctp_assoc_t id = t->sess.cur.id;

	if (!id)
		return;
	endpoint_abort(t->sess.cur.sk, id);
	assoc_down(t, why);
}

void assoc_refuse(struct tunnel *t, sctp_assoc_t id, uint64_t *counter)
{
	const struct session_link *l = session_find(&t->sess, id);

	if (l)
		endpoint_abort(l->sk, id);
	(*counter)++;
	if (id == t->sess.cur.id)
		assoc_down(t, "refused");
	else
		session_drop(&t->sess, id, mt6d_mono_ms());
}

static void assoc_up(struct tunnel *t, int sk, sctp_assoc_t id, bool restart)
{
	const struct tunnel_ep *ep = hop_ep(t, sk);
	int displaced_sk = t->sess.cand.sk;
	struct session_link *l;
	sctp_assoc_t displaced;
	int ret;

	/* Before anything changes: an association without SCTP-AUTH is not even a candidate. */
	ret = endpoint_check_peer_auth(sk, id);
	if (ret < 0) {
		log_warnx("association %d refused: the peer does not %s; aborting", (int)id,
			  ret == -EACCES ? "use SCTP-AUTH at all"
					 : "authenticate ABORT, SHUTDOWN, SACK, DATA, ASCONF...");
		endpoint_abort(sk, id);
		t->stats.refused_noauth++;
		return;
	}
	if (restart && id == t->sess.cur.id && session_authenticated(&t->sess))
		assoc_down(t, "restarted by the peer");
	l = session_begin(&t->sess, id, mt6d_mono_ms(), &displaced);
	if (!l || getrandom(&l->stream_key, sizeof(l->stream_key), 0) != sizeof(l->stream_key))
		fatalx("cannot draw a session nonce");
	l->sk = sk;
	l->epoch = ep ? ep->epoch : 0;
	if (displaced) {
		log_info("association %d: a newer candidate %d displaces it; aborting",
			 (int)displaced, (int)id);
		endpoint_abort(displaced_sk, displaced);
		t->stats.unproven++;
	}
	t->stats.associations++;
	if (l == &t->sess.cur)
		t->assoc_since = time(NULL);
	log_info("association %d %s; starting the handshake%s", (int)id,
		 restart ? "restarted" : "up",
		 l == &t->sess.cand ? " (a candidate: the current one stays in charge until it "
				      "is proven)"
				    : "");
	assoc_start_handshake(t, l);
}

static void on_assoc_change(struct tunnel *t, int sk, const struct sctp_assoc_change *sac,
			    size_t len)
{
	sctp_assoc_t id = sac->sac_assoc_id;
	struct tunnel_ep *ep;

	switch (sac->sac_state) {
	case SCTP_COMM_UP:
	case SCTP_RESTART:
		assoc_up(t, sk, id, sac->sac_state == SCTP_RESTART);
		break;
	case SCTP_COMM_LOST:
		/* The kernel reports a received ABORT as COMM_LOST too, with the chunk attached. */
		if (id == t->sess.cur.id)
			assoc_down(t, len > sizeof(*sac)
					      ? "aborted by the peer"
					      : "peer unreachable (retransmission limit)");
		else
			session_drop(&t->sess, id, mt6d_mono_ms());
		break;
	case SCTP_SHUTDOWN_COMP:
		if (id == t->sess.cur.id)
			assoc_down(t, "shut down by the peer");
		else
			session_drop(&t->sess, id, mt6d_mono_ms());
		break;
	case SCTP_CANT_STR_ASSOC:
		/* The peer's port may be busy on its side: see mt6d_port_attempt(). */
		ep = hop_ep(t, sk);
		if (ep && id == t->sess.connecting)
			ep->peer_failed++;
		session_connect_failed(&t->sess, id);
		log_debug("association attempt %d failed", (int)id);
		break;
	}
}

static void on_paddr_change(struct tunnel *t, const struct sctp_paddr_change *pc)
{
	const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)&pc->spc_aaddr;
	char buf[INET6_ADDRSTRLEN];

	if (sa->sin6_family != AF_INET6)
		return;
	inet_ntop(AF_INET6, &sa->sin6_addr, buf, sizeof(buf));
	log_debug("association %d: peer address %s state %d", (int)pc->spc_assoc_id, buf,
		  pc->spc_state);
	/* The peer announced or dropped an address: it may have been renumbered. */
	if (pc->spc_assoc_id == t->sess.cur.id &&
	    (pc->spc_state == SCTP_ADDR_ADDED || pc->spc_state == SCTP_ADDR_REMOVED ||
	     pc->spc_state == SCTP_ADDR_MADE_PRIM))
		renumber_learn_peer(t);
}

static void on_authkey_event(struct tunnel *t, int sk, const struct sctp_authkey_event *ev)
{
	sctp_assoc_t id = ev->auth_assoc_id;

	if (ev->auth_indication != SCTP_AUTH_NO_AUTH)
		return;
	log_warnx("association %d refused: the peer does not support SCTP-AUTH", (int)id);
	if (session_find(&t->sess, id)) {
		assoc_refuse(t, id, &t->stats.refused_noauth);
	} else {
		endpoint_abort(sk, id);
		t->stats.refused_noauth++;
	}
}

static void on_shutdown_event(struct tunnel *t, const struct sctp_shutdown_event *sse)
{
	if (sse->sse_assoc_id == t->sess.cur.id)
		assoc_down(t, "peer is shutting down");
	else
		session_drop(&t->sess, sse->sse_assoc_id, mt6d_mono_ms());
}

void assoc_notification(struct tunnel *t, int sk, const void *buf, size_t len)
{
	/* @buf is a receive buffer at any alignment: read the notification from a copy. */
	union sctp_notification u = { 0 };
	const union sctp_notification *n = &u;

	memcpy(&u, buf, len < sizeof(u) ? len : sizeof(u));
	/*
	 * The kernel writes the notification's length into its header; from there on it is
	 * the length, and it must fit in what was read. Every type's fields are read only
	 * within it (and within the copy: each type's struct is a member of the union).
	 */
	if (len < sizeof(n->sn_header) || n->sn_header.sn_length > len)
		return;
	len = n->sn_header.sn_length;
	switch (n->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE:
		if (len >= sizeof(n->sn_assoc_change))
			on_assoc_change(t, sk, &n->sn_assoc_change, len);
		break;
	case SCTP_PEER_ADDR_CHANGE:
		if (len >= sizeof(n->sn_paddr_change))
			on_paddr_change(t, &n->sn_paddr_change);
		break;
	case SCTP_AUTHENTICATION_EVENT:
		if (len >= sizeof(n->sn_authkey_event))
			on_authkey_event(t, sk, &n->sn_authkey_event);
		break;
	case SCTP_SHUTDOWN_EVENT:
		if (len >= sizeof(n->sn_shutdown_event))
			on_shutdown_event(t, &n->sn_shutdown_event);
		break;
	}
}

void assoc_authenticated(struct tunnel *t, struct session_link *l, const char *how)
{
	int old_sk = t->sess.cur.sk;
	sctp_assoc_t replaced;
	bool hop = hop_enabled(t);

	if (!session_authenticate(&t->sess, l, hop, &replaced))
		return;
	/* A candidate was swapped in: @l is no longer its link, the current one is. */
	if (replaced && hop) {
		hop_drain(t, replaced, old_sk);
	} else if (replaced) {
		log_info("association %d: replaced by association %d, on which the peer proved "
			 "the key; aborting it",
			 (int)replaced, (int)t->sess.cur.id);
		endpoint_abort(old_sk, replaced);
	}
	if (replaced) {
		t->assoc_since = time(NULL);
		datapath_resume(t);
	}
	assoc_publish(t);
	if (replaced && hop)
		return;
	log_info("association %d: peer proved the key (%s); session keys in use, tunnel %s is "
		 "carrying traffic",
		 (int)t->sess.cur.id, how, t->ifname);
	mt6d_notify_status("association %d up and authenticated; carrying traffic on %s",
			   (int)t->sess.cur.id, t->ifname);
}

void assoc_tick(struct tunnel *t, uint64_t now_ms)
{
	const struct mt6d_config *c = t->cfg;
	/* Without SCTP heartbeats (hopping) the peer's keepalives say it is there. */
	const uint64_t silent_ms =
		(uint64_t)(c->recovery.path_max_retrans + 1) * c->recovery.heartbeat_interval;
	sctp_assoc_t id;
	const char *why;

	if (t->sess.cur.id)
		assoc_rekey_tick(t, &t->sess.cur, now_ms);
	hop_tick(t, now_ms);
	if (!t->bound)
		return;
	if (hop_keepalives(t) && session_authenticated(&t->sess)) {
		datapath_keepalive(t, now_ms);
		if (now_ms - t->sess.cur.last_rx_ms >= silent_ms) {
			t->stats.peer_silent++;
			assoc_abort(t,
				    "no sealed frame from the peer in time (keepalive deadline)");
		}
	}
	switch (session_check(&t->sess, now_ms, &why, &id)) {
	case SESSION_IDLE:
		break;
	case SESSION_CONNECT:
		hop_connect(t);
		break;
	case SESSION_STALLED:
		/* One line an operator can act on; repeated at most once per deadline. */
		log_warnx("%s", why);
		mt6d_notify_status("%s", why);
		break;
	case SESSION_UNAUTHENTICATED:
		log_warnx("%s", why);
		assoc_refuse(t, id, &t->stats.unproven);
		break;
	}
}

void assoc_endpoint_params(const struct mt6d_config *cfg, const uint8_t *auth_key,
			   struct endpoint_params *ep)
{
	const struct mt6d_reliability *r = &cfg->reliability;

	*ep = (struct endpoint_params){
		.port = cfg->port,
		.auth_key = auth_key,
		.auth_key_len = MT6D_KEY_LEN,
		.bufsize = (int)cfg->buffer_size * 1024,
		.sack_delay = cfg->sack_delay,
		.streams = TUNNEL_STREAMS,
		.pr = {
			.policy = r->policy == MT6D_PR_RTX   ? SCTP_PR_SCTP_RTX
				  : r->policy == MT6D_PR_TTL ? SCTP_PR_SCTP_TTL
							     : SCTP_PR_SCTP_NONE,
			.value = r->value,
		},
		.rto_min = cfg->recovery.rto_min,
		.rto_max = cfg->recovery.rto_max,
		.hb_interval = cfg->recovery.heartbeat_interval,
		.path_max_retrans = (uint16_t)cfg->recovery.path_max_retrans,
		.pf_threshold = (uint16_t)cfg->recovery.pf_threshold,
		.max_retrans = (uint16_t)cfg->recovery.max_retrans,
	};
}

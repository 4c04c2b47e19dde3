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
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "runtime.h"
#include "tunnel_int.h"

static uint64_t tunnel_slot(const struct tunnel *t)
{
	return mt6d_slot(mt6d_daemon_now(&t->d), t->cfg->interval);
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

/* What mt6d-addrmgr reads: the socket, and the association in charge (0: none). */
static void publish(struct tunnel *t)
{
	int ret;

	if (!t->bound)
		return;
	ret = mt6d_runtime_publish(t->runtime_path, getpid(), t->sk,
				   session_authenticated(&t->sess) ? t->sess.cur.id : 0);
	if (ret < 0)
		fatalx("cannot publish %s: %s", t->runtime_path, strerror(-ret));
	t->published = true;
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
		publish(t);
}

void assoc_abort(struct tunnel *t, const char *why)
{
	sctp_assoc_t id = t->sess.cur.id;

	if (!id)
		return;
	endpoint_abort(t->sk, id);
	assoc_down(t, why);
}

void assoc_refuse(struct tunnel *t, sctp_assoc_t id, uint64_t *counter)
{
	endpoint_abort(t->sk, id);
	(*counter)++;
	if (id == t->sess.cur.id)
		assoc_down(t, "refused");
	else
		session_drop(&t->sess, id, mt6d_mono_ms());
}

static void assoc_up(struct tunnel *t, sctp_assoc_t id, bool restart)
{
	struct session_link *l;
	sctp_assoc_t displaced;
	int ret;

	/* Before anything changes: an association without SCTP-AUTH is not even a candidate. */
	ret = endpoint_check_peer_auth(t->sk, id);
	if (ret < 0) {
		log_warnx("association %d refused: the peer does not %s; aborting", (int)id,
			  ret == -EACCES ? "use SCTP-AUTH at all"
					 : "authenticate ABORT, SHUTDOWN, SACK, DATA, ASCONF...");
		endpoint_abort(t->sk, id);
		t->stats.refused_noauth++;
		return;
	}
	if (restart && id == t->sess.cur.id && session_authenticated(&t->sess))
		assoc_down(t, "restarted by the peer");
	l = session_begin(&t->sess, id, mt6d_mono_ms(), &displaced);
	if (!l)
		fatalx("cannot draw a session nonce");
	if (displaced) {
		log_info("association %d: a newer candidate %d displaces it; aborting",
			 (int)displaced, (int)id);
		endpoint_abort(t->sk, displaced);
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

static void on_assoc_change(struct tunnel *t, const struct sctp_assoc_change *sac, size_t len)
{
	sctp_assoc_t id = sac->sac_assoc_id;

	switch (sac->sac_state) {
	case SCTP_COMM_UP:
	case SCTP_RESTART:
		assoc_up(t, id, sac->sac_state == SCTP_RESTART);
		break;
	case SCTP_COMM_LOST:
		/* The kernel reports a received ABORT as COMM_LOST too, with the chunk attached. */
		if (id == t->sess.cur.id)
			assoc_down(t, len > sizeof(*sac)
					      ? "aborted by the peer"
					      : "peer unreachable (retransmission limit)");
		else if (id == t->sess.cand.id)
			session_drop(&t->sess, id, mt6d_mono_ms());
		break;
	case SCTP_SHUTDOWN_COMP:
		if (id == t->sess.cur.id)
			assoc_down(t, "shut down by the peer");
		else if (id == t->sess.cand.id)
			session_drop(&t->sess, id, mt6d_mono_ms());
		break;
	case SCTP_CANT_STR_ASSOC:
		session_connect_failed(&t->sess, id);
		log_debug("association attempt %d failed", (int)id);
		break;
	}
}

static void on_paddr_change(const struct sctp_paddr_change *pc)
{
	const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)&pc->spc_aaddr;
	char buf[INET6_ADDRSTRLEN];

	if (sa->sin6_family != AF_INET6)
		return;
	inet_ntop(AF_INET6, &sa->sin6_addr, buf, sizeof(buf));
	log_debug("association %d: peer address %s state %d", (int)pc->spc_assoc_id, buf,
		  pc->spc_state);
}

static void on_authkey_event(struct tunnel *t, const struct sctp_authkey_event *ev)
{
	sctp_assoc_t id = ev->auth_assoc_id;

	if (ev->auth_indication != SCTP_AUTH_NO_AUTH)
		return;
	log_warnx("association %d refused: the peer does not support SCTP-AUTH", (int)id);
	if (session_find(&t->sess, id)) {
		assoc_refuse(t, id, &t->stats.refused_noauth);
	} else {
		endpoint_abort(t->sk, id);
		t->stats.refused_noauth++;
	}
}

static void on_shutdown_event(struct tunnel *t, const struct sctp_shutdown_event *sse)
{
	if (sse->sse_assoc_id == t->sess.cur.id)
		assoc_down(t, "peer is shutting down");
	else if (sse->sse_assoc_id == t->sess.cand.id)
		session_drop(&t->sess, t->sess.cand.id, mt6d_mono_ms());
}

void assoc_notification(struct tunnel *t, const void *buf, size_t len)
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
			on_assoc_change(t, &n->sn_assoc_change, len);
		break;
	case SCTP_PEER_ADDR_CHANGE:
		if (len >= sizeof(n->sn_paddr_change))
			on_paddr_change(&n->sn_paddr_change);
		break;
	case SCTP_AUTHENTICATION_EVENT:
		if (len >= sizeof(n->sn_authkey_event))
			on_authkey_event(t, &n->sn_authkey_event);
		break;
	case SCTP_SHUTDOWN_EVENT:
		if (len >= sizeof(n->sn_shutdown_event))
			on_shutdown_event(t, &n->sn_shutdown_event);
		break;
	}
}

void assoc_authenticated(struct tunnel *t, struct session_link *l, const char *how)
{
	sctp_assoc_t replaced;

	if (!session_authenticate(&t->sess, l, &replaced))
		return;
	/* A candidate was swapped in: @l is no longer its link, the current one is. */
	if (replaced) {
		log_info("association %d: replaced by association %d, on which the peer proved "
			 "the key; aborting it",
			 (int)replaced, (int)t->sess.cur.id);
		endpoint_abort(t->sk, replaced);
		t->assoc_since = time(NULL);
		datapath_resume(t);
	}
	log_info("association %d: peer proved the key (%s); session keys in use, tunnel %s is "
		 "carrying traffic",
		 (int)t->sess.cur.id, how, t->ifname);
	publish(t);
	mt6d_notify_status("association %d up and authenticated; carrying traffic on %s",
			   (int)t->sess.cur.id, t->ifname);
}

/* Binds this slot's hashed address; until it works the tunnel retries every tick. */
static int try_bind(struct tunnel *t)
{
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN];
	int ret = mt6d_hashed_addr(&t->deriver, &t->d.prefix, &t->cfg->local_iid, tunnel_slot(t),
				   &addr);

	if (!ret)
		ret = endpoint_bind(t->sk, &addr, 1, t->cfg->port);
	if (ret < 0)
		return ret;
	inet_ntop(AF_INET6, &addr, buf, sizeof(buf));
	log_info("endpoint bound to %s port %u", buf, t->cfg->port);
	t->bound = true;
	publish(t);
	/*
	 * Ready: device, routes and endpoint are up and published for mt6d-addrmgr. The peer
	 * is not waited for (it may be down for long; boot must not be): its state is in
	 * STATUS= and --status.
	 */
	mt6d_notify_status("TUN device %s up, endpoint bound; waiting for the peer", t->ifname);
	if (!t->ready && mt6d_notify_send("READY=1") == 0)
		t->ready = true;
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
	session_connecting(&t->sess, id);
}

void assoc_tick(struct tunnel *t, uint64_t now_ms)
{
	sctp_assoc_t id;
	const char *why;
	int ret;

	if (t->sess.cur.id)
		assoc_rekey_tick(t, &t->sess.cur, now_ms);
	if (!t->bound) {
		ret = try_bind(t);
		if (ret < 0) {
			log_debug("bind: %s", strerror(-ret));
			return;
		}
	}
	switch (session_check(&t->sess, now_ms, &why, &id)) {
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

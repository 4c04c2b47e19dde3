// SPDX-License-Identifier: MIT
/*
 * The tunnel's SCTP endpoints. Without association hopping there is one, on [tunnel] port,
 * for the tunnel's life. With it ([rotation] association-slots), each association epoch has
 * its own socket, on a port derived for the epoch (derive.h), bound to the hashed address of
 * the slot it opens for and to nothing else: the next association shares no port,
 * verification tag, TSN or address with the last. The next epoch's endpoint opens a slot
 * early, so that a peer whose clock runs ahead finds it; the initiator connects when its
 * clock enters the epoch; the new association runs its own handshake as a candidate and
 * takes over once the peer proved the key on it (make-before-break); the old one drains
 * for TUNNEL_DRAIN_MS and its socket closes. A hop that does not complete within its slot is
 * counted and started over from the next slot's address, while the old association carries
 * on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "notify.h"
#include "tunnel_int.h"

bool hop_enabled(const struct tunnel *t)
{
	return t->cfg->association_slots > 0;
}

bool hop_keepalives(const struct tunnel *t)
{
	return t->cfg->association_slots == 1;
}

uint64_t hop_epoch(const struct tunnel *t, uint64_t slot)
{
	return hop_enabled(t) ? mt6d_assoc_epoch(slot, t->cfg->association_slots) : 0;
}

struct tunnel_ep *hop_ep(struct tunnel *t, int sk)
{
	for (size_t i = 0; sk >= 0 && i < TUNNEL_EPS; i++)
		if (t->eps[i].sk == sk)
			return &t->eps[i];
	return NULL;
}

/* The open endpoint of @epoch that is not draining, or NULL. */
static struct tunnel_ep *ep_of_epoch(struct tunnel *t, uint64_t epoch)
{
	for (size_t i = 0; i < TUNNEL_EPS; i++)
		if (t->eps[i].sk >= 0 && t->eps[i].epoch == epoch && !t->eps[i].close_ms)
			return &t->eps[i];
	return NULL;
}

struct tunnel_ep *hop_current_ep(struct tunnel *t)
{
	struct tunnel_ep *ep = ep_of_epoch(t, hop_epoch(t, assoc_slot(t)));

	return ep && ep->port ? ep : NULL;
}

static int ep_open(struct tunnel *t, uint64_t epoch, uint64_t slot, struct tunnel_ep **out);

int hop_setup(struct tunnel *t)
{
	uint64_t slot = assoc_slot(t);
	struct tunnel_ep *ep;

	for (size_t i = 0; i < TUNNEL_EPS; i++)
		t->eps[i] = (struct tunnel_ep){ .sk = -1 };
	t->paused_sk = -1;
	assoc_endpoint_params(t->cfg, t->auth_key, &t->ep_params);
	if (hop_keepalives(t))
		/*
		 * Linux puts its jiffies in every HEARTBEAT: a clock that would tie the
		 * associations together. The tunnel's own keepalives take their place. With
		 * more than one slot per association the kernel needs them after all: it
		 * confirms each address an ASCONF adds with a HEARTBEAT before sending to it.
		 */
		t->ep_params.hb_interval = 0;
	t->pr = t->ep_params.pr;
	renumber_init(t);
	/* The clock's endpoint opens now (bound at the first tick): no SCTP, no start. */
	return ep_open(t, hop_epoch(t, slot), slot, &ep);
}

static int ep_open(struct tunnel *t, uint64_t epoch, uint64_t slot, struct tunnel_ep **out)
{
	struct tunnel_ep *ep = NULL;
	int sk, ret;

	for (size_t i = 0; i < TUNNEL_EPS && !ep; i++)
		if (t->eps[i].sk < 0)
			ep = &t->eps[i];
	if (!ep)
		return -ENOSPC;
	sk = endpoint_open(&t->ep_params);
	if (sk < 0)
		return sk;
	ret = mt6d_evloop_add(t->d.loop, sk, EPOLLIN, datapath_on_sctp, t);
	if (ret < 0) {
		close(sk);
		return ret;
	}
	*ep = (struct tunnel_ep){
		.sk = sk, .epoch = epoch, .slot = slot, .serial = ++t->ep_serial
	};
	*out = ep;
	return 0;
}

/* @ep's slot's address on every uplink (that is there), the first uplink's first; how many. */
static size_t ep_addrs(struct tunnel *t, const struct tunnel_ep *ep, struct in6_addr *out)
{
	size_t n = 0;

	for (size_t i = 0; i < t->d.n_uplinks; i++) {
		const struct mt6d_uplink *u = &t->cfg->uplinks[i];
		const struct in6_addr *prefix = renumber_local(t, i);

		if (prefix && !mt6d_hashed_addr(&t->deriver, u->name, prefix, &t->cfg->local_iid,
						ep->slot, &out[n]))
			n++;
	}
	return n;
}

/*
 * Binds @ep to its slot's address on every uplink, on [tunnel] port or the first free port
 * candidate: the association starts multihomed, and mt6d-addrmgr rotates each uplink's.
 */
static int ep_bind(struct tunnel *t, struct tunnel_ep *ep)
{
	const struct mt6d_port_range *r = &t->cfg->port_range;
	unsigned int n = hop_enabled(t) ? MT6D_PORT_CANDIDATES : 1;
	uint16_t port = t->cfg->port;
	struct in6_addr addrs[MT6D_MAX_UPLINKS];
	size_t naddrs = ep_addrs(t, ep, addrs);
	int ret = naddrs ? 0 : -EIO;

	ep->renumber_gen = t->renumber_gen;

	for (unsigned int c = 0; !ret && c < n; c++) {
		if (hop_enabled(t))
			ret = mt6d_assoc_port(&t->deriver, &t->d.uplinks[0].prefix, ep->epoch, c,
					      r->lo, r->hi, &port);
		if (!ret)
			ret = endpoint_bind(ep->sk, addrs, naddrs, port);
		if (ret != -EADDRINUSE)
			break;
		log_debug("port %u is busy: trying the epoch's next candidate", port);
		ret = c + 1 < n ? 0 : ret;
	}
	if (ret < 0)
		return ret;
	ep->port = port;
	if (!hop_enabled(t)) {
		char buf[INET6_ADDRSTRLEN];

		log_info("endpoint bound to %s%s port %u",
			 inet_ntop(AF_INET6, &addrs[0], buf, sizeof(buf)),
			 naddrs > 1 ? " and the other uplinks' addresses" : "", port);
	}
	return 0;
}

/* Closes @ep's socket; the kernel shuts down (or aborts) what is still on it. */
static void ep_close(struct tunnel *t, struct tunnel_ep *ep)
{
	uint64_t now_ms = mt6d_mono_ms();
	int sk = ep->sk;
	bool published = t->published_serial == ep->serial;

	if (t->sess.cur.id && t->sess.cur.sk == sk)
		assoc_down(t, "its endpoint closed");
	if (t->sess.cand.id && t->sess.cand.sk == sk)
		session_drop(&t->sess, t->sess.cand.id, now_ms);
	if (t->sess.drain.id && t->sess.drain.sk == sk)
		session_drop(&t->sess, t->sess.drain.id, now_ms);
	if (t->sess.connecting && t->connect_sk == sk)
		session_connect_failed(&t->sess, t->sess.connecting);
	if (t->paused_sk == sk)
		datapath_resume(t);
	mt6d_evloop_del(t->d.loop, sk);
	close(sk);
	*ep = (struct tunnel_ep){ .sk = -1 };
	if (published)
		assoc_publish(t);
}

void hop_close_all(struct tunnel *t)
{
	for (size_t i = 0; i < TUNNEL_EPS; i++)
		if (t->eps[i].sk >= 0) {
			mt6d_evloop_del(t->d.loop, t->eps[i].sk);
			close(t->eps[i].sk);
			t->eps[i].sk = -1;
		}
}

/* Whether an association (or the attempt at one) is on @ep's socket. */
static bool ep_busy(const struct tunnel *t, const struct tunnel_ep *ep)
{
	const struct session *s = &t->sess;

	return (s->cur.id && s->cur.sk == ep->sk) || (s->cand.id && s->cand.sk == ep->sk) ||
	       (s->drain.id && s->drain.sk == ep->sk) || (s->connecting && t->connect_sk == ep->sk);
}

/* The endpoint of @epoch, opened and bound to @slot's address; retried every tick. */
static void ensure(struct tunnel *t, uint64_t epoch, uint64_t slot)
{
	struct tunnel_ep *ep = ep_of_epoch(t, epoch);
	bool first;
	int ret = 0;

	/*
	 * With hopping, an endpoint waiting for its epoch is bound again after a renumbering
	 * (mt6d-addrmgr moves only the published one's addresses): the peer connects to the
	 * new /64.
	 */
	if (ep && ep->port && hop_enabled(t) && ep->renumber_gen != t->renumber_gen &&
	    !ep_busy(t, ep) && ep != hop_current_ep(t)) {
		log_debug("endpoint of epoch %llu: bound again after a renumbering",
			  (unsigned long long)epoch);
		ep_close(t, ep);
		ep = NULL;
	}

	if (!ep)
		ret = ep_open(t, epoch, slot, &ep);
	if (!ret && !ep->port)
		ret = ep_bind(t, ep);
	if (ret < 0) {
		log_debug("endpoint of epoch %llu: %s", (unsigned long long)epoch, strerror(-ret));
		return;
	}
	if (ep != hop_current_ep(t))
		return;
	first = !t->bound;
	t->bound = true;
	/* Without an association in charge, mt6d-addrmgr acts on the clock's endpoint. */
	if (!session_authenticated(&t->sess) &&
	    (!t->published || t->published_serial != ep->serial))
		assoc_publish(t);
	if (!first)
		return;
	/*
	 * Ready: device, routes and endpoint are up and published for mt6d-addrmgr. The peer
	 * is not waited for (it may be down for long; boot must not be): its state is in
	 * STATUS= and --status.
	 */
	mt6d_notify_status("TUN device %s up, endpoint bound; waiting for the peer", t->ifname);
	if (!t->ready && mt6d_notify_send("READY=1") == 0)
		t->ready = true;
}

/* Sockets nothing needs any more: drained ones, and other epochs' without the one in charge. */
static void close_spent(struct tunnel *t, uint64_t slot, uint64_t now_ms)
{
	uint64_t e = hop_epoch(t, slot), next = hop_epoch(t, slot + 1);

	for (size_t i = 0; i < TUNNEL_EPS; i++) {
		struct tunnel_ep *ep = &t->eps[i];

		if (ep->sk < 0)
			continue;
		if (ep->close_ms) {
			if (now_ms >= ep->close_ms)
				ep_close(t, ep);
			continue;
		}
		if (!hop_enabled(t) || ep->epoch == e || ep->epoch == next)
			continue;
		if (t->sess.cur.id && t->sess.cur.sk == ep->sk)
			continue;
		ep_close(t, ep);
	}
}

/*
 * A hop is due while the association in charge belongs to an earlier epoch than the clock's.
 * It has the slot it became due in; then it counts as failed and starts over from the
 * current slot's address, on a new socket, while the old association carries on.
 */
static void hop_due(struct tunnel *t, uint64_t slot)
{
	uint64_t e = hop_epoch(t, slot);
	struct tunnel_ep *ep;

	if (!session_authenticated(&t->sess) || t->sess.cur.epoch >= e) {
		t->hop_slot = 0;
		return;
	}
	if (!t->hop_slot) {
		t->hop_slot = slot;
	} else if (slot > t->hop_slot) {
		t->stats.hop_failures++;
		if (!t->hop_failed_logged)
			log_warnx("association hop to epoch %llu did not complete within its slot: "
				  "association %d (epoch %llu) carries on; retrying every slot",
				  (unsigned long long)e, (int)t->sess.cur.id,
				  (unsigned long long)t->sess.cur.epoch);
		t->hop_failed_logged = true;
		t->hop_slot = slot;
		ep = ep_of_epoch(t, e);
		if (ep && ep->slot < slot)
			ep_close(t, ep);
		ensure(t, e, slot);
	}
	if (t->sess.initiator && !t->sess.cand.id && !t->sess.connecting)
		hop_connect(t);
}

void hop_tick(struct tunnel *t, uint64_t now_ms)
{
	uint64_t slot = assoc_slot(t), e = hop_epoch(t, slot), next = hop_epoch(t, slot + 1);

	if (hop_enabled(t))
		renumber_follow(t);
	close_spent(t, slot, now_ms);
	ensure(t, e, slot);
	if (!hop_enabled(t))
		return;
	if (next != e)
		ensure(t, next, slot + 1);
	hop_due(t, slot);
}

/*
 * The peer's addresses to try, most likely first: this slot's on each of its uplinks, then
 * the next slot's and the last one's (clocks may be a slot apart).
 */
static size_t peer_candidates(struct tunnel *t, struct in6_addr *out)
{
	uint64_t s = assoc_slot(t);
	const uint64_t slots[] = { s, s + 1, s - 1 };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		for (size_t k = 0; k < t->cfg->n_peer_uplinks; k++) {
			const struct mt6d_peer_uplink *u = &t->cfg->peer_uplinks[k];

			if (!mt6d_hashed_addr(&t->deriver, u->name, &t->peer_now[k],
					      &t->cfg->peer_iid, slots[i], &out[n]))
				n++;
		}
	return n;
}

bool hop_connect(struct tunnel *t)
{
	const struct mt6d_port_range *r = &t->cfg->port_range;
	struct tunnel_ep *ep = hop_current_ep(t);
	uint16_t port = t->cfg->port;
	struct in6_addr peers[3 * MT6D_MAX_UPLINKS];
	sctp_assoc_t id = 0;
	size_t n;
	int ret;

	if (!ep)
		return false;
	if (hop_enabled(t) &&
	    mt6d_assoc_port(&t->deriver, &t->cfg->peer_uplinks[0].prefix.addr, ep->epoch,
			    mt6d_port_attempt(ep->peer_failed), r->lo, r->hi, &port) < 0)
		return false;
	renumber_learn_peer(t);
	n = peer_candidates(t, peers);
	ret = endpoint_connect(ep->sk, peers, n, port, &id);
	if (ret < 0) {
		log_debug("connect: %s", strerror(-ret));
		return false;
	}
	session_connecting(&t->sess, id);
	t->connect_sk = ep->sk;
	return true;
}

void hop_drain(struct tunnel *t, sctp_assoc_t replaced, int sk)
{
	struct tunnel_ep *ep = hop_ep(t, sk);

	if (ep)
		ep->close_ms = mt6d_mono_ms() + TUNNEL_DRAIN_MS;
	log_debug("association %d (epoch %llu) hands over to association %d (epoch %llu); "
		  "draining it",
		  (int)replaced, (unsigned long long)(ep ? ep->epoch : 0), (int)t->sess.cur.id,
		  (unsigned long long)t->sess.cur.epoch);
	t->stats.hops++;
	t->hop_slot = 0;
	t->hop_failed_logged = false;
}

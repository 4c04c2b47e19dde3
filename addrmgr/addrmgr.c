// SPDX-License-Identifier: MIT
/*
 * mt6d-addrmgr's core: a reconciler. Desired state comes from key, clock and config
 * (plan.c); actual state is read back from the kernel on every tick (the uplink's
 * addresses, the tunnel endpoint's bound addresses, the guard table's evidence) and
 * converged step by step (uplink_sync.c, assoc_sync.c, table_sync.c). What is remembered
 * besides only paces the steps: a slot made current early by --rotate, what
 * SET_PEER_PRIMARY was last sent for, whether rotation waits for lost ASCONFs (found
 * again every tick), confirmed teardown's holds and grace periods, the errors already
 * logged. So a restart after kill -9 still carries on: the plan follows the clock, the
 * addresses, bindings and guard table (evidence too) are adopted, the peer's primary is
 * set again and a held address starts a new deadline. Lost are an early rotation (undone
 * until the clock catches up) and the rest of a grace period (the address goes early).
 */
#include "addrmgr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "anyip.h"
#include "daemon.h"
#include "assoc_sync.h"
#include "clock.h"
#include "ctl.h"
#include "derive.h"
#include "failclosed.h"
#include "guard.h"
#include "guard_killswitch.h"
#include "learn.h"
#include "log.h"
#include "plan.h"
#include "reload.h"
#include "report.h"
#include "rtnl.h"
#include "runtime.h"
#include "steer.h"
#include "table_sync.h"
#include "tsock.h"
#include "uplink.h"
#include "uplink_sync.h"

#define ADDRMGR_TICK_MS 250
#define ADDRMGR_METRICS_TICKS 20 /* metrics every 5 s */

/* One uplink: its addresses, rotating on their own plan, bound to the one association. */
struct lane {
	const struct mt6d_uplink *conf;
	int ifindex;
	struct in6_addr prefix;
	struct plan_params pp;
	struct plan plan;
	struct uplink_seen seen; /* our addresses on the uplink, as read this tick */
	struct assoc_state assoc;
	struct anyip anyip;	/* mode = anyip: the local route */
	bool reached;		/* the peer's SCTP was seen reaching it since the tunnel attached */
	enum addrmgr_path path; /* as pick_primary() last saw it */
	/* Renumbering (no prefix configured: the /64 follows the interface's). */
	struct in6_addr former;	   /* the /64 it was renumbered from ... */
	bool renumbered;	   /* ... while addresses of ours are left there */
	bool renumber_waits;	   /* renumbered again before that: logged */
	int follow_err;		   /* the last error reading its /64, logged; 0: none */
	bool gone;		   /* its interface does not exist (interface mode) */
	uint64_t blocked_until_ms; /* our packets out of it got no answer: dead until then */
	uint32_t rtt_ms;	   /* measure_paths(); 0: not measured */
};

struct addrmgr {
	struct mt6d_daemon d;
	struct mt6d_config *cfg; /* the [rotation] lifetime and [metrics] directory change live */
	struct mt6d_deriver deriver;
	char tunnel_path[256];
	struct tsock ts;

	struct lane lanes[MT6D_MAX_UPLINKS];
	size_t n_lanes;
	struct mt6d_peer_uplink peers[MT6D_MAX_UPLINKS]; /* the peer's, where they are now */
	struct steer steer;    /* a peer with one uplink: our route to it (steer.h) */
	size_t out_lane;       /* check_outbound(): the uplink our packets leave by ... */
	uint64_t out_since_ms; /* ... since then ... */
	bool out_answered;     /* ... and whether the path was active since */
	unsigned int ticks;
	size_t primary;	 /* the lane the peer is asked to send to (pick_primary) */
	uint64_t forced; /* slot made current early by --rotate, 0: none */
	uint64_t last_current;
	pid_t attached_pid; /* the tunnel process last attached to */
	bool tunnel_warned;
	bool ready;	  /* READY=1 sent */
	bool stopping;	  /* SIGTERM: a clean stop (the kill switch stays whatever happens) */
	bool keep_table;  /* ... that keeps the guard table (the tunnel runs, or addresses stay) */
	int guard_err[2]; /* last guard error logged (update, evidence), 0: none */
	struct failclosed gate;

	struct addrmgr_stats stats;
	struct guard *guard; /* NULL: [guard] enable = no */
};

static const char *fmt_addr(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static uint64_t current_slot(struct addrmgr *m, time_t now)
{
	uint64_t slot = mt6d_slot(now, m->cfg->interval);

	if (m->forced <= slot)
		m->forced = 0;
	return m->forced ? m->forced : slot;
}

static void on_tunnel_exit(int fd, uint32_t events, void *ctx);

static void attach_tunnel(struct addrmgr *m)
{
	int old_pidfd = m->ts.pidfd, changed, ret;

	ret = tsock_attach(&m->ts, m->tunnel_path, &changed);
	/* On failure or change the old pidfd is closed: drop its handler too. */
	if (old_pidfd >= 0 && (ret < 0 || changed))
		mt6d_evloop_del(m->d.loop, old_pidfd);
	if (ret < 0) {
		/* Normal at start (the unit starts before the tunnel) and while it restarts. */
		if (!m->tunnel_warned)
			log_info(
				"tunnel socket not available yet (%s): %s; waiting for mt6d-tunnel",
				m->tunnel_path, strerror(-ret));
		m->tunnel_warned = true;
		return;
	}
	m->tunnel_warned = false;
	if (!changed)
		return;
	/* With association hopping the tunnel moves to a new socket every hop. */
	if (m->ts.pid == m->attached_pid)
		log_debug("attached to mt6d-tunnel's socket of epoch %llu, port %u",
			  (unsigned long long)m->ts.epoch, m->ts.port);
	else
		log_info("attached to mt6d-tunnel pid %d", (int)m->ts.pid);
	m->attached_pid = m->ts.pid;
	for (size_t i = 0; i < m->n_lanes; i++) {
		m->lanes[i].assoc.primary_assoc = 0;
		m->lanes[i].reached = false;
		m->lanes[i].path = ADDRMGR_PATH_WAITING;
	}
	m->out_lane = SIZE_MAX;
	if (mt6d_evloop_add(m->d.loop, m->ts.pidfd, EPOLLIN, on_tunnel_exit, m) < 0)
		log_warnx("cannot watch the tunnel process");
}

/* Step 2, when attached to the tunnel's socket, for every lane; how many are bound. */
static int sync_assoc(struct addrmgr *m, time_t now, struct in6_addr *bound)
{
	int nbound;

	if (m->ts.sk < 0)
		return 0;
	nbound = tsock_local_addrs(&m->ts, bound, TSOCK_MAX_ADDRS);
	if (nbound < 0) {
		log_warnx("cannot read the tunnel's bound addresses: %s", strerror(-nbound));
		mt6d_evloop_del(m->d.loop, m->ts.pidfd);
		tsock_detach(&m->ts);
		return 0;
	}
	/* The primary lane last: every other uplink's current address is bound by then. */
	for (size_t k = 0; k < m->n_lanes; k++) {
		size_t i = (m->primary + 1 + k) % m->n_lanes;
		struct lane *l = &m->lanes[i];

		/* Its addresses went with its interface: nothing to bind. */
		if (l->gone)
			continue;
		struct assoc_sync as = { .ts = &m->ts,
					 .port = m->ts.port,
					 .association_slots = m->cfg->association_slots,
					 .plan = &l->plan,
					 .pp = &l->pp,
					 .primary = i == m->primary,
					 .guard = m->guard,
					 .stats = &m->stats,
					 .st = &l->assoc };

		assoc_sync_converge(&as, now, bound, &nbound);
	}
	return nbound;
}

static struct uplink_sync uplink_sync_of(struct addrmgr *m, const struct lane *l)
{
	return (struct uplink_sync){ .nl = m->d.nl,
				     .ifindex = l->ifindex,
				     .ifname = l->conf->interface,
				     .interval = m->cfg->interval,
				     .plan = &l->plan,
				     .pp = &l->pp,
				     .guard = m->guard,
				     .stats = &m->stats };
}

static struct plan_set plan_set_of(const struct addrmgr *m)
{
	struct plan_set ps = { .n = m->n_lanes };

	for (size_t i = 0; i < m->n_lanes; i++) {
		ps.plan[i] = &m->lanes[i].plan;
		ps.pp[i] = &m->lanes[i].pp;
	}
	return ps;
}

/* Our addresses outside the plans that stay local, of every lane (uplink_sync.h). */
static size_t extra_local(struct addrmgr *m, const struct in6_addr *bound, int nbound,
			  struct in6_addr *extra)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_lanes; i++) {
		struct uplink_sync u = uplink_sync_of(m, &m->lanes[i]);

		n += uplink_sync_extra_local(&u, &m->lanes[i].seen, bound, nbound, extra + n,
					     UPLINK_SYNC_MAX_EXTRA * MT6D_MAX_UPLINKS - n);
	}
	return n;
}

/*
 * Takes away what answers on our hashed addresses: in interface mode every hashed address
 * of ours on the uplinks (their seen lists, read this pass), in anyip mode the local routes.
 * Returns how many are left (0: all gone).
 */
static size_t withdraw(struct addrmgr *m, const char *why)
{
	size_t left = 0;

	for (size_t i = 0; i < m->n_lanes; i++) {
		struct lane *l = &m->lanes[i];
		struct uplink_sync u = uplink_sync_of(m, l);

		if (m->cfg->mode == MT6D_MODE_ANYIP)
			left += anyip_remove(&l->anyip) < 0;
		else
			left += uplink_sync_withdraw(&u, &l->seen, why);
	}
	return left;
}

/* Builds every lane's plan and, in interface mode, reads its uplink; false on a failure. */
static bool plan_lanes(struct addrmgr *m, time_t now)
{
	uint64_t current = current_slot(m, now);

	for (size_t i = 0; i < m->n_lanes; i++) {
		struct lane *l = &m->lanes[i];
		struct uplink_sync u = uplink_sync_of(m, l);
		int ret;

		l->pp.lifetime = m->cfg->lifetime; /* a reload may change it */
		ret = plan_build(&l->plan, &l->pp, now, current);

		if (ret < 0)
			fatalx("address derivation failed: %s", strerror(-ret));
		if (m->cfg->mode == MT6D_MODE_ANYIP || l->gone) {
			l->seen.n = 0;
			continue;
		}
		ret = uplink_sync_dump(&u, &l->seen);
		if (ret < 0) {
			m->stats.failures++;
			log_warnx("cannot read the addresses of %s: %s", l->conf->interface,
				  strerror(-ret));
			return false;
		}
	}
	return true;
}

/* Whether the guard saw the peer's SCTP reach one of @l's planned addresses lately. */
static bool lane_reached(const struct addrmgr *m, const struct lane *l)
{
	for (size_t i = 0; m->guard && i < l->plan.n; i++)
		if (guard_has_evidence(m->guard, &l->plan.e[i].addr))
			return true;
	return false;
}

/*
 * The lane the peer is asked to send to: the one of highest preference among those that
 * are live, that is, the peer's SCTP was seen reaching one of its addresses within the
 * evidence window (its heartbeats reach every path), or was never seen reaching it since
 * the tunnel attached (a path still coming up is not dead). A dead uplink is left so: the
 * peer's SCTP moves away from it on its own, and this keeps the next rotation from making
 * it the primary again. An uplink whose interface is gone, or that check_outbound() left,
 * is not live either; of equals, the current one stays. Without the guard there is no
 * evidence: the preference alone.
 */
static size_t pick_primary(struct addrmgr *m)
{
	size_t best = m->primary;
	bool live[MT6D_MAX_UPLINKS];

	for (size_t i = 0; i < m->n_lanes; i++) {
		struct lane *l = &m->lanes[i];
		bool now = lane_reached(m, l);

		live[i] = (now || !l->reached) && mt6d_mono_ms() >= l->blocked_until_ms && !l->gone;
		l->path = !m->guard    ? ADDRMGR_PATH_UNKNOWN
			  : now	       ? ADDRMGR_PATH_LIVE
			  : l->reached ? ADDRMGR_PATH_DEAD
				       : ADDRMGR_PATH_WAITING;
		l->reached |= now;
	}
	for (size_t i = 0; i < m->n_lanes; i++) {
		unsigned int pi = m->lanes[i].conf->preference,
			     pb = m->lanes[best].conf->preference;

		if (live[i] && (!live[best] || pi > pb))
			best = i;
	}
	/* None live: an uplink that is there at least. */
	for (size_t i = 0; m->lanes[best].gone && i < m->n_lanes; i++)
		if (!m->lanes[i].gone)
			best = i;
	return best;
}

/*
 * Path info per uplink: each of the association's paths (to one of the peer's addresses)
 * leaves by the uplink whose interface the route to that address goes out of; the uplink's
 * RTT is the smallest smoothed RTT of its active paths. Read once a second.
 */
static void measure_paths(struct addrmgr *m, const struct guard_live *live)
{
	uint32_t rtt[MT6D_MAX_UPLINKS] = { 0 };

	if (m->ticks++ % (1000 / ADDRMGR_TICK_MS))
		return;
	for (size_t k = 0; k < live->n_peers; k++) {
		struct tsock_path path;
		struct in6_addr gw;
		int oif = 0;

		if (mt6d_rtnl_route_lookup(m->d.nl, &live->peers[k], &oif, &gw) < 0 ||
		    tsock_path_info(&m->ts, m->ts.assoc, &live->peers[k], live->peer_port, &path) <
			    0 ||
		    path.state != SCTP_ACTIVE || !path.srtt_ms)
			continue;
		for (size_t i = 0; i < m->n_lanes; i++)
			if (!m->lanes[i].gone && m->lanes[i].ifindex == oif &&
			    (!rtt[i] || path.srtt_ms < rtt[i]))
				rtt[i] = path.srtt_ms;
	}
	for (size_t i = 0; i < m->n_lanes; i++)
		m->lanes[i].rtt_ms = rtt[i];
}

/* Whether an uplink other than the primary is there, reached lately and not left. */
static bool other_uplink(const struct addrmgr *m)
{
	for (size_t i = 0; i < m->n_lanes; i++)
		if (i != m->primary && !m->lanes[i].gone && lane_reached(m, &m->lanes[i]) &&
		    mt6d_mono_ms() >= m->lanes[i].blocked_until_ms)
			return true;
	return false;
}

/*
 * A peer with one uplink (steer.h): our packets to it leave by the primary uplink, and when
 * they get no answer there (the path to the peer's primary address is potentially failed
 * or inactive), that uplink counts as dead for an evidence window, whatever the evidence
 * says: its last evidence may still be in the window, and the peer's SCTP cannot tell us.
 * An uplink just moved to has an evidence window to bring the path back first.
 */
static void check_outbound(struct addrmgr *m, const struct guard_live *live)
{
	struct lane *l = &m->lanes[m->primary];
	struct in6_addr primary;
	struct tsock_path path;
	struct guard_view v;
	int state;

	if (!m->steer.on || !m->guard || !live->n_peers ||
	    tsock_peer_primary(&m->ts, m->ts.assoc, &primary) < 0 ||
	    tsock_path_info(&m->ts, m->ts.assoc, &primary, live->peer_port, &path) < 0)
		return;
	state = path.state;
	guard_view(m->guard, &v);
	if (m->out_lane != m->primary) {
		m->out_lane = m->primary;
		m->out_since_ms = mt6d_mono_ms();
		m->out_answered = false;
	}
	if (state != SCTP_PF && state != SCTP_INACTIVE) {
		m->out_answered = true;
		return;
	}
	/* Just moved here: the path stays failed until a packet out of this uplink is answered. */
	if (!m->out_answered && mt6d_mono_ms() < m->out_since_ms + v.evidence_window_ms)
		return;
	/* With no other uplink to go to, the peer itself is out of reach: nothing to leave. */
	if (!other_uplink(m))
		return;
	if (mt6d_mono_ms() >= l->blocked_until_ms)
		log_info(
			"%s: our packets to the peer get no answer out of it (path %s): leaving it",
			l->conf->interface, state == SCTP_PF ? "potentially failed" : "inactive");
	l->blocked_until_ms = mt6d_mono_ms() + v.evidence_window_ms;
}

static void follow_primary(struct addrmgr *m)
{
	size_t p = pick_primary(m);
	const struct mt6d_uplink *from = m->lanes[m->primary].conf, *to = m->lanes[p].conf;

	if (p == m->primary)
		return;
	if (m->lanes[m->primary].gone)
		log_info("uplink %s (%s) is gone: asking the peer to send to uplink %s (%s)",
			 from->name, from->interface, to->name, to->interface);
	else if (mt6d_mono_ms() < m->lanes[m->primary].blocked_until_ms)
		log_info("uplink %s (%s) left: asking the peer to send to uplink %s (%s)",
			 from->name, from->interface, to->name, to->interface);
	else if (lane_reached(m, &m->lanes[m->primary]))
		log_info("uplink %s (%s) reached again: asking the peer to send to it", to->name,
			 to->interface);
	else
		log_info("uplink %s (%s): the peer reached none of its addresses lately; asking "
			 "it to send to uplink %s (%s)",
			 from->name, from->interface, to->name, to->interface);
	m->primary = p;
	for (size_t i = 0; i < m->n_lanes; i++)
		m->lanes[i].assoc.primary_assoc = 0;
}

/* The guard's /64s: every uplink's, and those uplinks were renumbered from. */
static void guard_prefixes(struct addrmgr *m)
{
	struct in6_addr p[GUARD_MAX_PREFIXES];
	size_t n = 0;

	for (size_t i = 0; i < m->n_lanes; i++)
		p[n++] = m->lanes[i].prefix;
	for (size_t i = 0; i < m->n_lanes; i++)
		if (m->lanes[i].renumbered)
			p[n++] = m->lanes[i].former;
	if (m->guard)
		guard_set_prefixes(m->guard, p, n);
}

/*
 * Renumbering: an uplink without a configured prefix (interface mode: anyip needs one)
 * follows its interface's /64 (mt6d_rtnl_follow_prefix()). The lane moves at once, so this tick's
 * plan puts the new /64's address on the uplink and announces it (ADD-IP, and SET-PRIMARY on the
 * primary uplink); what is left on the old /64 is a stray from then on, unbound once the peer's
 * SCTP reached a newer address, then removed (confirmed teardown, as after a rotation).
 */
static void follow_renumbering(struct addrmgr *m, struct lane *l)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	struct in6_addr to;
	int ret;

	if (l->conf->prefix.len || l->gone)
		return;
	ret = mt6d_rtnl_follow_prefix(m->d.nl, l->ifindex, &l->prefix, &to);
	if (ret < 0) {
		m->stats.failures++;
		if (ret != l->follow_err)
			log_warnx("cannot read the /64 of %s: %s", l->conf->interface,
				  strerror(-ret));
		l->follow_err = ret;
		return;
	}
	l->follow_err = 0;
	if (!ret)
		return;
	if (l->renumbered) {
		if (!l->renumber_waits)
			log_warnx("%s renumbered again, to %s/64: waiting until nothing of ours is "
				  "left on %s/64",
				  l->conf->interface, fmt_addr(&to, a), fmt_addr(&l->former, b));
		l->renumber_waits = true;
		return;
	}
	log_info("%s renumbered from %s/64 to %s/64: announcing the new /64's address, retiring "
		 "the old one's",
		 l->conf->interface, fmt_addr(&l->prefix, a), fmt_addr(&to, b));
	l->former = l->prefix;
	l->prefix = to;
	l->renumbered = true;
	l->pp.former = &l->former;
	l->assoc.primary_assoc = 0;
	guard_prefixes(m);
}

/* Once nothing of ours is left on the old /64, on the uplink or bound, it is forgotten. */
static void forget_former(struct addrmgr *m, struct lane *l, const struct in6_addr *bound,
			  int nbound)
{
	char a[INET6_ADDRSTRLEN];

	if (!l->renumbered)
		return;
	for (size_t i = 0; i < l->seen.n; i++) {
		uint64_t slot;

		if (!memcmp(l->seen.a[i].addr.s6_addr, l->former.s6_addr, 8) &&
		    plan_stray(&l->plan, &l->pp, &l->seen.a[i].addr, &slot))
			return;
	}
	for (int i = 0; i < nbound; i++)
		if (!memcmp(bound[i].s6_addr, l->former.s6_addr, 8))
			return;
	log_info("%s: nothing of ours left on %s/64", l->conf->interface, fmt_addr(&l->former, a));
	l->renumbered = false;
	l->renumber_waits = false;
	l->pp.former = NULL;
	guard_prefixes(m);
}

/*
 * After a restart, an address of ours still bound on a /64 the uplink has left (it was
 * renumbered while the daemon was down) makes that /64 the lane's former one, so that the
 * address is unbound and removed like any other stray.
 */
static void adopt_former(struct addrmgr *m, const struct in6_addr *bound, int nbound)
{
	for (int i = 0; i < nbound; i++) {
		/* The slots plan_stray() knows: what is adopted is retired as a stray. */
		uint64_t first = m->lanes[0].plan.e[0].slot, hi = m->lanes[0].plan.current + 2;
		uint64_t lo = first > PLAN_STRAY_SLOTS ? first - PLAN_STRAY_SLOTS : 0, slot;
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		bool ours = false;

		for (size_t k = 0; k < m->n_lanes && !ours; k++)
			ours = plan_in_prefix(&m->lanes[k].pp, &bound[i]);
		for (size_t k = 0; k < m->n_lanes && !ours; k++) {
			struct lane *l = &m->lanes[k];

			if (l->renumbered ||
			    !mt6d_learn_slot(&m->deriver, l->pp.uplink, &m->cfg->local_iid, lo, hi,
					     &bound[i], &slot))
				continue;
			memcpy(l->former.s6_addr, bound[i].s6_addr, 8);
			memset(l->former.s6_addr + 8, 0, 8);
			l->renumbered = true;
			l->pp.former = &l->former;
			ours = true;
			log_info("%s: %s (slot %llu) is still bound, on %s/64 the uplink has left: "
				 "retiring it",
				 l->conf->interface, fmt_addr(&bound[i], a),
				 (unsigned long long)slot, fmt_addr(&l->former, b));
			guard_prefixes(m);
		}
	}
}

/*
 * The peer's uplinks move where the association in charge says they went (learn.h): only
 * its authenticated ASCONFs put addresses there. The guard's window of the peer's
 * addresses follows, which lets the next association's INIT in.
 */
static void learn_peers(struct addrmgr *m, const struct guard_live *live, time_t now)
{
	uint64_t clock = mt6d_slot(now, m->cfg->interval), back = m->cfg->lifetime + 2ULL;
	struct mt6d_learn l = { .deriver = &m->deriver,
				.iid = &m->cfg->peer_iid,
				.lo = clock > back ? clock - back : 0,
				.hi = clock + 2,
				.n = m->cfg->n_peer_uplinks };
	struct in6_addr was[MT6D_MAX_UPLINKS], primary;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned int moved;

	if (!live->n_peers)
		return;
	if (!tsock_peer_primary(&m->ts, m->ts.assoc, &primary))
		l.primary = &primary;
	for (size_t k = 0; k < l.n; k++) {
		l.label[k] = m->peers[k].name;
		l.prefix[k] = &m->peers[k].prefix.addr;
		was[k] = m->peers[k].prefix.addr;
	}
	moved = mt6d_learn_prefixes(&l, live->peers, live->n_peers);
	for (size_t k = 0; k < l.n; k++)
		if (moved & (1u << k))
			log_info("the peer's uplink%s%s was renumbered from %s/64 to %s/64 (its "
				 "authenticated ASCONF)",
				 *m->peers[k].name ? " " : "", m->peers[k].name,
				 fmt_addr(&was[k], a), fmt_addr(&m->peers[k].prefix.addr, b));
}

/*
 * An uplink whose interface goes away (a USB modem unplugged, a PPP link torn down) takes
 * its addresses with it: the lane waits, the others rotate on, the peer's SCTP and the
 * primary policy move to them. When an interface of that name is back (its index may
 * differ), the lane carries on there.
 */
static void follow_interface(struct addrmgr *m, struct lane *l)
{
	unsigned int idx;

	if (m->cfg->mode != MT6D_MODE_INTERFACE)
		return;
	idx = if_nametoindex(l->conf->interface);
	if (!idx) {
		if (!l->gone)
			log_warnx("%s is gone, and its hashed addresses with it; waiting for it to "
				  "come back",
				  l->conf->interface);
		l->gone = true;
		return;
	}
	if (l->gone)
		log_info("%s is back: its hashed addresses go on it again", l->conf->interface);
	l->gone = false;
	l->ifindex = (int)idx;
}

static void reconcile(struct addrmgr *m)
{
	struct plan_set ps = plan_set_of(m);
	struct table_sync t = {
		.guard = m->guard, .plans = &ps, .stats = &m->stats, .logged = m->guard_err
	};
	static struct in6_addr extra[UPLINK_SYNC_MAX_EXTRA * MT6D_MAX_UPLINKS];
	struct in6_addr bound[TSOCK_MAX_ADDRS], prefixes[MT6D_MAX_UPLINKS];
	struct failclosed_tick g = { .guard = m->guard,
				     .cfg = m->cfg,
				     .prefixes = prefixes,
				     .n_prefixes = m->n_lanes,
				     .plans = &ps,
				     .extra = extra,
				     .ts = &m->ts,
				     .stats = &m->stats };
	time_t now = mt6d_daemon_now(&m->d);
	struct in6_addr peers[TSOCK_MAX_ADDRS];
	struct guard_live live;
	int nbound;

	for (size_t i = 0; i < m->n_lanes; i++) {
		follow_interface(m, &m->lanes[i]);
		follow_renumbering(m, &m->lanes[i]);
	}
	if (!plan_lanes(m, now))
		return;
	if (m->lanes[0].plan.current != m->last_current) {
		if (m->last_current)
			m->stats.rotations++;
		m->last_current = m->lanes[0].plan.current;
	}
	for (size_t i = 0; i < m->n_lanes; i++)
		prefixes[i] = m->lanes[i].prefix;
	/* Fail closed: nothing is added, bound or announced without the guard table. */
	g.now = now;
	g.n_extra = extra_local(m, NULL, 0, extra);
	if (failclosed_gate(&m->gate, &g) == FAILCLOSED_WITHDRAW) {
		withdraw(m, "the guard table is not installed");
		return;
	}
	for (size_t i = 0; i < m->n_lanes; i++) {
		struct lane *l = &m->lanes[i];
		struct uplink_sync u = uplink_sync_of(m, l);

		/* anyip: one local route instead of the uplink's addresses; it lives as long as
		 * the longest-lived address would. */
		if (m->cfg->mode == MT6D_MODE_INTERFACE && !l->gone)
			uplink_sync_converge(&u, &l->seen);
		else if (m->cfg->mode == MT6D_MODE_ANYIP &&
			 anyip_converge(&l->anyip, l->plan.current,
					(m->cfg->lifetime + 3) * m->cfg->interval) < 0)
			m->stats.failures++;
	}
	/*
	 * Ready once the guard (when enabled) and this slot's addresses are in place; the
	 * tunnel's association is not waited for: the peer may be down for long.
	 */
	if (!m->ready && mt6d_notify_send("READY=1") == 0)
		m->ready = true;
	attach_tunnel(m);
	assoc_sync_live(&m->ts, peers, TSOCK_MAX_ADDRS, &live);
	if (m->guard)
		table_sync_evidence(&t);
	measure_paths(m, &live);
	check_outbound(m, &live);
	follow_primary(m);
	learn_peers(m, &live, now);
	if (!m->lanes[m->primary].gone)
		steer_converge(&m->steer, &m->peers[0].prefix.addr, m->lanes[m->primary].ifindex,
			       m->lanes[m->primary].conf->interface, m->lanes[0].plan.current,
			       (m->cfg->lifetime + 3) * m->cfg->interval);
	nbound = sync_assoc(m, now, bound);
	adopt_former(m, bound, nbound);
	for (size_t i = 0; i < m->n_lanes; i++) {
		struct lane *l = &m->lanes[i];
		struct uplink_sync u = uplink_sync_of(m, l);

		if (m->cfg->mode == MT6D_MODE_INTERFACE)
			uplink_sync_retire(&u, &l->seen, bound, nbound);
		else
			uplink_sync_anyip_recent(&u, &l->seen);
		forget_former(m, l, bound, nbound);
	}
	if (m->guard)
		table_sync_update(&t, now, extra, extra_local(m, bound, nbound, extra), &live);
}

/* The state for --status and the metrics; reads the guard's counters from the kernel. */
static void report(const struct addrmgr *m, struct addrmgr_report *r)
{
	bool stalled = false;

	for (size_t i = 0; i < m->n_lanes; i++)
		stalled |= m->lanes[i].assoc.stalled;
	*r = (struct addrmgr_report){
		.plans = plan_set_of(m),
		.stats = &m->stats,
		.interval = m->cfg->interval,
		.attached = m->ts.sk >= 0,
		.anyip = m->cfg->mode == MT6D_MODE_ANYIP,
		.stalled = stalled && m->ts.sk >= 0,
		.guard = m->guard,
		.guard_error = m->gate.closed ? m->gate.why : NULL,
		.now = mt6d_daemon_now(&m->d),
	};
	for (size_t i = 0; i < m->n_lanes; i++) {
		const struct lane *l = &m->lanes[i];

		r->uplinks[i] = (struct addrmgr_uplink_view){
			.name = l->pp.uplink,
			.interface = l->conf->interface,
			.prefix = l->prefix,
			.former = l->renumbered ? &l->former : NULL,
			.path = m->guard && m->ts.sk >= 0 ? l->path : ADDRMGR_PATH_UNKNOWN,
			.rtt_ms = m->ts.sk >= 0 ? l->rtt_ms : 0,
			.primary = i == m->primary,
		};
	}
	if (m->guard)
		guard_counters(m->guard, &r->counters);
}

/* "rotate": the next slot's address becomes current now (see mt6d-addrmgr(8)). */
static void rotate_now(struct addrmgr *m, FILE *reply)
{
	uint64_t slot = mt6d_slot(mt6d_daemon_now(&m->d), m->cfg->interval);
	char buf[INET6_ADDRSTRLEN];

	/*
	 * Early rotation uses the next slot's address, so the peer can still derive it.
	 * More than one slot ahead would leave the window the peer tolerates.
	 */
	const struct plan *plan = &m->lanes[m->primary].plan;

	if (plan->current > slot) {
		fprintf(reply,
			"ok already on slot %llu, one ahead of the clock; "
			"the next rotation follows the clock\n",
			(unsigned long long)plan->current);
		return;
	}
	m->forced = slot + 1;
	reconcile(m);
	/* The primary uplink's address: the one the peer is asked to send to. */
	for (size_t i = 0; i < plan->n; i++)
		if (plan->e[i].role == ROLE_CURRENT)
			fprintf(reply, "ok rotated to slot %llu, current %s\n",
				(unsigned long long)plan->current, fmt_addr(&plan->e[i].addr, buf));
	log_info("rotation requested: now on slot %llu", (unsigned long long)plan->current);
}

/* The tunnel's pidfd turns readable when it exits: forget its socket. */
static void on_tunnel_exit(int fd, uint32_t events, void *ctx)
{
	struct addrmgr *m = ctx;

	log_info("mt6d-tunnel pid %d exited; waiting for it to come back", (int)m->ts.pid);
	mt6d_evloop_del(m->d.loop, m->ts.pidfd);
	tsock_detach(&m->ts);
}

/* The tunnel process we are attached to has not exited (its pidfd is not readable). */
static bool tunnel_alive(const struct addrmgr *m)
{
	struct pollfd p = { .fd = m->ts.pidfd, .events = POLLIN };

	return m->ts.pidfd >= 0 && poll(&p, 1, 0) == 0;
}

static void on_tick(void *ctx)
{
	reconcile(ctx);
}

static void on_stop(void *ctx, uint32_t signo)
{
	struct addrmgr *m = ctx;
	bool alive = tunnel_alive(m);
	size_t left = 0;

	/*
	 * Addresses (and the anyip route) stay while the tunnel runs: it still uses them, a
	 * restart adopts them; so does the guard table that protects them. Without the
	 * tunnel they go, the table after them (failclosed.h).
	 */
	m->stopping = true;
	if (failclosed_stop_withdraws(alive)) {
		left = plan_lanes(m, mt6d_daemon_now(&m->d))
			       ? withdraw(m, "mt6d-tunnel is not running")
			       : 1;
		steer_remove(&m->steer);
	}
	m->keep_table = !failclosed_stop_removes_table(alive, left == 0);
	if (m->guard && m->keep_table && alive)
		log_info("guard table kept: mt6d-tunnel pid %d still runs on the hashed addresses",
			 (int)m->ts.pid);
	else if (m->guard && m->keep_table)
		log_warnx("guard table kept: %zu hashed address(es) or the route could not be "
			  "removed",
			  left);
}

static void on_show(void *ctx, struct mt6d_show *sh)
{
	struct addrmgr_report r;

	report(ctx, &r);
	addrmgr_report_show(sh, &r);
}

static void on_metrics(void *ctx, struct mt6d_metrics *mx)
{
	struct addrmgr_report r;

	report(ctx, &r);
	addrmgr_report_metrics(mx, &r);
}

static bool on_request(void *ctx, const char *req, FILE *reply)
{
	if (strcmp(req, "rotate"))
		return false;
	rotate_now(ctx, reply);
	return true;
}

/*
 * SIGHUP (@reply NULL: the outcome is logged) or "reload": the configuration file again; what
 * can change live does (reload.h), the lifetime from this tick on.
 */
static void on_reload(void *ctx, FILE *reply)
{
	struct addrmgr *m = ctx;
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int n;

	if (!out) {
		log_warnx("reload: %s", strerror(ENOMEM));
		if (reply)
			fprintf(reply, "error %s\n", strerror(ENOMEM));
		return;
	}
	n = addrmgr_reload(m->cfg, &m->deriver, out);
	if (fclose(out) < 0 || !text) {
		free(text);
		log_warnx("reload: %s", strerror(ENOMEM));
		if (reply)
			fprintf(reply, "error %s\n", strerror(ENOMEM));
		return;
	}
	if (n > 0 && mt6d_daemon_metrics_path(&m->d) < 0)
		m->stats.failures++;
	if (reply)
		fputs(text, reply);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (n < 0)
			log_warnx("reload: %s", line);
		else
			log_info("reload: %s", line);
	}
	free(text);
}

/*
 * One lane per uplink the daemon layer resolved; the peer is asked to send to the one with
 * the highest preference (the first of equals).
 */
static void lanes_init(struct addrmgr *m)
{
	memcpy(m->peers, m->cfg->peer_uplinks, sizeof(m->peers));
	m->n_lanes = m->d.n_uplinks;
	for (size_t i = 0; i < m->n_lanes; i++) {
		struct lane *l = &m->lanes[i];

		l->conf = &m->cfg->uplinks[i];
		l->ifindex = m->d.uplinks[i].ifindex;
		l->prefix = m->d.uplinks[i].prefix;
		l->pp = (struct plan_params){
			.deriver = &m->deriver,
			.uplink = l->conf->name[0] ? l->conf->name : NULL,
			.prefix = &l->prefix,
			.iid = &m->cfg->local_iid,
			.interval = m->cfg->interval,
			.lifetime = m->cfg->lifetime,
		};
		anyip_init(&l->anyip, m->d.nl, &l->prefix);
		if (l->conf->preference > m->lanes[m->primary].conf->preference)
			m->primary = i;
	}
}

static const struct mt6d_daemon_ops addrmgr_ops = {
	.role = "addrmgr",
	.ctl_file = "ctl",
	.tick_ms = ADDRMGR_TICK_MS,
	.metrics_ticks = ADDRMGR_METRICS_TICKS,
	.tick = on_tick,
	.stop = on_stop,
	.show = on_show,
	.metrics = on_metrics,
	.request = on_request,
	.reload = on_reload,
};

/*
 * The kill switch follows [guard] enable alone: installed (or rebuilt) at every start with
 * the guard, removed at a start without it, left in place when the daemon stops or dies, so
 * that the tunnel's traffic never leaves in clear (guard_killswitch.h). Without nftables and with
 * the guard off, there is nothing to remove.
 */
static int killswitch_sync(const struct mt6d_config *cfg)
{
	struct guard_killswitch_params kp = {
		.name = cfg->name,
		.tun_dev = cfg->device,
		.n_uplinks = cfg->n_uplinks,
		.routes = cfg->routes,
		.n_routes = cfg->n_routes,
	};
	char err[256];
	int ret;

	for (size_t i = 0; i < cfg->n_uplinks; i++)
		kp.uplinks[i] = cfg->uplinks[i].interface;

	if (cfg->guard.enable) {
		ret = guard_killswitch_install(&kp, err, sizeof(err));
		if (ret < 0)
			log_warnx("kill switch: %s%s%s", strerror(-ret), *err ? ": " : "", err);
		else
			log_info("kill switch: %zu route(s) reachable only through %s",
				 cfg->n_routes, cfg->device);
		return ret;
	}
	ret = guard_killswitch_remove(cfg->name, err, sizeof(err));
	if (ret < 0)
		log_warnx("kill switch not removed: %s%s%s", strerror(-ret), *err ? ": " : "", err);
	else if (ret > 0)
		log_info("kill switch removed ([guard] enable = no)");
	return 0;
}

int addrmgr_new(struct addrmgr **out, struct mt6d_config *cfg)
{
	struct addrmgr *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	m->cfg = cfg;
	m->ts = (struct tsock)TSOCK_INIT;
	ret = mt6d_daemon_init(&m->d, cfg, &addrmgr_ops, m);
	if (ret < 0)
		goto fail;
	lanes_init(m);
	/* anyip: no address on any interface, so the outgoing one does not pick the source. */
	steer_init(&m->steer, m->d.nl,
		   cfg->n_peer_uplinks == 1 && m->n_lanes > 1 && cfg->mode == MT6D_MODE_INTERFACE,
		   &m->stats);
	m->out_lane = SIZE_MAX;
	ret = mt6d_deriver_init(&m->deriver, cfg->psk, cfg->psk_len);
	if (ret < 0) {
		log_warnx("key derivation failed");
		goto fail;
	}
	ret = killswitch_sync(cfg);
	if (ret < 0)
		goto fail;
	if (cfg->guard.enable) {
		struct in6_addr prefixes[MT6D_MAX_UPLINKS];

		for (size_t i = 0; i < m->n_lanes; i++)
			prefixes[i] = m->lanes[i].prefix;
		ret = guard_new(&m->guard, cfg, prefixes, m->n_lanes, &m->deriver);
		if (ret < 0) {
			log_warnx("guard table: %s", strerror(-ret));
			goto fail;
		}
		guard_set_peer_uplinks(m->guard, m->peers, cfg->n_peer_uplinks);
	}
	ret = mt6d_runtime_path(m->tunnel_path, sizeof(m->tunnel_path), cfg->name, "tunnel");
	if (ret < 0) {
		log_warnx("runtime directory: %s", strerror(-ret));
		goto fail;
	}
	for (size_t i = 0; i < m->n_lanes; i++) {
		char what[64], pfx[INET6_ADDRSTRLEN];

		log_info("managing hashed addresses on %s, in %s/64%s",
			 mt6d_uplink_describe(m->lanes[i].conf, what, sizeof(what)),
			 fmt_addr(&m->lanes[i].prefix, pfx),
			 m->n_lanes > 1 && i == m->primary ? ", the peer's primary" : "");
	}
	if (m->steer.on)
		log_info("the peer has one uplink: a route of ours to it follows the primary "
			 "uplink");
	log_info("%s mode, rotation every %u s, lifetime %u slot(s)",
		 cfg->mode == MT6D_MODE_ANYIP ? "anyip" : "interface", cfg->interval,
		 cfg->lifetime);
	*out = m;
	return 0;
fail:
	addrmgr_free(m);
	return ret;
}

int addrmgr_run(struct addrmgr *m)
{
	return mt6d_daemon_run(&m->d);
}

void addrmgr_free(struct addrmgr *m)
{
	bool removing;

	if (!m)
		return;
	removing = m->guard && m->stopping && !m->keep_table && guard_installed(m->guard);
	tsock_detach(&m->ts);
	/*
	 * Killed, the table stays and its elements expire; stopped, it goes once nothing it
	 * protects is left (on_stop).
	 */
	if (guard_free(m->guard, m->stopping && !m->keep_table) < 0)
		log_warnx("cannot remove the guard table");
	else if (removing)
		log_info("guard table removed");
	mt6d_daemon_clear(&m->d);
	mt6d_deriver_clear(&m->deriver);
	free(m);
}

int addrmgr_request(const struct mt6d_config *cfg, const char *req, char *reply, size_t len)
{
	char path[256];
	int ret = mt6d_runtime_path(path, sizeof(path), cfg->name, "ctl");

	if (ret < 0)
		return ret;
	return mt6d_ctl_request(path, req, reply, len);
}

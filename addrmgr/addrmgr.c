// SPDX-License-Identifier: MIT
/*
 * mt6d-addrmgr's core: a reconciler. Desired state comes from key, clock and config
 * (plan.c); actual state is read back from the kernel on every tick (the uplink's
 * addresses, the tunnel endpoint's bound addresses). Nothing is remembered that the
 * kernel does not hold, so a restart after kill -9 simply carries on.
 */
#include "addrmgr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_addr.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "anyip.h"
#include "clock.h"
#include "ctl.h"
#include "derive.h"
#include "evloop.h"
#include "guard.h"
#include "log.h"
#include "metrics.h"
#include "plan.h"
#include "report.h"
#include "rtnl.h"
#include "runtime.h"
#include "notify.h"
#include "show.h"
#include "tsock.h"
#include "uplink.h"

#define ADDRMGR_TICK_MS 250
#define ADDRMGR_MAX_IFADDRS 256
#define ADDRMGR_METRICS_TICKS 20	/* metrics every 5 s */

struct addrmgr {
	const struct mt6d_config *cfg;
	struct mt6d_evloop *loop;
	struct mt6d_rtnl *nl;
	struct mt6d_deriver deriver;
	struct in6_addr prefix;
	int ifindex;
	int sig_fd, tick_fd, ctl_fd;
	char tunnel_path[256], ctl_path[256];
	char metrics_path[PATH_MAX];
	unsigned int metrics_ticks;
	struct tsock ts;
	struct anyip anyip;	/* mode = anyip: the local route */
	long clock_offset_ms;	/* test-only, see clock.h */

	uint64_t forced;	/* slot made current early by --rotate, 0: none */
	struct plan plan;
	/* What SET_PEER_PRIMARY was last sent for; redone when either changes. */
	sctp_assoc_t primary_assoc;
	uint64_t primary_slot;
	uint64_t reannounced_slot, warned_slot;
	uint64_t last_current;
	bool tunnel_warned;
	bool ready;
	bool stopping;		/* SIGTERM: a clean stop removes the guard table */
	bool stalled;		/* ASCONFs look lost: no new address bound (asconf_stalled) */
	int guard_err[2];	/* last guard error logged (update, evidence), 0: none */
	struct mt6d_watchdog watchdog;

	struct addrmgr_stats stats;
	struct guard *guard;	/* NULL: [guard] enable = no */
};

static const char *fmt_addr(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static bool in_prefix(const struct addrmgr *m, const struct in6_addr *a)
{
	return !memcmp(a->s6_addr, m->prefix.s6_addr, 8);
}

static uint64_t current_slot(struct addrmgr *m, time_t now)
{
	uint64_t slot = mt6d_slot(now, m->cfg->interval);

	if (m->forced <= slot)
		m->forced = 0;
	return m->forced ? m->forced : slot;
}

/*
 * An address of ours that is not planned: derivable for a recent slot. Returns its
 * slot in @slot. Covers addresses left by an earlier run and the ones that just
 * fell out of the plan.
 */
static bool is_stray(const struct addrmgr *m, const struct in6_addr *a, uint64_t *slot)
{
	const struct plan *p = &m->plan;
	uint64_t first = p->e[0].slot > PLAN_STRAY_SLOTS ? p->e[0].slot - PLAN_STRAY_SLOTS : 0;

	if (!in_prefix(m, a) || plan_find(p, a))
		return false;
	for (uint64_t s = first; s <= p->current + 2; s++) {
		struct in6_addr d;

		if (!mt6d_hashed_addr(&m->deriver, &m->prefix, &m->cfg->local_iid, s, &d) &&
		    !memcmp(&d, a, sizeof(d))) {
			*slot = s;
			return true;
		}
	}
	return false;
}

struct ifaddrs_seen {
	const struct addrmgr *m;
	size_t n;
	struct mt6d_rtnl_addr a[ADDRMGR_MAX_IFADDRS];
};

static int collect_addr(const struct mt6d_rtnl_addr *a, void *data)
{
	struct ifaddrs_seen *seen = data;

	if (!in_prefix(seen->m, &a->addr) || seen->n == ADDRMGR_MAX_IFADDRS)
		return 0;
	seen->a[seen->n++] = *a;
	return 0;
}

static int dump_uplink(struct addrmgr *m, struct ifaddrs_seen *seen)
{
	int ret;

	seen->m = m;
	/* A dump interrupted by a concurrent change is simply taken again. */
	for (int i = 0; i < 4; i++) {
		seen->n = 0;
		ret = mt6d_rtnl_addr_dump(m->nl, m->ifindex, collect_addr, seen);
		if (ret != -EINTR)
			return ret;
	}
	return ret;
}

static const struct mt6d_rtnl_addr *seen_find(const struct ifaddrs_seen *seen,
					 const struct in6_addr *a)
{
	for (size_t i = 0; i < seen->n; i++)
		if (!memcmp(&seen->a[i].addr, a, sizeof(*a)))
			return &seen->a[i];
	return NULL;
}

/* Step 1: every planned address on the uplink, deprecated unless current. */
static void converge_uplink(struct addrmgr *m, const struct ifaddrs_seen *seen)
{
	char buf[INET6_ADDRSTRLEN];

	/* Deprecate before promoting, so the kernel never has two preferred at once. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < m->plan.n; i++) {
			const struct plan_entry *e = &m->plan.e[i];
			const struct mt6d_rtnl_addr *have = seen_find(seen, &e->addr);
			bool want_preferred = e->preferred_lft > 0;
			int ret;

			if (want_preferred != (pass == 1))
				continue;
			if (have && !!(have->flags & IFA_F_DEPRECATED) == !want_preferred)
				continue;
			ret = mt6d_rtnl_addr_set(m->nl, m->ifindex, &e->addr, 64, e->valid_lft,
					    e->preferred_lft);
			if (ret < 0) {
				m->stats.failures++;
				log_warnx("cannot set %s on %s: %s", fmt_addr(&e->addr, buf),
					  m->cfg->interface, strerror(-ret));
			} else if (!have) {
				log_debug("added %s (slot %llu)", fmt_addr(&e->addr, buf),
					  (unsigned long long)e->slot);
			}
		}
	}
}

static bool addr_in(const struct in6_addr *a, const struct in6_addr *list, int n)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(&list[i], a, sizeof(*a)))
			return true;
	return false;
}

/*
 * An address bound to the endpoint while an association was still being set up is
 * never announced to it (the kernel only sends ADD-IP on established associations):
 * unbind and bind it again so that the kernel sends the ASCONF now.
 */
static int reannounce(struct addrmgr *m, const struct in6_addr *cur)
{
	char buf[INET6_ADDRSTRLEN];
	int ret = tsock_bind(&m->ts, cur, m->cfg->port, 0);

	if (!ret)
		ret = tsock_bind(&m->ts, cur, m->cfg->port, 1);
	log_info("re-announcing %s to the association: %s", fmt_addr(cur, buf),
		 ret ? strerror(-ret) : "ok");
	return ret;
}

static void set_primary(struct addrmgr *m, const struct in6_addr *cur)
{
	sctp_assoc_t ids[8];
	char buf[INET6_ADDRSTRLEN];
	int n = tsock_assocs(&m->ts, ids, 8);

	for (int i = 0; i < n; i++) {
		int ret;

		if (ids[i] == m->primary_assoc && m->primary_slot == m->plan.current)
			continue;
		ret = tsock_set_peer_primary(&m->ts, ids[i], cur, m->cfg->port);
		if (ret == -EPERM || ret == -ENOTCONN) {
			/* Still being set up (the peer's ASCONF support is not known yet). */
			log_debug("association %d not established yet", (int)ids[i]);
			continue;
		}
		if (ret == -EADDRNOTAVAIL && m->reannounced_slot != m->plan.current) {
			m->reannounced_slot = m->plan.current;
			ret = reannounce(m, cur);
			if (!ret)
				ret = tsock_set_peer_primary(&m->ts, ids[i], cur, m->cfg->port);
		}
		if (ret < 0) {
			m->stats.failures++;
			/* Retried every tick: say it once per slot. */
			if (m->warned_slot != m->plan.current)
				log_warnx("association %d: cannot make %s the peer's primary: %s",
					  (int)ids[i], fmt_addr(cur, buf), strerror(-ret));
			m->warned_slot = m->plan.current;
			continue;
		}
		m->primary_assoc = ids[i];
		m->primary_slot = m->plan.current;
		mt6d_notify_status("slot %llu: peer sends to %s; %llu rotations, %llu failures",
				 (unsigned long long)m->plan.current, fmt_addr(cur, buf),
				 (unsigned long long)m->stats.rotations,
				 (unsigned long long)m->stats.failures);
		/* Ready once the first rotation is installed on a live association. */
		if (!m->ready && mt6d_notify_send("READY=1") == 0)
			m->ready = true;
		log_info("association %d: peer now sends to %s (slot %llu)", (int)ids[i],
			 fmt_addr(cur, buf), (unsigned long long)m->plan.current);
	}
}

/*
 * Confirmed teardown (guard/guard.c): an address that left the plan is unbound only once
 * the peer's SCTP reached a newer one. Past the deadline without that evidence: one line
 * in the log, a failure counted, and the peer's primary set again (the kernel retransmits
 * the ASCONFs themselves).
 */
static bool may_unbind(struct addrmgr *m, const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	uint64_t slot, missed;

	if (!m->guard || !is_stray(m, a, &slot))
		return true;
	switch (guard_unbind_check(m->guard, a, slot, &missed)) {
	case GUARD_TEARDOWN_UNBIND:
		return true;
	case GUARD_TEARDOWN_RETRY:
		m->stats.failures++;
		/* One line per held address; its later retries only at debug level. */
		if (missed == 1)
			log_warnx("no evidence yet that the peer sends to an address newer than %s "
				  "(slot %llu): keeping it bound, asking for the peer's primary "
				  "again", fmt_addr(a, buf), (unsigned long long)slot);
		else
			log_debug("still no evidence for an address newer than %s (%llu "
				  "deadlines)", fmt_addr(a, buf), (unsigned long long)missed);
		if (!m->stalled)
			m->primary_assoc = 0;
		return false;
	default:
		return false;
	}
}

/*
 * While the peer is seen using no newer address than one that stopped being current a
 * deadline ago, the current one is neither bound nor made primary (guard_stalled): the
 * rotation waits for the path instead of queueing ASCONFs behind a lost one.
 */
static bool asconf_stalled(struct addrmgr *m, time_t now, const struct in6_addr *cur,
			   const struct in6_addr *bound, int nbound)
{
	uint64_t newest = 0, slot;
	bool stalled = false;

	if (!m->guard || addr_in(cur, bound, nbound))
		goto out;
	for (int i = 0; i < nbound; i++) {
		const struct plan_entry *e = plan_find(&m->plan, &bound[i]);

		slot = 0;
		if (e)
			slot = e->slot;
		else if (!is_stray(m, &bound[i], &slot))
			continue;
		if (slot > newest)
			newest = slot;
	}
	stalled = guard_stalled(m->guard, newest, now);
out:
	if (stalled && !m->stalled)
		log_warnx("no evidence that the peer got the ASCONFs up to slot %llu: rotation "
			  "waits for them", (unsigned long long)newest);
	else if (!stalled && m->stalled)
		log_warnx("ASCONFs get through again: rotation resumes");
	m->stalled = stalled;
	return stalled;
}

/*
 * Step 2: make-before-break on the association: bind the current address (ASCONF
 * ADD-IP), make it the peer's primary, then unbind what fell out of the plan
 * (ASCONF DEL-IP). Never the last address: the kernel refuses that anyway.
 */
static void converge_socket(struct addrmgr *m, time_t now, struct in6_addr *bound, int *nbound)
{
	const struct plan_entry *cur = NULL;
	char buf[INET6_ADDRSTRLEN];
	int ret;

	for (size_t i = 0; i < m->plan.n; i++)
		if (m->plan.e[i].role == ROLE_CURRENT)
			cur = &m->plan.e[i];
	if (asconf_stalled(m, now, &cur->addr, bound, *nbound))
		goto unbind;
	if (!addr_in(&cur->addr, bound, *nbound)) {
		ret = tsock_bind(&m->ts, &cur->addr, m->cfg->port, 1);
		if (ret < 0) {
			m->stats.failures++;
			log_warnx("cannot bind %s to the association: %s",
				  fmt_addr(&cur->addr, buf), strerror(-ret));
			return;
		}
		bound[(*nbound)++] = cur->addr;
	}
	set_primary(m, &cur->addr);
unbind:
	for (int i = 0; i < *nbound; i++) {
		const struct plan_entry *e = plan_find(&m->plan, &bound[i]);

		if ((e && e->role != ROLE_NEXT) || !in_prefix(m, &bound[i]) || *nbound == 1)
			continue;
		if (!e && !may_unbind(m, &bound[i]))
			continue;
		ret = tsock_bind(&m->ts, &bound[i], m->cfg->port, 0);
		if (ret < 0) {
			m->stats.failures++;
			log_warnx("cannot unbind %s from the association: %s",
				  fmt_addr(&bound[i], buf), strerror(-ret));
			continue;
		}
		log_debug("unbound %s", fmt_addr(&bound[i], buf));
		if (m->guard)
			guard_unbound(m->guard, &bound[i]);
		bound[i--] = bound[--(*nbound)];
	}
}

/*
 * A held address (bound after its slots, see may_unbind) must stay usable: its valid
 * lifetime on the uplink is stretched before it runs out.
 */
static void hold_uplink(struct addrmgr *m, const struct mt6d_rtnl_addr *a)
{
	uint32_t keep = GUARD_WANT_HOLD_SLOTS * m->cfg->interval;
	char buf[INET6_ADDRSTRLEN];
	int ret;

	if (a->valid_lft >= keep - keep / 3)
		return;
	ret = mt6d_rtnl_addr_set(m->nl, m->ifindex, &a->addr, a->plen, keep, 0);
	if (ret < 0) {
		m->stats.failures++;
		log_warnx("cannot keep %s on %s: %s", fmt_addr(&a->addr, buf), m->cfg->interface,
			  strerror(-ret));
	}
}

/* A stray of @slot kept local: the one that left the plan last, or one in its grace period. */
static bool keep_stray(const struct addrmgr *m, const struct in6_addr *a, uint64_t slot)
{
	return slot + 1 == m->plan.e[0].slot || (m->guard && guard_in_grace(m->guard, a));
}

/*
 * Step 3: retire our addresses that fell out of the plan and are no longer bound.
 * The one that left the plan last stays for one more slot: its DEL-IP may still be
 * on the way and the peer's packets to it in flight; without the address they
 * would draw ICMPv6 errors from this side.
 */
static void retire_uplink(struct addrmgr *m, const struct ifaddrs_seen *seen,
			  const struct in6_addr *bound, int nbound)
{
	char buf[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < seen->n; i++) {
		const struct in6_addr *a = &seen->a[i].addr;
		uint64_t slot;
		int ret;

		if (!is_stray(m, a, &slot))
			continue;
		if (addr_in(a, bound, nbound)) {
			hold_uplink(m, &seen->a[i]);
			continue;
		}
		if (keep_stray(m, a, slot))
			continue;
		ret = mt6d_rtnl_addr_del(m->nl, m->ifindex, a, seen->a[i].plen);
		if (ret < 0 && ret != -EADDRNOTAVAIL) {
			m->stats.failures++;
			log_warnx("cannot remove %s: %s", fmt_addr(a, buf), strerror(-ret));
			continue;
		}
		m->stats.retired++;
		log_debug("removed %s", fmt_addr(a, buf));
	}
}

/* Logs a guard error when it changes, not every tick. @op: 0 update, 1 evidence. */
static void guard_result(struct addrmgr *m, int op, int ret, const char *err)
{
	static const char *const what[] = { "update", "reading the evidence" };

	if (ret >= 0) {
		if (m->guard_err[op])
			log_info("guard table: %s works again", what[op]);
		m->guard_err[op] = 0;
		return;
	}
	m->stats.failures++;
	if (ret != m->guard_err[op])
		log_warnx("guard table: %s: %s%s%s", what[op], strerror(-ret), *err ? ": " : "",
			  err);
	m->guard_err[op] = ret;
}

/*
 * Step 4: the guard's sets. Our addresses outside the plan stay local while bound, held,
 * in their grace period or kept for one more slot (as in retire_uplink); the peer's are
 * its slot window and whatever the kernel reports for the association.
 */
static void sync_guard(struct addrmgr *m, time_t now, const struct ifaddrs_seen *seen,
		       const struct in6_addr *bound, int nbound)
{
	struct in6_addr extra[ADDRMGR_MAX_IFADDRS + TSOCK_MAX_ADDRS];
	struct in6_addr peers[TSOCK_MAX_ADDRS];
	size_t nextra = 0, npeers = 0;
	sctp_assoc_t ids[8];
	char err[256] = "";
	int n, ret;

	for (int i = 0; i < nbound; i++)
		if (in_prefix(m, &bound[i]) && !plan_find(&m->plan, &bound[i]))
			extra[nextra++] = bound[i];
	for (size_t i = 0; i < seen->n; i++) {
		const struct in6_addr *a = &seen->a[i].addr;
		uint64_t slot;

		if (!is_stray(m, a, &slot) || addr_in(a, bound, nbound))
			continue;
		if (keep_stray(m, a, slot))
			extra[nextra++] = *a;
	}
	n = m->ts.sk >= 0 ? tsock_assocs(&m->ts, ids, 8) : 0;
	for (int i = 0; i < n; i++) {
		int k = tsock_peer_addrs(&m->ts, ids[i], peers + npeers, TSOCK_MAX_ADDRS - npeers);

		if (k > 0)
			npeers += (size_t)k < TSOCK_MAX_ADDRS - npeers ? (size_t)k
								      : TSOCK_MAX_ADDRS - npeers;
	}
	ret = guard_update(m->guard, &m->plan, now, extra, nextra, peers, npeers, err,
			   sizeof(err));
	guard_result(m, 0, ret, err);
}

/*
 * anyip: no uplink to read addresses back from. Our addresses that left the plan lately
 * stand in for it, so that the guard keeps the same ones local as in interface mode (the
 * one that left last, those in their grace period): late packets to them are not taken
 * for an attack.
 */
static void anyip_recent(struct addrmgr *m, struct ifaddrs_seen *seen)
{
	uint64_t first = m->plan.e[0].slot;
	uint64_t s = first > PLAN_STRAY_SLOTS ? first - PLAN_STRAY_SLOTS : 0;

	seen->n = 0;
	for (; s < first && seen->n < ADDRMGR_MAX_IFADDRS; s++) {
		struct mt6d_rtnl_addr *a = &seen->a[seen->n];

		*a = (struct mt6d_rtnl_addr){ .plen = 64, .ifindex = m->ifindex };
		if (!mt6d_hashed_addr(&m->deriver, &m->prefix, &m->cfg->local_iid, s, &a->addr))
			seen->n++;
	}
}

static void on_tunnel_exit(int fd, uint32_t events, void *ctx);

static void attach_tunnel(struct addrmgr *m)
{
	int old_pidfd = m->ts.pidfd, changed, ret;

	ret = tsock_attach(&m->ts, m->tunnel_path, &changed);
	/* On failure or change the old pidfd is closed: drop its handler too. */
	if (old_pidfd >= 0 && (ret < 0 || changed))
		mt6d_evloop_del(m->loop, old_pidfd);
	if (ret < 0) {
		if (!m->tunnel_warned)
			log_warnx("tunnel socket not available (%s): %s; retrying",
				  m->tunnel_path, strerror(-ret));
		m->tunnel_warned = true;
		return;
	}
	m->tunnel_warned = false;
	if (!changed)
		return;
	log_info("attached to mt6d-tunnel pid %d", (int)m->ts.pid);
	m->primary_assoc = 0;
	if (mt6d_evloop_add(m->loop, m->ts.pidfd, EPOLLIN, on_tunnel_exit, m) < 0)
		log_warnx("cannot watch the tunnel process");
}

static void reconcile(struct addrmgr *m)
{
	struct plan_params pp = {
		.deriver = &m->deriver,
		.prefix = &m->prefix,
		.iid = &m->cfg->local_iid,
		.interval = m->cfg->interval,
		.lifetime = m->cfg->lifetime,
	};
	static struct ifaddrs_seen seen;
	struct in6_addr bound[TSOCK_MAX_ADDRS];
	int nbound = 0, ret;
	time_t now = mt6d_clock_now(m->clock_offset_ms);

	ret = plan_build(&m->plan, &pp, now, current_slot(m, now));
	if (ret < 0)
		fatalx("address derivation failed: %s", strerror(-ret));
	if (m->plan.current != m->last_current) {
		if (m->last_current)
			m->stats.rotations++;
		m->last_current = m->plan.current;
	}
	if (m->cfg->mode == MT6D_MODE_ANYIP) {
		/* One local route instead of the uplink's addresses; it lives as long as the
		 * longest-lived address would. */
		seen.n = 0;
		if (anyip_converge(&m->anyip, m->plan.current,
				   (m->cfg->lifetime + 3) * m->cfg->interval) < 0)
			m->stats.failures++;
	} else {
		ret = dump_uplink(m, &seen);
		if (ret < 0) {
			m->stats.failures++;
			log_warnx("cannot read the addresses of %s: %s", m->cfg->interface,
				  strerror(-ret));
			return;
		}
		converge_uplink(m, &seen);
	}
	attach_tunnel(m);
	if (m->guard)
		guard_result(m, 1, guard_read_evidence(m->guard, &m->plan), "");
	if (m->ts.sk >= 0) {
		nbound = tsock_local_addrs(&m->ts, bound, TSOCK_MAX_ADDRS);
		if (nbound < 0) {
			log_warnx("cannot read the tunnel's bound addresses: %s",
				  strerror(-nbound));
			mt6d_evloop_del(m->loop, m->ts.pidfd);
			tsock_detach(&m->ts);
			nbound = 0;
		} else {
			converge_socket(m, now, bound, &nbound);
		}
	}
	if (m->cfg->mode == MT6D_MODE_INTERFACE)
		retire_uplink(m, &seen, bound, nbound);
	else
		anyip_recent(m, &seen);
	if (m->guard)
		sync_guard(m, now, &seen, bound, nbound);
}

/* The state for --status and the metrics; reads the guard's counters from the kernel. */
static void report(const struct addrmgr *m, struct addrmgr_report *r)
{
	*r = (struct addrmgr_report){
		.plan = &m->plan,
		.stats = &m->stats,
		.interval = m->cfg->interval,
		.attached = m->ts.sk >= 0,
		.anyip = m->cfg->mode == MT6D_MODE_ANYIP,
		.stalled = m->stalled && m->ts.sk >= 0,
		.guard = m->guard,
		.now = mt6d_clock_now(m->clock_offset_ms),
	};
	if (m->guard)
		guard_counters(m->guard, &r->counters);
}

/* "status": "ok " and the text; "status json": "ok", a newline and the JSON. */
static void status_reply(const struct addrmgr *m, bool json, char *out, size_t len)
{
	struct addrmgr_report r;
	struct mt6d_show sh;
	FILE *f = fmemopen(out, len, "w");

	if (!f) {
		snprintf(out, len, "error out of memory\n");
		return;
	}
	report(m, &r);
	fputs(json ? "ok\n" : "ok ", f);
	mt6d_show_init(&sh, f, json);
	addrmgr_report_show(&sh, &r);
	fclose(f);
}

static void write_metrics(struct addrmgr *m)
{
	struct addrmgr_report r;
	struct mt6d_metrics *mx;
	int ret;

	if (!m->metrics_path[0] || ++m->metrics_ticks < ADDRMGR_METRICS_TICKS)
		return;
	m->metrics_ticks = 0;
	report(m, &r);
	ret = mt6d_metrics_begin(&mx, m->metrics_path, m->cfg->name);
	if (!ret) {
		addrmgr_report_metrics(mx, &r);
		ret = mt6d_metrics_commit(mx);
	}
	if (ret < 0)
		log_debug("metrics %s: %s", m->metrics_path, strerror(-ret));
}

static void on_tick(int fd, uint32_t events, void *ctx)
{
	struct addrmgr *m = ctx;

	mt6d_evloop_timer_drain(fd);
	mt6d_watchdog_kick(&m->watchdog);
	reconcile(m);
	write_metrics(m);
}

static void rotate_now(struct addrmgr *m, char *reply, size_t len)
{
	uint64_t slot = mt6d_slot(mt6d_clock_now(m->clock_offset_ms), m->cfg->interval);
	char buf[INET6_ADDRSTRLEN];

	/*
	 * Early rotation uses the next slot's address, so the peer can still derive it.
	 * More than one slot ahead would leave the window the peer tolerates.
	 */
	if (m->plan.current > slot) {
		snprintf(reply, len, "ok already on slot %llu, one ahead of the clock; "
				     "the next rotation follows the clock\n",
			 (unsigned long long)m->plan.current);
		return;
	}
	m->forced = slot + 1;
	reconcile(m);
	for (size_t i = 0; i < m->plan.n; i++)
		if (m->plan.e[i].role == ROLE_CURRENT)
			snprintf(reply, len, "ok rotated to slot %llu, current %s\n",
				 (unsigned long long)m->plan.current,
				 fmt_addr(&m->plan.e[i].addr, buf));
	log_info("rotation requested: now on slot %llu", (unsigned long long)m->plan.current);
}

static void on_ctl(int fd, uint32_t events, void *ctx)
{
	struct addrmgr *m = ctx;
	char req[64], reply[MT6D_CTL_MSG_MAX];
	int cfd = mt6d_ctl_accept(fd, req, sizeof(req));

	if (cfd < 0)
		return;
	if (!strcmp(req, "rotate"))
		rotate_now(m, reply, sizeof(reply));
	else if (!strcmp(req, "status") || !strcmp(req, "status json"))
		status_reply(m, !strcmp(req, "status json"), reply, sizeof(reply));
	else
		snprintf(reply, sizeof(reply), "error unknown request\n");
	mt6d_ctl_reply(cfd, reply);
}

/* The tunnel's pidfd turns readable when it exits: forget its socket. */
static void on_tunnel_exit(int fd, uint32_t events, void *ctx)
{
	struct addrmgr *m = ctx;

	log_info("mt6d-tunnel pid %d exited; waiting for it to come back", (int)m->ts.pid);
	mt6d_evloop_del(m->loop, m->ts.pidfd);
	tsock_detach(&m->ts);
}

/* The tunnel process we are attached to has not exited (its pidfd is not readable). */
static bool tunnel_alive(const struct addrmgr *m)
{
	struct pollfd p = { .fd = m->ts.pidfd, .events = POLLIN };

	return m->ts.pidfd >= 0 && poll(&p, 1, 0) == 0;
}

static void on_signal(int fd, uint32_t events, void *ctx)
{
	struct addrmgr *m = ctx;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			/*
			 * Addresses (and the anyip route) stay while the tunnel runs: it still
			 * uses them, a restart adopts them, lifetimes retire them otherwise.
			 */
			log_info("signal %u: stopping", si.ssi_signo);
			m->stopping = true;
			if (m->cfg->mode == MT6D_MODE_ANYIP && !tunnel_alive(m))
				anyip_remove(&m->anyip);
			mt6d_evloop_stop(m->loop);
		}
	}
}

static int setup_loop(struct addrmgr *m)
{
	int ret = mt6d_evloop_new(&m->loop);

	if (ret < 0)
		return ret;
	m->sig_fd = mt6d_evloop_signalfd();
	if (m->sig_fd < 0)
		return m->sig_fd;
	m->tick_fd = mt6d_evloop_timer_new(1, ADDRMGR_TICK_MS);
	if (m->tick_fd < 0)
		return m->tick_fd;
	ret = mt6d_evloop_add(m->loop, m->sig_fd, EPOLLIN, on_signal, m);
	if (!ret)
		ret = mt6d_evloop_add(m->loop, m->tick_fd, EPOLLIN, on_tick, m);
	if (!ret)
		ret = mt6d_evloop_add(m->loop, m->ctl_fd, EPOLLIN, on_ctl, m);
	return ret;
}

static int setup_paths(struct addrmgr *m)
{
	int ret = mt6d_runtime_mkdir();

	if (!ret)
		ret = mt6d_runtime_path(m->tunnel_path, sizeof(m->tunnel_path), m->cfg->name,
					"tunnel");
	if (!ret)
		ret = mt6d_runtime_path(m->ctl_path, sizeof(m->ctl_path), m->cfg->name, "ctl");
	if (!ret && m->cfg->metrics_dir[0] &&
	    snprintf(m->metrics_path, sizeof(m->metrics_path), "%s/%s-addrmgr.prom",
		     m->cfg->metrics_dir, m->cfg->name) >= (int)sizeof(m->metrics_path))
		ret = -ENAMETOOLONG;
	return ret;
}

int addrmgr_new(struct addrmgr **out, const struct mt6d_config *cfg)
{
	struct addrmgr *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	m->cfg = cfg;
	m->ts = (struct tsock)TSOCK_INIT;
	m->sig_fd = m->tick_fd = m->ctl_fd = -1;
	ret = mt6d_clock_offset_from_env(&m->clock_offset_ms);
	if (ret < 0) {
		log_warnx("%s: expected milliseconds from -%ld to %ld", MT6D_CLOCK_OFFSET_ENV,
			  MT6D_CLOCK_OFFSET_MAX_MS, MT6D_CLOCK_OFFSET_MAX_MS);
		goto fail;
	}
	if (m->clock_offset_ms)
		log_warnx("%s=%ld: slots follow a clock moved by %ld ms; for tests only",
			  MT6D_CLOCK_OFFSET_ENV, m->clock_offset_ms, m->clock_offset_ms);
	ret = mt6d_rtnl_open(&m->nl);
	if (ret < 0) {
		log_warnx("rtnetlink: %s", strerror(-ret));
		goto fail;
	}
	ret = mt6d_uplink_resolve(m->nl, cfg, &m->ifindex, &m->prefix);
	if (ret < 0) {
		log_warnx("%s: uplink %s: %s", cfg->path, cfg->interface,
			  ret == -ENOENT ? "no global /64 to derive addresses in; set [local] prefix"
					 : strerror(-ret));
		goto fail;
	}
	anyip_init(&m->anyip, m->nl, &m->prefix);
	ret = mt6d_deriver_init(&m->deriver, cfg->psk, cfg->psk_len);
	if (ret < 0) {
		log_warnx("key derivation failed");
		goto fail;
	}
	if (cfg->guard.enable) {
		ret = guard_new(&m->guard, cfg, &m->prefix, &m->deriver);
		if (ret < 0) {
			log_warnx("guard table: %s", strerror(-ret));
			goto fail;
		}
	}
	ret = setup_paths(m);
	if (ret < 0) {
		log_warnx("runtime directory: %s", strerror(-ret));
		goto fail;
	}
	m->ctl_fd = mt6d_ctl_listen(m->ctl_path);
	if (m->ctl_fd < 0) {
		ret = m->ctl_fd;
		log_warnx("control socket %s: %s", m->ctl_path,
			  ret == -EADDRINUSE ? "another mt6d-addrmgr runs for this tunnel"
					     : strerror(-ret));
		goto fail;
	}
	ret = setup_loop(m);
	if (ret < 0) {
		log_warnx("event loop: %s", strerror(-ret));
		goto fail;
	}
	mt6d_watchdog_init(&m->watchdog);
	log_info("managing hashed addresses on %s (%s mode), rotation every %u s, lifetime %u "
		 "slot(s)", cfg->interface, cfg->mode == MT6D_MODE_ANYIP ? "anyip" : "interface",
		 cfg->interval, cfg->lifetime);
	*out = m;
	return 0;
fail:
	addrmgr_free(m);
	return ret;
}

int addrmgr_run(struct addrmgr *m)
{
	return mt6d_evloop_run(m->loop);
}

void addrmgr_free(struct addrmgr *m)
{
	if (!m)
		return;
	if (m->ctl_fd >= 0) {
		close(m->ctl_fd);
		unlink(m->ctl_path);
	}
	if (m->metrics_path[0])
		unlink(m->metrics_path);
	if (m->tick_fd >= 0)
		close(m->tick_fd);
	if (m->sig_fd >= 0)
		close(m->sig_fd);
	tsock_detach(&m->ts);
	/* Killed, the table stays and its elements expire; stopped, it goes. */
	if (guard_free(m->guard, m->stopping) < 0)
		log_warnx("cannot remove the guard table");
	else if (m->guard && m->stopping)
		log_info("guard table removed");
	mt6d_evloop_free(m->loop);
	mt6d_rtnl_close(m->nl);
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

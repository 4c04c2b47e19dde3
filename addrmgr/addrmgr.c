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
#include <limits.h>
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
#include "assoc_sync.h"
#include "clock.h"
#include "ctl.h"
#include "derive.h"
#include "evloop.h"
#include "guard.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "plan.h"
#include "report.h"
#include "rtnl.h"
#include "runtime.h"
#include "table_sync.h"
#include "tsock.h"
#include "uplink.h"
#include "uplink_sync.h"

#define ADDRMGR_TICK_MS 250
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
	struct uplink_seen seen;	/* our addresses on the uplink, as read this tick */
	struct assoc_state assoc;
	uint64_t last_current;
	bool tunnel_warned;
	bool stopping;		/* SIGTERM: a clean stop removes the guard table */
	int guard_err[2];	/* last guard error logged (update, evidence), 0: none */
	struct mt6d_watchdog watchdog;

	struct addrmgr_stats stats;
	struct guard *guard;	/* NULL: [guard] enable = no */
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
	m->assoc.primary_assoc = 0;
	if (mt6d_evloop_add(m->loop, m->ts.pidfd, EPOLLIN, on_tunnel_exit, m) < 0)
		log_warnx("cannot watch the tunnel process");
}

/* Step 2, when attached to the tunnel's socket; returns how many addresses are bound. */
static int sync_assoc(struct addrmgr *m, const struct plan_params *pp, time_t now,
		      struct in6_addr *bound)
{
	struct assoc_sync as = { .ts = &m->ts, .port = m->cfg->port, .plan = &m->plan, .pp = pp,
				 .guard = m->guard, .stats = &m->stats, .st = &m->assoc };
	int nbound;

	if (m->ts.sk < 0)
		return 0;
	nbound = tsock_local_addrs(&m->ts, bound, TSOCK_MAX_ADDRS);
	if (nbound < 0) {
		log_warnx("cannot read the tunnel's bound addresses: %s", strerror(-nbound));
		mt6d_evloop_del(m->loop, m->ts.pidfd);
		tsock_detach(&m->ts);
		return 0;
	}
	assoc_sync_converge(&as, now, bound, &nbound);
	return nbound;
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
	struct uplink_sync u = { .nl = m->nl, .ifindex = m->ifindex, .ifname = m->cfg->interface,
				 .interval = m->cfg->interval, .plan = &m->plan, .pp = &pp,
				 .guard = m->guard, .stats = &m->stats };
	struct table_sync t = { .guard = m->guard, .plan = &m->plan, .stats = &m->stats,
				.logged = m->guard_err };
	struct in6_addr bound[TSOCK_MAX_ADDRS];
	int nbound, ret;
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
		m->seen.n = 0;
		if (anyip_converge(&m->anyip, m->plan.current,
				   (m->cfg->lifetime + 3) * m->cfg->interval) < 0)
			m->stats.failures++;
	} else {
		ret = uplink_sync_dump(&u, &m->seen);
		if (ret < 0) {
			m->stats.failures++;
			log_warnx("cannot read the addresses of %s: %s", m->cfg->interface,
				  strerror(-ret));
			return;
		}
		uplink_sync_converge(&u, &m->seen);
	}
	attach_tunnel(m);
	if (m->guard)
		table_sync_evidence(&t);
	nbound = sync_assoc(m, &pp, now, bound);
	if (m->cfg->mode == MT6D_MODE_INTERFACE)
		uplink_sync_retire(&u, &m->seen, bound, nbound);
	else
		uplink_sync_anyip_recent(&u, &m->seen);
	if (m->guard)
		table_sync_update(&t, now, &u, &m->seen, &m->ts, bound, nbound);
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
		.stalled = m->assoc.stalled && m->ts.sk >= 0,
		.guard = m->guard,
		.now = mt6d_clock_now(m->clock_offset_ms),
	};
	if (m->guard)
		guard_counters(m->guard, &r->counters);
}

/* The reply to "status" and "status json", with the state as of now. */
static void status_reply(const struct addrmgr *m, bool json, char *out, size_t len)
{
	struct addrmgr_report r;

	report(m, &r);
	addrmgr_report_reply(&r, json, out, len);
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

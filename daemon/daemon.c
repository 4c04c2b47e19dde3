// SPDX-License-Identifier: MIT
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "clock.h"
#include "ctl.h"
#include "log.h"
#include "runtime.h"
#include "uplink.h"

static void on_tick(int fd, uint32_t events, void *ctx)
{
	struct mt6d_daemon *d = ctx;
	struct mt6d_metrics *m;
	int ret;

	mt6d_evloop_timer_drain(fd);
	mt6d_watchdog_kick(&d->watchdog);
	d->ops->tick(d->ctx);
	if (!d->metrics_path[0] || ++d->metrics_ticks < d->ops->metrics_ticks)
		return;
	d->metrics_ticks = 0;
	ret = mt6d_metrics_begin(&m, d->metrics_path, d->cfg->name);
	if (!ret) {
		d->ops->metrics(d->ctx, m);
		ret = mt6d_metrics_commit(m);
	}
	if (ret < 0)
		log_debug("metrics %s: %s", d->metrics_path, strerror(-ret));
}

static void on_signal(int fd, uint32_t events, void *ctx)
{
	struct mt6d_daemon *d = ctx;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("signal %u: stopping", si.ssi_signo);
			d->ops->stop(d->ctx, si.ssi_signo);
			mt6d_evloop_stop(d->loop);
		} else if (si.ssi_signo == SIGUSR1 && d->ops->usr1) {
			d->ops->usr1(d->ctx);
		} else if (si.ssi_signo == SIGHUP && d->ops->reload) {
			d->ops->reload(d->ctx, NULL);
		} else if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP ignored: mt6d-%s reads its configuration at start only",
				 d->ops->role);
		}
	}
}

const char *mt6d_daemon_answer(struct mt6d_daemon *d, const char *req, char **buf)
{
	struct mt6d_show sh;
	size_t len = 0;
	bool known = true;
	FILE *f;

	*buf = NULL;
	f = open_memstream(buf, &len);
	if (!f)
		return "error out of memory\n";
	/* "status" and "status json" alike: "ok" on a line of its own, then the report. */
	if (!strcmp(req, "status") || !strcmp(req, "status json")) {
		fputs("ok\n", f);
		mt6d_show_init(&sh, f, !strcmp(req, "status json"));
		d->ops->show(d->ctx, &sh);
	} else if (!strcmp(req, "reload") && d->ops->reload) {
		d->ops->reload(d->ctx, f);
	} else {
		known = d->ops->request && d->ops->request(d->ctx, req, f);
	}
	if (fclose(f) < 0)
		return "error out of memory\n";
	if (!known)
		return "error unknown request\n";
	if (len >= MT6D_CTL_MSG_MAX)
		return "error reply too long\n";
	return *buf;
}

static void on_ctl(int fd, uint32_t events, void *ctx)
{
	char req[64], *buf;
	int cfd = mt6d_ctl_accept(fd, req, sizeof(req));

	if (cfd < 0)
		return;
	mt6d_ctl_reply(cfd, mt6d_daemon_answer(ctx, req, &buf));
	free(buf);
}

static int setup_clock(struct mt6d_daemon *d)
{
	int ret = mt6d_clock_offset_from_env(&d->clock_offset_ms);

	if (ret < 0) {
		log_warnx("%s: expected milliseconds from -%ld to %ld", MT6D_CLOCK_OFFSET_ENV,
			  MT6D_CLOCK_OFFSET_MAX_MS, MT6D_CLOCK_OFFSET_MAX_MS);
		return ret;
	}
	if (d->clock_offset_ms)
		log_warnx("%s=%ld: slots follow a clock moved by %ld ms; for tests only",
			  MT6D_CLOCK_OFFSET_ENV, d->clock_offset_ms, d->clock_offset_ms);
	return 0;
}

static int setup_uplink(struct mt6d_daemon *d)
{
	const struct mt6d_config *cfg = d->cfg;
	int ret = mt6d_rtnl_open(&d->nl);

	if (ret < 0) {
		log_warnx("rtnetlink: %s", strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < cfg->n_uplinks; i++) {
		const struct mt6d_uplink *u = &cfg->uplinks[i];
		struct mt6d_daemon_uplink *r = &d->uplinks[i];
		char what[64];

		ret = mt6d_uplink_resolve(d->nl, u, &r->ifindex, &r->prefix);
		if (ret < 0) {
			log_warnx("%s: %s: %s", cfg->path,
				  mt6d_uplink_describe(u, what, sizeof(what)),
				  ret != -ENOENT ? strerror(-ret)
				  : u->name[0]	 ? "no global /64 to derive addresses in; set its "
						   "prefix"
						 : "no global /64 to derive addresses in; set "
						   "[local] prefix");
			return ret;
		}
		d->n_uplinks = i + 1;
	}
	return 0;
}

int mt6d_daemon_metrics_path(struct mt6d_daemon *d)
{
	const struct mt6d_config *cfg = d->cfg;
	char path[sizeof(d->metrics_path)] = "";

	if (cfg->metrics_dir[0] && snprintf(path, sizeof(path), "%s/%s-%s.prom", cfg->metrics_dir,
					    cfg->name, d->ops->role) >= (int)sizeof(path)) {
		log_warnx("%s: [metrics] directory: path too long", cfg->path);
		return -ENAMETOOLONG;
	}
	if (strcmp(path, d->metrics_path)) {
		if (d->metrics_path[0])
			unlink(d->metrics_path);
		memcpy(d->metrics_path, path, sizeof(path));
		d->metrics_ticks = 0;
	}
	return 0;
}

static int setup_runtime(struct mt6d_daemon *d)
{
	const struct mt6d_config *cfg = d->cfg;
	int ret = mt6d_runtime_mkdir();

	if (!ret)
		ret = mt6d_runtime_path(d->ctl_path, sizeof(d->ctl_path), cfg->name,
					d->ops->ctl_file);
	if (ret < 0) {
		log_warnx("runtime directory: %s", strerror(-ret));
		return ret;
	}
	ret = mt6d_daemon_metrics_path(d);
	if (ret < 0)
		return ret;
	d->ctl_fd = mt6d_ctl_listen(d->ctl_path);
	if (d->ctl_fd < 0) {
		ret = d->ctl_fd;
		log_warnx("control socket %s: %s", d->ctl_path,
			  ret == -EADDRINUSE ? "another daemon of this kind serves this tunnel"
					     : strerror(-ret));
	}
	return ret;
}

static int setup_loop(struct mt6d_daemon *d)
{
	int ret = mt6d_evloop_new(&d->loop);

	if (!ret) {
		d->sig_fd = mt6d_evloop_signalfd();
		ret = d->sig_fd < 0 ? d->sig_fd : 0;
	}
	if (!ret) {
		d->tick_fd = mt6d_evloop_timer_new(1, d->ops->tick_ms);
		ret = d->tick_fd < 0 ? d->tick_fd : 0;
	}
	if (!ret)
		ret = mt6d_evloop_add(d->loop, d->sig_fd, EPOLLIN, on_signal, d);
	if (!ret)
		ret = mt6d_evloop_add(d->loop, d->tick_fd, EPOLLIN, on_tick, d);
	if (!ret)
		ret = mt6d_evloop_add(d->loop, d->ctl_fd, EPOLLIN, on_ctl, d);
	if (ret < 0)
		log_warnx("event loop: %s", strerror(-ret));
	return ret;
}

int mt6d_daemon_init(struct mt6d_daemon *d, const struct mt6d_config *cfg,
		     const struct mt6d_daemon_ops *ops, void *ctx)
{
	int ret;

	*d = (struct mt6d_daemon){
		.cfg = cfg,
		.ops = ops,
		.ctx = ctx,
		.sig_fd = -1,
		.tick_fd = -1,
		.ctl_fd = -1,
	};
	ret = setup_clock(d);
	if (!ret)
		ret = setup_uplink(d);
	if (!ret)
		ret = setup_runtime(d);
	if (!ret)
		ret = setup_loop(d);
	if (!ret)
		mt6d_watchdog_init(&d->watchdog);
	return ret;
}

int mt6d_daemon_run(struct mt6d_daemon *d)
{
	return mt6d_evloop_run(d->loop);
}

void mt6d_daemon_clear(struct mt6d_daemon *d)
{
	if (d->ctl_fd >= 0) {
		close(d->ctl_fd);
		unlink(d->ctl_path);
	}
	if (d->metrics_path[0])
		unlink(d->metrics_path);
	if (d->tick_fd >= 0)
		close(d->tick_fd);
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	mt6d_evloop_free(d->loop);
	mt6d_rtnl_close(d->nl);
	*d = (struct mt6d_daemon){ .sig_fd = -1, .tick_fd = -1, .ctl_fd = -1 };
}

time_t mt6d_daemon_now(const struct mt6d_daemon *d)
{
	return mt6d_clock_now(d->clock_offset_ms);
}

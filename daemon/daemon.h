/* SPDX-License-Identifier: MIT */
#ifndef MT6D_DAEMON_H
#define MT6D_DAEMON_H

#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "evloop.h"
#include "metrics.h"
#include "notify.h"
#include "rtnl.h"
#include "show.h"

/*
 * What mt6d-tunnel and mt6d-addrmgr set up alike, in the daemon layer (it logs, as the
 * daemons do): the slot clock's test offset, rtnetlink and the uplink's /64, the runtime
 * directory, the control socket with its "status" and "status json" replies, one event
 * loop with a signalfd and a tick timer, the systemd watchdog, and the metrics file.
 * A daemon embeds a struct mt6d_daemon, describes itself in a struct mt6d_daemon_ops,
 * and adds its own descriptors to the loop.
 */
struct mt6d_daemon_ops {
	const char *role;     /* "tunnel", "addrmgr": the metrics file's suffix */
	const char *ctl_file; /* the control socket's runtime file (runtime.h) */
	unsigned int tick_ms;
	unsigned int metrics_ticks; /* ticks from one metrics file to the next */
	void (*tick)(void *ctx);
	/* SIGTERM or SIGINT; the loop ends when it returns. */
	void (*stop)(void *ctx, uint32_t signo);
	void (*usr1)(void *ctx); /* NULL: SIGUSR1 is ignored */
	/* SIGHUP (@reply NULL) or a "reload" request: re-read the configuration file. */
	void (*reload)(void *ctx, FILE *reply);
	/* The status report, as text or JSON through @sh (also the metrics' source). */
	void (*show)(void *ctx, struct mt6d_show *sh);
	void (*metrics)(void *ctx, struct mt6d_metrics *m);
	/*
	 * A control request other than "status" and "status json": writes the reply, "ok ..."
	 * or "error ...", to @reply. NULL, or false returned: "error unknown request".
	 */
	bool (*request)(void *ctx, const char *req, FILE *reply);
};

struct mt6d_daemon {
	const struct mt6d_config *cfg;
	const struct mt6d_daemon_ops *ops;
	void *ctx;
	struct mt6d_evloop *loop;
	struct mt6d_rtnl *nl;
	long clock_offset_ms; /* test-only, see clock.h */
	/* Every uplink of [local] or [uplink NAME] (cfg->uplinks), as resolved at start. */
	struct mt6d_daemon_uplink {
		int ifindex;
		struct in6_addr prefix; /* this side's /64 on it */
	} uplinks[MT6D_MAX_UPLINKS];
	size_t n_uplinks; /* the first's /64 stands for this side: the handshake's identity,
			   * the association ports */
	int sig_fd, tick_fd, ctl_fd;
	unsigned int metrics_ticks;
	struct mt6d_watchdog watchdog;
	char ctl_path[256];
	char metrics_path[PATH_MAX];
};

/*
 * Sets up everything above for @cfg (which must outlive @d) and logs what fails; the
 * callbacks in @ops run from mt6d_daemon_run() on, with @ctx. mt6d_daemon_clear() undoes
 * it, also after a failure.
 */
int mt6d_daemon_init(struct mt6d_daemon *d, const struct mt6d_config *cfg,
		     const struct mt6d_daemon_ops *ops, void *ctx)
	__attribute__((warn_unused_result));
/* Runs the loop until a stop signal; 0 on a clean stop. */
int mt6d_daemon_run(struct mt6d_daemon *d);
void mt6d_daemon_clear(struct mt6d_daemon *d);

/*
 * The reply to control request @req, a line as mt6d_ctl_accept() read it: "status" and
 * "status json" here, anything else through ops->request. The reply is *@buf, which the
 * caller frees (NULL included), or one of the daemon's own error lines.
 */
const char *mt6d_daemon_answer(struct mt6d_daemon *d, const char *req, char **buf);

/*
 * Points the metrics file at the configuration's [metrics] directory again (after a reload
 * changed it), removing the file at the old path. -ENAMETOOLONG, logged, leaves it as it was.
 */
int mt6d_daemon_metrics_path(struct mt6d_daemon *d) __attribute__((warn_unused_result));

/* Unix time for the slots: the wall clock, moved by the test offset. */
time_t mt6d_daemon_now(const struct mt6d_daemon *d);

#endif

// SPDX-License-Identifier: MIT
#include "failclosed.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "assoc_sync.h"
#include "clock.h"
#include "log.h"
#include "notify.h"

enum failclosed_action failclosed_decide(bool guard_enabled, bool installed)
{
	return !guard_enabled || installed ? FAILCLOSED_RUN : FAILCLOSED_WITHDRAW;
}

bool failclosed_stop_withdraws(bool tunnel_alive)
{
	return !tunnel_alive;
}

bool failclosed_stop_removes_table(bool tunnel_alive, bool withdrawn)
{
	return !tunnel_alive && withdrawn;
}

bool failclosed_note(struct failclosed *fc, const char *why)
{
	bool changed;

	snprintf(fc->why, sizeof(fc->why), "%s", why ? why : "");
	fc->closed = why != NULL;
	changed = strcmp(fc->why, fc->logged) != 0;
	memcpy(fc->logged, fc->why, sizeof(fc->logged));
	return changed;
}

bool failclosed_probe_due(const struct failclosed *fc, int err, uint64_t now_ms)
{
	return !fc->closed || err != fc->err || now_ms - fc->probe_ms >= FAILCLOSED_PROBE_MS;
}

/* The install, with what this pass knows: the plans, strays on the uplinks, the peer's. */
static int install(const struct failclosed_tick *t, char *err, size_t errlen)
{
	struct in6_addr peers[TSOCK_MAX_ADDRS];
	struct guard_live live;
	int ret;

	assoc_sync_live(t->ts, peers, TSOCK_MAX_ADDRS, &live);
	ret = guard_update(t->guard, t->plans, t->now, t->extra, t->n_extra, &live, err, errlen);
	return ret < 0 ? ret : 0;
}

/* Why the install failed: what the probe finds missing, else the install's own error. */
static void explain(struct failclosed *fc, const struct failclosed_tick *t, int ret,
		    const char *err, const char *table)
{
	static struct guard_probe pr; /* large; one gate per process */
	char found[384];
	int pret = guard_check(t->cfg, t->prefixes, t->n_prefixes, &pr);

	if (pret == 0 && guard_probe_reason(&pr, found, sizeof(found)))
		snprintf(fc->why, sizeof(fc->why), "%s", found);
	else
		snprintf(fc->why, sizeof(fc->why), "cannot install table %s: %s%s%s%s%s", table,
			 strerror(-ret), *err ? " (" : "", err, *err ? ")" : "",
			 pret < 0 && pret != ret ? "; the probe could not run either" : "");
}

enum failclosed_action failclosed_gate(struct failclosed *fc, const struct failclosed_tick *t)
{
	uint64_t now_ms = mt6d_mono_ms();
	struct guard_view v;
	char err[256] = "", why[sizeof(fc->why)];
	int ret;

	if (!t->guard)
		return FAILCLOSED_RUN;
	guard_view(t->guard, &v);
	ret = guard_verify(t->guard);
	if (ret == -ENOENT && fc->ever && !fc->closed)
		log_warnx("guard table %s has gone; installing it again", v.table);
	else if (ret < 0 && ret != -ENOENT)
		t->stats->failures++; /* not asked: taken as still there */
	if (guard_installed(t->guard))
		return FAILCLOSED_RUN;
	ret = install(t, err, sizeof(err));
	if (!ret) {
		if (fc->closed)
			mt6d_notify_status("guard table %s installed; adding hashed addresses",
					   v.table);
		if (failclosed_note(fc, NULL) || !fc->ever)
			log_info("guard table %s installed", v.table);
		fc->ever = true;
		fc->err = 0;
		return failclosed_decide(true, guard_installed(t->guard));
	}
	t->stats->failures++;
	if (failclosed_probe_due(fc, ret, now_ms)) {
		explain(fc, t, ret, err, v.table);
		fc->probe_ms = now_ms;
		fc->err = ret;
	}
	memcpy(why, fc->why, sizeof(why));
	if (failclosed_note(fc, why)) {
		log_warnx("guard table: %s: no hashed address is added until it is there", why);
		mt6d_notify_status("guard table not installed (%s); no hashed address added", why);
	}
	return failclosed_decide(true, false);
}

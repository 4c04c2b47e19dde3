// SPDX-License-Identifier: MIT
/*
 * mt6d-tunnel's core: one TUN device, one SCTP endpoint, one peer. Inner packets
 * become one SCTP message each; the association's addresses are mt6d-addrmgr's
 * business, which reaches the same socket through the kernel. This file holds the life
 * cycle; tunnel_int.h says where the rest is.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "keys.h"
#include "log.h"
#include "nft.h"
#include "preflight.h"
#include "runtime.h"
#include "tunnel_int.h"

static void on_tick(void *ctx)
{
	struct tunnel *t = ctx;

	control_note_rekeys(t);
	assoc_tick(t, mt6d_mono_ms());
}

static void on_stop(void *ctx, uint32_t signo)
{
	control_log_stats(ctx);
}

static void on_usr1(void *ctx)
{
	control_log_stats(ctx);
}

static const struct mt6d_daemon_ops tunnel_ops = {
	.role = "tunnel",
	.ctl_file = "tunnel.ctl",
	.tick_ms = TUNNEL_TICK_MS,
	.metrics_ticks = TUNNEL_METRICS_TICKS,
	.tick = on_tick,
	.stop = on_stop,
	.usr1 = on_usr1,
	.show = control_show,
	.metrics = control_metrics,
};

static int setup_keys(struct tunnel *t)
{
	const struct mt6d_config *c = t->cfg;
	int ret = mt6d_deriver_init(&t->deriver, c->psk, c->psk_len);

	if (!ret)
		ret = mt6d_kdf(c->psk, c->psk_len, MT6D_KDF_SCTP_AUTH, t->auth_key, MT6D_KEY_LEN);
	if (!ret)
		ret = session_init(&t->sess, c, &t->d.uplinks[0].prefix, mt6d_mono_ms());
	return ret;
}

static int setup_endpoint(struct tunnel *t)
{
	int ret = hop_setup(t);

	if (ret < 0) {
		log_warnx("SCTP endpoint: %s%s", strerror(-ret),
			  ret == -EPROTONOSUPPORT ? " (this kernel has no SCTP; modprobe sctp)"
						  : "");
		return ret;
	}
	ret = mt6d_evloop_add(t->d.loop, t->tun_fd, EPOLLIN, datapath_on_tun, t);
	if (ret < 0)
		log_warnx("event loop: %s", strerror(-ret));
	return ret;
}

/* Fail closed: without these sysctls SCTP-AUTH would not cover what the tunnel needs. */
static int check_host(void)
{
	struct preflight_item it;
	int ret = preflight_sctp_auth(&it);

	if (ret < 0)
		log_warnx("refusing to start: %s; fix: %s", it.found, it.fix);
	return ret;
}

static void log_start(const struct tunnel *t)
{
	const struct mt6d_config *cfg = t->cfg;
	char rel[24];

	if (cfg->encryption == MT6D_CIPHER_NONE)
		log_warnx("%s: [tunnel] encryption = none: inner packets, their addresses "
			  "included, cross the network in clear; for measurement only",
			  cfg->path);
	snprintf(rel, sizeof(rel),
		 cfg->reliability.policy == MT6D_PR_RTX	  ? "rtx:%u"
		 : cfg->reliability.policy == MT6D_PR_TTL ? "ttl:%u"
							  : "full",
		 cfg->reliability.value);
	log_info("TUN device %s up, mtu %u, offloads %s, %zu route(s), %s mode, encryption %s, "
		 "delivery %s, reliability %s; initiator: %s",
		 t->ifname, t->mtu, cfg->offload ? "on" : "off", cfg->n_routes,
		 cfg->address.len ? "host" : "gateway",
		 mt6d_cipher_name((enum mt6d_cipher)cfg->encryption),
		 cfg->delivery == MT6D_DELIVERY_ORDERED ? "ordered" : "unordered", rel,
		 t->sess.initiator ? "yes" : "no (waiting for the peer)");
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
	int ret;

	if (!t)
		return -ENOMEM;
	t->cfg = cfg;
	t->tun_fd = -1;
	for (size_t i = 0; i < TUNNEL_EPS; i++)
		t->eps[i].sk = -1;
	ret = mt6d_daemon_init(&t->d, cfg, &tunnel_ops, t);
	if (ret < 0)
		goto fail;
	/*
	 * Touch the packet buffers now: their pages would otherwise arrive with the first
	 * large super-packet, and private memory is meant to be flat from the start.
	 */
	prefault(t->rxbuf, sizeof(t->rxbuf));
	prefault(t->txbuf, sizeof(t->txbuf));
	prefault(t->bundlebuf, sizeof(t->bundlebuf));
	ret = setup_keys(t);
	if (ret == -EINVAL) {
		log_warnx("%s: this side's prefix and [local] iid are the peer's ([peer] prefix "
			  "and iid): each gateway needs its own",
			  cfg->path);
		goto fail;
	}
	if (ret < 0) {
		log_warnx("key derivation failed");
		goto fail;
	}
	/* Only for the status: without nf_tables the guard's drops read as 0. */
	snprintf(t->guard_table, sizeof(t->guard_table), MT6D_GUARD_TABLE_PREFIX "%s", cfg->name);
	if (cfg->guard.enable) {
		ret = mt6d_nft_open(&t->nft);
		if (ret < 0)
			log_debug("no nf_tables socket for the guard's counters: %s",
				  strerror(-ret));
	}
	ret = mt6d_runtime_path(t->runtime_path, sizeof(t->runtime_path), cfg->name, "tunnel");
	if (ret < 0) {
		log_warnx("runtime directory: %s", strerror(-ret));
		goto fail;
	}
	ret = check_host();
	if (ret < 0)
		goto fail;
	ret = device_setup(t);
	if (ret < 0) {
		log_warnx("TUN device %s: %s", cfg->device, strerror(-ret));
		goto fail;
	}
	ret = setup_endpoint(t);
	if (ret < 0)
		goto fail;
	mt6d_notify_status("TUN device %s up; waiting for the association", t->ifname);
	log_start(t);
	*out = t;
	return 0;
fail:
	tunnel_free(t);
	return ret;
}

int tunnel_run(struct tunnel *t)
{
	return mt6d_daemon_run(&t->d);
}

void tunnel_free(struct tunnel *t)
{
	if (!t)
		return;
	if (t->published)
		unlink(t->runtime_path);
	hop_close_all(t);
	if (t->tun_fd >= 0)
		close(t->tun_fd);
	mt6d_daemon_clear(&t->d);
	mt6d_nft_close(t->nft);
	mt6d_deriver_clear(&t->deriver);
	session_clear(&t->sess);
	mt6d_wipe(t->auth_key, sizeof(t->auth_key));
	free(t);
}

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TUNNEL_INT_H
#define MT6D_TUNNEL_INT_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "aead.h"
#include "daemon.h"
#include "derive.h"
#include "endpoint.h"
#include "frame.h"
#include "nftctr.h"
#include "offload.h"
#include "rx_tail.h"
#include "session.h"
#include "tunnel.h"

/*
 * mt6d-tunnel's state, shared by its parts and by nothing else:
 *   tunnel.c    life cycle, tick and signals
 *   assoc.c     the association in charge: up, down, AUTH check, binding
 *   assoc_keys.c  the handshakes on it: the first one, and the rekeys
 *   datapath.c  TUN <-> frame <-> SCTP
 *   control.c   status, metrics and the statistics line
 *   device.c    the TUN device, its MTU and routes
 */
#define TUNNEL_TICK_MS 500
#define TUNNEL_METRICS_TICKS 10 /* metrics every 5 s */
/* An IPv6 packet without a jumbo payload; a TCP super-packet of the TUN offloads fits. */
#define TUNNEL_MAX_PKT (65535 + 40)
/* The largest frame: header, virtio-net header, packet, padding ([tunnel] padding), tag. */
#define TUNNEL_MAX_FRAME                                                              \
	(MT6D_FRAME_HDR_LEN + MT6D_VNET_HDR_LEN + TUNNEL_MAX_PKT + MT6D_PADDING_MAX + \
	 MT6D_AEAD_TAG_MAX)
/*
 * txbuf: the packet is read to TUNNEL_PKT_OFF, with the virtio-net header (offloads) in
 * front of it. A DATA_GSO frame starts at 0 (header, virtio-net header, packet); a plain
 * DATA frame starts at MT6D_VNET_HDR_LEN, its header over the unused virtio-net header.
 */
#define TUNNEL_PKT_OFF (MT6D_FRAME_HDR_LEN + MT6D_VNET_HDR_LEN)
#define TUNNEL_STREAMS 16

struct tunnel {
	struct mt6d_daemon d;
	const struct mt6d_config *cfg;
	struct mt6d_deriver deriver;
	struct session sess;
	char ifname[IFNAMSIZ];
	char runtime_path[256];
	int tun_fd, sk;
	time_t assoc_since, last_rekey; /* last_rekey: key agreement or new epoch */
	uint64_t rekeys_seen;
	bool bound, published, ready;

	/* One sealed frame (at txbuf + pending_off) held back while the send buffer is full. */
	size_t pending_len, pending_off;
	uint16_t pending_stream;
	struct endpoint_pr pr; /* inner packets' partial reliability */
	unsigned int mtu;
	bool tun_paused;
	struct rx_tail rx_tail;

	struct tunnel_stats stats;
	struct mt6d_nft *nft; /* reads the guard table's counters; NULL: none */
	char guard_table[MT6D_NAME_MAX + sizeof(MT6D_GUARD_TABLE_PREFIX)];
	uint8_t rxbuf[TUNNEL_MAX_FRAME + 1];
	uint8_t txbuf[TUNNEL_MAX_FRAME];
};

/* assoc.c */
void assoc_tick(struct tunnel *t, uint64_t now_ms);
/* The association in charge went (@why for the log); assoc_abort() sends ABORT first. */
void assoc_down(struct tunnel *t, const char *why);
void assoc_abort(struct tunnel *t, const char *why);
/* Gives up association @id, current or candidate, and counts it in @counter. */
void assoc_refuse(struct tunnel *t, sctp_assoc_t id, uint64_t *counter);
/* An SCTP notification of @len bytes at @buf, at any alignment; a short one is ignored. */
void assoc_notification(struct tunnel *t, const void *buf, size_t len);
void assoc_handshake(struct tunnel *t, struct session_link *l, const struct mt6d_frame *f,
		     uint64_t now_ms);
/* assoc_keys.c: the handshakes on an association */
void assoc_start_handshake(struct tunnel *t, struct session_link *l);
void assoc_rekey_tick(struct tunnel *t, struct session_link *l, uint64_t now_ms);
/* A frame of generation parity @gen opened on @l: it may complete a rekey. */
void assoc_rekey_proven(struct tunnel *t, struct session_link *l, uint8_t gen, uint64_t now_ms);
/* The peer proved the key on @l (@how: for the log); a candidate takes over. */
void assoc_authenticated(struct tunnel *t, struct session_link *l, const char *how);
void assoc_endpoint_params(const struct mt6d_config *cfg, const uint8_t *auth_key,
			   struct endpoint_params *ep);

/* datapath.c */
void datapath_on_tun(int fd, uint32_t events, void *ctx);
void datapath_on_sctp(int fd, uint32_t events, void *ctx);
void datapath_resume(struct tunnel *t);
/*
 * The two halves of the event callbacks above, after their clock read (the fuzzers of
 * test/fuzz call them on a clock of their own): datapath_forward() seals and sends what the
 * TUN device has to read; datapath_receive() takes one read @m of the SCTP socket, whose
 * bytes are in t->rxbuf: a notification, or a frame on one of the associations.
 */
void datapath_forward(struct tunnel *t, uint64_t now_ms);
void datapath_receive(struct tunnel *t, const struct endpoint_msg *m, uint64_t now_ms);

/* control.c */
void control_show(void *ctx, struct mt6d_show *sh);
void control_metrics(void *ctx, struct mt6d_metrics *m);
void control_log_stats(const struct tunnel *t);
void control_note_rekeys(struct tunnel *t);

/* device.c */
int device_setup(struct tunnel *t) __attribute__((warn_unused_result));

#endif

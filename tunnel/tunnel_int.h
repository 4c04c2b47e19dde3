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
 *   assoc.c     the association in charge: up, down, AUTH check
 *   hop.c       the SCTP endpoints: one for the tunnel's life, or one per association
 *               epoch (association hopping), binding, connecting, draining
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
/* A bundle's records fill at most this much, and never more than the inner MTU. */
#define TUNNEL_BUNDLE_CAP 4096
#define TUNNEL_BUNDLE_FRAME \
	(MT6D_FRAME_HDR_LEN + TUNNEL_BUNDLE_CAP + MT6D_PADDING_MAX + MT6D_AEAD_TAG_MAX)
#define TUNNEL_STREAMS 16
/* Endpoints at once: one draining, the one in charge, the clock's epoch's and the next's. */
#define TUNNEL_EPS 4
/* A replaced association drains this long before its socket closes. */
#define TUNNEL_DRAIN_MS 1000

/*
 * One SCTP endpoint (socket). Without association hopping there is one, epoch 0, on
 * [tunnel] port; with it, one per association epoch, on a port derived for the epoch and
 * bound to the hashed address of the slot it opened for.
 */
struct tunnel_ep {
	int sk; /* -1: unused */
	uint64_t epoch;
	uint64_t slot;		  /* the slot whose address it binds */
	uint16_t port;		  /* bound local port; 0: not bound yet */
	uint32_t serial;	  /* counts the tunnel's sockets, for mt6d-addrmgr */
	unsigned int peer_failed; /* failed attempts: which peer candidate is next */
	uint64_t close_ms;	  /* draining: closes then; 0: not draining */
	uint32_t renumber_gen;	  /* the tunnel's renumber_gen when it was bound */
};

struct tunnel {
	struct mt6d_daemon d;
	const struct mt6d_config *cfg;
	struct mt6d_deriver deriver;
	struct session sess;
	char ifname[IFNAMSIZ];
	char runtime_path[256];
	int tun_fd;
	struct tunnel_ep eps[TUNNEL_EPS];
	uint32_t ep_serial;
	struct endpoint_params ep_params; /* every endpoint's; .auth_key points at auth_key */
	uint8_t auth_key[MT6D_KEY_LEN];	  /* the SCTP-AUTH endpoint-pair key */
	uint32_t published_serial;	  /* the endpoint mt6d-addrmgr was told about */
	int connect_sk;			  /* the socket of the pending connection attempt */
	int paused_sk;			  /* the socket waited on for room while the TUN
					   * device is not read; -1: none */
	uint64_t hop_slot;		  /* a hop is due since this slot; 0: none due */
	bool hop_failed_logged;
	time_t assoc_since, last_rekey; /* last_rekey: key agreement or new epoch */
	uint64_t rekeys_seen;
	bool bound, published, ready;

	/* Sealed frames held back while the send buffer is full: a bundle and one packet. */
	struct tunnel_held {
		const uint8_t *frame;
		size_t len;
		uint16_t stream;
		unsigned int pkts; /* inner packets in it */
	} held[2];
	unsigned int n_held;
	/* Small packets read in this wakeup ([tunnel] coalesce), sealed together at its end. */
	size_t bundle_len; /* bytes of records after the frame header in bundlebuf */
	unsigned int bundle_pkts;
	uint16_t bundle_stream;
	struct endpoint_pr pr; /* inner packets' partial reliability */
	unsigned int mtu;
	bool tun_paused;
	struct rx_tail rx_tail;

	/* Where the uplinks are now (renumber.c), ours and the peer's. */
	struct in6_addr local_now[MT6D_MAX_UPLINKS], peer_now[MT6D_MAX_UPLINKS];
	uint32_t renumber_gen; /* counts the changes of local_now */

	struct tunnel_stats stats;
	struct mt6d_nft *nft; /* reads the guard table's counters; NULL: none */
	char guard_table[MT6D_NAME_MAX + sizeof(MT6D_GUARD_TABLE_PREFIX)];
	uint8_t rxbuf[TUNNEL_MAX_FRAME + 1];
	uint8_t txbuf[TUNNEL_MAX_FRAME];
	uint8_t bundlebuf[TUNNEL_BUNDLE_FRAME];
};

/* assoc.c */
void assoc_tick(struct tunnel *t, uint64_t now_ms);
/* The association in charge went (@why for the log); assoc_abort() sends ABORT first. */
void assoc_down(struct tunnel *t, const char *why);
void assoc_abort(struct tunnel *t, const char *why);
/* Gives up association @id, current or candidate, and counts it in @counter. */
void assoc_refuse(struct tunnel *t, sctp_assoc_t id, uint64_t *counter);
/*
 * An SCTP notification of @len bytes at @buf, at any alignment, read from socket @sk; a
 * short one is ignored.
 */
void assoc_notification(struct tunnel *t, int sk, const void *buf, size_t len);
/* Publishes the endpoint mt6d-addrmgr acts on (after a change of it or of the one in charge). */
void assoc_publish(struct tunnel *t);
/* The slot of the tunnel's clock. */
uint64_t assoc_slot(const struct tunnel *t);
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

/* hop.c */
bool hop_enabled(const struct tunnel *t);
/* One association per slot: no ASCONF, no SCTP heartbeats, the tunnel's keepalives instead. */
bool hop_keepalives(const struct tunnel *t);
/* The association epoch of @slot; 0 without hopping. */
uint64_t hop_epoch(const struct tunnel *t, uint64_t slot);
/* Sets the endpoints' parameters and opens the clock's endpoint (-errno: e.g. no SCTP). */
int hop_setup(struct tunnel *t) __attribute__((warn_unused_result));
/* Opens, binds, connects and closes endpoints as the clock and the session say. */
void hop_tick(struct tunnel *t, uint64_t now_ms);
/* The initiator's connection attempt (the session asked for one); false: not possible now. */
bool hop_connect(struct tunnel *t);
/* The endpoint of socket @sk, or NULL. */
struct tunnel_ep *hop_ep(struct tunnel *t, int sk);
/* The endpoint of the clock's epoch when it is bound, else NULL. */
struct tunnel_ep *hop_current_ep(struct tunnel *t);
/* Association @replaced was replaced by a hop: it drains, then its socket closes. */
void hop_drain(struct tunnel *t, sctp_assoc_t replaced, int sk);
void hop_close_all(struct tunnel *t);

/* renumber.c */
void renumber_init(struct tunnel *t);
/* Uplink @i's /64 now: the interface's, unless configured; NULL while the interface is gone. */
const struct in6_addr *renumber_local(struct tunnel *t, size_t i);
/* Every uplink's /64 read again (renumber_local()). */
void renumber_follow(struct tunnel *t);
/* The peer's uplinks' /64s, from the addresses of the association in charge. */
void renumber_learn_peer(struct tunnel *t);

/* datapath.c */
/* Sends a sealed keepalive on the association in charge when it sent nothing for a while. */
void datapath_keepalive(struct tunnel *t, uint64_t now_ms);
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
void datapath_receive(struct tunnel *t, int sk, const struct endpoint_msg *m, uint64_t now_ms);

/* control.c */
void control_show(void *ctx, struct mt6d_show *sh);
void control_metrics(void *ctx, struct mt6d_metrics *m);
void control_log_stats(const struct tunnel *t);
void control_note_rekeys(struct tunnel *t);

/* device.c */
int device_setup(struct tunnel *t) __attribute__((warn_unused_result));

#endif

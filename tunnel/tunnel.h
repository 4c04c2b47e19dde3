/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TUNNEL_H
#define MT6D_TUNNEL_H

#include <stdint.h>

#include "config.h"

struct tunnel;

struct tunnel_stats {
	uint64_t tx_packets, tx_bytes;	 /* inner packets sealed into the association */
	uint64_t rx_packets, rx_bytes;	 /* inner packets written to the TUN device */
	uint64_t tx_bundles, rx_bundles; /* frames carrying several small packets (coalesce) */
	uint64_t drop_no_session;	 /* inner packet while no authenticated peer */
	uint64_t drop_send;		 /* association error or went down */
	uint64_t drop_auth;		 /* tag did not verify */
	uint64_t drop_replay;		 /* counter seen, behind the window or too big */
	uint64_t drop_malformed;	 /* frame or inner packet malformed, truncated */
	uint64_t drop_unknown;		 /* unknown version or frame type */
	uint64_t drop_unauthenticated;	 /* no session keys for it (yet) */
	uint64_t drop_handshake;	 /* handshake with a bad MAC or stale values */
	uint64_t drop_epoch;		 /* key epoch too far ahead to follow */
	uint64_t drop_tun;		 /* TUN device refused a packet */
	/* Outside the data plane: the counters of mt6d-addrmgr's guard table, read at
	 * each snapshot (0 without the table). */
	uint64_t drop_filter;	   /* to a hashed address, not the tunnel's */
	uint64_t drop_tripwire;	   /* to a retired hashed address */
	uint64_t associations;	   /* associations that came up */
	uint64_t refused_noauth;   /* associations aborted: peer without SCTP-AUTH */
	uint64_t rekey_handshakes; /* rekeys of the association in charge (new DH) */
	uint64_t unproven;	   /* associations aborted: the peer did not prove the key */
	uint64_t keys_expired;	   /* associations aborted: no rekey in 3 rekey intervals */
	uint64_t hops;		   /* association hops completed: a new epoch took over */
	uint64_t hop_failures;	   /* slots in which a due hop did not complete */
	uint64_t keepalives_tx;	   /* sealed keepalives sent (association hopping) */
	uint64_t keepalives_rx;	   /* sealed keepalives that opened */
	uint64_t peer_silent;	   /* associations aborted: nothing opened from the peer in
				    * the keepalive deadline (association hopping) */
};

/*
 * Creates the TUN device and its routes, opens the SCTP endpoint and publishes it
 * for mt6d-addrmgr. @cfg must outlive the tunnel.
 */
int tunnel_new(struct tunnel **out, const struct mt6d_config *cfg)
	__attribute__((warn_unused_result));
/* Runs until SIGTERM or SIGINT; 0 on a clean stop. */
int tunnel_run(struct tunnel *t);
void tunnel_free(struct tunnel *t);

#endif

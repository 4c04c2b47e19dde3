/* SPDX-License-Identifier: MIT */
#ifndef MT6D_SESSION_H
#define MT6D_SESSION_H

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "handshake.h"
#include "keyring.h"

/*
 * Which association is in charge, what was proven on it, and the deadlines that turn
 * silence into a diagnosis. A new association proves at most the SCTP-AUTH key (which
 * covers its COOKIE-ECHO), not the PSK: while one is in charge (the peer proved the key
 * on it), a newer one is only a candidate. It runs its own handshake and takes over when the
 * peer proves the key on it (the old one is then aborted); when it fails to within
 * SESSION_HANDSHAKE_DEADLINE_MS it is aborted, and nothing else changes.
 */
#define SESSION_CONNECT_DEADLINE_MS 10000
#define SESSION_HANDSHAKE_DEADLINE_MS 5000
#define SESSION_REPORT_EVERY_MS 60000
/*
 * Keys older than this many rekey intervals are not used any more (WireGuard's
 * REJECT_AFTER_TIME is 3 x REKEY_AFTER_TIME as well): when two rekeys in a row failed,
 * the association is started over instead of staying on keys a compromise would reveal.
 */
#define SESSION_KEY_MAX_AGE_REKEYS 3

/*
 * One association and what was proven on it. Its first handshake makes key generation 0;
 * every rekey interval the initiator runs another (rekey) on the same association for the
 * next generation. Frames carry the generation's parity, so the two latest generations'
 * rings are held: the one this side sends with, and the other (the previous one, until
 * its late frames had time to arrive, or the next one, while its handshake completes).
 */
struct session_link {
	sctp_assoc_t id;	/* 0: none */
	int sk;			/* the socket it is on (the tunnel's business) */
	uint64_t epoch;		/* the association epoch of that socket */
	uint32_t stream_key;	/* keys the choice of stream for inner flows (flow.h) */
	uint64_t last_rx_ms;	/* a frame from the peer opened then */
	uint64_t last_tx_ms;	/* a frame left then */
	bool authenticated;	/* the peer proved the PSK on it */
	uint64_t since_ms;	/* when it came up */
	struct handshake hs;	/* generation 0 */
	struct handshake rekey; /* the latest rekey, for generation gen + 1 */
	struct keyring keys[2]; /* by generation parity */
	uint8_t gen;		/* the generation this side sends with */
	uint64_t keyed_ms;	/* when it began */
	uint64_t rekey_sent_ms; /* initiator: message 1 of a rekey went then; 0: none */
	uint64_t retire_ms;	/* the other ring goes then; 0: nothing to retire */
};

struct session {
	struct session_link cur;   /* in charge once authenticated; id 0: none */
	struct session_link cand;  /* a newer association while cur is there; id 0: none */
	struct session_link drain; /* the one cur replaced in a hop, until it closes */
	sctp_assoc_t connecting;   /* our pending attempt, 0 when none */
	bool initiator;		   /* this side starts associations */
	uint64_t since_ms;	   /* when the state without an association began */
	uint64_t next_attempt_ms;
	unsigned int backoff_ms;
	unsigned int backoff_max_ms;
	uint64_t reported_ms; /* last stall report, 0: none in this state */
	char why[256];
};

enum session_action {
	SESSION_IDLE,		 /* nothing to do */
	SESSION_CONNECT,	 /* start an association now */
	SESSION_STALLED,	 /* report @why, keep waiting */
	SESSION_UNAUTHENTICATED, /* report @why, abort association *@id and drop it */
};

/*
 * @now_ms: mt6d_mono_ms() or a test's clock; every deadline below is on it. A side's id is
 * its first uplink's /64 and its iid: -EINVAL when this side's (@local_prefix || [local]
 * iid) is the peer's (its first uplink's prefix || [peer] iid).
 */
int session_init(struct session *s, const struct mt6d_config *cfg,
		 const struct in6_addr *local_prefix, uint64_t now_ms)
	__attribute__((warn_unused_result));
void session_clear(struct session *s);

/* Our association attempt @id is under way; it failed (0 when @id is not ours). */
void session_connecting(struct session *s, sctp_assoc_t id);
void session_connect_failed(struct session *s, sctp_assoc_t id);

/*
 * Association @id came up (or restarted): its handshake starts over. Without an
 * association in charge it is the current one, else a candidate; a candidate it
 * displaces is returned in *@displaced (0: none) for the caller to abort. Returns the
 * link, or NULL when no fresh handshake values could be drawn.
 */
struct session_link *session_begin(struct session *s, sctp_assoc_t id, uint64_t now_ms,
				   sctp_assoc_t *displaced) __attribute__((warn_unused_result));

/* The link of association @id, or NULL when it is neither current, a candidate nor draining. */
struct session_link *session_find(struct session *s, sctp_assoc_t id);

/*
 * The peer proved the key on @l. A candidate becomes the current link and the one it
 * replaces is returned in *@replaced (0: none): with @drain it becomes the draining link
 * (keys kept for its late frames; a draining link before it must have been dropped),
 * else it is forgotten for the caller to abort. False when @l had already been proven.
 */
bool session_authenticate(struct session *s, struct session_link *l, bool drain,
			  sctp_assoc_t *replaced);

/*
 * Association @id went (or was aborted): its keys are wiped. When it was current, a
 * candidate moves up in its place, else the reconnection starts afresh.
 */
void session_drop(struct session *s, sctp_assoc_t id, uint64_t now_ms);

/* The ring this side seals with; the ring for a received frame of generation parity @gen. */
static inline struct keyring *session_tx_keys(struct session_link *l)
{
	return &l->keys[l->gen & 1];
}

static inline struct keyring *session_rx_keys(struct session_link *l, uint8_t gen)
{
	return &l->keys[gen & 1];
}

/*
 * The keys of generation gen + 1 are set on both sides (the initiator got message 2, the
 * responder the confirmation or a frame that opened under them): send with them from now
 * on; the old ring stays for KEYRING_OVERLAP_MS for late frames.
 */
/* The keys @l sends with are SESSION_KEY_MAX_AGE_REKEYS rekey intervals old, or older. */
bool session_keys_expired(const struct session_link *l, uint64_t rekey_ms, uint64_t now_ms);
void session_next_gen(struct session_link *l, uint64_t now_ms);

/* Drops the old generation's ring once its late frames had their time. */
void session_retire(struct session_link *l, uint64_t now_ms);

static inline bool session_authenticated(const struct session *s)
{
	return s->cur.id && s->cur.authenticated;
}

/*
 * Called on every tick: what the deadlines say to do now. SESSION_UNAUTHENTICATED names
 * the association to abort in *@id.
 */
enum session_action session_check(struct session *s, uint64_t now_ms, const char **why,
				  sctp_assoc_t *id);

#endif

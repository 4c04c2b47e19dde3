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
 * The tunnel's view of its one association: which one is current, whether the peer
 * has proven the key, and the deadlines that turn silence into a diagnosis.
 */
#define SESSION_CONNECT_DEADLINE_MS 10000
#define SESSION_HANDSHAKE_DEADLINE_MS 5000
#define SESSION_REPORT_EVERY_MS 60000

struct session {
	sctp_assoc_t assoc;	 /* current association, 0 when none */
	sctp_assoc_t connecting; /* our pending attempt, 0 when none */
	bool initiator;		 /* this side starts associations */
	struct handshake hs;
	struct keyring keys;
	bool authenticated; /* the peer proved the PSK on this association */
	uint64_t since_ms;  /* when the current state began */
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
	SESSION_UNAUTHENTICATED, /* report @why, abort the association */
};

/* @now_ms: mt6d_mono_ms() or a test's clock; every deadline below is on it. */
int session_init(struct session *s, const struct mt6d_config *cfg,
		 const struct in6_addr *local_prefix, uint64_t now_ms)
	__attribute__((warn_unused_result));
void session_clear(struct session *s);

/* Our association attempt @id is under way; it failed (0 when @id is not ours). */
void session_connecting(struct session *s, sctp_assoc_t id);
void session_connect_failed(struct session *s, sctp_assoc_t id);

/* Association @id is the current one, the handshake starts over. */
int session_begin(struct session *s, sctp_assoc_t id, uint64_t now_ms)
	__attribute__((warn_unused_result));
/* The peer proved the key on the current association; false when it already had. */
bool session_authenticate(struct session *s);
/* No current association any more; keys wiped, reconnection starts afresh. */
void session_end(struct session *s, uint64_t now_ms);

static inline bool session_authenticated(const struct session *s)
{
	return s->assoc && s->authenticated;
}

/* Called on every tick: what the deadlines say to do now. */
enum session_action session_check(struct session *s, uint64_t now_ms, const char **why);

#endif

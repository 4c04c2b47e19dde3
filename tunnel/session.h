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
	sctp_assoc_t assoc;		/* current association, 0 when none */
	sctp_assoc_t connecting;	/* our pending attempt, 0 when none */
	bool initiator;			/* this side starts associations */
	struct handshake hs;
	struct keyring keys;
	bool authenticated;		/* the peer proved the PSK on this association */
	uint64_t since_ms;		/* when the current state began */
	uint64_t next_attempt_ms;
	unsigned int backoff_ms;
	unsigned int backoff_max_ms;
	uint64_t reported_ms;		/* last stall report, 0: none in this state */
	char why[256];
};

enum session_action {
	SESSION_IDLE,		/* nothing to do */
	SESSION_CONNECT,	/* start an association now */
	SESSION_STALLED,	/* report @why, keep waiting */
	SESSION_UNAUTHENTICATED, /* report @why, abort the association */
};

int session_init(struct session *s, const struct mt6d_config *cfg,
		 const struct in6_addr *local_prefix) __attribute__((warn_unused_result));
void session_clear(struct session *s);

int session_begin(struct session *s, sctp_assoc_t id) __attribute__((warn_unused_result));
void session_end(struct session *s);

static inline bool session_authenticated(const struct session *s)
{
	return s->assoc && s->authenticated;
}

/* Called on every tick: what the deadlines say to do now. */
enum session_action session_check(struct session *s, const char **why);

#endif

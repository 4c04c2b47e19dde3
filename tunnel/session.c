// SPDX-License-Identifier: MIT
#include "session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define BACKOFF_MIN_MS 250
/* Longer than a full INIT cycle (4 attempts, RTO 1 s doubling to 2 s). */
#define ATTEMPT_TIMEOUT_MS 12000

int session_init(struct session *s, const struct mt6d_config *cfg,
		 const struct in6_addr *local_prefix, uint64_t now_ms)
{
	uint8_t local[16], peer[16];

	memset(s, 0, sizeof(*s));
	/* Exactly one side initiates, so the two never race with simultaneous INITs. */
	memcpy(local, local_prefix->s6_addr, 8);
	memcpy(local + 8, cfg->local_iid.s6_addr + 8, 8);
	memcpy(peer, cfg->peer_prefix.addr.s6_addr, 8);
	memcpy(peer + 8, cfg->peer_iid.s6_addr + 8, 8);
	s->initiator = memcmp(local, peer, sizeof(local)) < 0;
	s->since_ms = now_ms;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->backoff_max_ms = cfg->recovery.max_backoff;
	keyring_init(&s->keys, (enum mt6d_cipher)cfg->encryption,
		     (uint64_t)cfg->rekey_interval * 1000, 0);
	return handshake_init(&s->hs, cfg->psk, cfg->psk_len, local_prefix, &cfg->local_iid,
			      &cfg->peer_prefix.addr, &cfg->peer_iid);
}

void session_clear(struct session *s)
{
	handshake_clear(&s->hs);
	keyring_clear(&s->keys);
}

void session_connecting(struct session *s, sctp_assoc_t id)
{
	s->connecting = id;
}

void session_connect_failed(struct session *s, sctp_assoc_t id)
{
	if (id && id == s->connecting)
		s->connecting = 0;
}

int session_begin(struct session *s, sctp_assoc_t id, uint64_t now_ms)
{
	s->assoc = id;
	s->connecting = 0;
	s->authenticated = false;
	keyring_clear(&s->keys);
	s->since_ms = now_ms;
	s->reported_ms = 0;
	s->backoff_ms = BACKOFF_MIN_MS;
	return handshake_reset(&s->hs);
}

bool session_authenticate(struct session *s)
{
	if (!s->assoc || s->authenticated)
		return false;
	s->authenticated = true;
	return true;
}

void session_end(struct session *s, uint64_t now_ms)
{
	s->assoc = 0;
	s->connecting = 0;
	s->authenticated = false;
	s->hs.authenticated = false;
	keyring_clear(&s->keys);
	s->since_ms = now_ms;
	s->reported_ms = 0;
	s->next_attempt_ms = 0;
}

static bool due_report(struct session *s, uint64_t now, uint64_t deadline)
{
	if (now - s->since_ms < deadline)
		return false;
	if (s->reported_ms && now - s->reported_ms < SESSION_REPORT_EVERY_MS)
		return false;
	s->reported_ms = now;
	return true;
}

enum session_action session_check(struct session *s, uint64_t now, const char **why)
{
	*why = s->why;
	if (s->assoc) {
		if (s->authenticated || now - s->since_ms < SESSION_HANDSHAKE_DEADLINE_MS)
			return SESSION_IDLE;
		snprintf(s->why, sizeof(s->why),
			 "association %d: the peer did not prove the key within %d s "
			 "(it uses a different PSK); dropping the association",
			 (int)s->assoc, SESSION_HANDSHAKE_DEADLINE_MS / 1000);
		return SESSION_UNAUTHENTICATED;
	}
	if (due_report(s, now, SESSION_CONNECT_DEADLINE_MS)) {
		snprintf(s->why, sizeof(s->why),
			 "no association with the peer for %llu s: %s (peer down, a different "
			 "PSK, or clocks more than one rotation interval apart)",
			 (unsigned long long)(now - s->since_ms) / 1000,
			 s->initiator ? "it does not answer at the addresses derived for it"
				      : "it has not reached the addresses derived for this side");
		return SESSION_STALLED;
	}
	if (!s->initiator)
		return SESSION_IDLE;
	if (s->connecting && now < s->next_attempt_ms + ATTEMPT_TIMEOUT_MS)
		return SESSION_IDLE;
	if (now < s->next_attempt_ms)
		return SESSION_IDLE;
	s->next_attempt_ms = now + s->backoff_ms;
	if (s->backoff_ms < s->backoff_max_ms)
		s->backoff_ms = 2 * s->backoff_ms < s->backoff_max_ms ? 2 * s->backoff_ms
								      : s->backoff_max_ms;
	return SESSION_CONNECT;
}

// SPDX-License-Identifier: MIT
#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define BACKOFF_MIN_MS 250
/* Longer than a full INIT cycle (4 attempts, RTO 1 s doubling to 2 s). */
#define ATTEMPT_TIMEOUT_MS 12000

static int link_init(struct session_link *l, const struct mt6d_config *cfg,
		     const struct in6_addr *local_prefix)
{
	enum mt6d_cipher c = (enum mt6d_cipher)cfg->encryption;
	int ret;

	memset(l, 0, sizeof(*l));
	for (uint8_t i = 0; i < 2; i++) {
		keyring_init(&l->keys[i], c, (uint64_t)cfg->rekey_interval * 1000, 0);
		keyring_set_gen(&l->keys[i], i);
	}
	ret = handshake_init(&l->hs, cfg->psk, cfg->psk_len, c, local_prefix, &cfg->local_iid,
			     &cfg->peer_uplinks[0].prefix.addr, &cfg->peer_iid);
	if (!ret)
		ret = handshake_init(&l->rekey, cfg->psk, cfg->psk_len, c, local_prefix,
				     &cfg->local_iid, &cfg->peer_uplinks[0].prefix.addr,
				     &cfg->peer_iid);
	return ret;
}

static void link_keys_clear(struct session_link *l)
{
	keyring_clear(&l->keys[0]);
	keyring_clear(&l->keys[1]);
	l->gen = 0;
	l->keyed_ms = l->rekey_sent_ms = l->retire_ms = 0;
}

static void link_clear(struct session_link *l)
{
	handshake_clear(&l->hs);
	handshake_clear(&l->rekey);
	link_keys_clear(l);
}

static int link_begin(struct session_link *l, sctp_assoc_t id, uint64_t now_ms)
{
	l->id = id;
	l->authenticated = false;
	l->since_ms = l->last_rx_ms = l->last_tx_ms = now_ms;
	link_keys_clear(l);
	/* A rekey starts from a fresh state of its own (assoc_keys.c). */
	handshake_forget(&l->rekey);
	return handshake_reset(&l->hs);
}

/* Forgets the association; the handshake's peer values and the keys go with it. */
static void link_end(struct session_link *l)
{
	l->id = 0;
	l->authenticated = false;
	link_keys_clear(l);
	/* Whatever the handshakes still held goes; the next association resets them. */
	handshake_forget(&l->hs);
	handshake_forget(&l->rekey);
}

bool session_keys_expired(const struct session_link *l, uint64_t rekey_ms, uint64_t now_ms)
{
	return l->keyed_ms && now_ms - l->keyed_ms >= SESSION_KEY_MAX_AGE_REKEYS * rekey_ms;
}

void session_next_gen(struct session_link *l, uint64_t now_ms)
{
	l->gen++;
	l->keyed_ms = now_ms;
	l->rekey_sent_ms = 0;
	l->retire_ms = now_ms + KEYRING_OVERLAP_MS;
}

void session_retire(struct session_link *l, uint64_t now_ms)
{
	if (!l->retire_ms || now_ms < l->retire_ms)
		return;
	keyring_clear(&l->keys[(l->gen + 1) & 1]);
	l->retire_ms = 0;
}

static void swap_links(struct session *s)
{
	struct session_link tmp = s->cur;

	s->cur = s->cand;
	s->cand = tmp;
}

int session_init(struct session *s, const struct mt6d_config *cfg,
		 const struct in6_addr *local_prefix, uint64_t now_ms)
{
	uint8_t local[16], peer[16];
	int ret;

	memset(s, 0, sizeof(*s));
	/* Exactly one side initiates, so the two never race with simultaneous INITs. */
	memcpy(local, local_prefix->s6_addr, 8);
	memcpy(local + 8, cfg->local_iid.s6_addr + 8, 8);
	memcpy(peer, cfg->peer_uplinks[0].prefix.addr.s6_addr, 8);
	memcpy(peer + 8, cfg->peer_iid.s6_addr + 8, 8);
	/* The same id on both ends: neither would initiate, and each could be the other. */
	if (!memcmp(local, peer, sizeof(local)))
		return -EINVAL;
	s->initiator = memcmp(local, peer, sizeof(local)) < 0;
	s->since_ms = now_ms;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->backoff_max_ms = cfg->recovery.max_backoff;
	ret = link_init(&s->cur, cfg, local_prefix);
	if (!ret)
		ret = link_init(&s->cand, cfg, local_prefix);
	if (!ret)
		ret = link_init(&s->drain, cfg, local_prefix);
	return ret;
}

void session_clear(struct session *s)
{
	link_clear(&s->cur);
	link_clear(&s->cand);
	link_clear(&s->drain);
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

struct session_link *session_begin(struct session *s, sctp_assoc_t id, uint64_t now_ms,
				   sctp_assoc_t *displaced)
{
	struct session_link *l = &s->cand;

	*displaced = 0;
	if (id == s->connecting)
		s->connecting = 0;
	if (!s->cur.id || s->cur.id == id) {
		/* The first association, or the current one restarted: its keys are gone. */
		l = &s->cur;
		s->connecting = 0;
		s->reported_ms = 0;
		s->backoff_ms = BACKOFF_MIN_MS;
	} else if (s->cand.id && s->cand.id != id) {
		*displaced = s->cand.id;
	}
	return link_begin(l, id, now_ms) < 0 ? NULL : l;
}

struct session_link *session_find(struct session *s, sctp_assoc_t id)
{
	if (id && s->cur.id == id)
		return &s->cur;
	if (id && s->cand.id == id)
		return &s->cand;
	if (id && s->drain.id == id)
		return &s->drain;
	return NULL;
}

bool session_authenticate(struct session *s, struct session_link *l, bool drain,
			  sctp_assoc_t *replaced)
{
	*replaced = 0;
	if (!l->id || l->authenticated)
		return false;
	l->authenticated = true;
	if (l == &s->cand) {
		*replaced = s->cur.id;
		swap_links(s);
		if (drain) {
			/* The old one drains; the cand slot takes the spent drain link's state. */
			struct session_link tmp = s->drain;

			link_end(&tmp);
			s->drain = s->cand;
			s->cand = tmp;
		} else {
			link_end(&s->cand);
		}
	}
	return true;
}

void session_drop(struct session *s, sctp_assoc_t id, uint64_t now_ms)
{
	if (!id)
		return;
	if (s->drain.id == id) {
		link_end(&s->drain);
		return;
	}
	if (s->cand.id == id) {
		link_end(&s->cand);
		return;
	}
	if (s->cur.id != id)
		return;
	link_end(&s->cur);
	if (s->cand.id) {
		swap_links(s);
		return;
	}
	s->connecting = 0;
	s->since_ms = now_ms;
	s->reported_ms = 0;
	s->next_attempt_ms = 0;
}

/*
 * Milliseconds from @since to @now, 0 when @since is later: a caller that read its clock
 * before an event it handles in the same pass (the keepalive deadline aborts with a
 * fresher time) must not see an interval of 2^64 ms.
 */
static uint64_t elapsed(uint64_t now, uint64_t since)
{
	return now > since ? now - since : 0;
}

static bool due_report(struct session *s, uint64_t now, uint64_t deadline)
{
	if (elapsed(now, s->since_ms) < deadline)
		return false;
	if (s->reported_ms && now - s->reported_ms < SESSION_REPORT_EVERY_MS)
		return false;
	s->reported_ms = now;
	return true;
}

/* A link whose peer has not proven the key in time; NULL when none. */
static const struct session_link *unproven(const struct session *s, uint64_t now)
{
	const struct session_link *links[] = { &s->cand, &s->cur };

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		const struct session_link *l = links[i];

		if (l->id && !l->authenticated &&
		    elapsed(now, l->since_ms) >= SESSION_HANDSHAKE_DEADLINE_MS)
			return l;
	}
	return NULL;
}

enum session_action session_check(struct session *s, uint64_t now, const char **why,
				  sctp_assoc_t *id)
{
	const struct session_link *l = unproven(s, now);

	*why = s->why;
	*id = 0;
	if (l) {
		*id = l->id;
		snprintf(s->why, sizeof(s->why),
			 "association %d: the peer did not prove the key within %d s "
			 "(it uses a different PSK, or it is not the peer); dropping the "
			 "association",
			 (int)l->id, SESSION_HANDSHAKE_DEADLINE_MS / 1000);
		return SESSION_UNAUTHENTICATED;
	}
	if (s->cur.id)
		return SESSION_IDLE;
	if (due_report(s, now, SESSION_CONNECT_DEADLINE_MS)) {
		snprintf(s->why, sizeof(s->why),
			 "no association with the peer for %llu s: %s (peer down, a different "
			 "PSK, or clocks more than one rotation interval apart)",
			 (unsigned long long)elapsed(now, s->since_ms) / 1000,
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

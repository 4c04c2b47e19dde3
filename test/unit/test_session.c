// SPDX-License-Identifier: MIT
/*
 * The session's state changes and deadlines on a clock the test moves: who initiates,
 * the connect back-off, the stall report (once a minute), the handshake deadline, and
 * that a new association is only a candidate while one is in charge: it takes over when
 * proven, and is dropped, changing nothing, when it is not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "check.h"
#include "session.h"

#define T0 1000000ull

static void config(struct mt6d_config *cfg, const char *local_iid, const char *peer_iid)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->psk_len = 32;
	for (size_t i = 0; i < cfg->psk_len; i++)
		cfg->psk[i] = (uint8_t)i;
	inet_pton(AF_INET6, local_iid, &cfg->local_iid);
	inet_pton(AF_INET6, "2001:db8:2::", &cfg->peer_prefix.addr);
	cfg->peer_prefix.len = 64;
	cfg->peer_uplinks[0].prefix = cfg->peer_prefix;
	cfg->n_peer_uplinks = 1;
	inet_pton(AF_INET6, peer_iid, &cfg->peer_iid);
	cfg->rekey_interval = 120;
	cfg->recovery.max_backoff = 2000;
}

static struct session *start(struct session *s, struct mt6d_config *cfg, const char *prefix)
{
	struct in6_addr p;

	inet_pton(AF_INET6, prefix, &p);
	CHECK(session_init(s, cfg, &p, T0) == 0, "session_init");
	return s;
}

/* Association 3 begun at T0 and proven: the one in charge. */
static void responder_with_3(struct session *s, struct mt6d_config *cfg)
{
	struct session_link *l;
	sctp_assoc_t other;

	config(cfg, "::2", "::1");
	start(s, cfg, "2001:db8:2::");
	l = session_begin(s, 3, T0, &other);
	CHECK(l && session_authenticate(s, l, false, &other), "3 in charge");
}

static void test_initiator(void)
{
	struct mt6d_config cfg;
	struct session a, b;

	/* The side whose (prefix, iid) sorts first initiates; exactly one of two does. */
	config(&cfg, "::1", "::2");
	start(&a, &cfg, "2001:db8:1::");
	CHECK(a.initiator, "2001:db8:1::1 < 2001:db8:2::2 initiates");
	session_clear(&a);
	config(&cfg, "::2", "::1");
	inet_pton(AF_INET6, "2001:db8:1::", &cfg.peer_prefix.addr);
	cfg.peer_uplinks[0].prefix = cfg.peer_prefix;
	start(&b, &cfg, "2001:db8:2::");
	CHECK(!b.initiator, "2001:db8:2::2 > 2001:db8:1::1 waits");
	session_clear(&b);
}

/* The initiator connects at once, then backs off 250, 500, 1000, 2000, 2000 ms. */
static void test_backoff(void)
{
	const unsigned int gaps[] = { 250, 500, 1000, 2000, 2000 };
	struct mt6d_config cfg;
	struct session s;
	const char *why;
	sctp_assoc_t id;
	uint64_t now = T0;

	config(&cfg, "::1", "::2");
	start(&s, &cfg, "2001:db8:1::");
	CHECK(session_check(&s, now, &why, &id) == SESSION_CONNECT, "first attempt at once");
	for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
		CHECK(session_check(&s, now + gaps[i] - 1, &why, &id) == SESSION_IDLE,
		      "no attempt before %u ms", gaps[i]);
		now += gaps[i];
		CHECK(session_check(&s, now, &why, &id) == SESSION_CONNECT,
		      "attempt %zu after %u ms", i + 2, gaps[i]);
	}
	session_clear(&s);
}

/* An attempt under way is waited for (12 s) unless the kernel says it failed. */
static void test_attempt_in_flight(void)
{
	struct mt6d_config cfg;
	struct session s;
	const char *why;
	sctp_assoc_t id;

	config(&cfg, "::1", "::2");
	start(&s, &cfg, "2001:db8:1::");
	CHECK(session_check(&s, T0, &why, &id) == SESSION_CONNECT, "connect");
	session_connecting(&s, 7);
	CHECK(session_check(&s, T0 + 5000, &why, &id) == SESSION_IDLE, "in flight: wait");
	session_connect_failed(&s, 8);
	CHECK(s.connecting == 7, "a failure of another attempt changes nothing");
	session_connect_failed(&s, 7);
	CHECK(s.connecting == 0, "our attempt failed");
	CHECK(session_check(&s, T0 + 5000, &why, &id) == SESSION_CONNECT, "next attempt");
	session_clear(&s);
}

/* Without an association for 10 s: one report, then at most one a minute. */
static void test_stall_report(void)
{
	struct mt6d_config cfg;
	struct session s;
	const char *why;
	sctp_assoc_t id;

	config(&cfg, "::2", "::1");
	start(&s, &cfg, "2001:db8:2::");
	CHECK(session_check(&s, T0 + 9999, &why, &id) == SESSION_IDLE, "responder waits quietly");
	CHECK(session_check(&s, T0 + 10000, &why, &id) == SESSION_STALLED, "report at 10 s");
	CHECK(strstr(why, "no association with the peer for 10 s") != NULL, "why: %s", why);
	CHECK(session_check(&s, T0 + 20000, &why, &id) == SESSION_IDLE, "not again at 20 s");
	CHECK(session_check(&s, T0 + 70000, &why, &id) == SESSION_STALLED, "again at 70 s");
	session_clear(&s);
}

/*
 * The association lost at a time later than the clock of the check that follows (the
 * tunnel's tick reads its clock once; the keepalive deadline aborts on a fresher one): no
 * stall of 2^64 ms is reported, and the report comes 10 s after the loss.
 */
static void test_lost_after_clock(void)
{
	struct mt6d_config cfg;
	struct session s;
	sctp_assoc_t id;
	const char *why;

	responder_with_3(&s, &cfg);
	session_drop(&s, 3, T0 + 20000);
	CHECK(session_check(&s, T0 + 19999, &why, &id) == SESSION_IDLE,
	      "a check 1 ms before the loss is quiet");
	CHECK(session_check(&s, T0 + 29999, &why, &id) == SESSION_IDLE, "quiet for 10 s");
	CHECK(session_check(&s, T0 + 30000, &why, &id) == SESSION_STALLED, "report at 10 s");
	CHECK(strstr(why, "no association with the peer for 10 s") != NULL, "why: %s", why);
	session_clear(&s);
}

/* An association that does not prove the key within 5 s is given up. */
static void test_handshake_deadline(void)
{
	struct mt6d_config cfg;
	struct session s;
	struct session_link *l;
	sctp_assoc_t id, other;
	const char *why;

	config(&cfg, "::1", "::2");
	start(&s, &cfg, "2001:db8:1::");
	l = session_begin(&s, 3, T0 + 1000, &other);
	CHECK(l == &s.cur && other == 0, "the first association is the current one");
	CHECK(!session_authenticated(&s), "not authenticated yet");
	CHECK(session_check(&s, T0 + 5999, &why, &id) == SESSION_IDLE, "within the deadline");
	CHECK(session_check(&s, T0 + 6000, &why, &id) == SESSION_UNAUTHENTICATED && id == 3,
	      "deadline: abort 3 (got %d)", (int)id);
	CHECK(strstr(why, "association 3: the peer did not prove the key") != NULL, "why: %s", why);
	session_drop(&s, 3, T0 + 6000);
	CHECK(s.cur.id == 0 && !session_authenticated(&s), "dropped");

	l = session_begin(&s, 4, T0 + 7000, &other);
	CHECK(session_authenticate(&s, l, false, &other) && other == 0,
	      "authenticated, nothing replaced");
	CHECK(!session_authenticate(&s, l, false, &other), "only once");
	CHECK(session_authenticated(&s), "authenticated state");
	CHECK(session_check(&s, T0 + 60000, &why, &id) == SESSION_IDLE, "no deadline once proven");
	session_drop(&s, 4, T0 + 60000);
	CHECK(!session_authenticated(&s), "drop clears it");
	session_clear(&s);
}

/* A new association while one is in charge: a candidate, which changes nothing unproven. */
static void test_candidate_unproven(void)
{
	struct mt6d_config cfg;
	struct session s;
	struct session_link *l;
	sctp_assoc_t id, other;
	const char *why;

	responder_with_3(&s, &cfg);
	l = session_begin(&s, 9, T0 + 1000, &other);
	CHECK(l == &s.cand && other == 0, "9 is a candidate");
	CHECK(s.cur.id == 3 && session_authenticated(&s), "3 stays in charge");
	CHECK(session_find(&s, 9) == &s.cand && session_find(&s, 3) == &s.cur, "both found");
	CHECK(session_find(&s, 5) == NULL, "an unknown association is not");
	/* A newer candidate displaces the older one (the caller aborts it). */
	l = session_begin(&s, 10, T0 + 2000, &other);
	CHECK(l == &s.cand && other == 9, "10 displaces candidate 9 (got %d)", (int)other);
	CHECK(session_check(&s, T0 + 6999, &why, &id) == SESSION_IDLE, "candidate within deadline");
	CHECK(session_check(&s, T0 + 7000, &why, &id) == SESSION_UNAUTHENTICATED && id == 10,
	      "candidate's deadline: abort 10 (got %d)", (int)id);
	session_drop(&s, 10, T0 + 7000);
	CHECK(s.cur.id == 3 && session_authenticated(&s) && s.cand.id == 0,
	      "3 still in charge, authenticated");
	CHECK(session_check(&s, T0 + 60000, &why, &id) == SESSION_IDLE, "nothing left to do");
	session_clear(&s);
}

/* A candidate on which the peer proves the key takes over; the old one is to be aborted. */
static void test_candidate_proven(void)
{
	struct mt6d_config cfg;
	struct session s;
	struct session_link *l;
	sctp_assoc_t other;

	responder_with_3(&s, &cfg);
	l = session_begin(&s, 7, T0 + 1000, &other);
	CHECK(session_authenticate(&s, l, false, &other) && other == 3,
	      "7 proven, replaces 3 (got %d)", (int)other);
	CHECK(s.cur.id == 7 && session_authenticated(&s) && s.cand.id == 0, "7 in charge");

	/* The current one lost while a candidate is being proven: the candidate moves up. */
	l = session_begin(&s, 8, T0 + 2000, &other);
	session_drop(&s, 7, T0 + 2500);
	CHECK(s.cur.id == 8 && !session_authenticated(&s) && s.cand.id == 0,
	      "8 moves up, unproven");
	CHECK(session_authenticate(&s, &s.cur, false, &other) && other == 0, "8 proven in place");

	/* The current one restarted: its keys are gone, the handshake starts over. */
	l = session_begin(&s, 8, T0 + 3000, &other);
	CHECK(l == &s.cur && !session_authenticated(&s) && other == 0, "restart of 8");
	session_clear(&s);
}

/*
 * A hop: the candidate on the next epoch's socket takes over and the old association drains
 * with its keys (its late frames still open) until the tunnel drops it.
 */
static void test_hop_drain(void)
{
	struct mt6d_config cfg;
	struct session s;
	struct session_link *l;
	sctp_assoc_t other;

	config(&cfg, "::2", "::1");
	start(&s, &cfg, "2001:db8:2::");
	l = session_begin(&s, 3, T0, &other);
	l->epoch = 10;
	CHECK(session_authenticate(&s, l, true, &other) && other == 0, "3 in charge");
	l = session_begin(&s, 7, T0 + 1000, &other);
	l->epoch = 11;
	CHECK(session_authenticate(&s, l, true, &other) && other == 3, "7 replaces 3 (got %d)",
	      (int)other);
	CHECK(s.cur.id == 7 && s.cur.epoch == 11 && session_authenticated(&s), "7 in charge");
	CHECK(s.drain.id == 3 && s.drain.epoch == 10 && s.drain.authenticated, "3 drains");
	CHECK(s.cand.id == 0, "no candidate left");
	CHECK(session_find(&s, 3) == &s.drain, "frames of 3 find the draining link");
	session_drop(&s, 3, T0 + 2000);
	CHECK(s.drain.id == 0 && session_find(&s, 3) == NULL && s.cur.id == 7,
	      "dropping the drained one leaves 7 alone");

	/* The next hop: the links are reused, nothing of 3 or 7 is left in the new one. */
	l = session_begin(&s, 9, T0 + 3000, &other);
	CHECK(l == &s.cand && !l->authenticated && l->last_rx_ms == T0 + 3000,
	      "9 is a fresh candidate");
	CHECK(session_authenticate(&s, l, true, &other) && other == 7 && s.drain.id == 7 &&
		      s.cur.id == 9,
	      "9 replaces 7, which drains");
	session_clear(&s);
}

/* Keys no rekey replaced in three rekey intervals are not used any more. */
static void test_key_age(void)
{
	struct session_link l = { 0 };
	const uint64_t every = 120000;

	CHECK(!session_keys_expired(&l, every, T0 + 10 * every), "no keys, nothing expires");
	l.keyed_ms = T0;
	CHECK(!session_keys_expired(&l, every, T0 + 3 * every - 1), "just under 3 intervals");
	CHECK(session_keys_expired(&l, every, T0 + 3 * every), "3 intervals: expired");
	session_next_gen(&l, T0 + 2 * every);
	CHECK(l.gen == 1 && !session_keys_expired(&l, every, T0 + 3 * every),
	      "a rekey renews the age");
	CHECK(session_keys_expired(&l, every, T0 + 5 * every), "until it is old in turn");
}

/* The same id on both ends is refused at session start (the uplink's /64 is known then). */
static void test_same_ids(void)
{
	struct mt6d_config cfg;
	struct session s;
	struct in6_addr p;

	config(&cfg, "::2", "::2");
	inet_pton(AF_INET6, "2001:db8:2::", &p);
	CHECK(session_init(&s, &cfg, &p, T0) == -EINVAL, "same prefix and iid refused");
	inet_pton(AF_INET6, "2001:db8:3::", &p);
	CHECK(session_init(&s, &cfg, &p, T0) == 0, "another prefix, same iid: fine");
	session_clear(&s);
}

int main(void)
{
	test_same_ids();
	test_key_age();
	test_initiator();
	test_backoff();
	test_attempt_in_flight();
	test_stall_report();
	test_lost_after_clock();
	test_handshake_deadline();
	test_candidate_unproven();
	test_candidate_proven();
	test_hop_drain();
	return check_done();
}

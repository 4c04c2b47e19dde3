// SPDX-License-Identifier: MIT
/*
 * The handshakes on an association: its first one (generation 0), which proves the peer
 * and sets the first keys, and the rekeys the initiator runs on it every rekey interval
 * for the next generation. Messages travel in HANDSHAKE frames, fully reliable.
 */
#include <string.h>

#include "log.h"
#include "tunnel_int.h"

static void send_handshake(const struct session_link *l, const uint8_t *hs, size_t len)
{
	uint8_t msg[MT6D_FRAME_HDR_LEN + HANDSHAKE_MSG_MAX];
	const struct mt6d_frame f = { .type = MT6D_FRAME_HANDSHAKE };
	struct iovec iov = { .iov_base = msg, .iov_len = MT6D_FRAME_HDR_LEN + len };
	int ret;

	mt6d_frame_put_hdr(msg, &f);
	memcpy(msg + MT6D_FRAME_HDR_LEN, hs, len);
	/* Fully reliable whatever the data's policy: a lost handshake costs the session. */
	ret = endpoint_send(l->sk, l->id, 0, 0, NULL, &iov, 1);
	if (ret < 0)
		log_warnx("cannot send the handshake on association %d: %s", (int)l->id,
			  strerror(-ret));
}

/* The initiator speaks first. */
void assoc_start_handshake(struct tunnel *t, struct session_link *l)
{
	uint8_t msg[HANDSHAKE_MSG_MAX];
	size_t len;

	if (!l->hs.initiator)
		return;
	if (handshake_start(&l->hs, msg, &len) < 0) {
		log_warnx("association %d: cannot start the handshake", (int)l->id);
		return;
	}
	send_handshake(l, msg, len);
}

/*
 * Which handshake state a message of @kind is for: the association's first one while it
 * runs, else the rekey. A responder takes a message 1 after the first handshake as the
 * start of a rekey for the next generation (a fresh state each time: a retried rekey
 * starts over; the payload's generation refuses any other).
 */
static struct handshake *handshake_for(struct session_link *l, uint8_t kind)
{
	switch (l->hs.step) {
	case HANDSHAKE_IDLE:
	case HANDSHAKE_WAIT_MSG2:
		return &l->hs;
	case HANDSHAKE_WAIT_CONFIRM:
		return kind == HANDSHAKE_CONFIRM ? &l->hs : NULL;
	case HANDSHAKE_DONE:
		if (kind == HANDSHAKE_MSG1 && !l->rekey.initiator &&
		    handshake_restart(&l->rekey, (uint8_t)(l->gen + 1)) < 0)
			return NULL;
		return &l->rekey;
	default:
		return NULL;
	}
}

/* Keys of a rekey: into the ring of the next generation, which nothing uses yet. */
static int install(struct session_link *l, struct handshake *h, struct handshake_keys *keys,
		   uint64_t now_ms)
{
	struct keyring *k = h == &l->hs ? &l->keys[0] : session_rx_keys(l, h->gen);
	int ret;

	keyring_clear(k);
	if (h != &l->hs)
		l->retire_ms = 0; /* the ring it would retire is this one now */
	ret = keyring_install(k, keys->tx, keys->rx, now_ms);
	mt6d_wipe(keys, sizeof(*keys));
	if (!ret && h == &l->hs)
		l->keyed_ms = now_ms;
	return ret;
}

/* The rekey for generation gen + 1 is complete on this side: send under its keys. */
static void rekeyed(struct tunnel *t, struct session_link *l, uint64_t now_ms)
{
	session_next_gen(l, now_ms);
	t->last_rekey = time(NULL);
	t->stats.rekey_handshakes++;
	log_debug("association %d: keys of generation %u in use", (int)l->id, l->gen);
}

void assoc_handshake(struct tunnel *t, struct session_link *l, const struct mt6d_frame *f,
		     uint64_t now_ms)
{
	struct handshake *h = f->payload_len ? handshake_for(l, f->payload[0]) : NULL;
	uint8_t reply[HANDSHAKE_MSG_MAX];
	struct handshake_keys keys;
	size_t reply_len = 0;
	enum handshake_result r;

	r = h ? handshake_receive(h, f->payload, f->payload_len, reply, &reply_len, &keys)
	      : HANDSHAKE_BAD;
	switch (r) {
	case HANDSHAKE_BAD:
		t->stats.drop_handshake++;
		break;
	case HANDSHAKE_MISMATCH:
		if (reply_len)
			send_handshake(l, reply, reply_len);
		log_warnx("association %d: the peer encrypts with %s, this side with %s; set "
			  "[tunnel] encryption alike on both gateways",
			  (int)l->id, mt6d_cipher_name(h->peer_cipher),
			  mt6d_cipher_name(h->cipher));
		/* The responder leaves the association to its deadline: its answer must get out. */
		if (h->initiator)
			assoc_refuse(t, l->id, &t->stats.unproven);
		break;
	case HANDSHAKE_KEYS:
		if (install(l, h, &keys, now_ms) < 0) {
			t->stats.drop_handshake++;
			return;
		}
		if (h == &l->hs)
			t->last_rekey = time(NULL);
		if (reply_len)
			send_handshake(l, reply, reply_len);
		if (h == &l->rekey && h->initiator)
			rekeyed(t, l, now_ms);
		else if (h == &l->hs && h->authenticated)
			assoc_authenticated(t, l, "handshake");
		break;
	case HANDSHAKE_CONFIRMED:
		if (h == &l->rekey)
			rekeyed(t, l, now_ms);
		else
			assoc_authenticated(t, l, "handshake");
		break;
	case HANDSHAKE_OK:
		break;
	}
}

/* A frame of the next generation opened on the responder: as good as the confirmation. */
void assoc_rekey_proven(struct tunnel *t, struct session_link *l, uint8_t gen, uint64_t now_ms)
{
	if (l->rekey.initiator || l->rekey.step != HANDSHAKE_WAIT_CONFIRM ||
	    (gen & 1) != ((l->gen + 1) & 1))
		return;
	handshake_peer_proven(&l->rekey);
	rekeyed(t, l, now_ms);
}

/*
 * The initiator rekeys the association in charge every rekey interval; a rekey without an
 * answer within the handshake deadline is started over.
 */
void assoc_rekey_tick(struct tunnel *t, struct session_link *l, uint64_t now_ms)
{
	uint64_t every = (uint64_t)t->cfg->rekey_interval * 1000;
	uint8_t msg[HANDSHAKE_MSG_MAX];
	size_t len;

	session_retire(l, now_ms);
	if (l->authenticated && session_keys_expired(l, every, now_ms)) {
		log_warnx("association %d: the keys of generation %u are %d rekey intervals old "
			  "and no rekey replaced them; starting over",
			  (int)l->id, (unsigned int)l->gen, SESSION_KEY_MAX_AGE_REKEYS);
		assoc_refuse(t, l->id, &t->stats.keys_expired);
		return;
	}
	if (!l->authenticated || !l->hs.initiator || !l->keyed_ms)
		return;
	if (l->rekey_sent_ms ? now_ms - l->rekey_sent_ms < SESSION_HANDSHAKE_DEADLINE_MS
			     : now_ms - l->keyed_ms < every)
		return;
	if (l->rekey_sent_ms)
		log_warnx("association %d: no answer to the rekey for generation %u; again",
			  (int)l->id, (unsigned int)(uint8_t)(l->gen + 1));
	if (handshake_restart(&l->rekey, (uint8_t)(l->gen + 1)) < 0 ||
	    handshake_start(&l->rekey, msg, &len) < 0) {
		log_warnx("association %d: cannot start a rekey", (int)l->id);
		return;
	}
	send_handshake(l, msg, len);
	l->rekey_sent_ms = now_ms;
}

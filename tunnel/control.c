// SPDX-License-Identifier: MIT
/*
 * What mt6d-tunnel tells: the snapshot behind `--status` (text and JSON) and the metrics
 * file, both rendered by status.c, and the statistics line of the log.
 */
#include <string.h>

#include "log.h"
#include "nft.h"
#include "tunnel_int.h"
#include "status.h"

/* Key changes on the association: epochs in both rings, and rekey handshakes. */
static uint64_t rekeys(const struct session_link *l)
{
	return l->keys[0].rekeys_tx + l->keys[0].rekeys_rx + l->keys[1].rekeys_tx +
	       l->keys[1].rekeys_rx;
}

static const char *session_state(const struct tunnel *t)
{
	if (session_authenticated(&t->sess))
		return "authenticated";
	if (t->sess.cur.id)
		return "proving-key";
	return t->sess.connecting ? "connecting" : "down";
}

static void snapshot(struct tunnel *t, struct tunnel_status *st)
{
	struct mt6d_guard_counters guard;

	memset(st, 0, sizeof(*st));
	st->device = t->ifname;
	st->session = session_state(t);
	st->authenticated = session_authenticated(&t->sess);
	st->now = (uint64_t)time(NULL);
	st->last_rekey = (uint64_t)t->last_rekey;
	st->rekeys = rekeys(&t->sess.cur);
	st->stats = t->stats;
	/* The guard's drops happen in the kernel, before any packet reaches the tunnel. */
	if (t->nft && mt6d_nftctr_read_guard(t->nft, t->guard_table, &guard) == 0) {
		st->stats.drop_filter = guard.dropped;
		st->stats.drop_tripwire = guard.tripwire;
	}
	st->hopping = hop_enabled(t);
	if (st->hopping) {
		const struct tunnel_ep *ep = session_authenticated(&t->sess)
						     ? hop_ep(t, t->sess.cur.sk)
						     : hop_current_ep(t);
		uint64_t slots = t->cfg->association_slots;
		uint64_t e = hop_epoch(t, assoc_slot(t));

		st->epoch = ep ? ep->epoch : e;
		st->local_port = ep ? ep->port : 0;
		st->next_hop = (e + 1) * slots * t->cfg->interval;
	}
	if (t->sess.cur.id && assoc_info_get(t->sess.cur.sk, t->sess.cur.id, &st->sctp) == 0) {
		st->has_assoc = true;
		st->assoc_id = (int)t->sess.cur.id;
		st->assoc_age_s = st->now - (uint64_t)t->assoc_since;
	}
	for (size_t i = 0; st->has_assoc && i < st->sctp.n_paths; i++)
		for (size_t k = 0; k < t->cfg->n_peer_uplinks; k++)
			if (!memcmp(st->sctp.paths[i].addr.s6_addr, t->peer_now[k].s6_addr, 8) &&
			    t->cfg->peer_uplinks[k].name[0])
				st->path_uplink[i] = t->cfg->peer_uplinks[k].name;
}

void control_show(void *ctx, struct mt6d_show *sh)
{
	struct tunnel_status st;

	snapshot(ctx, &st);
	tunnel_status_show(sh, &st);
}

void control_metrics(void *ctx, struct mt6d_metrics *m)
{
	struct tunnel_status st;

	snapshot(ctx, &st);
	tunnel_status_metrics(m, &st);
}

/* The keyring moves to a new epoch on its own: note when, to within a tick. */
void control_note_rekeys(struct tunnel *t)
{
	uint64_t n = rekeys(&t->sess.cur);

	if (n != t->rekeys_seen) {
		t->rekeys_seen = n;
		if (n)
			t->last_rekey = time(NULL);
	}
}

void control_log_stats(const struct tunnel *t)
{
	const struct tunnel_stats *s = &t->stats;

	log_info(
		"tx %llu pkts %llu bytes, rx %llu pkts %llu bytes, associations %llu, "
		"rekeys tx %llu rx %llu, drops: no-session %llu send %llu auth %llu replay %llu "
		"malformed %llu unknown %llu unauthenticated %llu handshake %llu tun %llu, "
		"refused without SCTP-AUTH %llu, unproven %llu, keys expired %llu",
		(unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
		(unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
		(unsigned long long)s->associations,
		(unsigned long long)(t->sess.cur.keys[0].rekeys_tx + t->sess.cur.keys[1].rekeys_tx),
		(unsigned long long)(t->sess.cur.keys[0].rekeys_rx + t->sess.cur.keys[1].rekeys_rx),
		(unsigned long long)s->drop_no_session, (unsigned long long)s->drop_send,
		(unsigned long long)s->drop_auth, (unsigned long long)s->drop_replay,
		(unsigned long long)s->drop_malformed, (unsigned long long)s->drop_unknown,
		(unsigned long long)s->drop_unauthenticated, (unsigned long long)s->drop_handshake,
		(unsigned long long)s->drop_tun, (unsigned long long)s->refused_noauth,
		(unsigned long long)s->unproven, (unsigned long long)s->keys_expired);
}

// SPDX-License-Identifier: MIT
#include "status.h"

#include <arpa/inet.h>
#include <inttypes.h>

#define DROP(field)                                               \
	static uint64_t get_##field(const struct tunnel_stats *s) \
	{                                                         \
		return s->field;                                  \
	}
DROP(drop_auth)
DROP(drop_replay)
DROP(drop_handshake)
DROP(drop_epoch)
DROP(drop_unauthenticated)
DROP(drop_malformed)
DROP(drop_unknown)
DROP(drop_no_session)
DROP(drop_send)
DROP(drop_tun)
DROP(drop_filter)
DROP(drop_tripwire)
#undef DROP

const struct tunnel_drop_reason tunnel_drop_reasons[] = {
	{ "auth", "authentication tag failed to verify", get_drop_auth },
	{ "replay", "counter already seen or behind the replay window", get_drop_replay },
	{ "handshake", "handshake with a bad MAC or stale values", get_drop_handshake },
	{ "unauthenticated", "no session keys for it (yet)", get_drop_unauthenticated },
	{ "epoch", "key epoch too far ahead to follow; the association starts over",
	  get_drop_epoch },
	{ "malformed", "frame truncated, oversized or inconsistent", get_drop_malformed },
	{ "unknown_type", "unknown frame version or type", get_drop_unknown },
	{ "no_session", "inner packet while no authenticated peer", get_drop_no_session },
	{ "send", "association refused the message", get_drop_send },
	{ "tun", "TUN device refused the packet", get_drop_tun },
	{ "filter", "sent to a hashed address, not the tunnel's (guard table)", get_drop_filter },
	{ "tripwire", "sent to a retired hashed address (guard table)", get_drop_tripwire },
};
const unsigned int tunnel_n_drop_reasons =
	sizeof(tunnel_drop_reasons) / sizeof(tunnel_drop_reasons[0]);

static void show_paths(struct mt6d_show *s, const struct tunnel_status *st)
{
	const struct assoc_info *si = &st->sctp;
	char buf[INET6_ADDRSTRLEN];

	mt6d_show_array_begin(s, "paths");
	for (size_t i = 0; i < si->n_paths; i++) {
		const struct sctp_path_info *p = &si->paths[i];

		inet_ntop(AF_INET6, &p->addr, buf, sizeof(buf));
		mt6d_show_object_begin(s, NULL);
		mt6d_show_str(s, "address", "  path %s", buf);
		if (st->path_uplink[i])
			mt6d_show_str(s, "uplink", " (uplink %s)", st->path_uplink[i]);
		else
			mt6d_show_null(s, "uplink", NULL);
		mt6d_show_text(s, ":");
		mt6d_show_str(s, "state", " %s", assoc_info_path_state(p->state));
		mt6d_show_bool(s, "primary", NULL, p->primary);
		mt6d_show_text(s, "%s", p->primary ? ", primary" : "");
		mt6d_show_u64(s, "srtt_ms", ", rtt %" PRIu64 " ms", p->srtt_ms);
		mt6d_show_u64(s, "rto_ms", ", rto %" PRIu64 " ms", p->rto_ms);
		mt6d_show_u64(s, "cwnd", ", cwnd %" PRIu64, p->cwnd);
		mt6d_show_u64(s, "mtu", ", mtu %" PRIu64 "\n", p->mtu);
		mt6d_show_object_end(s);
	}
	mt6d_show_array_end(s);
}

static void show_local(struct mt6d_show *s, const struct assoc_info *si)
{
	char buf[INET6_ADDRSTRLEN];

	mt6d_show_text(s, "  local addresses:");
	mt6d_show_array_begin(s, "local_addresses");
	for (size_t i = 0; i < si->n_local; i++) {
		inet_ntop(AF_INET6, &si->local[i], buf, sizeof(buf));
		mt6d_show_str(s, NULL, i ? ", %s" : " %s", buf);
	}
	mt6d_show_array_end(s);
	mt6d_show_text(s, "%s\n", si->n_local ? "" : " none");
}

static void show_association(struct mt6d_show *s, const struct tunnel_status *st)
{
	const struct assoc_info *si = &st->sctp;

	if (!st->has_assoc) {
		mt6d_show_null(s, "association", "  association: none\n");
		return;
	}
	mt6d_show_object_begin(s, "association");
	mt6d_show_i64(s, "id", "  association: %" PRId64, st->assoc_id);
	mt6d_show_str(s, "state", ", %s", assoc_info_assoc_state(si->state));
	mt6d_show_duration(s, "age_seconds", ", up %s", st->assoc_age_s);
	mt6d_show_u64(s, "rwnd", ", peer rwnd %" PRIu64, si->rwnd);
	mt6d_show_u64(s, "unacked_chunks", ", %" PRIu64 " unacked", si->unacked);
	mt6d_show_u64(s, "pending_chunks", ", %" PRIu64 " pending\n", si->pending);
	mt6d_show_u64(s, "packets_sent", "  sctp packets: %" PRIu64 " sent", si->opackets);
	mt6d_show_u64(s, "packets_received", ", %" PRIu64 " received", si->ipackets);
	mt6d_show_u64(s, "retransmitted_chunks", ", %" PRIu64 " chunks retransmitted",
		      si->rtx_chunks);
	mt6d_show_u64(s, "gap_acks", ", %" PRIu64 " gap acks\n", si->gap_acks);
	mt6d_show_u64(s, "streams_out", NULL, si->outstreams);
	mt6d_show_u64(s, "streams_in", NULL, si->instreams);
	show_paths(s, st);
	show_local(s, si);
	mt6d_show_object_end(s);
}

/* Association hopping: where the tunnel is, when it moves on, how the hops went. */
static void show_hopping(struct mt6d_show *s, const struct tunnel_status *st)
{
	const struct tunnel_stats *x = &st->stats;

	if (!st->hopping) {
		mt6d_show_null(s, "hopping", "  association hopping: off\n");
		return;
	}
	mt6d_show_object_begin(s, "hopping");
	mt6d_show_u64(s, "epoch", "  association hopping: epoch %" PRIu64, st->epoch);
	mt6d_show_u64(s, "local_port", ", port %" PRIu64, st->local_port);
	mt6d_show_u64(s, "peer_port", " to %" PRIu64, st->has_assoc ? st->sctp.peer_port : 0);
	mt6d_show_u64(s, "next_hop", NULL, st->next_hop);
	if (!s->json)
		mt6d_show_duration(s, NULL, ", next hop in %s\n",
				   st->next_hop > st->now ? st->next_hop - st->now : 0);
	mt6d_show_u64(s, "hops", "  hops: %" PRIu64, x->hops);
	mt6d_show_u64(s, "hop_failures", ", %" PRIu64 " slots with a hop that did not complete",
		      x->hop_failures);
	mt6d_show_u64(s, "keepalives_tx", "; keepalives %" PRIu64 " sent", x->keepalives_tx);
	mt6d_show_u64(s, "keepalives_rx", ", %" PRIu64 " received", x->keepalives_rx);
	mt6d_show_u64(s, "peer_silent", ", %" PRIu64 " associations dropped on silence\n",
		      x->peer_silent);
	mt6d_show_object_end(s);
}

void tunnel_status_show(struct mt6d_show *s, const struct tunnel_status *st)
{
	const struct tunnel_stats *x = &st->stats;

	mt6d_show_object_begin(s, NULL);
	mt6d_show_str(s, "device", "  device: %s\n", st->device);
	mt6d_show_str(s, "session", "  session: %s\n", st->session);
	if (st->last_rekey) {
		mt6d_show_u64(s, "last_rekey", NULL, st->last_rekey);
		/* Text gives the age; JSON the time, which stays true as it is read. */
		if (!s->json)
			mt6d_show_duration(s, NULL, "  last rekey: %s ago\n",
					   st->now > st->last_rekey ? st->now - st->last_rekey : 0);
	} else {
		mt6d_show_null(s, "last_rekey", "  last rekey: never\n");
	}
	mt6d_show_u64(s, "rekeys", "  rekeys: %" PRIu64 " on this association\n", st->rekeys);
	show_association(s, st);
	show_hopping(s, st);
	mt6d_show_object_begin(s, "transfer");
	mt6d_show_bytes(s, "rx_bytes", "  transfer: %s received", x->rx_bytes);
	mt6d_show_bytes(s, "tx_bytes", ", %s sent", x->tx_bytes);
	mt6d_show_u64(s, "rx_packets", " (%" PRIu64 " packets in", x->rx_packets);
	mt6d_show_u64(s, "tx_packets", ", %" PRIu64 " out", x->tx_packets);
	mt6d_show_u64(s, "rx_bundles", "; bundles %" PRIu64 " in", x->rx_bundles);
	mt6d_show_u64(s, "tx_bundles", ", %" PRIu64 " out)\n", x->tx_bundles);
	mt6d_show_object_end(s);
	mt6d_show_u64(s, "associations", "  associations: %" PRIu64 " since start",
		      x->associations);
	mt6d_show_u64(s, "refused_noauth", ", %" PRIu64 " refused for lacking SCTP-AUTH",
		      x->refused_noauth);
	mt6d_show_u64(s, "unproven", ", %" PRIu64 " aborted unproven\n", x->unproven);
	mt6d_show_u64(s, "rekey_handshakes", "  rekey handshakes: %" PRIu64, x->rekey_handshakes);
	mt6d_show_u64(s, "keys_expired",
		      ", %" PRIu64 " associations started over on expired keys\n", x->keys_expired);
	mt6d_show_text(s, "  drops:");
	mt6d_show_object_begin(s, "drops");
	for (unsigned int i = 0; i < tunnel_n_drop_reasons; i++) {
		mt6d_show_text(s, "%s %s", i ? "," : "", tunnel_drop_reasons[i].name);
		mt6d_show_u64(s, tunnel_drop_reasons[i].name, " %" PRIu64,
			      tunnel_drop_reasons[i].get(x));
	}
	mt6d_show_object_end(s);
	mt6d_show_text(s, "\n");
	mt6d_show_object_end(s);
}

/* A counter family with a "direction" label, rx and tx. */
static void metric_rx_tx(struct mt6d_metrics *m, const char *name, const char *help, uint64_t rx,
			 uint64_t tx)
{
	mt6d_metrics_family(m, name, "counter", help);
	mt6d_metrics_sample(m, name, "direction", "rx", (double)rx);
	mt6d_metrics_sample(m, name, "direction", "tx", (double)tx);
}

void tunnel_status_metrics(struct mt6d_metrics *m, const struct tunnel_status *st)
{
	const struct tunnel_stats *x = &st->stats;
	const char *help;

	mt6d_metrics_gauge(m, "mt6d_tunnel_authenticated", "1 when the peer has proved the key",
			   st->authenticated);
	metric_rx_tx(m, "mt6d_tunnel_packets_total", "inner packets carried, by direction",
		     x->rx_packets, x->tx_packets);
	metric_rx_tx(m, "mt6d_tunnel_bytes_total", "inner bytes carried, by direction", x->rx_bytes,
		     x->tx_bytes);
	metric_rx_tx(m, "mt6d_tunnel_bundles_total",
		     "frames that carried several small inner packets, by direction", x->rx_bundles,
		     x->tx_bundles);
	help = "packets dropped, by reason (see mt6d-tunnel(8))";
	mt6d_metrics_family(m, "mt6d_tunnel_drops_total", "counter", help);
	for (unsigned int i = 0; i < tunnel_n_drop_reasons; i++)
		mt6d_metrics_sample(m, "mt6d_tunnel_drops_total", "reason",
				    tunnel_drop_reasons[i].name,
				    (double)tunnel_drop_reasons[i].get(x));
	mt6d_metrics_counter(m, "mt6d_tunnel_associations_total", "associations that came up",
			     x->associations);
	mt6d_metrics_counter(m, "mt6d_tunnel_refused_noauth_total",
			     "associations aborted because the peer lacks SCTP-AUTH",
			     x->refused_noauth);
	mt6d_metrics_counter(m, "mt6d_tunnel_rekey_handshakes_total",
			     "rekeys of the association in charge with a new key exchange",
			     x->rekey_handshakes);
	mt6d_metrics_counter(m, "mt6d_tunnel_unproven_total",
			     "associations aborted because the peer did not prove the key in time",
			     x->unproven);
	mt6d_metrics_counter(m, "mt6d_tunnel_keys_expired_total",
			     "associations started over because no rekey replaced keys in time",
			     x->keys_expired);
	mt6d_metrics_counter(m, "mt6d_tunnel_hops_total",
			     "association hops completed (association hopping)", x->hops);
	mt6d_metrics_counter(m, "mt6d_tunnel_hop_failures_total",
			     "slots in which a due association hop did not complete",
			     x->hop_failures);
	mt6d_metrics_counter(m, "mt6d_tunnel_peer_silent_total",
			     "associations dropped because the peer's keepalives stopped",
			     x->peer_silent);
	mt6d_metrics_gauge(m, "mt6d_tunnel_last_rekey_timestamp_seconds",
			   "unix time of the last key agreement, 0 before the first",
			   (double)st->last_rekey);
	if (!st->has_assoc)
		return;
	mt6d_metrics_counter(m, "mt6d_tunnel_sctp_retransmitted_chunks_total",
			     "chunks the association retransmitted", st->sctp.rtx_chunks);
	mt6d_metrics_gauge(m, "mt6d_tunnel_sctp_paths", "peer addresses of the association",
			   (double)st->sctp.n_paths);
	for (size_t i = 0; i < st->sctp.n_paths; i++)
		if (st->sctp.paths[i].primary)
			mt6d_metrics_gauge(m, "mt6d_tunnel_rtt_seconds",
					   "smoothed round-trip time of the primary path",
					   st->sctp.paths[i].srtt_ms / 1000.0);
}

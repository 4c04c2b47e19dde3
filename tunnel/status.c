// SPDX-License-Identifier: MIT
#include "status.h"

#include <arpa/inet.h>
#include <inttypes.h>

#define DROP(field)                                                                                \
	static uint64_t get_##field(const struct tunnel_stats *s)                                  \
	{                                                                                          \
		return s->field;                                                                   \
	}
DROP(drop_auth)
DROP(drop_replay)
DROP(drop_handshake)
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

static void show_paths(struct show *s, const struct sctp_assoc_info *si)
{
	char buf[INET6_ADDRSTRLEN];

	show_array_begin(s, "paths");
	for (size_t i = 0; i < si->n_paths; i++) {
		const struct sctp_path_info *p = &si->paths[i];

		inet_ntop(AF_INET6, &p->addr, buf, sizeof(buf));
		show_object_begin(s, NULL);
		show_str(s, "address", "  path %s:", buf);
		show_str(s, "state", " %s", sctp_info_path_state(p->state));
		show_bool(s, "primary", NULL, p->primary);
		show_text(s, "%s", p->primary ? ", primary" : "");
		show_u64(s, "srtt_ms", ", rtt %" PRIu64 " ms", p->srtt_ms);
		show_u64(s, "rto_ms", ", rto %" PRIu64 " ms", p->rto_ms);
		show_u64(s, "cwnd", ", cwnd %" PRIu64, p->cwnd);
		show_u64(s, "mtu", ", mtu %" PRIu64 "\n", p->mtu);
		show_object_end(s);
	}
	show_array_end(s);
}

static void show_local(struct show *s, const struct sctp_assoc_info *si)
{
	char buf[INET6_ADDRSTRLEN];

	show_text(s, "  local addresses:");
	show_array_begin(s, "local_addresses");
	for (size_t i = 0; i < si->n_local; i++) {
		inet_ntop(AF_INET6, &si->local[i], buf, sizeof(buf));
		show_str(s, NULL, i ? ", %s" : " %s", buf);
	}
	show_array_end(s);
	show_text(s, "%s\n", si->n_local ? "" : " none");
}

static void show_association(struct show *s, const struct tunnel_status *st)
{
	const struct sctp_assoc_info *si = &st->sctp;

	if (!st->has_assoc) {
		show_null(s, "association", "  association: none\n");
		return;
	}
	show_object_begin(s, "association");
	show_i64(s, "id", "  association: %" PRId64, st->assoc_id);
	show_str(s, "state", ", %s", sctp_info_assoc_state(si->state));
	show_duration(s, "age_seconds", ", up %s", st->assoc_age_s);
	show_u64(s, "rwnd", ", peer rwnd %" PRIu64, si->rwnd);
	show_u64(s, "unacked_chunks", ", %" PRIu64 " unacked", si->unacked);
	show_u64(s, "pending_chunks", ", %" PRIu64 " pending\n", si->pending);
	show_u64(s, "packets_sent", "  sctp packets: %" PRIu64 " sent", si->opackets);
	show_u64(s, "packets_received", ", %" PRIu64 " received", si->ipackets);
	show_u64(s, "retransmitted_chunks", ", %" PRIu64 " chunks retransmitted", si->rtx_chunks);
	show_u64(s, "gap_acks", ", %" PRIu64 " gap acks\n", si->gap_acks);
	show_u64(s, "streams_out", NULL, si->outstreams);
	show_u64(s, "streams_in", NULL, si->instreams);
	show_paths(s, si);
	show_local(s, si);
	show_object_end(s);
}

void tunnel_status_show(struct show *s, const struct tunnel_status *st)
{
	const struct tunnel_stats *x = &st->stats;

	show_object_begin(s, NULL);
	show_str(s, "device", "  device: %s\n", st->device);
	show_str(s, "session", "  session: %s\n", st->session);
	if (st->last_rekey) {
		show_u64(s, "last_rekey", NULL, st->last_rekey);
		/* Text gives the age; JSON the time, which stays true as it is read. */
		if (!s->json)
			show_duration(s, NULL, "  last rekey: %s ago\n",
				      st->now > st->last_rekey ? st->now - st->last_rekey : 0);
	} else {
		show_null(s, "last_rekey", "  last rekey: never\n");
	}
	show_u64(s, "rekeys", "  rekeys: %" PRIu64 " on this association\n", st->rekeys);
	show_association(s, st);
	show_object_begin(s, "transfer");
	show_bytes(s, "rx_bytes", "  transfer: %s received", x->rx_bytes);
	show_bytes(s, "tx_bytes", ", %s sent", x->tx_bytes);
	show_u64(s, "rx_packets", " (%" PRIu64 " packets in", x->rx_packets);
	show_u64(s, "tx_packets", ", %" PRIu64 " out)\n", x->tx_packets);
	show_object_end(s);
	show_u64(s, "associations", "  associations: %" PRIu64 " since start", x->associations);
	show_u64(s, "refused_noauth", ", %" PRIu64 " refused for lacking SCTP-AUTH\n",
		 x->refused_noauth);
	show_text(s, "  drops:");
	show_object_begin(s, "drops");
	for (unsigned int i = 0; i < tunnel_n_drop_reasons; i++) {
		show_text(s, "%s %s", i ? "," : "", tunnel_drop_reasons[i].name);
		show_u64(s, tunnel_drop_reasons[i].name, " %" PRIu64,
			 tunnel_drop_reasons[i].get(x));
	}
	show_object_end(s);
	show_text(s, "\n");
	show_object_end(s);
}

void tunnel_status_metrics(struct metrics *m, const struct tunnel_status *st)
{
	const struct tunnel_stats *x = &st->stats;
	const char *help;

	metrics_gauge(m, "mt6d_tunnel_authenticated", "1 when the peer has proved the key",
		      st->authenticated);
	metrics_family(m, "mt6d_tunnel_packets_total", "counter",
		       "inner packets carried, by direction");
	metrics_sample(m, "mt6d_tunnel_packets_total", "direction", "rx", (double)x->rx_packets);
	metrics_sample(m, "mt6d_tunnel_packets_total", "direction", "tx", (double)x->tx_packets);
	metrics_family(m, "mt6d_tunnel_bytes_total", "counter", "inner bytes carried, by direction");
	metrics_sample(m, "mt6d_tunnel_bytes_total", "direction", "rx", (double)x->rx_bytes);
	metrics_sample(m, "mt6d_tunnel_bytes_total", "direction", "tx", (double)x->tx_bytes);
	help = "packets dropped, by reason (see mt6d-tunnel(8))";
	metrics_family(m, "mt6d_tunnel_drops_total", "counter", help);
	for (unsigned int i = 0; i < tunnel_n_drop_reasons; i++)
		metrics_sample(m, "mt6d_tunnel_drops_total", "reason", tunnel_drop_reasons[i].name,
			       (double)tunnel_drop_reasons[i].get(x));
	metrics_counter(m, "mt6d_tunnel_associations_total", "associations that came up",
			x->associations);
	metrics_counter(m, "mt6d_tunnel_refused_noauth_total",
			"associations aborted because the peer lacks SCTP-AUTH", x->refused_noauth);
	metrics_gauge(m, "mt6d_tunnel_last_rekey_timestamp_seconds",
		      "unix time of the last key agreement, 0 before the first",
		      (double)st->last_rekey);
	if (!st->has_assoc)
		return;
	metrics_counter(m, "mt6d_tunnel_sctp_retransmitted_chunks_total",
			"chunks the association retransmitted", st->sctp.rtx_chunks);
	metrics_gauge(m, "mt6d_tunnel_sctp_paths", "peer addresses of the association",
		      (double)st->sctp.n_paths);
	for (size_t i = 0; i < st->sctp.n_paths; i++)
		if (st->sctp.paths[i].primary)
			metrics_gauge(m, "mt6d_tunnel_rtt_seconds",
				      "smoothed round-trip time of the primary path",
				      st->sctp.paths[i].srtt_ms / 1000.0);
}

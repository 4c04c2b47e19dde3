// SPDX-License-Identifier: MIT
/*
 * Renumbering, as the tunnel follows it: the /64s each new association binds to and
 * connects to. Its own uplinks' come from the interfaces, read as mt6d-addrmgr reads them
 * (mt6d_rtnl_follow_prefix(); a configured prefix never moves); the peer's from the
 * association in charge, where only the peer's authenticated ASCONFs add addresses
 * (learn.h). The side's identity (the handshake's, the association ports') stays the first
 * uplinks' /64 as configured or found at start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "learn.h"
#include "log.h"
#include "rtnl.h"
#include "tunnel_int.h"
#include "wire/assoc_info.h"

void renumber_init(struct tunnel *t)
{
	for (size_t i = 0; i < t->d.n_uplinks; i++)
		t->local_now[i] = t->d.uplinks[i].prefix;
	for (size_t k = 0; k < t->cfg->n_peer_uplinks; k++)
		t->peer_now[k] = t->cfg->peer_uplinks[k].prefix.addr;
}

const struct in6_addr *renumber_local(struct tunnel *t, size_t i)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned int idx = 0;
	struct in6_addr to;
	int ret;

	/* In interface mode the addresses live on the interface: none while it is gone. */
	if (t->cfg->mode == MT6D_MODE_INTERFACE) {
		idx = if_nametoindex(t->cfg->uplinks[i].interface);
		if (!idx)
			return NULL;
	}
	if (t->cfg->uplinks[i].prefix.len)
		return &t->local_now[i];
	ret = mt6d_rtnl_follow_prefix(t->d.nl, (int)idx, &t->local_now[i], &to);
	if (ret < 0)
		log_debug("cannot read the /64 of %s: %s", t->cfg->uplinks[i].interface,
			  strerror(-ret));
	if (ret == 1) {
		log_info("%s renumbered from %s/64 to %s/64: new associations bind there",
			 t->cfg->uplinks[i].interface,
			 inet_ntop(AF_INET6, &t->local_now[i], a, sizeof(a)),
			 inet_ntop(AF_INET6, &to, b, sizeof(b)));
		t->local_now[i] = to;
		t->renumber_gen++;
	}
	return &t->local_now[i];
}

void renumber_follow(struct tunnel *t)
{
	for (size_t i = 0; i < t->d.n_uplinks; i++)
		renumber_local(t, i);
}

void renumber_learn_peer(struct tunnel *t)
{
	uint64_t clock = assoc_slot(t), back = t->cfg->lifetime + 2ULL;
	struct mt6d_learn l = { .deriver = &t->deriver,
				.iid = &t->cfg->peer_iid,
				.lo = clock > back ? clock - back : 0,
				.hi = clock + 2,
				.n = t->cfg->n_peer_uplinks };
	struct in6_addr was[MT6D_MAX_UPLINKS], peers[SCTP_INFO_MAX_PATHS];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	struct assoc_info ai;
	unsigned int moved;

	if (!session_authenticated(&t->sess) ||
	    assoc_info_get(t->sess.cur.sk, t->sess.cur.id, &ai) < 0)
		return;
	for (size_t i = 0; i < ai.n_paths; i++) {
		peers[i] = ai.paths[i].addr;
		if (ai.paths[i].primary)
			l.primary = &peers[i];
	}
	for (size_t k = 0; k < l.n; k++) {
		l.label[k] = t->cfg->peer_uplinks[k].name;
		l.prefix[k] = &t->peer_now[k];
		was[k] = t->peer_now[k];
	}
	moved = mt6d_learn_prefixes(&l, peers, ai.n_paths);
	for (size_t k = 0; k < l.n; k++)
		if (moved & (1u << k))
			log_info("the peer's uplink%s%s was renumbered from %s/64 to %s/64 (its "
				 "authenticated ASCONF): new associations connect there",
				 *l.label[k] ? " " : "", l.label[k],
				 inet_ntop(AF_INET6, &was[k], a, sizeof(a)),
				 inet_ntop(AF_INET6, &t->peer_now[k], b, sizeof(b)));
}

// SPDX-License-Identifier: MIT
/*
 * The guard's rules and the kill switch's, written with libnftnl expressions. In nft syntax
 * (PORT, PREFIX, the routes, TUN and UPLINK from the configuration):
 *
 *   chain guard { type filter hook prerouting priority raw; policy accept;   # table ip6
 *     ip6 saddr @peer ip6 daddr @retired counter name dropped drop     # the peer, late
 *     ip6 daddr @retired counter name tripwire drop
 *     ip6 saddr @peer ip6 daddr @local sctp sport . sctp dport @retired-ports
 *         counter name dropped drop
 *     ip6 daddr @local sctp sport . sctp dport @retired-ports counter name tripwire drop
 *     ip6 saddr @peer ip6 daddr @local sctp sport . sctp dport @ports
 *         sctp chunk data exists update @evidence { ip6 daddr } accept    # and heartbeat
 *     ... the same without the chunk match ... accept
 *     ip6 saddr @peer ip6 daddr @local meta l4proto sctp exthdr frag exists accept
 *     ip6 daddr @local icmpv6 type 1-4 accept            # errors, packet too big first
 *     ip6 daddr @local icmpv6 type 133-137 accept        # neighbour discovery
 *     ip6 daddr @local counter name dropped drop
 *     ip6 daddr PREFIX fib daddr type != local counter name dropped drop   # interface
 *     ip6 daddr PREFIX counter name dropped drop                           # anyip
 *   }
 *
 *   chain killswitch-fwd { type filter hook forward priority filter; policy accept; # inet
 *     meta nfproto ipv6 ip6 daddr ROUTE oifname != TUN counter name killswitch drop
 *     meta nfproto ipv6 ip6 saddr ROUTE oifname UPLINK counter name killswitch drop
 *     meta nfproto ipv6 meta l4proto ipv6-icmp icmpv6 type 1-4
 *         @th,128,128 ROUTE oifname UPLINK counter name killswitch drop  # quoted source
 *     ... the same with @th,256,128 ...                                  # quoted destination
 *   }   # each rule once per route
 *   chain killswitch-out { type filter hook output ... the same }
 *
 * Prerouting sees packets to our addresses before the routing decision, so a packet to a
 * hashed address that is not (or no longer) local is dropped too, instead of being
 * forwarded or answered with an ICMPv6 error that would show the gateway is there.
 *
 * The kill switch keys on the peer's routes alone: a gateway's own inner prefixes are
 * nowhere in the configuration, and a host whose TUN device is gone sends from its
 * uplink's address, not its inner one. So nothing for the peer's side leaves but through
 * TUN, whoever sent it (forwarded or our own, ICMPv6 errors included); nothing from the
 * peer's side leaves by the uplink (forwarded from TUN toward a LAN whose route is gone);
 * no ICMPv6 error quoting a packet to or from the peer's side leaves by the uplink. Other
 * traffic, and errors toward the LAN (packet too big for TUN's MTU), pass.
 */
#include "guard_rules.h"

#include "guard_expr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

/* nft's named priorities. */
#define GUARD_PRIO_RAW (-300)
#define GUARD_PRIO_FILTER 0

#define IP6_SADDR_OFF GUARD_IP6_SADDR_OFF
#define IP6_DADDR_OFF GUARD_IP6_DADDR_OFF

/* Chunk types whose arrival shows the peer sends to the address (RFC 9260; no I-DATA in use). */
static const uint8_t evidence_chunks[] = { 0 /* DATA */, 4 /* HEARTBEAT */ };

/* SCTP from a peer address to a local one; reg 1 := daddr. */
static void peer_sctp(struct rb *rb)
{
	guard_expr_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, IP6_SADDR_OFF, 16, NFT_REG_1);
	guard_expr_lookup(rb, "peer", NFT_REG_1);
	guard_expr_daddr_local_set(rb);
	guard_expr_l4proto(rb, IPPROTO_SCTP);
}

/* reg 2 := sctp sport . sctp dport, as the port sets' key (guard_port_key()). */
static void port_pair(struct rb *rb)
{
	guard_expr_payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG32_04);
	guard_expr_payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_05);
}

/* The same, on the port pair of a live association. */
static void tunnel_sctp(struct rb *rb)
{
	peer_sctp(rb);
	port_pair(rb);
	guard_expr_lookup(rb, "ports", NFT_REG32_04);
}

/* SCTP to a local address on the port pair of an association gone ([from the peer]). */
static void retired_ports(struct rb *rb, bool from_peer)
{
	if (from_peer) {
		peer_sctp(rb);
	} else {
		guard_expr_daddr_local_set(rb);
		guard_expr_l4proto(rb, IPPROTO_SCTP);
	}
	port_pair(rb);
	guard_expr_lookup(rb, "retired-ports", NFT_REG32_04);
}

/*
 * A header of @type is present: with NFT_EXTHDR_OP_SCTP a chunk anywhere in the packet
 * ("sctp chunk TYPE exists"), with NFT_EXTHDR_OP_IPV6 an extension header ("exthdr frag
 * exists").
 */
static void exthdr_present(struct rb *rb, uint32_t op, uint8_t type)
{
	struct nftnl_expr *e = guard_expr_alloc(rb, "exthdr");
	uint8_t one = 1;

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OP, op);
	nftnl_expr_set_u8(e, NFTNL_EXPR_EXTHDR_TYPE, type);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OFFSET, 0);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_LEN, 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_FLAGS, NFT_EXTHDR_F_PRESENT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_DREG, NFT_REG_2);
	guard_expr_add(rb, e);
	guard_expr_cmp(rb, NFT_REG_2, NFT_CMP_EQ, &one, 1);
}

/* The guard chain's rules for the peer: its packets to retired addresses, the tunnel. */
static int peer_rules(struct mt6d_nft_batch *b, const char *table, const char *name,
		      const struct guard_table_params *p)
{
	struct nftnl_expr *e;
	struct rb rb;
	int ret = 0;

	/*
	 * ip6 saddr @peer ip6 daddr @retired counter name dropped drop
	 * The peer's own packets to an address we gave up (sent before our ASCONF reached it,
	 * or retransmitted) are dropped as any other, not taken for reconnaissance.
	 */
	if (!ret && !(ret = guard_expr_rule_begin(&rb))) {
		guard_expr_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, IP6_SADDR_OFF, 16, NFT_REG_1);
		guard_expr_lookup(&rb, "peer", NFT_REG_1);
		guard_expr_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, IP6_DADDR_OFF, 16, NFT_REG_1);
		guard_expr_lookup(&rb, "retired", NFT_REG_1);
		guard_expr_counter(&rb, MT6D_GUARD_CTR_DROPPED);
		guard_expr_verdict(&rb, NF_DROP);
		ret = guard_expr_emit(b, table, name, &rb);
	}
	/* ip6 daddr @retired counter name tripwire drop: anyone else */
	if (!ret && !(ret = guard_expr_rule_begin(&rb))) {
		guard_expr_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, IP6_DADDR_OFF, 16, NFT_REG_1);
		guard_expr_lookup(&rb, "retired", NFT_REG_1);
		guard_expr_counter(&rb, MT6D_GUARD_CTR_TRIPWIRE);
		guard_expr_verdict(&rb, NF_DROP);
		ret = guard_expr_emit(b, table, name, &rb);
	}
	/*
	 * The same for the port pairs of associations gone: the peer's late packets are
	 * dropped; anyone else's are someone who kept track of an old association.
	 */
	for (int from_peer = 1; from_peer >= 0 && !ret; from_peer--) {
		if ((ret = guard_expr_rule_begin(&rb)))
			break;
		retired_ports(&rb, from_peer);
		guard_expr_counter(&rb,
				   from_peer ? MT6D_GUARD_CTR_DROPPED : MT6D_GUARD_CTR_TRIPWIRE);
		guard_expr_verdict(&rb, NF_DROP);
		ret = guard_expr_emit(b, table, name, &rb);
	}
	/*
	 * The tunnel: from the peer, on a live association's port pair. Evidence that the peer uses
	 * the address as a path is only a chunk the peer sends on its own to a path it knows: DATA
	 * on its primary, HEARTBEAT on the others. Replies do not count: an
	 * ASCONF-ACK, a HEARTBEAT-ACK or a SACK goes to whatever address we sent from, known
	 * to the peer or not.
	 */
	for (size_t i = 0; i <= sizeof(evidence_chunks) && !ret; i++) {
		if ((ret = guard_expr_rule_begin(&rb)))
			break;
		tunnel_sctp(&rb);
		if (i < sizeof(evidence_chunks)) {
			exthdr_present(&rb, NFT_EXTHDR_OP_SCTP, evidence_chunks[i]);
			e = guard_expr_alloc(&rb, "dynset");
			if (e) {
				nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
				nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
				nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, "evidence");
				nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT, p->evidence_ms);
				guard_expr_add(&rb, e);
			}
		}
		guard_expr_verdict(&rb, NF_ACCEPT);
		ret = guard_expr_emit(b, table, name, &rb);
	}
	/*
	 * The tunnel's SCTP packets that the kernel sent as IPv6 fragments: a fragment
	 * after the first has no ports to match (nft stops at the payload load), so any
	 * fragmented SCTP from the peer to a local address passes; reassembly follows.
	 */
	if (!ret && !(ret = guard_expr_rule_begin(&rb))) {
		peer_sctp(&rb);
		exthdr_present(&rb, NFT_EXTHDR_OP_IPV6, IPPROTO_FRAGMENT);
		guard_expr_verdict(&rb, NF_ACCEPT);
		ret = guard_expr_emit(b, table, name, &rb);
	}
	return ret;
}

/* The guard chain's rules after the peer's: what IPv6 needs, and a drop for the rest. */
static int rest_rules(struct mt6d_nft_batch *b, const char *table, const char *name,
		      const struct guard_table_params *p)
{
	uint32_t local = RTN_LOCAL;
	struct nftnl_expr *e;
	struct rb rb;
	int ret = 0;

	/* ICMPv6 errors (1-4: unreachable, packet too big, time exceeded, parameter problem)
	 * and neighbour discovery (133-137). */
	for (int i = 0; i < 2 && !ret; i++) {
		if ((ret = guard_expr_rule_begin(&rb)))
			break;
		guard_expr_daddr_local_set(&rb);
		guard_expr_l4proto(&rb, IPPROTO_ICMPV6);
		guard_expr_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_2);
		guard_expr_range(&rb, NFT_REG_2, i ? 133 : 1, i ? 137 : 4);
		guard_expr_verdict(&rb, NF_ACCEPT);
		ret = guard_expr_emit(b, table, name, &rb);
	}
	/* ip6 daddr @local counter name dropped drop */
	if (!ret && !(ret = guard_expr_rule_begin(&rb))) {
		guard_expr_daddr_local_set(&rb);
		guard_expr_counter(&rb, MT6D_GUARD_CTR_DROPPED);
		guard_expr_verdict(&rb, NF_DROP);
		ret = guard_expr_emit(b, table, name, &rb);
	}
	/*
	 * The rest of each hashed /64. In interface mode only what is not a local address
	 * (addresses of the uplink's own in the /64 stay reachable); in anyip mode the route
	 * makes all of it local, and none of it is for anything but the tunnel.
	 */
	for (size_t i = 0; i < p->n_prefixes && !ret; i++) {
		struct mt6d_prefix hashed = { .addr = p->prefix[i], .len = 64 };

		if ((ret = guard_expr_rule_begin(&rb)))
			break;
		guard_expr_addr_in(&rb, NFT_PAYLOAD_NETWORK_HEADER, IP6_DADDR_OFF, &hashed);
		if (!p->anyip) {
			e = guard_expr_alloc(&rb, "fib");
			if (e) {
				nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
				nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT,
						   NFT_FIB_RESULT_ADDRTYPE);
				nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_2);
				guard_expr_add(&rb, e);
			}
			guard_expr_cmp(&rb, NFT_REG_2, NFT_CMP_NEQ, &local, sizeof(local));
		}
		guard_expr_counter(&rb, MT6D_GUARD_CTR_DROPPED);
		guard_expr_verdict(&rb, NF_DROP);
		ret = guard_expr_emit(b, table, name, &rb);
	}
	return ret;
}

int guard_rules_build(struct mt6d_nft_batch *b, const char *table,
		      const struct guard_table_params *p)
{
	static const char name[] = "guard";
	int ret =
		guard_expr_chain(b, table, NFPROTO_IPV6, name, NF_INET_PRE_ROUTING, GUARD_PRIO_RAW);

	if (!ret)
		ret = peer_rules(b, table, name, p);
	if (!ret)
		ret = rest_rules(b, table, name, p);
	return ret;
}

/* What one kill switch rule matches, besides IPv6 and its route. */
enum ks_match {
	KS_TO_PEER,	 /* ip6 daddr ROUTE oifname != TUN */
	KS_FROM_PEER,	 /* ip6 saddr ROUTE oifname UPLINK */
	KS_QUOTED_SADDR, /* an ICMPv6 error quoting a packet from ROUTE, oifname UPLINK */
	KS_QUOTED_DADDR, /* ... quoting a packet to ROUTE */
	KS_NMATCH,
};

/*
 * ICMPv6 errors (RFC 4443: types 1-4) quote the packet that caused them after their 8-byte
 * header: its source at transport offset 8 + 8, its destination at 8 + 24.
 */
#define ICMP6_QUOTED_SADDR_OFF (8 + IP6_SADDR_OFF)
#define ICMP6_QUOTED_DADDR_OFF (8 + IP6_DADDR_OFF)

static int killswitch_rule(struct mt6d_nft_batch *b, const char *table, const char *name,
			   const struct guard_killswitch_params *p, const struct mt6d_prefix *route,
			   enum ks_match m, const char *oif)
{
	static const uint8_t ipv6 = NFPROTO_IPV6;
	char tun[IFNAMSIZ] = { 0 }, uplink[IFNAMSIZ] = { 0 };
	struct rb rb;
	int ret = guard_expr_rule_begin(&rb);

	if (ret)
		return ret;
	rb.family = NFPROTO_INET;
	strncpy(tun, p->tun_dev, sizeof(tun) - 1);
	strncpy(uplink, oif, sizeof(uplink) - 1);
	/* An inet chain sees IPv4 too: the offsets below are IPv6's. */
	guard_expr_meta(&rb, NFT_META_NFPROTO, NFT_REG_2);
	guard_expr_cmp(&rb, NFT_REG_2, NFT_CMP_EQ, &ipv6, 1);
	switch (m) {
	case KS_TO_PEER:
		guard_expr_addr_in(&rb, NFT_PAYLOAD_NETWORK_HEADER, IP6_DADDR_OFF, route);
		break;
	case KS_FROM_PEER:
		guard_expr_addr_in(&rb, NFT_PAYLOAD_NETWORK_HEADER, IP6_SADDR_OFF, route);
		break;
	default:
		guard_expr_l4proto(&rb, IPPROTO_ICMPV6);
		guard_expr_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_2);
		guard_expr_range(&rb, NFT_REG_2, 1, 4);
		guard_expr_addr_in(&rb, NFT_PAYLOAD_TRANSPORT_HEADER,
				   m == KS_QUOTED_SADDR ? ICMP6_QUOTED_SADDR_OFF
							: ICMP6_QUOTED_DADDR_OFF,
				   route);
		break;
	}
	guard_expr_meta(&rb, NFT_META_OIFNAME, NFT_REG_2);
	if (m == KS_TO_PEER)
		guard_expr_cmp(&rb, NFT_REG_2, NFT_CMP_NEQ, tun, sizeof(tun));
	else
		guard_expr_cmp(&rb, NFT_REG_2, NFT_CMP_EQ, uplink, sizeof(uplink));
	guard_expr_counter(&rb, KILLSWITCH_CTR);
	guard_expr_verdict(&rb, NF_DROP);
	return guard_expr_emit(b, table, name, &rb);
}

int guard_rules_killswitch(struct mt6d_nft_batch *b, const char *table,
			   const struct guard_killswitch_params *p)
{
	static const struct {
		const char *name;
		uint32_t hook;
	} chains[] = {
		{ "killswitch-fwd", NF_INET_FORWARD },
		{ "killswitch-out", NF_INET_LOCAL_OUT },
	};
	int ret = 0;

	for (size_t c = 0; c < sizeof(chains) / sizeof(chains[0]) && !ret; c++) {
		ret = guard_expr_chain(b, table, NFPROTO_INET, chains[c].name, chains[c].hook,
				       GUARD_PRIO_FILTER);
		for (int m = 0; m < KS_NMATCH && !ret; m++)
			for (size_t i = 0; i < p->n_routes && !ret; i++)
				/* Into the tunnel only, or out of no uplink: one rule per uplink.
				 */
				for (size_t u = 0; u < (m == KS_TO_PEER ? 1 : p->n_uplinks) && !ret;
				     u++)
					ret = killswitch_rule(b, table, chains[c].name, p,
							      &p->routes[i], (enum ks_match)m,
							      p->uplinks[u]);
	}
	return ret;
}

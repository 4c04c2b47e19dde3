/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_TABLE_H
#define MT6D_GUARD_TABLE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "nftctr.h"

/*
 * The tunnel's own nftables table, "ip6 mt6d-NAME", and nothing else:
 *
 *   sets      local     our hashed addresses in use          (timeouts)
 *             peer      the peer's hashed addresses           (timeouts)
 *             retired   our hashed addresses no longer in use (timeouts)
 *             evidence  local addresses the peer's SCTP reached lately (filled by the rule)
 *             ports     the SCTP port pairs (peer's . ours) of the live associations
 *             retired-ports  the port pairs of associations gone      (timeouts)
 *   counters  dropped   packets to a hashed address (or the hashed /64) that were not ours
 *             tripwire  packets to a retired address or on a retired port pair, but for
 *                       the peer's (dropped)
 *   chain     guard     prerouting, before routing: hashed addresses take the tunnel's
 *                       SCTP from the peer plus the ICMPv6 IPv6 needs; nothing else
 *
 * The kill switch is another table, "inet mt6d-NAME", with a life of its own
 * (guard_killswitch.h).
 *
 * The table is always (re)built whole in one transaction, so it never exists half-made.
 */
struct guard_table;

enum guard_set {
	GUARD_LOCAL,
	GUARD_PEER,
	GUARD_RETIRED,
	GUARD_EVIDENCE,
	GUARD_PORTS,
	GUARD_RETIRED_PORTS,
	GUARD_NSETS,
};

/*
 * The port sets' key, "sctp sport . sctp dport" of a packet from the peer (its port, then
 * ours), laid out as nft lays out a concatenation: each port in network order in its own
 * zero-padded 32-bit word. It travels in a guard_op's or guard_elem's address field, the
 * rest of it zero.
 */
struct in6_addr guard_port_key(uint16_t peer_port, uint16_t local_port);
/* The key's length in set @s: an IPv6 address, or the 8 bytes of a port key. */
size_t guard_set_key_len(enum guard_set s);
/* nft's datatype of the key: ipv6_addr, or inet_service . inet_service. */
uint32_t guard_set_key_type(enum guard_set s);

#define GUARD_MAX_PREFIXES (2 * MT6D_MAX_UPLINKS)

struct guard_table_params {
	const char *name; /* tunnel name; the table is "mt6d-" name */
	/* our hashed /64s, one per uplink, and the ones uplinks were renumbered from */
	struct in6_addr prefix[GUARD_MAX_PREFIXES];
	size_t n_prefixes;
	bool anyip;	      /* the whole /64 is local: guard all of it */
	uint32_t evidence_ms; /* how long one packet counts as evidence */
};

/* One element change; @timeout_ms 0 deletes. */
struct guard_op {
	enum guard_set set;
	struct in6_addr addr; /* or a port key (guard_port_key()) */
	uint32_t timeout_ms;
};

/* An element as the kernel reports it. */
struct guard_elem {
	struct in6_addr addr;
	uint64_t timeout_ms; /* as added */
	uint64_t expires_ms; /* remaining */
};

/*
 * Elements per NEWSETELEM message. The element list is one nested attribute with a 16-bit
 * length: one message with 3 000 IPv6 elements kept only 1 361 (kernel-costs notes). 512
 * elements of ~44 bytes stay far below 65 535.
 */
#define GUARD_TABLE_ELEMS_PER_MSG 512

const char *guard_set_name(enum guard_set s);

int guard_table_open(struct guard_table **out, const struct guard_table_params *p)
	__attribute__((warn_unused_result));
void guard_table_close(struct guard_table *g);

/* The table's name, "mt6d-NAME". */
const char *guard_table_name(const struct guard_table *g);

/*
 * Builds the table from scratch in one transaction, replacing whatever table of that name
 * exists (a half-built one included), with the elements @ops in it. The counters' values
 * of a table being replaced carry over.
 */
int guard_table_install(struct guard_table *g, const struct guard_op *ops, size_t nops, char *err,
			size_t errlen) __attribute__((warn_unused_result));
/* Applies @ops (adds and deletes, any sets) in one transaction. */
int guard_table_apply(struct guard_table *g, const struct guard_op *ops, size_t nops, char *err,
		      size_t errlen) __attribute__((warn_unused_result));
/* Our hashed /64s from the next guard_table_install() on (at most GUARD_MAX_PREFIXES). */
void guard_table_set_prefixes(struct guard_table *g, const struct in6_addr *prefixes, size_t n);
/* Removes the table (and only it); 0 when it was not there either. */
int guard_table_remove(struct guard_table *g) __attribute__((warn_unused_result));

/*
 * The table's handle: the kernel numbers each table it creates, so a table deleted and
 * made again by someone else has another. -ENOENT when there is no such table.
 */
int guard_table_handle(struct guard_table *g, uint64_t *handle) __attribute__((warn_unused_result));

/* The elements of set @s: returns how many (at most @max stored), -ENOENT without table. */
int guard_table_elems(struct guard_table *g, enum guard_set s, struct guard_elem *out, size_t max)
	__attribute__((warn_unused_result));
int guard_table_read_counters(struct guard_table *g, struct mt6d_guard_counters *c)
	__attribute__((warn_unused_result));

#endif

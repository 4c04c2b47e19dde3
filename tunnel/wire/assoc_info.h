/* SPDX-License-Identifier: MIT */
#ifndef MT6D_ASSOC_INFO_H
#define MT6D_ASSOC_INFO_H

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What the kernel reports about one association: its state, every peer address
 * (path) with the transport's own view of it, the local addresses it is bound to,
 * and its chunk counters. Read on demand for status output; nothing is cached.
 */
#define SCTP_INFO_MAX_PATHS 16
#define SCTP_INFO_MAX_LOCAL 32

struct sctp_path_info {
	struct in6_addr addr;
	int state; /* SCTP_ACTIVE, SCTP_PF, SCTP_INACTIVE, ... */
	uint32_t srtt_ms, rto_ms;
	uint32_t cwnd, mtu;
	bool primary;
};

struct assoc_info {
	int state; /* SCTP_ESTABLISHED, ... */
	uint32_t rwnd;
	uint16_t unacked, pending;
	uint16_t instreams, outstreams;
	uint64_t opackets, ipackets; /* SCTP packets sent, received */
	uint64_t rtx_chunks;	     /* retransmitted chunks */
	uint64_t gap_acks;	     /* gap acknowledgements received */
	size_t n_paths, n_local;
	uint16_t peer_port; /* the peer's SCTP port (host order), 0: unknown */
	struct sctp_path_info paths[SCTP_INFO_MAX_PATHS];
	struct in6_addr local[SCTP_INFO_MAX_LOCAL];
};

int assoc_info_get(int fd, sctp_assoc_t id, struct assoc_info *out)
	__attribute__((warn_unused_result));

/* Stable lower-case names for status output ("established", "active", "pf"...). */
const char *assoc_info_assoc_state(int state);
const char *assoc_info_path_state(int state);

#endif

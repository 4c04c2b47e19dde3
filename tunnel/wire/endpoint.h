/* SPDX-License-Identifier: MIT */
#ifndef MT6D_ENDPOINT_H
#define MT6D_ENDPOINT_H

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* A message's partial reliability: SCTP_PR_SCTP_NONE, _RTX (retransmissions), _TTL (ms). */
struct endpoint_pr {
	uint16_t policy;
	uint32_t value;
};

/*
 * The tunnel's one-to-many SCTP endpoint. Bound to explicit (hashed) addresses
 * only, never the wildcard, with automatic ASCONF off: either would make INIT and
 * ASCONF advertise every address of the host, the true ones included.
 */
struct endpoint_params {
	uint16_t port;
	const uint8_t *auth_key; /* endpoint-pair SCTP-AUTH key */
	size_t auth_key_len;
	int bufsize;	       /* SO_SNDBUF and SO_RCVBUF */
	uint16_t streams;      /* outbound streams asked for, inbound accepted */
	struct endpoint_pr pr; /* data's partial reliability; PR-SCTP offered unless NONE */
	/* Failure detection per association, instead of the kernel's minutes. */
	uint32_t rto_min, rto_max, hb_interval; /* ms; hb_interval 0: no heartbeats */
	uint16_t path_max_retrans, pf_threshold, max_retrans;
	uint32_t sack_delay; /* ms; 0: a SACK for every packet */
};

/* Creates and configures the socket (not bound yet). Returns the fd or -errno. */
int endpoint_open(const struct endpoint_params *p) __attribute__((warn_unused_result));

/*
 * SCTP-AUTH on @fd as the tunnel uses it (endpoint_open does this): every chunk type of the
 * tunnel's list required, @key (at most 64 bytes) as key 1 and active, the null key 0
 * deleted. Exported for the benchmark's bare SCTP association with the same list.
 */
int endpoint_set_auth(int fd, const uint8_t *key, size_t key_len)
	__attribute__((warn_unused_result));

/* Binds @n addresses with port @port and starts listening. */
int endpoint_bind(int fd, const struct in6_addr *addrs, size_t n, uint16_t port)
	__attribute__((warn_unused_result));

/* Starts an association to @n peer addresses; the id is known at once, COMM_UP follows. */
int endpoint_connect(int fd, const struct in6_addr *addrs, size_t n, uint16_t port,
		     sctp_assoc_t *id) __attribute__((warn_unused_result));

/*
 * 0 when the peer requires SCTP-AUTH on every chunk type a forger could use against the
 * association (DATA, SACK, HEARTBEAT(-ACK), ABORT, SHUTDOWN(-ACK), ERROR, FORWARD-TSN,
 * ASCONF, ASCONF-ACK); -EACCES when it does not use AUTH at all; -EPERM when
 * one of them is missing from its list.
 */
int endpoint_check_peer_auth(int fd, sctp_assoc_t id) __attribute__((warn_unused_result));

/* Aborts the association (ABORT chunk). */
int endpoint_abort(int fd, sctp_assoc_t id);

/*
 * Sends one message on @stream, unordered or not, under the partial reliability @pr
 * (NULL: fully reliable). -EAGAIN when the send buffer is full.
 */
int endpoint_send(int fd, sctp_assoc_t id, uint16_t stream, int unordered,
		  const struct endpoint_pr *pr, const struct iovec *iov, int iovcnt)
	__attribute__((warn_unused_result));

struct endpoint_msg {
	size_t len;
	sctp_assoc_t assoc; /* for data; notifications carry their own */
	int notification;   /* non-zero: the buffer holds a union sctp_notification */
	int complete;	    /* MSG_EOR seen */
};

/* Receives one message; -EAGAIN when there is none. */
int endpoint_recv(int fd, void *buf, size_t len, struct endpoint_msg *msg)
	__attribute__((warn_unused_result));

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TSOCK_H
#define MT6D_TSOCK_H

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * mt6d-addrmgr's own descriptor of mt6d-tunnel's SCTP socket, taken with
 * pidfd_getfd(): sctp_bindx() and setsockopt() on it act on the tunnel's endpoint
 * and associations, and the kernel sends the ASCONFs.
 */
struct tsock {
	pid_t pid;
	sctp_assoc_t assoc; /* the association in charge, as the tunnel published it; 0: none */
	uint64_t epoch;	    /* the socket's association epoch (0 without hopping) */
	uint16_t port;	    /* its bound local port */
	uint32_t serial;    /* which of the tunnel's sockets it is */
	int fdnum;	    /* the descriptor's number in the tunnel process */
	int pidfd;	    /* readable once the tunnel process has exited */
	int sk;
};

#define TSOCK_INIT                    \
	{                             \
		.pidfd = -1, .sk = -1 \
	}
#define TSOCK_MAX_ADDRS 80

/*
 * (Re)attaches to the socket published in @runtime_path and reads which association is
 * in charge. 0 when attached (unchanged or new: *changed tells), -ENOENT when no tunnel
 * is published, other -errno on failure (-EPERM: missing CAP_SYS_PTRACE).
 */
int tsock_attach(struct tsock *ts, const char *runtime_path, int *changed)
	__attribute__((warn_unused_result));
void tsock_detach(struct tsock *ts);

/* Whether @a is one of the @n addresses in @list (as tsock_local_addrs() returns them). */
bool tsock_addr_in(const struct in6_addr *a, const struct in6_addr *list, int n);

/* The endpoint's bound addresses (those of its associations follow them). */
int tsock_local_addrs(const struct tsock *ts, struct in6_addr *out, size_t max)
	__attribute__((warn_unused_result));
/* The primary path of association @id: the peer's address it sends to. */
int tsock_peer_primary(const struct tsock *ts, sctp_assoc_t id, struct in6_addr *out)
	__attribute__((warn_unused_result));
/* Association @id's path to the peer's @addr (port @port), as the kernel reports it. */
struct tsock_path {
	int state;	  /* SCTP_ACTIVE, SCTP_PF, SCTP_INACTIVE, SCTP_UNCONFIRMED */
	uint32_t srtt_ms; /* smoothed round-trip time */
};
int tsock_path_info(const struct tsock *ts, sctp_assoc_t id, const struct in6_addr *addr,
		    uint16_t port, struct tsock_path *out) __attribute__((warn_unused_result));
/* The peer's addresses in association @id; *@port (when not NULL): its port. */
int tsock_peer_addrs(const struct tsock *ts, sctp_assoc_t id, struct in6_addr *out, size_t max,
		     uint16_t *port) __attribute__((warn_unused_result));

int tsock_bind(const struct tsock *ts, const struct in6_addr *addr, uint16_t port, int add)
	__attribute__((warn_unused_result));

/* Asks the peer of association @id to send to @addr (SCTP_SET_PEER_PRIMARY_ADDR). */
int tsock_set_peer_primary(const struct tsock *ts, sctp_assoc_t id, const struct in6_addr *addr,
			   uint16_t port) __attribute__((warn_unused_result));

#endif

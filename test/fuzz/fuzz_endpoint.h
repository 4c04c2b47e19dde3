/* SPDX-License-Identifier: MIT */
#ifndef MT6D_FUZZ_ENDPOINT_H
#define MT6D_FUZZ_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"

/*
 * endpoint.h without the kernel, for the receive fuzzers: what a tunnel sends on its
 * endpoint (the descriptor in t->sk names it) is queued in memory for the harness to
 * deliver, drop or change, and the peer's SCTP-AUTH chunk list reads as the harness says.
 * The harness hands every received message to datapath_receive() itself and builds its
 * tunnels without a socket, so endpoint_recv(), endpoint_open(), endpoint_bind() and
 * endpoint_connect() are never called: each of them aborts.
 */
#define FUZZ_ENDPOINTS 2
#define FUZZ_ENDPOINT_QUEUE 64 /* messages held per endpoint; later ones are lost */

struct fuzz_sent {
	sctp_assoc_t assoc;
	size_t len;
	uint8_t *data; /* malloc'd; the taker frees it */
};

/* Endpoint descriptors the harness will use: their queues start empty, every peer fine. */
void fuzz_endpoint_reset(void);
/* What endpoint_check_peer_auth() answers on @fd from now on: 0, -EACCES or -EPERM. */
void fuzz_endpoint_set_peer_auth(int fd, int verdict);
/* The oldest message sent on @fd, taken off its queue; false when there is none. */
bool fuzz_endpoint_take(int fd, struct fuzz_sent *m);
/* The oldest message sent on @fd, left on its queue; NULL when there is none. */
const struct fuzz_sent *fuzz_endpoint_peek(int fd);
/*
 * An association aborted with endpoint_abort() since the last call: on which endpoint, and
 * which one. Its queued messages are gone, as the kernel discards them.
 */
bool fuzz_endpoint_take_abort(int *fd, sctp_assoc_t *assoc);

#endif

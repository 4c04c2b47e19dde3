/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TUNNEL_FIXTURE_H
#define MT6D_TUNNEL_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "aead.h"
#include "tunnel_int.h"

/*
 * A struct tunnel for the receive fuzzers, in the state tunnel_new() leaves it in but
 * without the kernel's parts: its SCTP endpoint is fuzz_endpoint.c's, and its TUN device a
 * pair of datagram sockets, one packet per write as on TUN, the harness holding the other
 * end. No event loop, no runtime files, no control socket; nothing calls the tick.
 *
 * Two gateways, 2001:db8:1:1::1 and 2001:db8:2:2::2, share one PSK; the first sorts
 * first and initiates.
 */
struct fixture_params {
	bool first; /* this tunnel is the first gateway, else the second */
	enum mt6d_cipher cipher;
	bool offload;
	unsigned int padding;
};

struct fixture {
	struct mt6d_config cfg;
	struct tunnel *t;
	int tun; /* the harness's end of the TUN device */
	int sk;	 /* names the tunnel's one endpoint in fuzz_endpoint.c */
};

/* Sets @f up once; aborts when it cannot. */
void fixture_init(struct fixture *f, const struct fixture_params *p);
/* The state of a tunnel that has just started, at @now_ms; the TUN device emptied. */
void fixture_reset(struct fixture *f, uint64_t now_ms);

/*
 * Hands the tunnel one read of its SCTP socket, as datapath_on_sctp() does: @len bytes,
 * a notification or a message on association @assoc, which ended with MSG_EOR or not.
 * Under AddressSanitizer every byte of the receive buffer past @len is poisoned meanwhile,
 * so a read beyond the message is reported.
 */
void fixture_receive(struct fixture *f, sctp_assoc_t assoc, bool notification, bool eor,
		     const void *msg, size_t len, uint64_t now_ms);

/* A packet the tunnel wrote to its TUN device: its length, 0 when none is waiting. */
size_t fixture_tun_take(struct fixture *f, void *buf, size_t len);
/* Puts a packet on the TUN device for the tunnel to read. */
void fixture_tun_put(struct fixture *f, const void *pkt, size_t len);

/* The tunnel's sessions are consistent: aborts when they are not. */
void fixture_check_session(struct fixture *f);

#endif

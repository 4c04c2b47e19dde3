// SPDX-License-Identifier: MIT
/*
 * SCTP notifications as mt6d-tunnel reads them (datapath_receive(), assoc.c): from an
 * aligned copy of the receive buffer, and only within their own length (sn_length), which
 * must fit in what was read. The stale bytes of an earlier, longer message in the buffer
 * must never be taken for a field.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tunnel_int.h"

#define ASSOC 7

static struct mt6d_config cfg;

static struct tunnel *tunnel(void)
{
	struct tunnel *t = calloc(1, sizeof(*t));
	sctp_assoc_t displaced;

	memset(&cfg, 0, sizeof(cfg));
	cfg.psk_len = 32;
	inet_pton(AF_INET6, "::1", &cfg.local_iid);
	inet_pton(AF_INET6, "2001:db8:2::", &cfg.peer_prefix.addr);
	cfg.peer_prefix.len = 64;
	cfg.peer_uplinks[0].prefix = cfg.peer_prefix;
	cfg.n_peer_uplinks = 1;
	inet_pton(AF_INET6, "::2", &cfg.peer_iid);
	cfg.rekey_interval = 120;
	cfg.recovery.max_backoff = 2000;
	inet_pton(AF_INET6, "2001:db8:1::", &t->d.uplinks[0].prefix);
	t->cfg = &cfg;
	t->tun_fd = t->paused_sk = -1;
	for (size_t i = 0; i < TUNNEL_EPS; i++)
		t->eps[i].sk = -1;
	if (session_init(&t->sess, &cfg, &t->d.uplinks[0].prefix, 1000) ||
	    !session_begin(&t->sess, ASSOC, 1000, &displaced))
		abort();
	return t;
}

/* A read of @len bytes of the notification @n, as the kernel flagged it. */
static void receive(struct tunnel *t, const void *n, size_t len)
{
	const struct endpoint_msg m = { .len = len, .notification = 1, .complete = 1 };

	memcpy(t->rxbuf, n, len);
	datapath_receive(t, -1, &m, 2000);
}

static struct sctp_shutdown_event shutdown_event(uint32_t length)
{
	return (struct sctp_shutdown_event){
		.sse_type = SCTP_SHUTDOWN_EVENT,
		.sse_length = length,
		.sse_assoc_id = ASSOC,
	};
}

/* The association in charge goes on a shutdown event, the positive control. */
static void test_shutdown(void)
{
	struct tunnel *t = tunnel();
	struct sctp_shutdown_event sse = shutdown_event(sizeof(sse));

	receive(t, &sse, sizeof(sse));
	CHECK(t->sess.cur.id == 0, "a shutdown event takes association %d down", ASSOC);
	session_clear(&t->sess);
	free(t);
}

/*
 * A notification cut short of its type's fields (only the header read) is ignored, though
 * the buffer still holds, where its association id would be, the id of the association
 * in charge from the message before.
 */
static void test_short(void)
{
	struct tunnel *t = tunnel();
	struct sctp_shutdown_event sse = shutdown_event(8);

	memcpy(t->rxbuf, &sse, sizeof(sse));
	receive(t, &sse, 8);
	CHECK(t->sess.cur.id == ASSOC, "a shutdown event of 8 bytes read a stale id");
	session_clear(&t->sess);
	free(t);
}

/* A notification that claims more than was read, or less than its type's fields, too. */
static void test_length_field(void)
{
	const uint32_t lengths[] = { sizeof(struct sctp_shutdown_event) + 4, 8, 0 };

	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		struct tunnel *t = tunnel();
		struct sctp_shutdown_event sse = shutdown_event(lengths[i]);

		receive(t, &sse, sizeof(sse));
		CHECK(t->sess.cur.id == ASSOC,
		      "a shutdown event read whole whose sn_length is %u was taken", lengths[i]);
		session_clear(&t->sess);
		free(t);
	}
}

int main(void)
{
	unsetenv("NOTIFY_SOCKET");
	test_shutdown();
	test_short();
	test_length_field();
	return check_done();
}

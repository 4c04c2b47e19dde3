// SPDX-License-Identifier: MIT
/* A struct tunnel without the kernel, for the receive fuzzers; see tunnel_fixture.h. */
#include "tunnel_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include "keys.h"

static const char *const gateways[2][2] = {
	{ "2001:db8:1:1::", "::1" },
	{ "2001:db8:2:2::", "::2" },
};

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		abort();
	}
}

static void config(struct mt6d_config *cfg, const struct fixture_params *p)
{
	const char *const *local = gateways[p->first ? 0 : 1], *const *peer = gateways[p->first];

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "fuzz%d", p->first ? 1 : 2);
	snprintf(cfg->device, sizeof(cfg->device), "mt6d%d", p->first ? 1 : 2);
	cfg->psk_len = 32;
	for (size_t i = 0; i < cfg->psk_len; i++)
		cfg->psk[i] = (uint8_t)(i * 7 + 1);
	must(inet_pton(AF_INET6, local[1], &cfg->local_iid) == 1, "local iid");
	must(inet_pton(AF_INET6, peer[0], &cfg->peer_prefix.addr) == 1, "peer prefix");
	cfg->peer_prefix.len = 64;
	cfg->peer_uplinks[0].prefix = cfg->peer_prefix;
	cfg->n_peer_uplinks = 1;
	must(inet_pton(AF_INET6, peer[1], &cfg->peer_iid) == 1, "peer iid");
	cfg->port = 7861;
	cfg->encryption = p->cipher;
	cfg->offload = p->offload;
	cfg->padding = p->padding;
	cfg->coalesce = true; /* the default: small packets read together leave bundled */
	/* The shortest the configuration allows: rekeys and key epochs within an input. */
	cfg->rekey_interval = 10;
	cfg->buffer_size = 4096;
	cfg->recovery.max_backoff = 4000;
}

void fixture_init(struct fixture *f, const struct fixture_params *p)
{
	int sv[2];

	config(&f->cfg, p);
	f->t = calloc(1, sizeof(*f->t));
	must(f->t != NULL, "calloc");
	must(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0,
	     "socketpair");
	f->t->tun_fd = sv[0];
	f->tun = sv[1];
	/* A descriptor of its own names the tunnel's endpoint in fuzz_endpoint.c. */
	f->sk = open("/dev/null", O_RDONLY | O_CLOEXEC);
	must(f->sk >= 0, "/dev/null");
	must(inet_pton(AF_INET6, gateways[p->first ? 0 : 1][0], &f->t->d.uplinks[0].prefix) == 1,
	     "prefix");
	must(session_init(&f->t->sess, &f->cfg, &f->t->d.uplinks[0].prefix, 0) == 0,
	     "session_init");
}

void fixture_reset(struct fixture *f, uint64_t now_ms)
{
	struct tunnel *t = f->t;
	const int tun_fd = t->tun_fd;
	const struct in6_addr prefix = t->d.uplinks[0].prefix;
	uint8_t auth_key[MT6D_KEY_LEN] = { 0 };
	struct endpoint_params ep;
	uint8_t pkt[64];

	session_clear(&t->sess);
	/* Everything but the packet buffers, as calloc() in tunnel_new() leaves it. */
	memset(t, 0, offsetof(struct tunnel, rxbuf));
	t->cfg = &f->cfg;
	t->d = (struct mt6d_daemon){ .cfg = &f->cfg, .sig_fd = -1, .tick_fd = -1, .ctl_fd = -1 };
	t->d.uplinks[0].prefix = prefix;
	t->d.n_uplinks = 1;
	t->tun_fd = tun_fd;
	/* Its one endpoint, bound on [tunnel] port as without association hopping. */
	for (size_t i = 0; i < TUNNEL_EPS; i++)
		t->eps[i] = (struct tunnel_ep){ .sk = -1 };
	t->eps[0] = (struct tunnel_ep){ .sk = f->sk, .port = f->cfg.port, .serial = 1 };
	t->paused_sk = t->connect_sk = -1;
	snprintf(t->ifname, sizeof(t->ifname), "%s", f->cfg.device);
	t->mtu = 1400;
	assoc_endpoint_params(&f->cfg, auth_key, &ep);
	t->pr = ep.pr;
	must(session_init(&t->sess, &f->cfg, &t->d.uplinks[0].prefix, now_ms) == 0, "session_init");
	while (recv(tun_fd, pkt, sizeof(pkt), MSG_TRUNC) >= 0 ||
	       recv(f->tun, pkt, sizeof(pkt), MSG_TRUNC) >= 0)
		;
}

void fixture_receive(struct fixture *f, sctp_assoc_t assoc, bool notification, bool eor,
		     const void *msg, size_t len, uint64_t now_ms)
{
	struct tunnel *t = f->t;
	const struct endpoint_msg m = {
		.len = len,
		.assoc = notification ? 0 : assoc,
		.notification = notification,
		.complete = eor,
	};
	uint8_t *tail = t->rxbuf + len;
	size_t tail_len = sizeof(t->rxbuf) - len;

	if (len > sizeof(t->rxbuf))
		abort();
	memcpy(t->rxbuf, msg, len);
	ASAN_POISON_MEMORY_REGION(tail, tail_len);
	datapath_receive(t, f->sk, &m, now_ms);
	ASAN_UNPOISON_MEMORY_REGION(tail, tail_len);
}

size_t fixture_tun_take(struct fixture *f, void *buf, size_t len)
{
	ssize_t n = recv(f->tun, buf, len, MSG_TRUNC);

	if (n < 0)
		return 0;
	/* One write, one packet: none of it may be lost to a short buffer here. */
	if ((size_t)n > len) {
		fprintf(stderr, "fixture: a TUN write of %zd bytes\n", n);
		abort();
	}
	return (size_t)n;
}

void fixture_tun_put(struct fixture *f, const void *pkt, size_t len)
{
	must(send(f->tun, pkt, len, 0) == (ssize_t)len, "TUN put");
}

void fixture_check_session(struct fixture *f)
{
	struct session *s = &f->t->sess;

	/* A candidate only next to an association in charge, never the same one. */
	if (s->cand.id && (!s->cur.id || s->cand.id == s->cur.id))
		abort();
	/* A candidate the peer proved takes over at once. */
	if (s->cand.authenticated || (s->cur.authenticated && !s->cur.id))
		abort();
	/* Proven, the association has keys to send with. */
	if (s->cur.authenticated && !session_tx_keys(&s->cur)->installed)
		abort();
}

// SPDX-License-Identifier: MIT
/* endpoint.h over in-memory queues for the receive fuzzers; see fuzz_endpoint.h. */
#include "fuzz_endpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ABORTS_MAX 16

static struct ep {
	int fd; /* -1: slot free */
	int peer_auth;
	size_t head, n;
	struct fuzz_sent q[FUZZ_ENDPOINT_QUEUE];
} eps[FUZZ_ENDPOINTS] = { { .fd = -1 }, { .fd = -1 } };

static struct {
	int fd;
	sctp_assoc_t assoc;
} aborts[ABORTS_MAX];
static size_t n_aborts;

static void not_reached(const char *fn)
{
	fprintf(stderr, "fuzz_endpoint: %s() called; the harness does that itself\n", fn);
	abort();
}

/* The endpoint of @fd, made on first use. */
static struct ep *ep_of(int fd)
{
	struct ep *free_ep = NULL;

	for (size_t i = 0; i < FUZZ_ENDPOINTS; i++) {
		if (eps[i].fd == fd)
			return &eps[i];
		if (eps[i].fd < 0 && !free_ep)
			free_ep = &eps[i];
	}
	if (!free_ep) {
		fprintf(stderr, "fuzz_endpoint: more than %d endpoints\n", FUZZ_ENDPOINTS);
		abort();
	}
	free_ep->fd = fd;
	return free_ep;
}

static void ep_drop(struct ep *e, size_t i)
{
	struct fuzz_sent *m = &e->q[(e->head + i) % FUZZ_ENDPOINT_QUEUE];

	free(m->data);
	for (; i + 1 < e->n; i++)
		e->q[(e->head + i) % FUZZ_ENDPOINT_QUEUE] =
			e->q[(e->head + i + 1) % FUZZ_ENDPOINT_QUEUE];
	e->n--;
}

void fuzz_endpoint_reset(void)
{
	for (size_t i = 0; i < FUZZ_ENDPOINTS; i++) {
		while (eps[i].n)
			ep_drop(&eps[i], 0);
		eps[i] = (struct ep){ .fd = -1 };
	}
	n_aborts = 0;
}

void fuzz_endpoint_set_peer_auth(int fd, int verdict)
{
	ep_of(fd)->peer_auth = verdict;
}

bool fuzz_endpoint_take(int fd, struct fuzz_sent *m)
{
	struct ep *e = ep_of(fd);

	if (!e->n)
		return false;
	*m = e->q[e->head];
	e->head = (e->head + 1) % FUZZ_ENDPOINT_QUEUE;
	e->n--;
	return true;
}

const struct fuzz_sent *fuzz_endpoint_peek(int fd)
{
	struct ep *e = ep_of(fd);

	return e->n ? &e->q[e->head] : NULL;
}

bool fuzz_endpoint_take_abort(int *fd, sctp_assoc_t *assoc)
{
	if (!n_aborts)
		return false;
	*fd = aborts[0].fd;
	*assoc = aborts[0].assoc;
	memmove(aborts, aborts + 1, --n_aborts * sizeof(aborts[0]));
	return true;
}

int endpoint_open(const struct endpoint_params *p)
{
	not_reached(__func__);
	return -ENOSYS;
}

int endpoint_bind(int fd, const struct in6_addr *addrs, size_t n, uint16_t port)
{
	not_reached(__func__);
	return -ENOSYS;
}

int endpoint_connect(int fd, const struct in6_addr *addrs, size_t n, uint16_t port,
		     sctp_assoc_t *id)
{
	not_reached(__func__);
	return -ENOSYS;
}

int endpoint_recv(int fd, void *buf, size_t len, struct endpoint_msg *msg)
{
	not_reached(__func__);
	return -ENOSYS;
}

int endpoint_check_peer_auth(int fd, sctp_assoc_t id)
{
	return ep_of(fd)->peer_auth;
}

/* The kernel discards what is still queued on an association it aborts, both ways. */
int endpoint_abort(int fd, sctp_assoc_t id)
{
	for (size_t i = 0; i < FUZZ_ENDPOINTS; i++)
		for (size_t j = eps[i].n; j-- > 0;)
			if (eps[i].q[(eps[i].head + j) % FUZZ_ENDPOINT_QUEUE].assoc == id)
				ep_drop(&eps[i], j);
	if (n_aborts == ABORTS_MAX)
		return -ENOBUFS;
	aborts[n_aborts].fd = fd;
	aborts[n_aborts].assoc = id;
	n_aborts++;
	return 0;
}

int endpoint_send(int fd, sctp_assoc_t id, uint16_t stream, int unordered,
		  const struct endpoint_pr *pr, const struct iovec *iov, int iovcnt)
{
	struct ep *e = ep_of(fd);
	struct fuzz_sent *m;
	size_t len = 0;

	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	/* A full queue loses the message, as a lossy network would; the sender is not told. */
	if (e->n == FUZZ_ENDPOINT_QUEUE)
		return 0;
	m = &e->q[(e->head + e->n) % FUZZ_ENDPOINT_QUEUE];
	*m = (struct fuzz_sent){ .assoc = id, .len = len, .data = malloc(len ? len : 1) };
	if (!m->data)
		abort();
	len = 0;
	for (int i = 0; i < iovcnt; i++) {
		memcpy(m->data + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	e->n++;
	return 0;
}

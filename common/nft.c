// SPDX-License-Identifier: MIT
/*
 * nf_tables transactions and dumps over libmnl, after nftables' own src/mnl.c: a batch is
 * BEGIN, the messages, END, sent in one sendmsg(). The kernel applies the batch while
 * handling that sendmsg(), so every answer is queued when it returns: errors are drained
 * without blocking.
 */
#include "nft.h"
#include "nft_reply.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

/* Dump skbs are sized after our largest receive buffer; see common/rtnl.c. */
#define NFT_RX_SIZE 65536
/* Large enough for a transaction of 10 000 elements (about 40 bytes each) plus rules. */
#define NFT_SNDBUF (4 * 1024 * 1024)

struct mt6d_nft {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	char req[MT6D_NFT_REQBUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	char rx[NFT_RX_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
};

struct mt6d_nft_batch {
	uint32_t *seq; /* the socket's counter, or own_seq without one */
	uint32_t own_seq;
	char *buf;
	size_t len, cap;
	struct nlmsghdr *last; /* message whose length is not yet accounted for */
	size_t count;
	bool ended; /* END is in place */
};

int mt6d_nft_open(struct mt6d_nft **out)
{
	struct mt6d_nft *n = calloc(1, sizeof(*n));
	int one = 1, size = NFT_SNDBUF, ret;

	if (!n)
		return -ENOMEM;
	n->sock = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!n->sock || mnl_socket_bind(n->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mt6d_nft_close(n);
		return ret;
	}
	(void)mnl_socket_setsockopt(n->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(n->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	/* SO_SNDBUFFORCE needs CAP_NET_ADMIN, which we have; fall back to the capped one. */
	if (setsockopt(mnl_socket_get_fd(n->sock), SOL_SOCKET, SO_SNDBUFFORCE, &size,
		       sizeof(size)) < 0)
		(void)setsockopt(mnl_socket_get_fd(n->sock), SOL_SOCKET, SO_SNDBUF, &size,
				 sizeof(size));
	n->portid = mnl_socket_get_portid(n->sock);
	n->seq = (uint32_t)random();
	*out = n;
	return 0;
}

void mt6d_nft_close(struct mt6d_nft *n)
{
	if (!n)
		return;
	if (n->sock)
		mnl_socket_close(n->sock);
	free(n);
}

static void batch_account(struct mt6d_nft_batch *b)
{
	if (b->last) {
		b->len += NLMSG_ALIGN(b->last->nlmsg_len);
		b->last = NULL;
	}
}

static int batch_reserve(struct mt6d_nft_batch *b)
{
	char *nbuf;
	size_t ncap;

	batch_account(b);
	if (b->cap - b->len >= MT6D_NFT_MSG_ROOM)
		return 0;
	ncap = b->cap * 2 > b->len + MT6D_NFT_MSG_ROOM ? b->cap * 2
						       : b->len + 2 * MT6D_NFT_MSG_ROOM;
	nbuf = realloc(b->buf, ncap);
	if (!nbuf)
		return -ENOMEM;
	/* Attribute padding is never written by libmnl: it must not carry old heap bytes. */
	memset(nbuf + b->cap, 0, ncap - b->cap);
	b->buf = nbuf;
	b->cap = ncap;
	return 0;
}

int mt6d_nft_batch_new(struct mt6d_nft *n, struct mt6d_nft_batch **out)
{
	struct mt6d_nft_batch *b = calloc(1, sizeof(*b));

	if (!b || batch_reserve(b) < 0) {
		free(b);
		return -ENOMEM;
	}
	b->seq = n ? &n->seq : &b->own_seq;
	b->last = nftnl_batch_begin(b->buf, ++*b->seq);
	*out = b;
	return 0;
}

void mt6d_nft_batch_free(struct mt6d_nft_batch *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b);
}

struct nlmsghdr *mt6d_nft_batch_msg(struct mt6d_nft_batch *b, uint16_t type, uint16_t family,
				    uint16_t flags)
{
	if (b->ended || batch_reserve(b) < 0)
		return NULL;
	b->count++;
	b->last = nftnl_nlmsg_build_hdr(b->buf + b->len, type, family, flags, ++*b->seq);
	return b->last;
}

size_t mt6d_nft_batch_count(const struct mt6d_nft_batch *b)
{
	return b->count;
}

int mt6d_nft_batch_finish(struct mt6d_nft_batch *b, const void **buf, size_t *len)
{
	if (!b->ended) {
		if (batch_reserve(b) < 0)
			return -ENOMEM;
		b->last = nftnl_batch_end(b->buf + b->len, ++*b->seq);
		batch_account(b);
		b->ended = true;
	}
	*buf = b->buf;
	*len = b->len;
	return 0;
}

int mt6d_nft_batch_commit(struct mt6d_nft *n, struct mt6d_nft_batch *b, char *err, size_t errlen)
{
	const void *buf;
	size_t blen;
	int first = 0, ret;
	ssize_t got;

	if (errlen)
		err[0] = '\0';
	ret = mt6d_nft_batch_finish(b, &buf, &blen);
	if (ret < 0)
		return ret;
	if (mnl_socket_sendto(n->sock, buf, blen) < 0)
		return -errno;
	/* Everything the kernel has to say is queued by now: read until empty. */
	while ((got = recv(mnl_socket_get_fd(n->sock), n->rx, sizeof(n->rx), MSG_DONTWAIT)) > 0)
		mt6d_nft_batch_errors(n->rx, (size_t)got, &first, err, errlen);
	if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && !first)
		first = -errno;
	return first;
}

char *mt6d_nft_reqbuf(struct mt6d_nft *n)
{
	return n->req;
}

int mt6d_nft_request(struct mt6d_nft *n, struct nlmsghdr *nlh, mt6d_nft_msg_cb cb, void *data)
{
	struct mt6d_nft_reply r;
	ssize_t got;
	int ret;

	nlh->nlmsg_seq = ++n->seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	mt6d_nft_reply_init(&r, nlh->nlmsg_seq, n->portid, cb, data);
	if (mnl_socket_sendto(n->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		got = mnl_socket_recvfrom(n->sock, n->rx, sizeof(n->rx));
		if (got < 0)
			return -errno;
		ret = mt6d_nft_reply_feed(&r, n->rx, (size_t)got);
	} while (ret > 0);
	return ret;
}

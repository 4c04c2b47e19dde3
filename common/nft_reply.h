/* SPDX-License-Identifier: MIT */
#ifndef MT6D_NFT_REPLY_H
#define MT6D_NFT_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "nft.h"

/*
 * The reading half of nft.c, without a socket: the kernel's answers to a batch and the
 * reply to a request, taken in from each buffer recv() returned. nft.c feeds every read to
 * them; test/fuzz/fuzz_nft.c feeds its input the same way.
 */

/*
 * The answers to a batch in one read (@len bytes, aligned to NLMSG_ALIGNTO): unless
 * *@first holds an error already, the first error in them goes there as -errno, with the
 * kernel's extended ack text, if any, in @err.
 */
void mt6d_nft_batch_errors(const void *buf, size_t len, int *first, char *err, size_t errlen);

struct mt6d_nft_reply {
	uint32_t seq, portid; /* the request's, and our socket's */
	mt6d_nft_msg_cb cb;
	void *data;
	int ret; /* the callback's error, which ended the reply */
};

void mt6d_nft_reply_init(struct mt6d_nft_reply *r, uint32_t seq, uint32_t portid,
			 mt6d_nft_msg_cb cb, void *data);
/*
 * One read of the reply (@len bytes, aligned to NLMSG_ALIGNTO), each data message passed to
 * the callback: > 0 while more is to be read, 0 once the reply is complete, else -errno
 * (the callback's, the kernel's, or -EBADMSG for a read whose messages do not fit in it).
 */
int mt6d_nft_reply_feed(struct mt6d_nft_reply *r, const void *buf, size_t len)
	__attribute__((warn_unused_result));

#endif

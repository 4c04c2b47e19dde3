/* SPDX-License-Identifier: MIT */
#ifndef MT6D_NFT_H
#define MT6D_NFT_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/*
 * nf_tables over one netlink socket (libmnl): transactions (BEGIN ... END in one
 * sendmsg, applied atomically by the kernel or not at all) and dumps. No logging:
 * callers get -errno and, for transactions, the kernel's extended ack text.
 */
struct mt6d_nft;

int mt6d_nft_open(struct mt6d_nft **out) __attribute__((warn_unused_result));
void mt6d_nft_close(struct mt6d_nft *n);

/*
 * A transaction under construction; messages are appended in order, each with the next
 * sequence number of @n.  Without a socket (@n NULL) the batch numbers its messages from 1:
 * it is built only to be read through mt6d_nft_batch_finish().
 */
struct mt6d_nft_batch;

int mt6d_nft_batch_new(struct mt6d_nft *n, struct mt6d_nft_batch **out)
	__attribute__((warn_unused_result));
void mt6d_nft_batch_free(struct mt6d_nft_batch *b);
/*
 * Room for one more message of at most MT6D_NFT_MSG_ROOM bytes: returns its header, filled
 * with @type, @family and @flags (NLM_F_REQUEST added); NULL when out of memory or the
 * batch is finished. The caller adds the payload; the next call or the finish accounts for
 * its length.
 */
#define MT6D_NFT_MSG_ROOM 65536
struct nlmsghdr *mt6d_nft_batch_msg(struct mt6d_nft_batch *b, uint16_t type, uint16_t family,
				    uint16_t flags);
/* Number of messages in the batch, not counting BEGIN and END. */
size_t mt6d_nft_batch_count(const struct mt6d_nft_batch *b);
/*
 * Closes the batch with END (once; no message can be added after it) and gives its bytes,
 * exactly what the commit sends: BEGIN, the messages, END, each NLMSG_ALIGNed.
 */
int mt6d_nft_batch_finish(struct mt6d_nft_batch *b, const void **buf, size_t *len)
	__attribute__((warn_unused_result));
/*
 * Finishes the batch, sends it and collects the kernel's answers. 0 when applied; otherwise the
 * first -errno, with the extended ack text (if any) in @err.
 */
int mt6d_nft_batch_commit(struct mt6d_nft *n, struct mt6d_nft_batch *b, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * A request answered by data messages: @nlh was built by the caller in mt6d_nft_reqbuf()
 * (NLM_F_DUMP or not). @cb is called for each data message; a negative return stops.
 */
typedef int (*mt6d_nft_msg_cb)(const struct nlmsghdr *nlh, void *data);
char *mt6d_nft_reqbuf(struct mt6d_nft *n);
#define MT6D_NFT_REQBUF_SIZE 4096
int mt6d_nft_request(struct mt6d_nft *n, struct nlmsghdr *nlh, mt6d_nft_msg_cb cb, void *data)
	__attribute__((warn_unused_result));

#endif

// SPDX-License-Identifier: MIT
/*
 * Replies to nf_tables batches and requests, read without a socket (nft_reply.h): the
 * errors of a batch with the kernel's extended ack text, and the data messages of a
 * request's reply, passed to its callback through libmnl's mnl_cb_run().
 */
#include "nft_reply.h"

#include <errno.h>
#include <stdio.h>

#include <libmnl/libmnl.h>

#include "nlmsg.h"

/* The kernel's NLMSGERR_ATTR_MSG, when it sent one; @nlh holds a whole struct nlmsgerr. */
static void ext_ack_text(const struct nlmsghdr *nlh, char *err, size_t errlen)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t room = mnl_nlmsg_get_payload_len(nlh), off = sizeof(*e);
	const struct nlattr *attr;
	const void *tlvs;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/*
	 * The request comes back whole, padded, unless NETLINK_CAP_ACK left only its header.
	 * Its length is the kernel's word, and must fit in the message too.
	 */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(e->msg) ||
		    e->msg.nlmsg_len - sizeof(e->msg) > room - off)
			return;
		off = MNL_ALIGN(off + e->msg.nlmsg_len - sizeof(e->msg));
		if (off > room)
			return;
	}
	tlvs = (const char *)e + off;
	mnl_attr_for_each_payload(tlvs, room - off)
	{
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0) {
			snprintf(err, errlen, "%s", mnl_attr_get_str(attr));
			return;
		}
	}
}

void mt6d_nft_batch_errors(const void *buf, size_t len, int *first, char *err, size_t errlen)
{
	const struct nlmsghdr *nlh = buf;

	for (; mt6d_nlmsg_ok(nlh, len); nlh = mt6d_nlmsg_next(nlh, &len)) {
		const struct nlmsgerr *e;

		if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
			continue;
		e = mnl_nlmsg_get_payload(nlh);
		if (e->error && !*first) {
			*first = mt6d_nlmsg_errno(e->error);
			ext_ack_text(nlh, err, errlen);
		}
	}
}

void mt6d_nft_reply_init(struct mt6d_nft_reply *r, uint32_t seq, uint32_t portid,
			 mt6d_nft_msg_cb cb, void *data)
{
	*r = (struct mt6d_nft_reply){ .seq = seq, .portid = portid, .cb = cb, .data = data };
}

static int reply_data(const struct nlmsghdr *nlh, void *data)
{
	struct mt6d_nft_reply *r = data;
	int ret = r->cb(nlh, r->data);

	if (ret < 0) {
		r->ret = ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int mt6d_nft_reply_feed(struct mt6d_nft_reply *r, const void *buf, size_t len)
{
	int ret;

	if (!mt6d_nlmsg_fits(buf, len))
		return -EBADMSG;
	errno = 0;
	ret = mnl_cb_run(buf, len, r->seq, r->portid, reply_data, r);
	if (r->ret < 0)
		return r->ret;
	/* libmnl puts the kernel's error, negated, in errno. */
	if (ret < 0)
		return errno ? mt6d_nlmsg_errno(errno) : -EIO;
	return ret > 0;
}

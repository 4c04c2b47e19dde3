/* SPDX-License-Identifier: MIT */
#ifndef MT6D_NLMSG_H
#define MT6D_NLMSG_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

/*
 * Reading what the kernel sends on a netlink socket: the messages of one read, their error
 * codes, and their attributes, each checked against a policy before it is read.
 *
 * Walking the messages of one read: libmnl's mnl_nlmsg_ok() before 1.0.5 (Debian
 * 12 ships 1.0.4) casts nlmsg_len to int, so a length above INT_MAX passes for one that
 * fits and mnl_nlmsg_next() then steps far outside the buffer; mnl_cb_run() walks with
 * it too. These compare without the cast.
 */
static inline bool mt6d_nlmsg_ok(const struct nlmsghdr *nlh, size_t len)
{
	return len >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= len;
}

/* The message after @nlh, which mt6d_nlmsg_ok() accepted; *@len is what is left. */
static inline const struct nlmsghdr *mt6d_nlmsg_next(const struct nlmsghdr *nlh, size_t *len)
{
	size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

	/* The last message of a read may lack its padding. */
	if (step > *len)
		step = *len;
	*len -= step;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

/*
 * Whether every message of a read fits in it, as the kernel sends them: what follows the
 * last one is too short to be a header. Only then may mnl_cb_run() walk it.
 */
static inline bool mt6d_nlmsg_fits(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;

	while (mt6d_nlmsg_ok(nlh, len))
		nlh = mt6d_nlmsg_next(nlh, &len);
	return len < sizeof(*nlh);
}

/* The kernel's largest errno (MAX_ERRNO in linux/err.h). */
#define MT6D_NLMSG_ERRNO_MAX 4095

/*
 * The error code of an NLMSG_ERROR or NLMSG_DONE as -errno (0 stays 0). Some subsystems
 * have been seen to send positive errnos; a value no errno can have is a protocol error
 * (-INT_MIN would also overflow in a caller's strerror(-ret)).
 */
static inline int mt6d_nlmsg_errno(int err)
{
	if (err > 0)
		err = -err;
	return err < -MT6D_NLMSG_ERRNO_MAX ? -EPROTO : err;
}

/* What an attribute must be for it to be read. */
struct mt6d_nlattr_policy {
	enum mnl_attr_data_type type; /* MNL_TYPE_UNSPEC: not read, skipped */
	size_t len;		      /* exact payload length, 0: the type's own */
};

/*
 * Collects the attributes of @nlh after its family header of @hdrlen bytes into @tb
 * (@max + 1 entries, cleared first), each one checked against @policy[its type]: one not
 * read or newer than @max is skipped, one of the wrong type or size makes the message
 * bad. -EBADMSG then, or when the message is too short for its family header. Only what
 * lies within nlmsg_len is read.
 */
int mt6d_nlattr_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		      const struct mt6d_nlattr_policy *policy, uint16_t max,
		      const struct nlattr **tb) __attribute__((warn_unused_result));
/* The same for the attributes nested in @nest. */
int mt6d_nlattr_parse_nested(const struct nlattr *nest, const struct mt6d_nlattr_policy *policy,
			     uint16_t max, const struct nlattr **tb)
	__attribute__((warn_unused_result));

#endif

// SPDX-License-Identifier: MIT
/* Netlink attributes read against a policy; see nlmsg.h. */
#include "nlmsg.h"

#include <string.h>

struct collect {
	const struct mt6d_nlattr_policy *policy;
	uint16_t max;
	const struct nlattr **tb;
};

static int collect(const struct nlattr *attr, void *data)
{
	const struct collect *c = data;
	uint16_t type = mnl_attr_get_type(attr);
	const struct mt6d_nlattr_policy *p;
	int ret;

	/* Attributes newer than our headers are skipped, not fatal. */
	if (mnl_attr_type_valid(attr, c->max) < 0)
		return MNL_CB_OK;
	p = &c->policy[type];
	if (p->type == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (p->len)
		ret = mnl_attr_validate2(attr, p->type, p->len);
	else
		ret = mnl_attr_validate(attr, p->type);
	if (ret < 0)
		return MNL_CB_ERROR;
	c->tb[type] = attr;
	return MNL_CB_OK;
}

int mt6d_nlattr_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		      const struct mt6d_nlattr_policy *policy, uint16_t max,
		      const struct nlattr **tb)
{
	struct collect c = { .policy = policy, .max = max, .tb = tb };

	const size_t len = mnl_nlmsg_get_payload_len(nlh), off = MNL_ALIGN(hdrlen);

	memset(tb, 0, (max + 1u) * sizeof(*tb));
	/*
	 * The attributes end where nlmsg_len says, as the kernel's nlmsg_parse() reads them:
	 * libmnl's mnl_attr_parse() lets the last one run on to the aligned length, past the
	 * end of a read that ends with the message (found by test/fuzz/fuzz_rtnl).
	 */
	if (len < off || mnl_attr_parse_payload((const char *)mnl_nlmsg_get_payload(nlh) + off,
						len - off, collect, &c) < 0)
		return -EBADMSG;
	return 0;
}

int mt6d_nlattr_parse_nested(const struct nlattr *nest, const struct mt6d_nlattr_policy *policy,
			     uint16_t max, const struct nlattr **tb)
{
	struct collect c = { .policy = policy, .max = max, .tb = tb };

	memset(tb, 0, (max + 1u) * sizeof(*tb));
	return mnl_attr_parse_nested(nest, collect, &c) < 0 ? -EBADMSG : 0;
}

// SPDX-License-Identifier: MIT
/*
 * The guard table's dumps read back: the table's handle, and the elements of a set. Read
 * with libmnl, every attribute checked against what nf_tables sends before it is read:
 * libnftnl's parsers exit the process on an attribute of the wrong size ("nf_tables kernel
 * ABI is broken"), which must not take a daemon down. See guard_reply.h.
 */
#include "guard_reply.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nlmsg.h"

/* clang-format off */
static const struct mt6d_nlattr_policy table_policy[NFTA_TABLE_MAX + 1] = {
	[NFTA_TABLE_HANDLE]	= { MNL_TYPE_U64, 0 },
};

static const struct mt6d_nlattr_policy list_policy[NFTA_SET_ELEM_LIST_MAX + 1] = {
	[NFTA_SET_ELEM_LIST_ELEMENTS]	= { MNL_TYPE_NESTED, 0 },
};

static const struct mt6d_nlattr_policy elem_policy[NFTA_SET_ELEM_MAX + 1] = {
	[NFTA_SET_ELEM_KEY]		= { MNL_TYPE_NESTED, 0 },
	[NFTA_SET_ELEM_TIMEOUT]		= { MNL_TYPE_U64, 0 },
	[NFTA_SET_ELEM_EXPIRATION]	= { MNL_TYPE_U64, 0 },
};

/* The guard's sets hold IPv6 addresses or port keys; any other key is not one of ours. */
static const struct mt6d_nlattr_policy data_policy[NFTA_DATA_MAX + 1] = {
	[NFTA_DATA_VALUE]	= { MNL_TYPE_BINARY, 0 },
};
/* clang-format on */

int guard_reply_handle(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_TABLE_MAX + 1];
	uint64_t *handle = data;

	if (mt6d_nlattr_parse(nlh, sizeof(struct nfgenmsg), table_policy, NFTA_TABLE_MAX, tb) < 0)
		return -EBADMSG;
	*handle = tb[NFTA_TABLE_HANDLE] ? be64toh(mnl_attr_get_u64(tb[NFTA_TABLE_HANDLE])) : 0;
	return 0;
}

static uint64_t u64_or_0(const struct nlattr *attr)
{
	return attr ? be64toh(mnl_attr_get_u64(attr)) : 0;
}

/* One element of the list: counted, and stored while there is room, when its key is one. */
static int elem(const struct nlattr *nest, struct guard_reply_elems *d)
{
	const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1], *key[NFTA_DATA_MAX + 1];
	struct guard_elem *ge;

	if (mt6d_nlattr_parse_nested(nest, elem_policy, NFTA_SET_ELEM_MAX, tb) < 0 ||
	    (tb[NFTA_SET_ELEM_KEY] &&
	     mt6d_nlattr_parse_nested(tb[NFTA_SET_ELEM_KEY], data_policy, NFTA_DATA_MAX, key) < 0))
		return -EBADMSG;
	if (!tb[NFTA_SET_ELEM_KEY] || !key[NFTA_DATA_VALUE] ||
	    mnl_attr_get_payload_len(key[NFTA_DATA_VALUE]) != d->key_len ||
	    d->key_len > sizeof(ge->addr))
		return 0;
	if (d->n < d->max) {
		ge = &d->out[d->n];
		*ge = (struct guard_elem){ 0 };
		memcpy(&ge->addr, mnl_attr_get_payload(key[NFTA_DATA_VALUE]), d->key_len);
		ge->timeout_ms = u64_or_0(tb[NFTA_SET_ELEM_TIMEOUT]);
		ge->expires_ms = u64_or_0(tb[NFTA_SET_ELEM_EXPIRATION]);
	}
	d->n++;
	return 0;
}

int guard_reply_elems(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1], *attr;
	int ret;

	if (mt6d_nlattr_parse(nlh, sizeof(struct nfgenmsg), list_policy, NFTA_SET_ELEM_LIST_MAX,
			      tb) < 0)
		return -EBADMSG;
	if (!tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		return 0;
	mnl_attr_for_each_nested(attr, tb[NFTA_SET_ELEM_LIST_ELEMENTS])
	{
		if (mnl_attr_get_type(attr) != NFTA_LIST_ELEM ||
		    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return -EBADMSG;
		ret = elem(attr, data);
		if (ret < 0)
			return ret;
	}
	return 0;
}

// SPDX-License-Identifier: MIT
#include "nftctr.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libnftnl/object.h>

#include "nlmsg.h"

/* clang-format off */
static const struct mt6d_nlattr_policy obj_policy[NFTA_OBJ_MAX + 1] = {
	[NFTA_OBJ_TYPE]	= { MNL_TYPE_U32, 0 },
	[NFTA_OBJ_DATA]	= { MNL_TYPE_NESTED, 0 },
};

static const struct mt6d_nlattr_policy counter_policy[NFTA_COUNTER_MAX + 1] = {
	[NFTA_COUNTER_PACKETS]	= { MNL_TYPE_U64, 0 },
};
/* clang-format on */

/*
 * Read with libmnl, each attribute checked first: libnftnl's nftnl_obj_nlmsg_parse() exits
 * the process on an attribute of the wrong size ("nf_tables kernel ABI is broken") and
 * reads NFTA_OBJ_TYPE without checking it.
 */
int mt6d_nftctr_parse(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_OBJ_MAX + 1], *ctr[NFTA_COUNTER_MAX + 1];
	uint64_t *pkts = data;

	if (mt6d_nlattr_parse(nlh, sizeof(struct nfgenmsg), obj_policy, NFTA_OBJ_MAX, tb) < 0)
		return -EBADMSG;
	/* Another type of object has no packet count. */
	*pkts = 0;
	if (!tb[NFTA_OBJ_TYPE] ||
	    ntohl(mnl_attr_get_u32(tb[NFTA_OBJ_TYPE])) != NFT_OBJECT_COUNTER || !tb[NFTA_OBJ_DATA])
		return 0;
	if (mt6d_nlattr_parse_nested(tb[NFTA_OBJ_DATA], counter_policy, NFTA_COUNTER_MAX, ctr) < 0)
		return -EBADMSG;
	if (ctr[NFTA_COUNTER_PACKETS])
		*pkts = be64toh(mnl_attr_get_u64(ctr[NFTA_COUNTER_PACKETS]));
	return 0;
}

int mt6d_nftctr_read(struct mt6d_nft *n, const char *table, const char *name, uint64_t *pkts)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nlmsghdr *nlh;

	if (!o)
		return -ENOMEM;
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nlh = nftnl_nlmsg_build_hdr(mt6d_nft_reqbuf(n), NFT_MSG_GETOBJ, NFPROTO_IPV6, 0, 0);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	nftnl_obj_free(o);
	return mt6d_nft_request(n, nlh, mt6d_nftctr_parse, pkts);
}

int mt6d_nftctr_read_guard(struct mt6d_nft *n, const char *table, struct mt6d_guard_counters *c)
{
	int ret = mt6d_nftctr_read(n, table, MT6D_GUARD_CTR_DROPPED, &c->dropped);

	return ret < 0 ? ret : mt6d_nftctr_read(n, table, MT6D_GUARD_CTR_TRIPWIRE, &c->tripwire);
}

// SPDX-License-Identifier: MIT
#include "nftctr.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/object.h>

static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	int ret;

	if (!o)
		return -ENOMEM;
	ret = nftnl_obj_nlmsg_parse(nlh, o) < 0 ? -EINVAL : 0;
	if (!ret)
		*(uint64_t *)data = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
	nftnl_obj_free(o);
	return ret;
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
	return mt6d_nft_request(n, nlh, obj_cb, pkts);
}

int mt6d_nftctr_read_guard(struct mt6d_nft *n, const char *table, struct mt6d_guard_counters *c)
{
	int ret = mt6d_nftctr_read(n, table, MT6D_GUARD_CTR_DROPPED, &c->dropped);

	return ret < 0 ? ret : mt6d_nftctr_read(n, table, MT6D_GUARD_CTR_TRIPWIRE, &c->tripwire);
}

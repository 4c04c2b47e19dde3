// SPDX-License-Identifier: MIT
/* The kill switch's table: built whole in one transaction, or removed. See killswitch.h. */
#include "guard_killswitch.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>

#include "guard_expr.h"
#include "guard_rules.h"
#include "nftctr.h"

#define KILLSWITCH_TABLE_MAX (MT6D_NAME_MAX + sizeof(MT6D_GUARD_TABLE_PREFIX))

static int table_name(char *buf, const char *name)
{
	int n = snprintf(buf, KILLSWITCH_TABLE_MAX, MT6D_GUARD_TABLE_PREFIX "%s", name);

	return n < 0 || (size_t)n >= KILLSWITCH_TABLE_MAX ? -ENAMETOOLONG : 0;
}

int guard_killswitch_build(struct mt6d_nft_batch *b, const struct guard_killswitch_params *p)
{
	char table[KILLSWITCH_TABLE_MAX];
	int ret = table_name(table, p->name);

	/* "add table; delete table; add table ...": replaces whatever was there, atomically. */
	if (!ret)
		ret = guard_expr_table(b, table, NFPROTO_INET, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	if (!ret)
		ret = guard_expr_table(b, table, NFPROTO_INET, NFT_MSG_DELTABLE, 0);
	if (!ret)
		ret = guard_expr_table(b, table, NFPROTO_INET, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	if (!ret)
		ret = guard_expr_counter_obj(b, table, NFPROTO_INET, KILLSWITCH_CTR, 0);
	if (!ret)
		ret = guard_rules_killswitch(b, table, p);
	return ret;
}

/* One transaction on a socket of its own: @build appends to it. */
static int commit(int (*build)(struct mt6d_nft_batch *, const void *), const void *arg, char *err,
		  size_t errlen)
{
	struct mt6d_nft_batch *b = NULL;
	struct mt6d_nft *n;
	int ret = mt6d_nft_open(&n);

	if (ret < 0)
		return ret;
	ret = mt6d_nft_batch_new(n, &b);
	if (!ret)
		ret = build(b, arg);
	if (!ret)
		ret = mt6d_nft_batch_commit(n, b, err, errlen);
	mt6d_nft_batch_free(b);
	mt6d_nft_close(n);
	return ret;
}

static int build_install(struct mt6d_nft_batch *b, const void *arg)
{
	return guard_killswitch_build(b, arg);
}

static int build_remove(struct mt6d_nft_batch *b, const void *arg)
{
	return guard_expr_table(b, arg, NFPROTO_INET, NFT_MSG_DELTABLE, 0);
}

int guard_killswitch_install(const struct guard_killswitch_params *p, char *err, size_t errlen)
{
	*err = 0;
	return commit(build_install, p, err, errlen);
}

int guard_killswitch_remove(const char *name, char *err, size_t errlen)
{
	char table[KILLSWITCH_TABLE_MAX];
	int ret = table_name(table, name);

	*err = 0;
	if (!ret)
		ret = commit(build_remove, table, err, errlen);
	if (ret == -ENOENT)
		return 0;
	return ret < 0 ? ret : 1;
}

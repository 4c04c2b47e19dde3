/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_REPLY_H
#define MT6D_GUARD_REPLY_H

#include <stddef.h>

#include <linux/netlink.h>

#include "guard_table.h"

/*
 * The callbacks guard_table.c passes to mt6d_nft_request() for its dumps, each taking one
 * data message of the kernel's reply (test/fuzz/fuzz_nft.c feeds them too). Both return 0,
 * or -EBADMSG when an attribute is not what nf_tables sends.
 */

/* NFT_MSG_NEWTABLE: the table's handle into *(uint64_t *)@handle (0 when it has none). */
int guard_reply_handle(const struct nlmsghdr *nlh, void *handle);

/*
 * NFT_MSG_NEWSETELEM: each element whose key is @key_len bytes long (an IPv6 address, or a
 * port key: guard_set_key_len()) counted in @n, the first @max stored in @out.
 */
struct guard_reply_elems {
	struct guard_elem *out;
	size_t max, n, key_len;
};

int guard_reply_elems(const struct nlmsghdr *nlh, void *elems);

#endif

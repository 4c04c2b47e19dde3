/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_KILLSWITCH_H
#define MT6D_GUARD_KILLSWITCH_H

#include <stddef.h>

#include "config.h"
#include "nft.h"

/*
 * The kill switch of tunnel NAME: the nftables table "inet mt6d-NAME" (the guard's name,
 * another family), with chains at forward and output that let nothing for [peer] routes
 * leave but through the TUN device, and nothing from them, nor an ICMPv6 error quoting
 * them, leave by the uplink; every drop counts on the counter "killswitch". See
 * guard_rules.c.
 *
 * Its life is the configuration's, not a daemon's: traffic must not leave in clear while
 * the tunnel or mt6d-addrmgr is down, killed or stopped. mt6d-addrmgr installs it when it
 * starts with the guard enabled and removes it when it starts with the guard disabled;
 * nothing else removes it. It holds no state, so it is rebuilt whole each time.
 */
#define KILLSWITCH_CTR "killswitch"

struct guard_killswitch_params {
	const char *name;    /* tunnel name */
	const char *tun_dev; /* the only way out for traffic to the peer's routes */
	/* The hostile side: nothing of the peer's routes leaves by any of them. */
	const char *uplinks[MT6D_MAX_UPLINKS];
	size_t n_uplinks;
	const struct mt6d_prefix *routes;
	size_t n_routes;
};

/* Appends the whole table (replacing one of that name) to a transaction; 0 or -errno. */
int guard_killswitch_build(struct mt6d_nft_batch *b, const struct guard_killswitch_params *p)
	__attribute__((warn_unused_result));
/* Builds the table in one transaction; -errno with the kernel's text in @err. */
int guard_killswitch_install(const struct guard_killswitch_params *p, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Removes the table of tunnel @name: 1 when it was there, 0 when not, or -errno. */
int guard_killswitch_remove(const char *name, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif

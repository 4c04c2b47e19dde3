/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_PROBE_H
#define MT6D_GUARD_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "guard_table.h"

/*
 * Which nf_tables features the guard table (guard_table.c, guard_rules.c) needs that the
 * running kernel refuses. Each feature is tried on its own in a throwaway table,
 * "mt6d.probe.PID.N" (no guard table name starts so; created with NLM_F_EXCL, so no
 * other table is ever touched), created and deleted in the same transaction: nothing is
 * left behind, whatever the answer. Last, the guard's own rules are tried whole in such a
 * table, so a kind missing from this list still shows. The kernel loads a module on
 * demand while it handles the transaction, as it would for the guard itself.
 *
 * The module named for each feature is the one that provides it in Debian's Linux 6.1:
 * everything but fib (nft_fib_ipv6 for the ip6 family) and objref (nft_objref) is built
 * into nf_tables there.
 */
#define GUARD_PROBE_MAX 20

struct guard_probe_item {
	const char *name;   /* one word, for --check: "fib", "exthdr-sctp" */
	const char *noun;   /* what the kernel lacks: "nf_tables expression \"fib\"" */
	const char *module; /* the module that provides it; NULL: the whole rule set */
	const char *use;    /* what the guard uses it for */
	bool needed;	    /* by this configuration's guard (fib: interface mode only) */
	bool tried;	    /* false: not tried (nf_tables itself failed) */
	int err;	    /* 0: the kernel took it; -errno otherwise */
	char detail[128];   /* the kernel's extended ack text, if any */
};

struct guard_probe {
	size_t n;
	struct guard_probe_item item[GUARD_PROBE_MAX];
};

/* The list for a guard with @p (anyip, kill switch), nothing tried yet. */
void guard_probe_init(struct guard_probe *pr, const struct guard_table_params *p);

/*
 * Tries every item. Returns 0 with the verdicts in @pr, or -errno when nothing could be
 * tried: -EPERM without CAP_NET_ADMIN, or the netlink socket's error.
 */
int guard_probe_run(struct guard_probe *pr, const struct guard_table_params *p)
	__attribute__((warn_unused_result));

/* The kernel refused @it because it lacks the feature (not for another reason). */
bool guard_probe_lacks(const struct guard_probe_item *it);
/* The items a configuration needs that the kernel refused. */
size_t guard_probe_failed(const struct guard_probe *pr);

/*
 * One sentence naming what failed, e.g. 'the kernel lacks nf_tables expression "fib"
 * (module nft_fib_ipv6)'; "" when nothing needed failed. Returns the number of items named.
 */
size_t guard_probe_reason(const struct guard_probe *pr, char *buf, size_t len);

/* One line for --check, without newline: "ok    fib           ..." or "FAIL  fib ...". */
void guard_probe_line(const struct guard_probe_item *it, char *buf, size_t len);

#endif

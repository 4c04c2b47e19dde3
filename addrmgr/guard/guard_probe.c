// SPDX-License-Identifier: MIT
/*
 * The guard's nf_tables features, one transaction each (see guard_probe.h):
 *
 *   add table ip6 mt6d.probe.PID.N (NLM_F_EXCL)
 *   ... the sets and counters the feature needs, a base chain, one rule using it ...
 *   delete table ip6 mt6d.probe.PID.N
 *
 * The kernel checks every expression when the rule is added, loading its module on demand
 * (it replays the transaction after the load); a kind it still does not know ends the
 * transaction with ENOENT (EOPNOTSUPP for an exthdr operation it lacks), and nothing of it
 * is applied. A transaction that succeeds adds the table and deletes it at once: the
 * rules are never active.
 */
#include "guard_probe.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "guard_probe_feat.h"
#include "nft.h"

#define PROBE_TABLE_FMT "mt6d.probe.%ld.%u"

enum { NEED_ALWAYS, NEED_INTERFACE };

static const struct probe_kind {
	const char *name, *noun, *module, *use;
	int need;
	probe_fn fn;
} kinds[] = {
	{ "nf_tables", "nf_tables itself (tables, base chains)", "nf_tables",
	  "the guard's table and chains", NEED_ALWAYS, try_base },
	{ "sets", "nf_tables sets with timeouts", "nf_tables",
	  "sets local, peer, retired, evidence, ports, retired-ports", NEED_ALWAYS, try_sets },
	{ "counter", "nf_tables named counter objects", "nf_tables",
	  "counters dropped and tripwire", NEED_ALWAYS, try_counter },
	{ "payload", "nf_tables expression \"payload\"", "nf_tables",
	  "addresses, SCTP ports, ICMPv6 type", NEED_ALWAYS, try_payload },
	{ "cmp", "nf_tables expression \"cmp\"", "nf_tables", "comparisons", NEED_ALWAYS, try_cmp },
	{ "bitwise", "nf_tables expression \"bitwise\"", "nf_tables", "prefix matches", NEED_ALWAYS,
	  try_bitwise },
	{ "range", "nf_tables expression \"range\"", "nf_tables", "ICMPv6 types 1-4 and 133-137",
	  NEED_ALWAYS, try_range },
	{ "meta", "nf_tables expression \"meta\"", "nf_tables",
	  "meta l4proto, kill switch's oifname", NEED_ALWAYS, try_meta },
	{ "lookup", "nf_tables expression \"lookup\"", "nf_tables",
	  "@local, @peer, @retired, sctp sport . sctp dport @ports", NEED_ALWAYS, try_lookup },
	{ "dynset", "nf_tables expression \"dynset\"", "nf_tables", "update @evidence", NEED_ALWAYS,
	  try_dynset },
	{ "exthdr-sctp", "nf_tables expression \"exthdr\" for SCTP chunks", "nf_tables",
	  "sctp chunk data/heartbeat exists", NEED_ALWAYS, try_exthdr_sctp },
	{ "exthdr-frag", "nf_tables expression \"exthdr\" for IPv6 extension headers", "nf_tables",
	  "exthdr frag exists", NEED_ALWAYS, try_exthdr_frag },
	{ "fib", "nf_tables expression \"fib\"", "nft_fib_ipv6", "fib daddr type (interface mode)",
	  NEED_INTERFACE, try_fib },
	{ "objref", "nf_tables expression \"objref\"", "nft_objref",
	  "counter name dropped/tripwire", NEED_ALWAYS, try_objref },
	{ "immediate", "nf_tables expression \"immediate\"", "nf_tables",
	  "accept and drop verdicts", NEED_ALWAYS, try_immediate },
	/* Last: tried only when everything else the configuration needs passed. */
	{ "rules", "the guard's rules as a whole", NULL, "the guard's table as installed",
	  NEED_ALWAYS, try_rules },
};

_Static_assert(sizeof(kinds) / sizeof(kinds[0]) <= GUARD_PROBE_MAX, "GUARD_PROBE_MAX");

void guard_probe_init(struct guard_probe *pr, const struct guard_table_params *p)
{
	memset(pr, 0, sizeof(*pr));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct probe_kind *k = &kinds[i];
		struct guard_probe_item *it = &pr->item[pr->n++];

		*it = (struct guard_probe_item){
			.name = k->name, .noun = k->noun, .module = k->module, .use = k->use
		};
		it->needed = k->need == NEED_ALWAYS || !p->anyip;
	}
}

/* One transaction: the table (only if no such table exists), @fn's part, its deletion. */
static int try_one(struct mt6d_nft *nft, const struct guard_table_params *p, probe_fn fn,
		   char *detail, size_t len)
{
	static unsigned int seq;
	char table[64];
	int ret;

	for (int attempt = 0; attempt < 8; attempt++) {
		struct pb pb = { .table = table, .p = p };

		snprintf(table, sizeof(table), PROBE_TABLE_FMT, (long)getpid(), ++seq);
		ret = mt6d_nft_batch_new(nft, &pb.b);
		if (ret < 0)
			return ret;
		probe_table_msg(&pb, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
		fn(&pb);
		probe_table_msg(&pb, NFT_MSG_DELTABLE, 0);
		ret = pb.err ? pb.err : mt6d_nft_batch_commit(nft, pb.b, detail, len);
		mt6d_nft_batch_free(pb.b);
		/* Someone's table of that very name: leave it, take the next name. */
		if (ret != -EEXIST)
			return ret;
	}
	return ret;
}

int guard_probe_run(struct guard_probe *pr, const struct guard_table_params *p)
{
	struct mt6d_nft *nft;
	int ret;

	guard_probe_init(pr, p);
	ret = mt6d_nft_open(&nft);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < pr->n; i++) {
		struct guard_probe_item *it = &pr->item[i];

		if (kinds[i].fn == try_rules && guard_probe_failed(pr)) {
			snprintf(it->detail, sizeof(it->detail), "a feature above is missing");
			continue;
		}
		it->err = try_one(nft, p, kinds[i].fn, it->detail, sizeof(it->detail));
		it->tried = true;
		/* Not allowed to try: nothing to say about the kernel. */
		if (i == 0 && it->err == -EPERM) {
			ret = -EPERM;
			break;
		}
		/* No tables at all: the rest cannot be tried. */
		if (i == 0 && it->err) {
			for (size_t j = 1; j < pr->n; j++)
				snprintf(pr->item[j].detail, sizeof(pr->item[j].detail),
					 "nf_tables itself failed");
			break;
		}
	}
	mt6d_nft_close(nft);
	return ret;
}

bool guard_probe_lacks(const struct guard_probe_item *it)
{
	return it->tried && it->module && (it->err == -ENOENT || it->err == -EOPNOTSUPP);
}

static bool failed(const struct guard_probe_item *it)
{
	return it->needed && it->tried && it->err;
}

size_t guard_probe_failed(const struct guard_probe *pr)
{
	size_t n = 0;

	for (size_t i = 0; i < pr->n; i++)
		n += failed(&pr->item[i]);
	return n;
}

/* Appends to @buf at *@off, never past @len, always terminated. */
static void put(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n < len - *off ? (size_t)n : len - *off - 1;
}

size_t guard_probe_reason(const struct guard_probe *pr, char *buf, size_t len)
{
	size_t off = 0, lacks = 0, other = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < pr->n; i++) {
		const struct guard_probe_item *it = &pr->item[i];

		if (!failed(it) || !guard_probe_lacks(it))
			continue;
		put(buf, len, &off, "%s%s (module %s)", lacks ? ", " : "the kernel lacks ",
		    it->noun, it->module);
		lacks++;
	}
	for (size_t i = 0; i < pr->n; i++) {
		const struct guard_probe_item *it = &pr->item[i];

		if (!failed(it) || guard_probe_lacks(it))
			continue;
		put(buf, len, &off, "%sthe kernel refuses %s: %s", lacks || other ? "; " : "",
		    it->noun, strerror(-it->err));
		if (it->detail[0])
			put(buf, len, &off, " (%s)", it->detail);
		other++;
	}
	return lacks + other;
}

void guard_probe_line(const struct guard_probe_item *it, char *buf, size_t len)
{
	if (!it->tried)
		snprintf(buf, len, "%-5s %-13s not tried: %s", "-", it->name, it->detail);
	else if (!it->err)
		snprintf(buf, len, "%-5s %-13s %s", "ok", it->name, it->use);
	else if (guard_probe_lacks(it))
		snprintf(buf, len, "%-5s %-13s missing: the kernel lacks %s (module %s)%s",
			 it->needed ? "FAIL" : "WARN", it->name, it->noun, it->module,
			 it->needed ? "" : "; not used by this configuration");
	else
		snprintf(buf, len, "%-5s %-13s refused: %s%s%s%s", it->needed ? "FAIL" : "WARN",
			 it->name, strerror(-it->err), it->detail[0] ? " (" : "", it->detail,
			 it->detail[0] ? ")" : "");
}

// SPDX-License-Identifier: MIT
/*
 * The pure parts of failing closed: whether a pass may add addresses, what a clean stop
 * takes away, logging once per change, the probe's pace, and the probe's verdicts as the
 * log line and the --check lines put them (no kernel: the verdicts are set by hand).
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "failclosed.h"
#include "guard_probe.h"

static struct guard_probe_item *item(struct guard_probe *pr, const char *name)
{
	for (size_t i = 0; i < pr->n; i++)
		if (!strcmp(pr->item[i].name, name))
			return &pr->item[i];
	return NULL;
}

/* A probe of a guard with @anyip, every item tried and accepted. */
static void all_ok(struct guard_probe *pr, bool anyip)
{
	struct guard_table_params p = { .anyip = anyip };

	guard_probe_init(pr, &p);
	for (size_t i = 0; i < pr->n; i++)
		pr->item[i].tried = true;
}

static void test_decisions(void)
{
	CHECK(failclosed_decide(false, false) == FAILCLOSED_RUN, "guard off: the whole pass");
	CHECK(failclosed_decide(true, true) == FAILCLOSED_RUN, "table in place: the whole pass");
	CHECK(failclosed_decide(true, false) == FAILCLOSED_WITHDRAW,
	      "guard on, no table: withdraw, add nothing");

	CHECK(!failclosed_stop_withdraws(true), "tunnel runs: addresses stay");
	CHECK(failclosed_stop_withdraws(false), "no tunnel: addresses go");
	CHECK(!failclosed_stop_removes_table(true, true), "tunnel runs: the table stays");
	CHECK(!failclosed_stop_removes_table(false, false),
	      "an address could not be removed: the table stays");
	CHECK(failclosed_stop_removes_table(false, true), "all gone: then the table");
}

static void test_note(void)
{
	struct failclosed fc = { 0 };

	CHECK(failclosed_note(&fc, "no fib") && fc.closed, "first failure: logged, closed");
	CHECK(!failclosed_note(&fc, "no fib"), "the same failure again: not logged");
	CHECK(!strcmp(fc.why, "no fib"), "why kept: '%s'", fc.why);
	CHECK(failclosed_note(&fc, "no objref"), "another reason: logged");
	CHECK(failclosed_note(&fc, NULL) && !fc.closed && !fc.why[0], "installed: logged, open");
	CHECK(!failclosed_note(&fc, NULL), "installed again: not logged");
	CHECK(failclosed_note(&fc, "no fib"), "failing again after it worked: logged");
}

static void test_probe_due(void)
{
	struct failclosed fc = { 0 };

	CHECK(failclosed_probe_due(&fc, -ENOENT, 1000), "open: the first failure probes");
	fc.closed = true;
	fc.err = -ENOENT;
	fc.probe_ms = 1000;
	CHECK(!failclosed_probe_due(&fc, -ENOENT, 1250), "same error a tick later: no probe");
	CHECK(failclosed_probe_due(&fc, -EPERM, 1250), "another error: probe");
	CHECK(failclosed_probe_due(&fc, -ENOENT, 1000 + FAILCLOSED_PROBE_MS),
	      "same error after FAILCLOSED_PROBE_MS: probe again");
}

static void test_probe_text(void)
{
	static struct guard_probe pr;
	char buf[512], line[256];
	size_t n;

	all_ok(&pr, false);
	CHECK(pr.n >= 15, "the list covers the guard's features (%zu)", pr.n);
	for (const char *const *k =
		     (const char *const[]){ "payload", "cmp", "range", "meta", "lookup", "dynset",
					    "exthdr-sctp", "exthdr-frag", "fib", "objref",
					    "immediate", "sets", "counter", "bitwise", NULL };
	     *k; k++)
		CHECK(item(&pr, *k) != NULL, "'%s' is probed", *k);
	CHECK(guard_probe_failed(&pr) == 0, "all ok: nothing failed");
	CHECK(guard_probe_reason(&pr, buf, sizeof(buf)) == 0 && !buf[0], "all ok: no reason");

	item(&pr, "fib")->err = -ENOENT;
	n = guard_probe_reason(&pr, buf, sizeof(buf));
	CHECK(n == 1 && !strcmp(buf, "the kernel lacks nf_tables expression \"fib\" "
				     "(module nft_fib_ipv6)"),
	      "fib missing: '%s'", buf);
	guard_probe_line(item(&pr, "fib"), line, sizeof(line));
	CHECK(!strncmp(line, "FAIL  fib ", 10) && strstr(line, "(module nft_fib_ipv6)"),
	      "fib line: '%s'", line);
	guard_probe_line(item(&pr, "payload"), line, sizeof(line));
	CHECK(!strncmp(line, "ok    payload ", 14), "payload line: '%s'", line);

	item(&pr, "objref")->err = -ENOENT;
	n = guard_probe_reason(&pr, buf, sizeof(buf));
	CHECK(n == 2 && !strcmp(buf, "the kernel lacks nf_tables expression \"fib\" (module "
				     "nft_fib_ipv6), nf_tables expression \"objref\" (module "
				     "nft_objref)"),
	      "fib and objref missing: '%s'", buf);

	/* anyip: fib is not used; missing it fails nothing. */
	all_ok(&pr, true);
	item(&pr, "fib")->err = -ENOENT;
	CHECK(guard_probe_failed(&pr) == 0, "anyip: a missing fib fails nothing");
	guard_probe_line(item(&pr, "fib"), line, sizeof(line));
	CHECK(!strncmp(line, "WARN  fib ", 10) && strstr(line, "not used"), "anyip fib line: '%s'",
	      line);

	/* An exthdr operation the kernel does not know comes back as EOPNOTSUPP. */
	all_ok(&pr, false);
	item(&pr, "exthdr-sctp")->err = -EOPNOTSUPP;
	guard_probe_reason(&pr, buf, sizeof(buf));
	CHECK(strstr(buf, "lacks nf_tables expression \"exthdr\" for SCTP chunks (module "
			  "nf_tables)") != NULL,
	      "exthdr sctp: '%s'", buf);

	/* The rule set refused although every feature passed: said, without a module. */
	all_ok(&pr, false);
	item(&pr, "rules")->err = -EINVAL;
	snprintf(item(&pr, "rules")->detail, sizeof(item(&pr, "rules")->detail), "bad thing");
	guard_probe_reason(&pr, buf, sizeof(buf));
	CHECK(!strcmp(buf, "the kernel refuses the guard's rules as a whole: Invalid argument "
			   "(bad thing)"),
	      "rules refused: '%s'", buf);

	/* A refusal for another reason is not "lacks". */
	all_ok(&pr, false);
	item(&pr, "dynset")->err = -EPERM;
	CHECK(!guard_probe_lacks(item(&pr, "dynset")), "EPERM is not a missing feature");
	guard_probe_line(item(&pr, "dynset"), line, sizeof(line));
	CHECK(strstr(line, "refused: Operation not permitted") != NULL, "dynset line: '%s'", line);

	/* Not tried: not counted, said so. */
	all_ok(&pr, false);
	item(&pr, "fib")->tried = false;
	item(&pr, "fib")->err = -ENOENT;
	CHECK(guard_probe_failed(&pr) == 0, "an item not tried is not a failure");

	/* A short buffer is cut, never overrun, always terminated. */
	all_ok(&pr, false);
	item(&pr, "fib")->err = -ENOENT;
	memset(buf, 'x', sizeof(buf));
	guard_probe_reason(&pr, buf, 20);
	CHECK(strlen(buf) == 19 && buf[20] == 'x', "cut at 19: '%s'", buf);
}

int main(void)
{
	test_decisions();
	test_note();
	test_probe_due();
	test_probe_text();
	return check_done();
}

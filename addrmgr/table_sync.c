// SPDX-License-Identifier: MIT
#include "table_sync.h"

#include <string.h>

#include "assoc_sync.h"
#include "log.h"

/* Logs a guard error when it changes, not every tick. @op: 0 update, 1 evidence. */
static void guard_result(const struct table_sync *t, int op, int ret, const char *err)
{
	static const char *const what[] = { "update", "reading the evidence" };

	if (ret >= 0) {
		if (t->logged[op])
			log_info("guard table: %s works again", what[op]);
		t->logged[op] = 0;
		return;
	}
	t->stats->failures++;
	if (ret != t->logged[op])
		log_warnx("guard table: %s: %s%s%s", what[op], strerror(-ret), *err ? ": " : "",
			  err);
	t->logged[op] = ret;
}

void table_sync_evidence(const struct table_sync *t)
{
	guard_result(t, 1, guard_read_evidence(t->guard, t->plans), "");
}

void table_sync_update(const struct table_sync *t, time_t now, const struct in6_addr *extra,
		       size_t nextra, const struct guard_live *live)
{
	char err[256] = "";
	int ret;

	ret = guard_update(t->guard, t->plans, now, extra, nextra, live, err, sizeof(err));
	guard_result(t, 0, ret, err);
}

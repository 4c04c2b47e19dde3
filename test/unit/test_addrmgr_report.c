// SPDX-License-Identifier: MIT
/* mt6d-addrmgr's status: the first text line and the JSON fields are a documented interface. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "memshow.h"
#include "report.h"

static char *render(const struct addrmgr_report *r, bool json)
{
	struct memshow m;

	addrmgr_report_show(memshow_begin(&m, json), r);
	return memshow_end(&m);
}

static char *first_line(char *text)
{
	char *nl = strchr(text, '\n');

	if (nl)
		*nl = '\0';
	return text;
}

int main(void)
{
	struct plan plan = { .current = 100, .n = 2 };
	struct plan_params pp = { .uplink = NULL };
	struct addrmgr_stats stats = { .rotations = 7, .failures = 2, .retired = 5 };
	struct in6_addr former;
	struct addrmgr_report r = {
		.plans = { .n = 1, .plan = { &plan }, .pp = { &pp } },
		.uplinks = { { .interface = "eth0",
			       .path = ADDRMGR_PATH_LIVE,
			       .rtt_ms = 12,
			       .primary = true } },
		.stats = &stats,
		.interval = 10,
		.attached = true,
		.now = 1005,
	};
	const char *json_head = "{\"slot\":100,\"interval\":10,\"rotations\":7,\"failures\":2,"
				"\"retired\":5,\"tunnel\":\"detached\",\"mode\":\"anyip\","
				"\"stalled\":true,\"addresses\":[";
	char *out;

	inet_pton(AF_INET6, "2001:db8:1:1::", &r.uplinks[0].prefix);
	inet_pton(AF_INET6, "2001:db8::1", &plan.e[0].addr);
	plan.e[0] = (struct plan_entry){ plan.e[0].addr, 100, ROLE_CURRENT, 25, 15 };
	inet_pton(AF_INET6, "2001:db8::2", &plan.e[1].addr);
	plan.e[1] = (struct plan_entry){ plan.e[1].addr, 101, ROLE_NEXT, 35, 0 };

	out = render(&r, false);
	CHECK(!strcmp(first_line(out),
		      "slot 100 rotations 7 failures 2 retired 5 tunnel attached mode interface"),
	      "text, interface mode: [%s]", out);
	free(out);

	r.anyip = true;
	r.stalled = true;
	r.attached = false;
	out = render(&r, false);
	CHECK(!strcmp(first_line(out), "slot 100 rotations 7 failures 2 retired 5 tunnel detached "
				       "mode anyip stalled"),
	      "text, anyip and stalled: [%s]", out);
	free(out);

	out = render(&r, true);
	CHECK(!strncmp(out, json_head, strlen(json_head)), "json head: %s", out);
	CHECK(strstr(out, "{\"role\":\"current\",\"address\":\"2001:db8::1\",\"uplink\":null,"
			  "\"slot\":100,"
			  "\"age_seconds\":5,\"valid_lifetime\":25,\"preferred_lifetime\":15,"
			  "\"evidence\":null}") != NULL,
	      "json current entry: %s", out);
	CHECK(strstr(out,
		     "\"role\":\"next\",\"address\":\"2001:db8::2\",\"uplink\":null,\"slot\":101,"
		     "\"age_seconds\":-5,") != NULL,
	      "json next entry, negative age: %s", out);
	CHECK(strstr(out, "\"guard\":null") != NULL, "json without guard: %s", out);
	CHECK(strstr(out, "\"uplinks\":[{\"name\":null,\"interface\":\"eth0\","
			  "\"prefix\":\"2001:db8:1:1::/64\",\"renumbered_from\":null,"
			  "\"path\":\"live\",\"rtt_ms\":12,\"primary\":true}]") != NULL,
	      "json uplinks: %s", out);
	free(out);

	/* A second uplink, named, renumbered, dead, not the primary. */
	inet_pton(AF_INET6, "2001:db8:9::", &former);
	r.plans.n = 2;
	r.plans.plan[1] = &plan;
	r.plans.pp[1] = &pp;
	r.uplinks[1] = (struct addrmgr_uplink_view){ .name = "isp2",
						     .interface = "eth1",
						     .prefix = r.uplinks[0].prefix,
						     .former = &former,
						     .path = ADDRMGR_PATH_DEAD };
	out = render(&r, false);
	CHECK(strstr(out, "uplink eth0 2001:db8:1:1::/64 path live, rtt 12 ms, primary\n"
			  "uplink isp2 eth1 2001:db8:1:1::/64 (renumbered from 2001:db8:9::/64) "
			  "path dead\n") != NULL,
	      "text uplinks: [%s]", out);
	free(out);
	out = render(&r, true);
	CHECK(strstr(out, "{\"name\":\"isp2\",\"interface\":\"eth1\",\"prefix\":"
			  "\"2001:db8:1:1::/64\",\"renumbered_from\":\"2001:db8:9::/64\","
			  "\"path\":\"dead\",\"rtt_ms\":null,\"primary\":false}") != NULL,
	      "json renumbered uplink: %s", out);
	free(out);
	return check_done();
}

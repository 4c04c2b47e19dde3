// SPDX-License-Identifier: MIT
/* Status rendering: the JSON field names are a documented interface. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "memshow.h"
#include "status.h"

static char *render(const struct tunnel_status *st, bool json)
{
	struct memshow m;

	tunnel_status_show(memshow_begin(&m, json), st);
	return memshow_end(&m);
}

static void test_tunnel_status(void)
{
	struct tunnel_status st = {
		.device = "mt6d0",
		.session = "authenticated",
		.authenticated = true,
		.has_assoc = true,
		.assoc_id = 7,
		.assoc_age_s = 65,
		.last_rekey = 1000,
		.now = 1010,
		.stats = { .tx_packets = 3,
			   .rx_bytes = 2048,
			   .drop_replay = 2,
			   .drop_filter = 5,
			   .drop_tripwire = 1 },
	};
	static const char head[] =
		"{\"device\":\"mt6d0\",\"session\":\"authenticated\",\"last_rekey\":1000,"
		"\"rekeys\":0,\"association\":{\"id\":7,\"state\":\"established\","
		"\"age_seconds\":65,";
	char *j, *t;

	st.sctp.state = SCTP_ESTABLISHED;
	st.sctp.n_paths = 1;
	inet_pton(AF_INET6, "2001:db8:2:2::5", &st.sctp.paths[0].addr);
	st.sctp.paths[0].state = SCTP_ACTIVE;
	st.sctp.paths[0].primary = true;
	st.sctp.paths[0].srtt_ms = 4;
	st.sctp.n_local = 1;
	inet_pton(AF_INET6, "2001:db8:1:1::9", &st.sctp.local[0]);

	j = render(&st, true);
	CHECK(!strncmp(j, head, sizeof(head) - 1), "json head: %s", j);
	CHECK(strstr(j, "\"paths\":[{\"address\":\"2001:db8:2:2::5\",\"uplink\":null,"
			"\"state\":\"active\",\"primary\":true,\"srtt_ms\":4,") != NULL,
	      "json paths: %s", j);
	CHECK(strstr(j, "\"local_addresses\":[\"2001:db8:1:1::9\"]") != NULL, "json local: %s", j);
	CHECK(strstr(j, "\"transfer\":{\"rx_bytes\":2048,\"tx_bytes\":0,\"rx_packets\":0,"
			"\"tx_packets\":3,\"rx_bundles\":0,\"tx_bundles\":0}") != NULL,
	      "json transfer: %s", j);
	CHECK(strstr(j, "\"replay\":2") != NULL, "json drops: %s", j);
	/* The guard table's counters end the drops, under their own reasons. */
	CHECK(strstr(j, "\"tun\":0,\"filter\":5,\"tripwire\":1}") != NULL, "json guard drops: %s",
	      j);
	CHECK(j[strlen(j) - 2] == '}' && j[strlen(j) - 1] == '\n', "json ends: %s", j);

	t = render(&st, false);
	CHECK(strstr(t, "  session: authenticated\n  last rekey: 10s ago\n") != NULL, "text: %s",
	      t);
	CHECK(strstr(t, "  path 2001:db8:2:2::5: active, primary, rtt 4 ms") != NULL, "text: %s",
	      t);
	CHECK(strstr(t, "  transfer: 2.00 KiB received, 0 B sent (0 packets in, 3 out; bundles 0 "
			"in, 0 out)\n") != NULL,
	      "text: %s", t);
	CHECK(strstr(t, "replay 2") != NULL, "text: %s", t);
	CHECK(strstr(t, ", filter 5, tripwire 1\n") != NULL, "text guard drops: %s", t);
	free(j);
	free(t);

	/* A path of a named peer uplink. */
	st.path_uplink[0] = "isp1";
	j = render(&st, true);
	CHECK(strstr(j, "{\"address\":\"2001:db8:2:2::5\",\"uplink\":\"isp1\",") != NULL,
	      "json path uplink: %s", j);
	t = render(&st, false);
	CHECK(strstr(t, "  path 2001:db8:2:2::5 (uplink isp1): active, primary") != NULL,
	      "text path uplink: %s", t);
	free(j);
	free(t);

	/* No association: null, not a half-filled object. */
	st.has_assoc = false;
	st.last_rekey = 0;
	j = render(&st, true);
	CHECK(strstr(j, "\"last_rekey\":null,\"rekeys\":0,\"association\":null,") != NULL,
	      "json: %s", j);
	free(j);
}

int main(void)
{
	test_tunnel_status();
	return check_done();
}

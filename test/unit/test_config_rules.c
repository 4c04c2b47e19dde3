// SPDX-License-Identifier: MIT
/*
 * The configuration loader's rules between keys: files in which every value is well formed
 * but two keys contradict each other each fail with their own message.
 */

#include "config_fixture.h"

/* clang-format off */
static const struct bad_case bad[] = {
	/* Host mode: an inner address that the tunnel leads to or that rotates. */
	{ "host address inside peer routes", { { "tunnel", "address", "2001:db8:100::9/64" } },
	  .rc = -EINVAL,
	  .expect = "[tunnel] address: 2001:db8:100::9 lies in [peer] routes 2001:db8:100::/48" },
	{ "host address in the rotating /64", { { "tunnel", "address", "2001:db8:1:1::77/64" } },
	  .rc = -EINVAL,
	  .expect = "[tunnel] address: 2001:db8:1:1::77 lies in the local prefix 2001:db8:1:1::/64" },
	{ "host address in the peer's /64", { { "tunnel", "address", "2001:db8:2:2::1" } },
	  .rc = -EINVAL, .expect = "lies in the peer prefix 2001:db8:2:2::/64" },
	{ "anyip without a routed prefix", { { "local", "prefix", NULL } }, .rc = -EINVAL,
	  .expect = "[local] prefix: missing; [rotation] mode = anyip needs the /64 routed to "
		    "this gateway" },
	{ "rto-min above rto-max", { { "recovery", "rto-min", "900" } }, .rc = -EINVAL,
	  .expect = "[recovery] rto-min: 900 ms is above rto-max (800 ms); expected rto-min <= "
		    "rto-max" },
	{ "pf-threshold above path-max-retrans", { { "recovery", "pf-threshold", "4" } },
	  .rc = -EINVAL, .expect = "[recovery] pf-threshold: 4 is above path-max-retrans (3)" },
	{ "route covers peer prefix",
	  { { "peer", "routes", "2001:db8:100::/48, 2001:db8:2::/48" } },
	  .rc = -EINVAL, .expect = "2001:db8:2::/48 overlaps the peer prefix 2001:db8:2:2::/64" },
	{ "route inside local prefix", { { "peer", "routes", "2001:db8:1:1:8000::/65" } },
	  .rc = -EINVAL, .expect = "overlaps the local prefix 2001:db8:1:1::/64" },
	{ "local and peer address equal",
	  { { "peer", "prefix", "2001:db8:1:1::/64" }, { "peer", "iid", "::1" } }, .rc = -EINVAL,
	  .expect = "[peer] iid: gives the peer the local address" },
};
/* clang-format on */

int main(void)
{
	fixture_begin();
	test_bad_cases(bad, ARRAY_SIZE(bad));
	return fixture_end();
}

// SPDX-License-Identifier: MIT
/*
 * Several uplinks: [uplink NAME] and [peer-uplink NAME] sections load into the uplink lists
 * in the file's order with their defaults; the single-uplink form of [local] and [peer]
 * fills the same lists; and each wrong file fails with its own message.
 */

#include <arpa/inet.h>

#include "config_fixture.h"

#define NO_LOCAL                                \
	{                                       \
		{ "local", "interface", NULL }, \
		{                               \
			"local", "prefix", NULL \
		}                               \
	}
#define TWO                                                              \
	"[uplink isp1]\ninterface = eth1\nprefix = 2001:db8:a1:1::/64\n" \
	"[uplink isp2]\ninterface = eth2\n"

/* clang-format off */
static const struct bad_case bad[] = {
	{ "[local] interface beside uplink sections", { { "local", "prefix", NULL } },
	  .after = TWO, .rc = -EINVAL,
	  .expect = "[local] interface: not with [uplink NAME] sections" },
	{ "[local] prefix beside uplink sections", { { "local", "interface", NULL } },
	  .after = TWO, .rc = -EINVAL, .expect = "[local] prefix: not with [uplink NAME] sections" },
	{ "no uplink at all", NO_LOCAL, .rc = -EINVAL,
	  .expect = "[local] interface: missing (required, unless [uplink NAME] sections name "
		    "the uplinks)" },
	{ "an empty name", NO_LOCAL, .after = "[uplink ]\ninterface = eth1\n", .rc = -EINVAL,
	  .expect = "line 30: [uplink NAME]: expected a name of 1 to 15 characters" },
	{ "a name too long", NO_LOCAL, .after = "[uplink abcdefghijklmnop]\ninterface = eth1\n",
	  .rc = -EINVAL, .expect = "[uplink NAME]: expected a name of 1 to 15 characters" },
	{ "a name with a space", NO_LOCAL, .after = "[uplink a b]\ninterface = eth1\n",
	  .rc = -EINVAL, .expect = "[uplink NAME]: expected a name" },
	{ "a section given twice", NO_LOCAL,
	  .after = "[uplink a]\ninterface = eth1\n[uplink a]\ninterface = eth2\n", .rc = -EINVAL,
	  .expect = "line 32: [uplink a]: given twice" },
	{ "five uplinks", NO_LOCAL,
	  .after = "[uplink a]\ninterface = e1\n[uplink b]\ninterface = e2\n[uplink c]\n"
		   "interface = e3\n[uplink d]\ninterface = e4\n[uplink e]\ninterface = e5\n",
	  .rc = -EINVAL, .expect = "[uplink e]: more than 4 [uplink NAME] sections" },
	{ "an uplink without its interface", NO_LOCAL, .after = "[uplink a]\npreference = 5\n",
	  .rc = -EINVAL, .expect = "[uplink a] interface: missing (required)" },
	{ "an empty uplink section", NO_LOCAL, .after = "[uplink a]\n", .rc = -EINVAL,
	  .expect = "[uplink a] interface: missing (required)" },
	{ "one interface twice", NO_LOCAL,
	  .after = "[uplink a]\ninterface = eth1\n[uplink b]\ninterface = eth1\n", .rc = -EINVAL,
	  .expect = "[uplink b] interface: eth1 is [uplink a]'s already" },
	{ "one prefix twice", NO_LOCAL,
	  .after = "[uplink a]\ninterface = eth1\nprefix = 2001:db8:a::/64\n"
		   "[uplink b]\ninterface = eth2\nprefix = 2001:db8:a::/64\n", .rc = -EINVAL,
	  .expect = "[uplink b] prefix: 2001:db8:a::/64 is [uplink a]'s already" },
	{ "an unknown key", NO_LOCAL, .after = "[uplink a]\ninterface = eth1\nmtu = 1400\n",
	  .rc = -EINVAL,
	  .expect = "[uplink a] mtu: unknown key (expected one of: interface, prefix, "
		    "preference)" },
	{ "a key twice", NO_LOCAL, .after = "[uplink a]\ninterface = eth1\ninterface = eth2\n",
	  .rc = -EINVAL, .expect = "[uplink a] interface: given twice" },
	{ "preference 0", NO_LOCAL, .after = "[uplink a]\ninterface = eth1\npreference = 0\n",
	  .rc = -EINVAL,
	  .expect = "[uplink a] preference: out of range: expected a whole number from 1 to 1000" },
	{ "a prefix that is no /64", NO_LOCAL,
	  .after = "[uplink a]\ninterface = eth1\nprefix = 2001:db8::/48\n", .rc = -EINVAL,
	  .expect = "[uplink a] prefix: must be a /64" },
	{ "anyip without an uplink's prefix", NO_LOCAL, .after = TWO, .rc = -EINVAL,
	  .expect = "[uplink isp2] prefix: missing; [rotation] mode = anyip needs the /64" },
	{ "a route over a peer uplink's prefix",
	  { { "peer", "prefix", NULL }, { "peer", "routes", "2001:db8:b::/48" } },
	  .after = "[peer-uplink b]\nprefix = 2001:db8:b:1::/64\n", .rc = -EINVAL,
	  .expect = "2001:db8:b::/48 overlaps the peer prefix 2001:db8:b:1::/64" },
	{ "unknown section", NO_LOCAL, .after = "[uplinks a]\ninterface = eth1\n", .rc = -EINVAL,
	  .expect = "unknown section [uplinks a]" },
	{ "[peer] prefix beside peer-uplink sections", { { "local", "prefix", NULL } },
	  .after = "[peer-uplink b]\nprefix = 2001:db8:b::/64\n", .rc = -EINVAL,
	  .expect = "[peer] prefix: not with [peer-uplink NAME] sections" },
	{ "no peer uplink at all", { { "peer", "prefix", NULL } }, .rc = -EINVAL,
	  .expect = "[peer] prefix: missing (required, unless [peer-uplink NAME] sections" },
	{ "a peer uplink without its prefix", { { "peer", "prefix", NULL } },
	  .after = "[peer-uplink b]\n", .rc = -EINVAL,
	  .expect = "[peer-uplink b] prefix: missing (required)" },
	{ "a peer prefix twice", { { "peer", "prefix", NULL } },
	  .after = "[peer-uplink b]\nprefix = 2001:db8:b::/64\n"
		   "[peer-uplink c]\nprefix = 2001:db8:b::/64\n", .rc = -EINVAL,
	  .expect = "[peer-uplink c] prefix: 2001:db8:b::/64 is [peer-uplink b]'s already" },
	{ "a peer uplink with an interface", { { "peer", "prefix", NULL } },
	  .after = "[peer-uplink b]\nprefix = 2001:db8:b::/64\ninterface = eth0\n", .rc = -EINVAL,
	  .expect = "[peer-uplink b] interface: unknown key (expected one of: prefix)" },
};
/* clang-format on */

static bool prefix_is(const struct mt6d_prefix *p, const char *text)
{
	char buf[INET6_ADDRSTRLEN];

	return p->len == 64 && inet_ntop(AF_INET6, &p->addr, buf, sizeof(buf)) &&
	       !strcmp(buf, text);
}

static void test_good(void)
{
	struct bad_case c = {
		.set = NO_LOCAL,
		.after = "[uplink isp1]\ninterface = eth1\nprefix = 2001:db8:a1:1::/64\n"
			 "preference = 200\n"
			 "[peer-uplink b1]\nprefix = 2001:db8:b1:1::/64\n"
			 "[uplink isp2]\ninterface = eth2\nprefix = 2001:db8:a2:1::/64\n"
			 "[peer-uplink b2]\nprefix = 2001:db8:b2:1::/64\n",
	};
	struct mt6d_config cfg;
	char text[4096], err[512];
	const struct mt6d_uplink *u = cfg.uplinks;
	const struct mt6d_peer_uplink *p = cfg.peer_uplinks;
	int rc;

	/* The peer's prefix of the full file is dropped for its uplink sections. */
	c.set[1] = (struct entry){ "local", "prefix", NULL };
	build(text, sizeof(text), full, ARRAY_SIZE(full), &c);
	{
		char *pp = strstr(text, "prefix = 2001:DB8:2:2::/64\n");

		if (pp)
			memset(pp, ' ', strlen("prefix = 2001:DB8:2:2::/64"));
	}
	write_file("gw.conf", text, 0644);
	write_file("site.key", HEX_KEY "\n", 0600);
	rc = load(&cfg, "gw.conf", err, sizeof(err));
	result(rc == 0, "two uplinks a side load: %s", rc ? err : "ok");
	if (rc)
		return;
	result(cfg.n_uplinks == 2 && !strcmp(u[0].name, "isp1") &&
		       !strcmp(u[0].interface, "eth1") &&
		       prefix_is(&u[0].prefix, "2001:db8:a1:1::") && u[0].preference == 200 &&
		       !strcmp(u[1].name, "isp2") && !strcmp(u[1].interface, "eth2") &&
		       prefix_is(&u[1].prefix, "2001:db8:a2:1::") && u[1].preference == 100,
	       "[uplink isp1] and [uplink isp2] in order, preference given and default");
	result(cfg.n_peer_uplinks == 2 && !strcmp(p[0].name, "b1") &&
		       prefix_is(&p[0].prefix, "2001:db8:b1:1::") && !strcmp(p[1].name, "b2") &&
		       prefix_is(&p[1].prefix, "2001:db8:b2:1::"),
	       "[peer-uplink b1] and [peer-uplink b2] in order");
	result(!cfg.interface[0] && !cfg.local_prefix.len && !cfg.peer_prefix.len,
	       "the single-uplink keys stay empty");
	mt6d_config_clear(&cfg);

	/* The full file's single uplink a side: one unnamed uplink each. */
	memset(&c, 0, sizeof(c));
	build(text, sizeof(text), full, ARRAY_SIZE(full), &c);
	write_file("gw.conf", text, 0644);
	rc = load(&cfg, "gw.conf", err, sizeof(err));
	result(rc == 0 && cfg.n_uplinks == 1 && !u[0].name[0] &&
		       !strcmp(u[0].interface, "eth0.100") &&
		       prefix_is(&u[0].prefix, "2001:db8:1:1::") && u[0].preference == 100 &&
		       cfg.n_peer_uplinks == 1 && !p[0].name[0] &&
		       prefix_is(&p[0].prefix, "2001:db8:2:2::"),
	       "[local] interface and prefix, [peer] prefix: one unnamed uplink a side");
	mt6d_config_clear(&cfg);
}

int main(void)
{
	fixture_begin();
	test_good();
	test_bad_cases(bad, ARRAY_SIZE(bad));
	return fixture_end();
}

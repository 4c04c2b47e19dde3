// SPDX-License-Identifier: MIT
/*
 * mt6d_config_diff() and mt6d_config_apply_live() (mt6d-addrmgr --reload): the full file
 * loaded twice differs in nothing; each key changed alone differs in that key alone, with
 * the daemons that read it; applying the live keys leaves exactly the others different.
 */
#include "config_fixture.h"

struct change {
	struct entry set;
	unsigned int readers;
};

#define T MT6D_READ_TUNNEL
#define A MT6D_READ_ADDRMGR
#define L MT6D_READ_LIVE

/* clang-format off */
static const struct change changes[] = {
	{ { "tunnel", "device", "tun8" }, T | A },
	{ { "tunnel", "mtu", "1400" }, T },
	{ { "tunnel", "port", "7001" }, T | A },
	{ { "tunnel", "encryption", "aes-256-gcm" }, T },
	{ { "tunnel", "delivery", "unordered" }, T },
	{ { "tunnel", "reliability", "rtx:3" }, T },
	{ { "tunnel", "offload", "no" }, T },
	{ { "tunnel", "coalesce", "no" }, T },
	{ { "tunnel", "padding", "64" }, T },
	{ { "tunnel", "buffer-size", "256" }, T },
	{ { "tunnel", "sack-delay", "0" }, T },
	{ { "tunnel", "rekey-interval", "60" }, T },
	{ { "keys", "psk-file", "other.key" }, T | A },
	{ { "local", "interface", "eth1" }, T | A },
	{ { "local", "prefix", "2001:db8:1:3::/64" }, T | A },
	{ { "local", "iid", "::3" }, T | A },
	{ { "peer", "prefix", "2001:db8:2:3::/64" }, T | A },
	{ { "peer", "iid", "::4" }, T | A },
	{ { "peer", "routes", "2001:db8:100::/48" }, T | A },
	{ { "rotation", "interval", "20" }, T | A },
	{ { "rotation", "lifetime", "2" }, L },
	{ { "rotation", "association-slots", "off" }, T | A },
	{ { "rotation", "port-range", "50000-51000" }, T | A },
	{ { "rotation", "mode", "interface" }, A },
	{ { "recovery", "rto-min", "60" }, T },
	{ { "recovery", "rto-max", "900" }, T },
	{ { "recovery", "heartbeat-interval", "600" }, T | A },
	{ { "recovery", "path-max-retrans", "4" }, T },
	{ { "recovery", "pf-threshold", "1" }, T },
	{ { "recovery", "max-retrans", "9" }, T },
	{ { "recovery", "max-backoff", "3000" }, T },
	{ { "guard", "enable", "no" }, T | A },
	{ { "guard", "evidence-window", "900" }, A },
	{ { "metrics", "directory", "/run/metrics" }, T | L },
};
/* clang-format on */

static bool load_with(struct mt6d_config *cfg, const struct entry *set)
{
	struct bad_case c = { 0 };
	char text[4096], err[512], after[128];

	/* [guard] and [metrics] are not in the full file: a section of their own after it. */
	if (set && (!strcmp(set->section, "guard") || !strcmp(set->section, "metrics"))) {
		snprintf(after, sizeof(after), "[%s]\n%s = %s\n", set->section, set->key,
			 set->value);
		c.after = after;
	} else if (set) {
		c.set[0] = *set;
	}

	build(text, sizeof(text), full, ARRAY_SIZE(full), &c);
	write_file("gw.conf", text, 0644);
	if (load(cfg, "gw.conf", err, sizeof(err))) {
		result(false, "load with [%s] %s = %s: %s", set ? set->section : "-",
		       set ? set->key : "-", set ? set->value : "-", err);
		return false;
	}
	return true;
}

/* Loads the full file with [uplink] sections @after instead of [local] interface, prefix. */
static bool load_uplinks(struct mt6d_config *cfg, const char *after)
{
	struct bad_case c = { .set = { { "local", "interface", NULL },
				       { "local", "prefix", NULL } },
			      .after = after };
	char text[4096], err[512];

	build(text, sizeof(text), full, ARRAY_SIZE(full), &c);
	write_file("gw.conf", text, 0644);
	if (load(cfg, "gw.conf", err, sizeof(err))) {
		result(false, "load with uplinks: %s", err);
		return false;
	}
	return true;
}

/* [uplink NAME] sections: one changed, one added, one removed, each once, by name. */
static void test_uplinks(void)
{
	static struct mt6d_config a, b;
	struct mt6d_config_change out[8];
	size_t n;

	if (!load_uplinks(&a, "[uplink isp1]\ninterface = eth1\nprefix = 2001:db8:a1::/64\n"
			      "[uplink isp2]\ninterface = eth2\nprefix = 2001:db8:a2::/64\n"
			      "[uplink isp3]\ninterface = eth3\nprefix = 2001:db8:a3::/64\n") ||
	    !load_uplinks(&b, "[uplink isp1]\ninterface = eth1\nprefix = 2001:db8:a1::/64\n"
			      "[uplink isp2]\ninterface = eth2\nprefix = 2001:db8:a2::/64\n"
			      "preference = 7\n"
			      "[uplink isp4]\ninterface = eth4\nprefix = 2001:db8:a4::/64\n"))
		return;
	n = mt6d_config_diff(&a, &a, out, ARRAY_SIZE(out));
	result(n == 0, "uplink sections loaded once, compared with themselves: %zu differ", n);
	n = mt6d_config_diff(&a, &b, out, ARRAY_SIZE(out));
	result(n == 3 && !strcmp(out[0].uplink, "isp2") && !strcmp(out[1].uplink, "isp3") &&
		       !strcmp(out[2].uplink, "isp4") && !strcmp(out[0].section, "uplink") &&
		       out[0].readers == (MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR),
	       "isp2 changed, isp3 removed, isp4 added: %zu differ (%s %s %s)", n,
	       n > 0 ? out[0].uplink : "-", n > 1 ? out[1].uplink : "-",
	       n > 2 ? out[2].uplink : "-");
	mt6d_config_clear(&a);
	mt6d_config_clear(&b);
}

int main(void)
{
	static struct mt6d_config base, again, changed;
	struct mt6d_config_change out[4];
	size_t i, n;

	fixture_begin();
	write_file("site.key", HEX_KEY "\n", 0600);
	write_file("other.key", HEX_KEY "\n", 0600);
	if (!load_with(&base, NULL) || !load_with(&again, NULL))
		return fixture_end();
	n = mt6d_config_diff(&base, &again, out, ARRAY_SIZE(out));
	result(n == 0, "the same file loaded twice: %zu key(s) differ", n);

	for (i = 0; i < ARRAY_SIZE(changes); i++) {
		const struct change *c = &changes[i];
		const struct entry *e = &c->set;

		if (!load_with(&changed, e))
			continue;
		n = mt6d_config_diff(&base, &changed, out, ARRAY_SIZE(out));
		result(n == 1 && !strcmp(out[0].section, e->section) &&
			       !strcmp(out[0].name, e->key) && out[0].readers == c->readers,
		       "[%s] %s changed: %zu key(s) differ, first [%s] %s, readers %#x (want %#x)",
		       e->section, e->key, n, n ? out[0].section : "-", n ? out[0].name : "-",
		       n ? out[0].readers : 0, c->readers);
		/* The live keys applied, nothing but the others is left to differ. */
		mt6d_config_apply_live(&again, &changed);
		n = mt6d_config_diff(&again, &changed, out, ARRAY_SIZE(out));
		result(n == !(c->readers & L), "[%s] %s applied live: %zu key(s) still differ",
		       e->section, e->key, n);
		again = base;
		mt6d_config_clear(&changed);
	}
	/* Two changes at once: both, in the file's order; fewer slots than changes. */
	{
		struct bad_case c = { .set = { { "rotation", "lifetime", "2" },
					       { "tunnel", "mtu", "1400" } } };
		char text[4096], err[512];

		build(text, sizeof(text), full, ARRAY_SIZE(full), &c);
		write_file("gw.conf", text, 0644);
		if (load(&changed, "gw.conf", err, sizeof(err))) {
			result(false, "load: %s", err);
		} else {
			n = mt6d_config_diff(&base, &changed, out, 1);
			result(n == 2 && !strcmp(out[0].name, "mtu"),
			       "two keys changed: %zu counted, first %s", n, out[0].name);
		}
	}
	test_uplinks();
	mt6d_config_clear(&base);
	mt6d_config_clear(&again);
	return fixture_end();
}

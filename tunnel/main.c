// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "preflight.h"
#include "overview.h"
#include "tunnel.h"

static const struct mt6d_cli_command commands[] = {
	{ .name = "check",
	  .help = "check whether this host can run mt6d, with the fix for each problem" },
	{ .name = "status",
	  .help = "show the tunnel (without -c: every running tunnel), like wg show",
	  .config_optional = true },
};

/* Both daemons' view of one tunnel, or of all of them without -c. */
static int status(const struct mt6d_cli *cli)
{
	static struct mt6d_config cfg;
	const char *name = NULL;
	char err[512];
	int ret;

	if (cli->config) {
		if (mt6d_config_load(&cfg, cli->config, err, sizeof(err)) < 0) {
			fprintf(stderr, "mt6d-tunnel: %s\n", err);
			return 1;
		}
		name = cfg.name;
	}
	ret = overview_print(stdout, name, cli->json);
	if (ret == -ENOENT)
		fprintf(stderr, "mt6d-tunnel: %s: mt6d-tunnel is not running\n",
			name ? name : "a tunnel");
	else if (ret < 0)
		fprintf(stderr, "mt6d-tunnel: status: %s\n", strerror(-ret));
	mt6d_config_clear(&cfg);
	return ret < 0;
}

/* One line per item, the fix after a dash; exit status 1 if anything fails. */
static int preflight(const struct mt6d_config *cfg, const char *config_error)
{
	static const char *const verdicts[] = {
		[PREFLIGHT_OK] = "ok",
		[PREFLIGHT_WARN] = "WARN",
		[PREFLIGHT_FAIL] = "FAIL",
	};
	struct preflight_item items[PREFLIGHT_MAX];
	size_t n = preflight_run(config_error ? NULL : cfg, items, PREFLIGHT_MAX);
	int failed = !!config_error;

	if (config_error)
		printf("%-5s %-13s %s\n", "FAIL", "config", config_error);
	else
		printf("%-5s %-13s %s is valid\n", "ok", "config", cfg->path);
	for (size_t i = 0; i < n; i++) {
		printf("%-5s %-13s %s%s%s\n", verdicts[items[i].verdict], items[i].name,
		       items[i].found, items[i].fix[0] ? " -- fix: " : "", items[i].fix);
		failed |= items[i].verdict == PREFLIGHT_FAIL;
	}
	return failed;
}

int main(int argc, char **argv)
{
	static struct mt6d_config cfg;
	struct mt6d_cli cli;
	struct tunnel *t;
	char err[512];
	int ret;

	ret = mt6d_cli_parse(&cli, argc, argv, "mt6d-tunnel",
			     "Carries IP packets between a TUN device and an SCTP association "
			     "to the peer gateway.",
			     commands, sizeof(commands) / sizeof(commands[0]));
	if (ret)
		return ret < 0 ? 2 : 0;
	if (cli.command && !strcmp(cli.command, "status"))
		return status(&cli);
	ret = mt6d_config_load(&cfg, cli.config, err, sizeof(err));
	if (cli.command) {
		ret = preflight(&cfg, ret < 0 ? err : NULL);
		mt6d_config_clear(&cfg);
		return ret;
	}
	if (ret < 0) {
		fprintf(stderr, "mt6d-tunnel: %s\n", err);
		return 1;
	}
	if (cli.check) {
		printf("%s: configuration OK\n", cfg.path);
		mt6d_config_clear(&cfg);
		return 0;
	}
	log_init("mt6d-tunnel", cli.foreground, cli.verbose);
	if (!cli.foreground && daemon(0, 0) < 0)
		fatal("daemon");
	if (tunnel_new(&t, &cfg) < 0)
		fatalx("%s: cannot start", cfg.name);
	/* Every key the tunnel needs is derived: the PSK itself goes. */
	mt6d_config_clear(&cfg);
	ret = tunnel_run(t);
	tunnel_free(t);
	mt6d_config_clear(&cfg);
	if (ret < 0)
		fatalx("event loop: %s", strerror(-ret));
	return 0;
}

// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addrmgr.h"
#include "cli.h"
#include "config.h"
#include "ctl.h"
#include "guard.h"
#include "log.h"

static const struct mt6d_cli_command commands[] = {
	{ .name = "check",
	  .help = "check the configuration and whether this kernel can hold the guard table" },
	{ .name = "reload",
	  .help = "ask the running daemon to read the configuration again (as SIGHUP does) and "
		  "say what changed" },
	{ .name = "rotate", .help = "ask the running daemon to rotate to the next address now" },
	{ .name = "status", .help = "show the running daemon's addresses and counters" },
};

static int run_command(const struct mt6d_config *cfg, const char *cmd, bool json)
{
	static char reply[MT6D_CTL_MSG_MAX];
	int ret = addrmgr_request(cfg, json ? "status json" : cmd, reply, sizeof(reply));

	if (ret < 0) {
		fprintf(stderr, "mt6d-addrmgr: %s: cannot reach the running daemon: %s\n",
			cfg->name, strerror(-ret));
		return 1;
	}
	/* A status report follows an "ok" line of its own; a one-line reply prints whole. */
	fputs(!strncmp(reply, "ok\n", 3) ? reply + 3 : reply, stdout);
	return strncmp(reply, "ok", 2) ? 1 : 0;
}

/*
 * --check: the configuration, then (guard enabled) one line per nf_tables feature the
 * guard needs. Exit status 1 when anything the guard needs is missing, or when the probe
 * cannot run: without the guard no hashed address is added (fail closed).
 */
static int check(const struct mt6d_config *cfg)
{
	static struct guard_probe pr;
	struct in6_addr prefixes[MT6D_MAX_UPLINKS];
	char line[512];
	size_t failed;
	int ret;

	printf("%-5s %-13s %s is valid\n", "ok", "config", cfg->path);
	if (!cfg->guard.enable) {
		printf("%-5s %-13s [guard] enable = no: not probed; hashed addresses answer "
		       "anything\n",
		       "WARN", "guard");
		return 0;
	}
	/* The uplinks' prefixes as configured (an unset one, resolved at start, is all zero):
	 * what the probe tries is their number, not their value. */
	for (size_t i = 0; i < cfg->n_uplinks; i++)
		prefixes[i] = cfg->uplinks[i].prefix.addr;
	ret = guard_check(cfg, prefixes, cfg->n_uplinks, &pr);
	if (ret < 0) {
		printf("%-5s %-13s cannot probe nf_tables: %s%s\n", "FAIL", "guard", strerror(-ret),
		       ret == -EPERM ? " -- fix: run as root or with CAP_NET_ADMIN" : "");
		return 1;
	}
	for (size_t i = 0; i < pr.n; i++) {
		guard_probe_line(&pr.item[i], line, sizeof(line));
		printf("%s\n", line);
	}
	failed = guard_probe_failed(&pr);
	if (failed) {
		guard_probe_reason(&pr, line, sizeof(line));
		printf("%-5s %-13s %s: mt6d-addrmgr adds no hashed address until it is there\n",
		       "FAIL", "guard", line);
	} else {
		printf("%-5s %-13s this kernel can hold the guard table\n", "ok", "guard");
	}
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct mt6d_config cfg;
	struct mt6d_cli cli;
	struct addrmgr *m;
	char err[512];
	int ret;

	ret = mt6d_cli_parse(&cli, argc, argv, "mt6d-addrmgr",
			     "Rotates the hashed addresses of an mt6d tunnel on the uplink and "
			     "on its SCTP association.",
			     commands, sizeof(commands) / sizeof(commands[0]));
	if (ret)
		return ret < 0 ? 2 : 0;
	if (mt6d_config_load(&cfg, cli.config, err, sizeof(err)) < 0) {
		fprintf(stderr, "mt6d-addrmgr: %s\n", err);
		return 1;
	}
	if (cli.check) {
		printf("%s: configuration OK\n", cfg.path);
		mt6d_config_clear(&cfg);
		return 0;
	}
	if (cli.command && !strcmp(cli.command, "check")) {
		ret = check(&cfg);
		mt6d_config_clear(&cfg);
		return ret;
	}
	if (cli.command) {
		if (cli.json && strcmp(cli.command, "status")) {
			fprintf(stderr, "mt6d-addrmgr: --json goes with --status\n");
			mt6d_config_clear(&cfg);
			return 2;
		}
		ret = run_command(&cfg, cli.command, cli.json);
		mt6d_config_clear(&cfg);
		return ret;
	}
	log_init("mt6d-addrmgr", cli.foreground, cli.verbose);
	if (!cli.foreground && daemon(0, 0) < 0)
		fatal("daemon");
	if (addrmgr_new(&m, &cfg) < 0)
		fatalx("%s: cannot start", cfg.name);
	/* The address key is derived: the PSK itself is of no more use here. */
	mt6d_config_clear(&cfg);
	ret = addrmgr_run(m);
	addrmgr_free(m);
	mt6d_config_clear(&cfg);
	if (ret < 0)
		fatalx("event loop: %s", strerror(-ret));
	return 0;
}

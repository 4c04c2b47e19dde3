// SPDX-License-Identifier: MIT
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mt6d-config.h"

#define CLI_MAX_CMDS 8
#define CLI_CMD_BASE 0x100

static void usage(FILE *f, const char *prog, const char *summary,
		  const struct mt6d_cli_command *cmds, int ncmds)
{
	fprintf(f, "Usage: %s -c FILE [-f] [-v] [-n]%s\n%s\n\n", prog,
		ncmds ? " [COMMAND [--json]]" : "", summary);
	fprintf(f,
		"  -c, --config FILE  tunnel configuration (e.g. " MT6D_SYSCONFDIR "/NAME.conf)\n"
		"  -f, --foreground   stay in the foreground, log to stderr\n"
		"  -v, --verbose      log more (repeat for more)\n"
		"  -n, --check-config check the configuration and exit\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n"
		"      --json         a command's output as JSON\n");
	for (int i = 0; i < ncmds; i++)
		fprintf(f, "      --%-14s %s\n", cmds[i].name, cmds[i].help);
}

int mt6d_cli_parse(struct mt6d_cli *cli, int argc, char **argv, const char *prog,
		   const char *summary, const struct mt6d_cli_command *cmds, int ncmds)
{
	struct option opts[8 + CLI_MAX_CMDS] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
	};
	int c, n = 7, cmd = -1;

	if (ncmds > CLI_MAX_CMDS)
		return -EINVAL;
	for (int i = 0; i < ncmds; i++)
		opts[n++] = (struct option){ cmds[i].name, no_argument, NULL, CLI_CMD_BASE + i };
	memset(cli, 0, sizeof(*cli));
	while ((c = getopt_long(argc, argv, "c:fvnhVj", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cli->config = optarg;
			break;
		case 'f':
			cli->foreground = true;
			break;
		case 'v':
			cli->verbose++;
			break;
		case 'n':
			cli->check = true;
			break;
		case 'h':
			usage(stdout, prog, summary, cmds, ncmds);
			return 1;
		case 'V':
			printf("%s %s\n", prog, MT6D_VERSION);
			return 1;
		case 'j':
			cli->json = true;
			break;
		default:
			if (c >= CLI_CMD_BASE && c < CLI_CMD_BASE + ncmds && !cli->command) {
				cmd = c - CLI_CMD_BASE;
				cli->command = cmds[cmd].name;
				break;
			}
			if (c >= CLI_CMD_BASE)
				fprintf(stderr, "%s: only one command at a time\n", prog);
			usage(stderr, prog, summary, cmds, ncmds);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return -EINVAL;
	}
	if (cli->json && !cli->command) {
		fprintf(stderr, "%s: --json goes with a command\n", prog);
		return -EINVAL;
	}
	if (!cli->config && !(cmd >= 0 && cmds[cmd].config_optional)) {
		fprintf(stderr, "%s: -c FILE is required\n", prog);
		usage(stderr, prog, summary, cmds, ncmds);
		return -EINVAL;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CLI_H
#define MT6D_CLI_H

#include <stdbool.h>

/* What every mt6d daemon accepts on its command line. */
struct mt6d_cli {
	const char *config;  /* -c FILE */
	bool foreground;     /* -f */
	int verbose;	     /* -v, repeatable */
	bool check;	     /* -n: validate the config and exit */
	bool json;	     /* --json: machine-readable output of a command */
	const char *command; /* a daemon-specific action ("rotate", "status"), or NULL */
};

/* A daemon-specific long option that selects cli->command. */
struct mt6d_cli_command {
	const char *name;
	const char *help;
	bool config_optional; /* without -c the command covers every tunnel */
};

/*
 * Parses argv; prints usage and returns -EINVAL on misuse, 1 after --help or
 * --version (the caller exits 0), 0 to go on.
 */
int mt6d_cli_parse(struct mt6d_cli *cli, int argc, char **argv, const char *prog,
		   const char *summary, const struct mt6d_cli_command *cmds, int ncmds);

#endif

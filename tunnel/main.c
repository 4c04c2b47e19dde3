// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "tunnel.h"

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
			     NULL, 0);
	if (ret)
		return ret < 0 ? 2 : 0;
	if (mt6d_config_load(&cfg, cli.config, err, sizeof(err)) < 0) {
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
	ret = tunnel_run(t);
	tunnel_free(t);
	mt6d_config_clear(&cfg);
	if (ret < 0)
		fatalx("event loop: %s", strerror(-ret));
	return 0;
}

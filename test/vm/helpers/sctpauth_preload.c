// SPDX-License-Identifier: MIT
/*
 * The benchmark's bare SCTP association with mt6d's SCTP-AUTH (tests/bench.sh, variant
 * sctp-auth): preloaded (LD_PRELOAD) into iperf3 on both ends, it gives every SCTP socket
 * the tunnel's chunk list and key exactly as mt6d-tunnel does (endpoint_set_auth), before
 * the socket connects or listens. Nothing here is linked into mt6d.
 *
 *   MT6D_SCTPAUTH_CONF=PATH  the mt6d configuration whose PSK gives the key (the tunnel's
 *                            SCTP-AUTH key, derived as the tunnel derives it).
 *
 * A socket that cannot be given AUTH ends the process (exit status 70, with the reason on
 * stderr): the variant never measures an association without it.
 */
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "endpoint.h"
#include "keys.h"

typedef int (*socket_fn)(int, int, int);

static uint8_t auth_key[MT6D_KEY_LEN];

static void die(const char *what, int err)
{
	fprintf(stderr, "sctpauth_preload: %s: %s\n", what, strerror(err));
	_exit(70);
}

__attribute__((constructor)) static void load_key(void)
{
	static struct mt6d_config cfg;
	const char *conf = getenv("MT6D_SCTPAUTH_CONF");
	char err[512];
	int ret;

	if (!conf) {
		fprintf(stderr, "sctpauth_preload: MT6D_SCTPAUTH_CONF is not set\n");
		_exit(70);
	}
	if (mt6d_config_load(&cfg, conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "sctpauth_preload: %s\n", err);
		_exit(70);
	}
	ret = mt6d_kdf(cfg.psk, cfg.psk_len, MT6D_KDF_SCTP_AUTH, auth_key, sizeof(auth_key));
	mt6d_config_clear(&cfg);
	if (ret < 0)
		die("the SCTP-AUTH key", -ret);
}

int socket(int domain, int type, int protocol)
{
	static socket_fn real;
	int fd, ret;

	if (!real)
		real = (socket_fn)dlsym(RTLD_NEXT, "socket");
	fd = real(domain, type, protocol);
	if (fd < 0 || protocol != IPPROTO_SCTP)
		return fd;
	ret = endpoint_set_auth(fd, auth_key, sizeof(auth_key));
	if (ret < 0)
		die("SCTP-AUTH on an SCTP socket", -ret);
	return fd;
}

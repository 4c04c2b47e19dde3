// SPDX-License-Identifier: MIT
/*
 * The benchmark's bare SCTP association with mt6d's SCTP-AUTH (tests/bench.sh, variant
 * sctp-auth): preloaded (LD_PRELOAD) into iperf3 on both ends, it gives every SCTP socket
 * the tunnel's chunk list and key exactly as mt6d-tunnel does (endpoint_set_auth), before
 * the socket connects or listens. Nothing here is linked into mt6d.
 *
 *   MT6D_SCTPAUTH_CONF=PATH  the mt6d configuration whose PSK gives the key (the tunnel's
 *                            SCTP-AUTH key, derived as the tunnel derives it).
 *   MT6D_SCTPAUTH_OMIT=T,... chunk types (decimal) left out of the list, to measure what
 *                            authenticating them costs (variant sctp-auth-nodata: 0, DATA).
 *                            endpoint_set_auth's SCTP_AUTH_CHUNK calls for them are skipped
 *                            here: its setsockopt resolves to the one below.
 *
 * A socket that cannot be given AUTH ends the process (exit status 70, with the reason on
 * stderr): the variant never measures an association without it.
 */
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
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
typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);

static uint8_t auth_key[MT6D_KEY_LEN];
static bool omit[256];

static void die(const char *what, int err)
{
	fprintf(stderr, "sctpauth_preload: %s: %s\n", what, strerror(err));
	_exit(70);
}

__attribute__((constructor)) static void load_key(void)
{
	static struct mt6d_config cfg;
	const char *conf = getenv("MT6D_SCTPAUTH_CONF");
	const char *o = getenv("MT6D_SCTPAUTH_OMIT");
	char err[512];
	int ret;

	while (o && *o) {
		char *end;
		unsigned long type = strtoul(o, &end, 10);

		if (end == o || type > 255 || (*end && *end != ',')) {
			fprintf(stderr,
				"sctpauth_preload: MT6D_SCTPAUTH_OMIT: not a chunk type list\n");
			_exit(70);
		}
		omit[type] = true;
		o = *end ? end + 1 : end;
	}

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

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static setsockopt_fn real;

	if (!real)
		real = (setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
	if (level == IPPROTO_SCTP && name == SCTP_AUTH_CHUNK &&
	    len >= sizeof(struct sctp_authchunk) &&
	    omit[((const struct sctp_authchunk *)val)->sauth_chunk])
		return 0;
	return real(fd, level, name, val, len);
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

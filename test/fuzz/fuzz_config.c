// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the configuration loader. Each input becomes the content of fuzz.conf in
 * a temporary directory that also holds a valid 0600 key file, fuzz.key, so an input with
 * "psk-file = fuzz.key" goes through the whole load, key file included.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Icommon \
 *	common/config.c common/config_keys.c common/config_parse.c common/config_psk.c \
 *	common/config_uplink.c \
 *	common/config_read.c common/config_rules.c test/fuzz/fuzz_config.c \
 *	$(pkg-config --cflags --libs inih libcrypto) -o fuzz_config
 */

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define KEY_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/mt6d-fuzz-config.XXXXXX";
static char conf[PATH_MAX], key[PATH_MAX];

static void cleanup(void)
{
	unlink(conf);
	unlink(key);
	rmdir(dir);
}

static void write_file(const char *path, const void *data, size_t size, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size || fchmod(fd, mode) || close(fd)) {
		perror(path);
		abort();
	}
}

static void setup(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(conf, sizeof(conf), "%s/fuzz.conf", dir);
	snprintf(key, sizeof(key), "%s/fuzz.key", dir);
	write_file(key, KEY_HEX, strlen(KEY_HEX), 0600);
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static const char tail[] = ": not understood";
	struct mt6d_config cfg;
	char err[512];
	size_t len;
	int rc;

	if (!ready) {
		setup();
		ready = 1;
	}
	write_file(conf, data, size, 0600);
	rc = mt6d_config_load(&cfg, conf, err, sizeof(err));
	/* The contract: 0 or -errno with a one-line message; success means a usable config. */
	if (rc > 0 || (rc < 0 && (!err[0] || strchr(err, '\n'))))
		abort();
	/*
	 * config.c's line checks must refuse, with a reason, whatever inih would refuse; the
	 * fallback "line N: not understood" is the one message that ends so (values are quoted).
	 */
	len = strlen(err);
	if (rc && len > strlen(tail) && !strcmp(err + len - strlen(tail), tail))
		abort();
	if (rc == 0 &&
	    (cfg.psk_len < MT6D_PSK_MIN || cfg.psk_len > MT6D_PSK_MAX || cfg.n_routes < 1 ||
	     cfg.n_routes > MT6D_MAX_ROUTES || !cfg.n_uplinks || cfg.n_uplinks > MT6D_MAX_UPLINKS ||
	     !cfg.n_peer_uplinks || cfg.n_peer_uplinks > MT6D_MAX_UPLINKS ||
	     cfg.peer_uplinks[0].prefix.len != 64 || (cfg.mtu && cfg.mtu < 1280) ||
	     cfg.mtu > 65000 || !cfg.uplinks[0].interface[0] || !cfg.port))
		abort();
	mt6d_config_clear(&cfg);
	return 0;
}

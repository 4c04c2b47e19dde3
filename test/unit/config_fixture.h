/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TEST_CONFIG_FIXTURE_H
#define MT6D_TEST_CONFIG_FIXTURE_H

/*
 * What the configuration loader's tests share: a mkdtemp() directory that configuration and
 * key files are written into, so key file modes are under the test's control (no root
 * needed); a full file with every key, none at its default; and bad cases, each of which
 * changes that file or its key file and expects the load to fail with its own message and
 * return code. Each test prints one line per check and a closing "N passed, M failed".
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define HEX_KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

struct entry {
	const char *section, *key, *value;
};

/* Every key, none at its default. */
static const struct entry full[] = {
	{ "tunnel", "device", "tun7" },
	{ "tunnel", "mtu", "1420   ; inner MTU" },
	{ "tunnel", "port", "7000" },
	{ "tunnel", "encryption", "chacha20-poly1305" },
	{ "tunnel", "delivery", "ordered" },
	{ "tunnel", "reliability", "rtx:2" },
	{ "keys", "psk-file", "site.key" },
	{ "local", "interface", "eth0.100" },
	{ "local", "prefix", "2001:db8:1:1::/64" },
	{ "local", "iid", "::1" },
	{ "peer", "prefix", "2001:DB8:2:2::/64" },
	{ "peer", "iid", "::a:0:0:2" },
	{ "peer", "routes", "2001:db8:100::/48 ,2001:db8:200::/56,\t2001:db8:300::7/128" },
	{ "rotation", "interval", "30" },
	{ "rotation", "lifetime", "5" },
	{ "rotation", "association-slots", "4" },
	{ "rotation", "port-range", "50000-50999" },
	{ "rotation", "mode", "anyip" },
	{ "recovery", "rto-min", "50" },
	{ "recovery", "rto-max", "800" },
	{ "recovery", "heartbeat-interval", "500" },
	{ "recovery", "path-max-retrans", "3" },
	{ "recovery", "pf-threshold", "2" },
	{ "recovery", "max-retrans", "8" },
	{ "recovery", "max-backoff", "2000" },
};

struct bad_case {
	const char *title;
	/* Sets [section] key in the full file (adds it if absent); value NULL drops it. */
	struct entry set[2];
	const char *before, *after; /* raw text around the file */
	const char *file;	    /* "gw.conf" unless set */
	bool no_file;		    /* do not write the configuration at all */
	const char *psk;	    /* key file content, HEX_KEY unless set */
	mode_t psk_mode;	    /* 0600 unless set */
	int rc;
	const char *expect; /* in the message */
	const char *absent; /* not in the message */
};

/* Where the files are written, made by fixture_begin(); and the count of checks. */
static char dir[] = "/tmp/mt6d-test-config.XXXXXX";
static unsigned int passed, failed;

static void __attribute__((format(printf, 2, 3))) result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		passed++;
	else
		failed++;
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[PATH_MAX];
	size_t len = strlen(text);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	/* fchmod(): the mode under test must not depend on the umask. */
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) || close(fd)) {
		perror(path);
		exit(1);
	}
}

static bool is_in(const struct entry *e, size_t n, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(e[i].section, section) && !strcmp(e[i].key, key))
			return true;
	return false;
}

/* The file: @e grouped by section, with the settings of @c applied. */
static void build(char *buf, size_t len, const struct entry *e, size_t n, const struct bad_case *c)
{
	const struct entry *set;
	const char *value;
	size_t i, j, used = 0;

#define ADD(...) (used += (size_t)snprintf(buf + used, used < len ? len - used : 0, __VA_ARGS__))
	ADD("%s", c->before ? c->before : "");
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(e[i].section, e[i - 1].section))
			ADD("[%s]\n", e[i].section);
		value = e[i].value;
		for (j = 0; j < ARRAY_SIZE(c->set); j++) {
			set = &c->set[j];
			if (set->key && !strcmp(set->section, e[i].section) &&
			    !strcmp(set->key, e[i].key))
				value = set->value;
		}
		if (value)
			ADD("%s = %s\n", e[i].key, value);
		if (i + 1 < n && !strcmp(e[i + 1].section, e[i].section))
			continue;
		/* The end of a section: add the keys it does not have. */
		for (j = 0; j < ARRAY_SIZE(c->set); j++) {
			set = &c->set[j];
			if (set->key && !strcmp(set->section, e[i].section) &&
			    !is_in(e, n, set->section, set->key))
				ADD("%s = %s\n", set->key, set->value);
		}
	}
	ADD("%s", c->after ? c->after : "");
#undef ADD
	if (used >= len) {
		fprintf(stderr, "test file too large\n");
		exit(1);
	}
}

static int load(struct mt6d_config *cfg, const char *file, char *err, size_t errlen)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return mt6d_config_load(cfg, path, err, errlen);
}

static bool psk_is_wiped(const struct mt6d_config *cfg)
{
	static const uint8_t zero[MT6D_PSK_MAX];

	return cfg->psk_len == 0 && !memcmp(cfg->psk, zero, sizeof(zero));
}

static void test_bad(const struct bad_case *c)
{
	struct mt6d_config cfg;
	char text[4096], err[512];
	const char *file = c->file ? c->file : "gw.conf";
	bool ok;
	int rc;

	build(text, sizeof(text), full, ARRAY_SIZE(full), c);
	if (!c->no_file)
		write_file(file, text, 0644);
	write_file("site.key", c->psk ? c->psk : HEX_KEY "\n", c->psk_mode ? c->psk_mode : 0600);
	rc = load(&cfg, file, err, sizeof(err));
	ok = rc == c->rc && strstr(err, c->expect) && !strchr(err, '\n') &&
	     (!c->absent || !strstr(err, c->absent)) && psk_is_wiped(&cfg);
	result(ok, "%s: %s (%d)", c->title, err, rc);
	if (!ok)
		printf("       expected: %s (%d)\n", c->expect, c->rc);
}

static void __attribute__((unused)) test_bad_cases(const struct bad_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		test_bad(&cases[i]);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Creates the directory; exits on failure. */
static void fixture_begin(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

/* Removes the directory and reports; returns the exit status. */
static int fixture_end(void)
{
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif

// SPDX-License-Identifier: MIT
/*
 * The key file: found relative to the configuration file, refused when others can read it,
 * read whole and decoded from hex or base64. The key is wiped from every buffer it passes.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "config_psk.h"
#include "config_read.h"

/* 128 hex digits and their newline fit many times over. */
#define PSK_FILE_MAX 1024

/* Base64 for MT6D_PSK_MAX bytes decodes, padding included, to at most this. */
#define PSK_B64_DECODED ((MT6D_PSK_MAX + 2) / 3 * 3)

/* Writes the message into @why and returns @rc. */
static int __attribute__((format(printf, 4, 5)))
fail(char *why, size_t whylen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return rc;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool base64_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Standard alphabet, '=' padding only at the end, whole quads. */
static bool is_base64(const char *s, size_t n, size_t *pad)
{
	size_t i;

	if (n == 0 || n % 4)
		return false;
	*pad = s[n - 1] != '=' ? 0 : s[n - 2] != '=' ? 1 : 2;
	for (i = 0; i < n - *pad; i++)
		if (!base64_char(s[i]))
			return false;
	return true;
}

static int key_size_error(size_t len, char *why, size_t whylen)
{
	snprintf(why, whylen, "key too %s: %zu bytes, expected %d to %d",
		 len < MT6D_PSK_MIN ? "short" : "long", len, MT6D_PSK_MIN, MT6D_PSK_MAX);
	return -EINVAL;
}

/*
 * Decodes the key file's content, hex or base64 with whitespace around it, into @cfg.
 * Messages never quote the content.
 */
static int decode_psk(const char *s, size_t n, struct mt6d_config *cfg, char *why, size_t whylen)
{
	unsigned char tmp[PSK_B64_DECODED];
	size_t i, pad, len;
	int rc = 0;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	for (i = 0; i < n && hex_digit(s[i]) >= 0; i++)
		;
	if (n && i == n) {
		if (n % 2) {
			snprintf(why, whylen, "odd number of hex digits");
			return -EINVAL;
		}
		if (n / 2 < MT6D_PSK_MIN || n / 2 > MT6D_PSK_MAX)
			return key_size_error(n / 2, why, whylen);
		for (i = 0; i < n / 2; i++)
			cfg->psk[i] = (uint8_t)(hex_digit(s[2 * i]) << 4 | hex_digit(s[2 * i + 1]));
		cfg->psk_len = n / 2;
		return 0;
	}
	if (!is_base64(s, n, &pad)) {
		snprintf(why, whylen,
			 "%s: expected %d to %d hex digits or base64 for %d to %d bytes, "
			 "on one line",
			 n ? "neither hex nor base64" : "empty", 2 * MT6D_PSK_MIN, 2 * MT6D_PSK_MAX,
			 MT6D_PSK_MIN, MT6D_PSK_MAX);
		return -EINVAL;
	}
	len = n / 4 * 3 - pad;
	if (len < MT6D_PSK_MIN || len > MT6D_PSK_MAX)
		return key_size_error(len, why, whylen);
	/* Whole quads of the checked alphabet: EVP_DecodeBlock() returns n / 4 * 3. */
	if (EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n) != (int)(n / 4 * 3)) {
		snprintf(why, whylen, "not valid base64");
		rc = -EINVAL;
	} else {
		memcpy(cfg->psk, tmp, len);
		cfg->psk_len = len;
	}
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rc;
}

/* A relative psk-file is relative to the directory of the configuration file. */
static int resolve_psk_path(struct mt6d_config *cfg, const char *conf_path, char *why,
			    size_t whylen)
{
	char *file = cfg->psk_file;
	const char *slash = strrchr(conf_path, '/');
	size_t dirlen = slash ? (size_t)(slash - conf_path) + 1 : 0;
	size_t len = strlen(file);

	if (file[0] == '/' || !dirlen)
		return 0;
	if (dirlen + len >= sizeof(cfg->psk_file))
		return fail(why, whylen, -ENAMETOOLONG,
			    "[keys] psk-file: path longer than %zu bytes",
			    sizeof(cfg->psk_file) - 1);
	memmove(file + dirlen, file, len + 1);
	memcpy(file, conf_path, dirlen);
	return 0;
}

int mt6d_config_psk_read(struct mt6d_config *cfg, const char *conf_path, char *why, size_t whylen)
{
	const char *file = cfg->psk_file;
	char buf[PSK_FILE_MAX + 1], reason[160];
	struct stat st;
	ssize_t len;
	int fd, rc;

	rc = resolve_psk_path(cfg, conf_path, why, whylen);
	if (rc)
		return rc;
	/* O_NONBLOCK: a FIFO planted here must not hang the daemon; fstat() refuses it. */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		return fail(why, whylen, rc, "[keys] psk-file: cannot open %s: %s", file,
			    strerror(-rc));
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		rc = fail(why, whylen, rc, "[keys] psk-file: cannot stat %s: %s", file,
			  strerror(-rc));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = fail(why, whylen, -EINVAL, "[keys] psk-file: %s is not a regular file", file);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = fail(why, whylen, -EINVAL,
			  "[keys] psk-file: %s is %s by group or others (mode %04o); chmod 600 it",
			  file, st.st_mode & 044 ? "readable" : "accessible",
			  (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	len = mt6d_config_read_all(fd, buf, PSK_FILE_MAX);
	if (len < 0) {
		rc = fail(why, whylen, (int)len, "[keys] psk-file: cannot read %s: %s", file,
			  strerror((int)-len));
		goto out;
	}
	if (len > PSK_FILE_MAX) {
		rc = fail(why, whylen, -EINVAL, "[keys] psk-file: %s is larger than %d bytes", file,
			  PSK_FILE_MAX);
		goto out;
	}
	rc = decode_psk(buf, (size_t)len, cfg, reason, sizeof(reason));
	if (rc)
		fail(why, whylen, rc, "[keys] psk-file: %s: %s", file, reason);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}

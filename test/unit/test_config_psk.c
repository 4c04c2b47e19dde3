// SPDX-License-Identifier: MIT
/*
 * The configuration loader and the key file: one that others can read, one that is missing or
 * not a regular file, and content that is not a key of the right size in hex or base64 each
 * fail with their own message and return code, and the message never quotes the content.
 */

#include "config_fixture.h"

/* clang-format off */
static const struct bad_case bad[] = {
	{ "key file readable by others", .psk_mode = 0644, .rc = -EINVAL,
	  .expect = "site.key is readable by group or others (mode 0644); chmod 600 it" },
	{ "key file writable by group", .psk_mode = 0620, .rc = -EINVAL,
	  .expect = "site.key is accessible by group or others (mode 0620)" },
	{ "key file missing", { { "keys", "psk-file", "absent.key" } }, .rc = -ENOENT,
	  .expect = "absent.key: No such file or directory" },
	{ "key file is a directory", { { "keys", "psk-file", "keydir" } }, .rc = -EINVAL,
	  .expect = "keydir is not a regular file" },
	{ "key too short (hex)", .psk = "  000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
					"1c1d1e\n",
	  .rc = -EINVAL, .expect = "key too short: 31 bytes, expected 32 to 64" },
	{ "key too short (base64)", .psk = "AAECAwQFBgcICQoLDA0ODw==\n", .rc = -EINVAL,
	  .expect = "key too short: 16 bytes" },
	{ "key too long", .psk = HEX_KEY HEX_KEY "ff\n", .rc = -EINVAL,
	  .expect = "key too long: 65 bytes" },
	{ "key odd hex digits", .psk = HEX_KEY "f", .rc = -EINVAL,
	  .expect = "odd number of hex digits" },
	{ "key neither hex nor base64", .psk = "hunter2-SECRET-hunter2-SECRET-hunter2-SECRET\n",
	  .rc = -EINVAL, .expect = "neither hex nor base64", .absent = "SECRET" },
	{ "key wrapped base64", .psk = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\nHh8gISIjJCUmJygp"
				       "KissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==\n",
	  .rc = -EINVAL, .expect = "neither hex nor base64", .absent = "AAEC" },
	{ "key file empty", .psk = " \n", .rc = -EINVAL, .expect = "site.key: empty" },
};
/* clang-format on */

int main(void)
{
	char keydir[PATH_MAX];

	fixture_begin();
	snprintf(keydir, sizeof(keydir), "%s/keydir", dir);
	if (mkdir(keydir, 0700)) {
		perror(keydir);
		return 1;
	}
	test_bad_cases(bad, ARRAY_SIZE(bad));
	return fixture_end();
}

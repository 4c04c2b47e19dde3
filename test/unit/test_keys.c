// SPDX-License-Identifier: MIT
/* HKDF-SHA256 (RFC 5869 §A.1-A.3) and HMAC-SHA256 (RFC 4231 §4.3) through common/keys.c. */
#include <string.h>

#include "check.h"
#include "hex.h"
#include "keys.h"

struct hkdf_case {
	const char *name, *ikm, *salt, *info, *okm;
};

/* Hex strings; the info is hex too and turned into the C string mt6d_hkdf() takes. */
static const struct hkdf_case hkdf_cases[] = {
	{
		"RFC 5869 A.1",
		"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		"000102030405060708090a0b0c",
		"f0f1f2f3f4f5f6f7f8f9",
		"3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		"34007208d5b887185865",
	},
	{
		"RFC 5869 A.2",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
		"404142434445464748494a4b4c4d4e4f",
		"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
		"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
		"b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
		"d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
		"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
		"b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
		"59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
		"cc30c58179ec3e87c14c01d5c1f3434f1d87",
	},
	{
		"RFC 5869 A.3",
		"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		"",
		"",
		"8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		"9d201395faa4b61a96c8",
	},
};

static void check_hkdf(const struct hkdf_case *c)
{
	uint8_t ikm[128], salt[128], okm[128], out[128];
	char info[129] = { 0 };
	long ikm_len = unhex(c->ikm, ikm, sizeof(ikm));
	long salt_len = unhex(c->salt, salt, sizeof(salt));
	long info_len = unhex(c->info, (uint8_t *)info, sizeof(info) - 1);
	long okm_len = unhex(c->okm, okm, sizeof(okm));

	if (ikm_len < 0 || salt_len < 0 || info_len < 0 || okm_len <= 0) {
		CHECK(0, "%s: bad vector", c->name);
		return;
	}
	memset(out, 0, sizeof(out));
	CHECK(!mt6d_hkdf(salt, (size_t)salt_len, ikm, (size_t)ikm_len, info, out, (size_t)okm_len),
	      "%s: derive", c->name);
	CHECK(!memcmp(out, okm, (size_t)okm_len), "%s: OKM", c->name);
}

int main(void)
{
	static const char key[] = "Jefe", data[] = "what do ya want for nothing?";
	const struct mt6d_iov whole[] = { { data, sizeof(data) - 1 } };
	const struct mt6d_iov parts[] = {
		{ data, 4 }, { NULL, 0 }, { data + 4, 10 }, { data + 14, sizeof(data) - 1 - 14 }
	};
	uint8_t want[MT6D_HMAC_LEN], out[MT6D_HMAC_LEN];

	for (size_t i = 0; i < sizeof(hkdf_cases) / sizeof(hkdf_cases[0]); i++)
		check_hkdf(&hkdf_cases[i]);

	/* RFC 4231 §4.3, test case 2: a key shorter than the block, HMAC-SHA-256. */
	CHECK(unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", want,
		    sizeof(want)) == MT6D_HMAC_LEN,
	      "HMAC vector");
	CHECK(!mt6d_hmac((const uint8_t *)key, sizeof(key) - 1, whole, 1, out) &&
		      !memcmp(out, want, sizeof(want)),
	      "RFC 4231 case 2: HMAC-SHA-256");
	memset(out, 0, sizeof(out));
	CHECK(!mt6d_hmac((const uint8_t *)key, sizeof(key) - 1, parts, 4, out) &&
		      !memcmp(out, want, sizeof(want)),
	      "RFC 4231 case 2 in parts: the concatenation");
	CHECK(!mt6d_memcmp_ct(out, want, sizeof(want)) && mt6d_memcmp_ct(out, key, 4),
	      "constant-time comparison");
	return check_done();
}

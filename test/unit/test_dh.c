// SPDX-License-Identifier: MIT
/* X25519 through mt6d_dh_*: the RFC 7748 §6.1 exchange and the low-order refusal. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "dh.h"
#include "hex.h"

static void load(const char *hex, uint8_t out[MT6D_DH_LEN])
{
	CHECK(unhex(hex, out, MT6D_DH_LEN) == MT6D_DH_LEN, "vector %.8s... is 32 bytes", hex);
}

int main(void)
{
	uint8_t a_priv[32], a_pub[32], b_priv[32], b_pub[32], k[32], out[32], bad[32];
	struct mt6d_dh a = { 0 }, b = { 0 };
	/*
	 * u-coordinates whose shared secret is all zeros for every private key: 0, 1, the two
	 * points of order 8 and p - 1 (order 2).
	 */
	static const char *const low_order[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};

	/* RFC 7748 §6.1. */
	load("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a_priv);
	load("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", a_pub);
	load("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b_priv);
	load("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", b_pub);
	load("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", k);

	CHECK(mt6d_dh_shared(&a, b_pub, out) == -EINVAL, "no private key, no secret");
	CHECK(!mt6d_dh_set_private(&a, a_priv) && !mt6d_dh_set_private(&b, b_priv), "set private");
	CHECK(!memcmp(a.pub, a_pub, 32), "RFC 7748 6.1: Alice's public key");
	CHECK(!memcmp(b.pub, b_pub, 32), "RFC 7748 6.1: Bob's public key");
	memset(out, 0, sizeof(out));
	CHECK(!mt6d_dh_shared(&a, b_pub, out) && !memcmp(out, k, 32), "RFC 7748 6.1: Alice's K");
	memset(out, 0, sizeof(out));
	CHECK(!mt6d_dh_shared(&b, a_pub, out) && !memcmp(out, k, 32), "RFC 7748 6.1: Bob's K");

	for (size_t i = 0; i < sizeof(low_order) / sizeof(low_order[0]); i++) {
		load(low_order[i], bad);
		memset(out, 0xaa, sizeof(out));
		CHECK(mt6d_dh_shared(&a, bad, out) == -EINVAL, "low-order point %.8s... refused",
		      low_order[i]);
		CHECK(out[0] == 0 && !memcmp(out, out + 1, 31), "and nothing left in the output");
	}

	/* A fresh key replaces the fixed one. */
	CHECK(!mt6d_dh_generate(&a) && memcmp(a.pub, a_pub, 32), "generate replaces the key");
	CHECK(!mt6d_dh_shared(&a, b_pub, out) && memcmp(out, k, 32), "and so the secret");
	mt6d_dh_clear(&a);
	mt6d_dh_clear(&b);
	CHECK(!a.pkey && a.pub[0] == 0, "clear forgets the key");
	return check_done();
}

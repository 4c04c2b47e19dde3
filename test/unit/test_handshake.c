// SPDX-License-Identifier: MIT
/* The session handshake between two in-memory sides. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "check.h"
#include "handshake.h"

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

int main(void)
{
	uint8_t psk[32] = { 1, 2, 3 }, other[32] = { 9 };
	struct in6_addr pa = addr("2001:db8:1:1::"), ia = addr("::1");
	struct in6_addr pb = addr("2001:db8:2:2::"), ib = addr("::2");
	struct handshake a, b, evil;
	uint8_t ma[MT6D_HS_LEN], mb[MT6D_HS_LEN], mx[MT6D_HS_LEN], old_a[MT6D_HS_LEN];
	uint8_t atx[32], arx[32], btx[32], brx[32], first_atx[32];

	CHECK(!handshake_init(&a, psk, 32, &pa, &ia, &pb, &ib), "init a");
	CHECK(!handshake_init(&b, psk, 32, &pb, &ib, &pa, &ia), "init b");
	CHECK(!handshake_init(&evil, other, 32, &pb, &ib, &pa, &ia), "init wrong key");
	CHECK(!handshake_reset(&a) && !handshake_reset(&b) && !handshake_reset(&evil), "reset");
	CHECK(handshake_secrets(&a, atx, arx) == -EAGAIN, "no secrets before the peer's values");

	/* Both open at once. */
	CHECK(!handshake_build(&a, ma) && !handshake_build(&b, mb), "build");
	memcpy(old_a, ma, sizeof(ma));
	CHECK(handshake_receive(&b, ma, sizeof(ma)) == HANDSHAKE_NEW_PEER, "b learns a");
	CHECK(handshake_receive(&a, mb, sizeof(mb)) == HANDSHAKE_NEW_PEER, "a learns b");
	CHECK(!a.authenticated && !b.authenticated, "nobody echoed yet");
	CHECK(!handshake_secrets(&a, atx, arx) && !handshake_secrets(&b, btx, brx), "secrets");
	CHECK(!memcmp(atx, brx, 32) && !memcmp(arx, btx, 32), "a's send secret is b's receive one");
	CHECK(memcmp(atx, arx, 32), "one secret per direction");
	memcpy(first_atx, atx, 32);

	CHECK(!handshake_build(&a, ma) && !handshake_build(&b, mb), "echo");
	CHECK(handshake_receive(&b, ma, sizeof(ma)) == HANDSHAKE_OK && b.authenticated,
	      "b authenticates a");
	CHECK(handshake_receive(&a, mb, sizeof(mb)) == HANDSHAKE_OK && a.authenticated,
	      "a authenticates b");
	/* An old message of the peer, after the keys were confirmed, must not replace them. */
	CHECK(handshake_receive(&b, old_a, sizeof(old_a)) == HANDSHAKE_OK,
	      "a's first message again changes nothing");

	/* Tampering and wrong keys. */
	ma[5] ^= 1;
	CHECK(handshake_receive(&b, ma, sizeof(ma)) == HANDSHAKE_BAD, "flipped public value");
	ma[5] ^= 1;
	CHECK(handshake_receive(&b, ma, sizeof(ma) - 1) == HANDSHAKE_BAD, "short");
	CHECK(handshake_receive(&a, ma, sizeof(ma)) == HANDSHAKE_BAD, "own message reflected");
	CHECK(!handshake_build(&evil, mx), "build evil");
	CHECK(handshake_receive(&a, mx, sizeof(mx)) == HANDSHAKE_BAD, "wrong PSK");

	/* A restart (new association): new randomness, new secrets. */
	CHECK(!handshake_reset(&a) && !handshake_reset(&b), "reset both");
	CHECK(!handshake_build(&a, ma) && !handshake_build(&b, mb), "build again");
	CHECK(handshake_receive(&b, ma, sizeof(ma)) == HANDSHAKE_NEW_PEER &&
		      handshake_receive(&a, mb, sizeof(mb)) == HANDSHAKE_NEW_PEER,
	      "exchange again");
	CHECK(!handshake_secrets(&a, atx, arx), "secrets again");
	CHECK(memcmp(atx, first_atx, 32), "a restart never reuses a session secret");
	CHECK(!handshake_build(&a, ma) && !handshake_build(&b, mb), "echo again");
	CHECK(handshake_receive(&b, ma, sizeof(ma)) == HANDSHAKE_OK && b.authenticated &&
		      handshake_receive(&a, mb, sizeof(mb)) == HANDSHAKE_OK && a.authenticated,
	      "authenticated again");
	CHECK(!handshake_reset(&a), "a restarts alone");
	CHECK(!handshake_build(&a, ma), "a builds");
	CHECK(handshake_receive(&b, ma, sizeof(ma)) == HANDSHAKE_BAD,
	      "b, authenticated, refuses new values on the same association");

	handshake_clear(&a);
	handshake_clear(&b);
	handshake_clear(&evil);
	return check_done();
}

// SPDX-License-Identifier: MIT
/* The liveness handshake between two in-memory sides. */
#include <arpa/inet.h>
#include <string.h>

#include "check.h"
#include "hello.h"

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
	struct hello a, b, evil;
	uint8_t ma[MT6D_HELLO_LEN], mb[MT6D_HELLO_LEN], mx[MT6D_HELLO_LEN];

	CHECK(!hello_init(&a, psk, 32, &pa, &ia, &pb, &ib), "init a");
	CHECK(!hello_init(&b, psk, 32, &pb, &ib, &pa, &ia), "init b");
	CHECK(!hello_init(&evil, other, 32, &pb, &ib, &pa, &ia), "init wrong key");
	CHECK(!hello_reset(&a) && !hello_reset(&b) && !hello_reset(&evil), "reset");

	/* Both open at once. */
	CHECK(!hello_build(&a, ma) && !hello_build(&b, mb), "build openers");
	CHECK(hello_receive(&b, ma, sizeof(ma)) == HELLO_REPLY, "b answers a's opener");
	CHECK(hello_receive(&a, mb, sizeof(mb)) == HELLO_REPLY, "a answers b's opener");
	CHECK(!a.authenticated && !b.authenticated, "openers prove nothing");
	CHECK(!hello_build(&b, mb) && !hello_build(&a, ma), "build echoes");
	CHECK(hello_receive(&a, mb, sizeof(mb)) == HELLO_OK && a.authenticated, "a done");
	CHECK(hello_receive(&b, ma, sizeof(ma)) == HELLO_OK && b.authenticated, "b done");

	/* A reflected HELLO carries the wrong sender identity. */
	CHECK(!hello_reset(&a), "new association");
	CHECK(!hello_build(&a, ma), "build");
	CHECK(hello_receive(&a, ma, sizeof(ma)) == HELLO_BAD, "own hello reflected");
	/* The previous association's echo does not authenticate the new one. */
	CHECK(hello_receive(&a, mb, sizeof(mb)) == HELLO_REPLY && !a.authenticated,
	      "stale echo does not authenticate");

	/* Wrong key, tampering, wrong length. */
	CHECK(!hello_build(&evil, mx), "build evil");
	CHECK(hello_receive(&a, mx, sizeof(mx)) == HELLO_BAD, "wrong PSK rejected");
	memcpy(mx, mb, sizeof(mb));
	mx[0] ^= 1;
	CHECK(hello_receive(&a, mx, sizeof(mx)) == HELLO_BAD, "tampered nonce rejected");
	CHECK(hello_receive(&a, mb, sizeof(mb) - 1) == HELLO_BAD, "short hello rejected");
	hello_clear(&a);
	hello_clear(&b);
	hello_clear(&evil);
	return check_done();
}

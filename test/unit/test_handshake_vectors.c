// SPDX-License-Identifier: MIT
/*
 * The session handshake against an independent implementation (tools/gen-handshake-vectors,
 * dissononce): with the same PSK, ids and ephemeral keys, the C code must produce the
 * Noise PSK, the three messages byte for byte and both traffic secrets of each side.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "handshake.h"

#define MAX_HEX 512

struct vec {
	char name[64], cipher[32];
	uint8_t psk[64], ei[32], er[32], noise_psk[32], init_tx[32], init_rx[32];
	uint8_t msg1[HANDSHAKE_MSG_MAX], msg2[HANDSHAKE_MSG_MAX], msg3[HANDSHAKE_MSG_MAX];
	size_t psk_len, l1, l2, l3;
	unsigned int gen;
};

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (s[0] && s[1] && n < max) {
		unsigned int b;

		if (sscanf(s, "%2x", &b) != 1)
			break;
		out[n++] = (uint8_t)b;
		s += 2;
	}
	return n;
}

static enum mt6d_cipher cipher_of(const char *name)
{
	if (!strcmp(name, "aes-256-gcm"))
		return MT6D_CIPHER_AES_256_GCM;
	if (!strcmp(name, "chacha20-poly1305"))
		return MT6D_CIPHER_CHACHA20_POLY1305;
	return MT6D_CIPHER_NONE;
}

static void check_case(const struct vec *v)
{
	struct in6_addr pa, ia, pb, ib;
	struct handshake a, b;
	struct handshake_keys ka, kb;
	uint8_t m[HANDSHAKE_MSG_MAX], r[HANDSHAKE_MSG_MAX];
	size_t ml, rl;
	enum mt6d_cipher c = cipher_of(v->cipher);

	inet_pton(AF_INET6, "2001:db8:1:1::", &pa);
	inet_pton(AF_INET6, "::1", &ia);
	inet_pton(AF_INET6, "2001:db8:2:2::", &pb);
	inet_pton(AF_INET6, "::2", &ib);
	CHECK(!handshake_init(&a, v->psk, v->psk_len, c, &pa, &ia, &pb, &ib) &&
		      !handshake_init(&b, v->psk, v->psk_len, c, &pb, &ib, &pa, &ia),
	      "%s: init", v->name);
	CHECK(!memcmp(a.psk, v->noise_psk, 32) && !memcmp(b.psk, v->noise_psk, 32),
	      "%s: Noise PSK from the configured one", v->name);
	CHECK(!handshake_restart(&a, (uint8_t)v->gen) && !handshake_restart(&b, (uint8_t)v->gen) &&
		      !noise_hs_fix_ephemeral(&a.noise, v->ei) &&
		      !noise_hs_fix_ephemeral(&b.noise, v->er),
	      "%s: generation %u, fixed ephemerals", v->name, v->gen);
	CHECK(!handshake_start(&a, m, &ml) && ml == v->l1 && !memcmp(m, v->msg1, ml),
	      "%s: message 1", v->name);
	CHECK(handshake_receive(&b, m, ml, r, &rl, &kb) == HANDSHAKE_KEYS && rl == v->l2 &&
		      !memcmp(r, v->msg2, rl),
	      "%s: message 2", v->name);
	CHECK(!memcmp(kb.tx, v->init_rx, 32) && !memcmp(kb.rx, v->init_tx, 32),
	      "%s: the responder's traffic secrets", v->name);
	CHECK(handshake_receive(&a, r, rl, m, &ml, &ka) == HANDSHAKE_KEYS && ml == v->l3 &&
		      !memcmp(m, v->msg3, ml),
	      "%s: message 3 (confirmation)", v->name);
	CHECK(!memcmp(ka.tx, v->init_tx, 32) && !memcmp(ka.rx, v->init_rx, 32),
	      "%s: the initiator's traffic secrets", v->name);
	CHECK(handshake_receive(&b, m, ml, r, &rl, &kb) == HANDSHAKE_CONFIRMED,
	      "%s: the responder takes the confirmation", v->name);
	handshake_clear(&a);
	handshake_clear(&b);
}

int main(int argc, char **argv)
{
	char line[2 * MAX_HEX + 64], key[32], val[2 * MAX_HEX];
	struct vec v = { 0 };
	int cases = 0;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: test_handshake_vectors handshake-vectors.txt\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "# case ", 7)) {
			memset(&v, 0, sizeof(v));
			sscanf(line + 7, "%63s", v.name);
			continue;
		}
		if (line[0] == '#' || sscanf(line, "%31s %1023s", key, val) < 1)
			continue;
		if (!strcmp(key, "end")) {
			check_case(&v);
			cases++;
		} else if (!strcmp(key, "psk")) {
			v.psk_len = unhex(val, v.psk, sizeof(v.psk));
		} else if (!strcmp(key, "cipher")) {
			snprintf(v.cipher, sizeof(v.cipher), "%.31s", val);
		} else if (!strcmp(key, "gen")) {
			v.gen = (unsigned int)atoi(val);
		} else if (!strcmp(key, "init_ephemeral")) {
			unhex(val, v.ei, 32);
		} else if (!strcmp(key, "resp_ephemeral")) {
			unhex(val, v.er, 32);
		} else if (!strcmp(key, "noise_psk")) {
			unhex(val, v.noise_psk, 32);
		} else if (!strcmp(key, "msg1")) {
			v.l1 = unhex(val, v.msg1, sizeof(v.msg1));
		} else if (!strcmp(key, "msg2")) {
			v.l2 = unhex(val, v.msg2, sizeof(v.msg2));
		} else if (!strcmp(key, "msg3")) {
			v.l3 = unhex(val, v.msg3, sizeof(v.msg3));
		} else if (!strcmp(key, "init_tx")) {
			unhex(val, v.init_tx, 32);
		} else if (!strcmp(key, "init_rx")) {
			unhex(val, v.init_rx, 32);
		}
	}
	fclose(f);
	CHECK(cases == 3, "three cases read (%d)", cases);
	return check_done();
}

// SPDX-License-Identifier: MIT
/*
 * A stranger's SCTP association, for the VM tests: from SRC:PORT (and EXTRA addresses,
 * listed in its INIT) to DST:PORT, with SCTP-AUTH offered and required on the same chunk
 * types as mt6d's own endpoint, but without the tunnel's key. It sends a few
 * messages, holds the association for SECONDS, then closes it.
 *
 *   sctp_intruder [-k CONF] SRC DST PORT SECONDS [EXTRA...]
 *
 * With -k it holds the SCTP-AUTH key of the tunnel configured in CONF (derived from its
 * PSK as mt6d-tunnel derives it), and nothing else of the PSK: the model of an attacker
 * who got that key alone. Without it the kernel's null key is all it has. It gives up
 * on the association after two tries of 1 s each.
 * Prints "connected" or "refused" and exits 0 when the association came up at all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "keys.h"

#define MAX_ADDRS 8

static int addr6(const char *s, uint16_t port, struct sockaddr_in6 *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(port);
	return inet_pton(AF_INET6, s, &sa->sin6_addr) == 1 ? 0 : -1;
}

static int setup(int fd)
{
	/*
	 * The types mt6d requires the peer to authenticate (tunnel/wire/endpoint.c's
	 * auth_chunks marked peer_must), and no more: with COOKIE-ACK on this list, the tunnel's
	 * COOKIE-ACK (authenticated with a key this side lacks) would be discarded and the
	 * association would never come up on this side.
	 */
	const uint8_t chunks[] = { 0x00, 0x03, 0x04, 0x05, 0x06, 0x07,
				   0x08, 0x09, 0x0a, 0x80, 0xc0, 0xc1 };
	struct sctp_assoc_value on = { .assoc_value = 1 };

	if (setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_SUPPORTED, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_ASCONF_SUPPORTED, &on, sizeof(on)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(chunks); i++) {
		struct sctp_authchunk ac = { .sauth_chunk = chunks[i] };

		if (setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_CHUNK, &ac, sizeof(ac)) < 0)
			return -1;
	}
	return 0;
}

/* Key 1 := the SCTP-AUTH key of the tunnel in @conf, active; the null key 0 deleted. */
static int use_tunnel_key(int fd, const char *conf)
{
	static struct mt6d_config cfg;
	uint8_t buf[sizeof(struct sctp_authkey) + MT6D_KEY_LEN];
	struct sctp_authkey *ak = (struct sctp_authkey *)buf;
	struct sctp_authkeyid kid = { .scact_keynumber = 1 };
	char err[512];
	int ret;

	if (mt6d_config_load(&cfg, conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "sctp_intruder: %s\n", err);
		return -1;
	}
	memset(buf, 0, sizeof(buf));
	ak->sca_keynumber = 1;
	ak->sca_keylength = MT6D_KEY_LEN;
	ret = mt6d_kdf(cfg.psk, cfg.psk_len, MT6D_KDF_SCTP_AUTH, ak->sca_key, MT6D_KEY_LEN);
	mt6d_config_clear(&cfg);
	if (ret < 0 || setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_KEY, ak, sizeof(buf)) < 0 ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_ACTIVE_KEY, &kid, sizeof(kid)) < 0)
		return -1;
	kid.scact_keynumber = 0;
	return setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_DELETE_KEY, &kid, sizeof(kid));
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 local[MAX_ADDRS], peer;
	struct timespec hold = { 0 };
	struct sctp_initmsg init = { .sinit_max_attempts = 2, .sinit_max_init_timeo = 1000 };
	const char *conf = NULL;
	int fd, n = 0, port;

	if (argc > 2 && !strcmp(argv[1], "-k")) {
		conf = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 5 || argc - 5 + 1 > MAX_ADDRS) {
		fprintf(stderr, "usage: sctp_intruder [-k CONF] SRC DST PORT SECONDS [EXTRA...]\n");
		return 2;
	}
	/* Never hang a test: whatever happens, the process ends (SIGALRM) in time. */
	alarm((unsigned int)atoi(argv[4]) + 20);
	port = atoi(argv[3]);
	hold.tv_sec = atoi(argv[4]);
	if (addr6(argv[1], (uint16_t)port, &local[n++]) < 0 ||
	    addr6(argv[2], (uint16_t)port, &peer) < 0) {
		fprintf(stderr, "sctp_intruder: bad address\n");
		return 2;
	}
	for (int i = 5; i < argc; i++)
		if (addr6(argv[i], (uint16_t)port, &local[n++]) < 0) {
			fprintf(stderr, "sctp_intruder: bad address %s\n", argv[i]);
			return 2;
		}
	fd = socket(AF_INET6, SOCK_STREAM, IPPROTO_SCTP);
	if (fd < 0 || setup(fd) < 0 || (conf && use_tunnel_key(fd, conf) < 0) ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) < 0 ||
	    sctp_bindx(fd, (struct sockaddr *)local, n, SCTP_BINDX_ADD_ADDR) < 0) {
		perror("sctp_intruder: socket");
		return 2;
	}
	if (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0) {
		printf("refused: %s\n", strerror(errno));
		return 1;
	}
	printf("connected\n");
	fflush(stdout);
	/* Junk where the tunnel expects a handshake: it must not open, whatever it is. */
	for (int i = 0; i < 3; i++)
		if (send(fd, "not a handshake", 15, 0) < 0)
			break;
	nanosleep(&hold, NULL);
	close(fd);
	return 0;
}

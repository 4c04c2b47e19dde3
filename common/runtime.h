/* SPDX-License-Identifier: MIT */
#ifndef MT6D_RUNTIME_H
#define MT6D_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Runtime files under $RUNTIME_DIRECTORY (first entry) or the build-time default:
 *   NAME.tunnel   struct mt6d_runtime_sock: where mt6d-addrmgr finds the tunnel's SCTP
 *                 socket (with association hopping, the one of the association in
 *                 charge), and which association on it is in charge (the peer proved the
 *                 key on it; 0: none), the only one mt6d-addrmgr acts on
 *   NAME.ctl      mt6d-addrmgr's control socket (--rotate, --status)
 *   NAME.tunnel.ctl  mt6d-tunnel's control socket (--status)
 */
int mt6d_runtime_path(char *buf, size_t len, const char *name, const char *suffix)
	__attribute__((warn_unused_result));

/*
 * Names of the tunnels with a control socket in the runtime directory, sorted,
 * each once; returns how many (at most @max) or -errno.
 */
int mt6d_runtime_names(char (*names)[64], size_t max) __attribute__((warn_unused_result));

/* Creates the runtime directory (0755) when missing. */
int mt6d_runtime_mkdir(void) __attribute__((warn_unused_result));

/* What mt6d-tunnel publishes for mt6d-addrmgr: the socket to act on, and what is on it. */
struct mt6d_runtime_sock {
	pid_t pid;
	int fd;		 /* the descriptor's number in the tunnel process */
	int32_t assoc;	 /* the association in charge on it (the peer proved the key); 0: none */
	uint64_t epoch;	 /* its association epoch; 0 without association hopping */
	uint16_t port;	 /* its bound local port */
	uint32_t serial; /* counts the tunnel's sockets: a new socket is told from an old one
			  * whose descriptor number it reuses */
};

/* Atomically (write + rename) publishes @s as "PID FD ASSOC EPOCH PORT SERIAL\n". */
int mt6d_runtime_publish(const char *path, const struct mt6d_runtime_sock *s)
	__attribute__((warn_unused_result));
/* -EBADMSG when the file does not hold six such numbers in range. */
int mt6d_runtime_read(const char *path, struct mt6d_runtime_sock *s)
	__attribute__((warn_unused_result));

#endif

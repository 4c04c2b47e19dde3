/* SPDX-License-Identifier: MIT */
#ifndef MT6D_RUNTIME_H
#define MT6D_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Runtime files under $RUNTIME_DIRECTORY (first entry) or the build-time default:
 *   NAME.tunnel   "PID FD ASSOC\n": where mt6d-addrmgr finds the tunnel's SCTP socket, and
 *                 which association on it is in charge (the peer proved the key on it;
 *                 0: none), the only one mt6d-addrmgr acts on
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

/*
 * Atomically (write + rename) publishes the tunnel's pid, socket descriptor and the id of
 * the association in charge (0: none).
 */
int mt6d_runtime_publish(const char *path, pid_t pid, int fd, int32_t assoc)
	__attribute__((warn_unused_result));
int mt6d_runtime_read(const char *path, pid_t *pid, int *fd, int32_t *assoc)
	__attribute__((warn_unused_result));

#endif

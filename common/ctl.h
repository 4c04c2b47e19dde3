/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CTL_H
#define MT6D_CTL_H

#include <stddef.h>

/*
 * A daemon's control socket: a SOCK_SEQPACKET unix socket (mode 0600) taking one
 * request (for example "rotate", "status") per connection and answering with one
 * message. Replies start with "ok" or "error".
 */
#define MT6D_CTL_MSG_MAX 65536

/* Listens on @path; -EADDRINUSE when a live daemon already answers there. */
int mt6d_ctl_listen(const char *path) __attribute__((warn_unused_result));

/* Accepts one connection and reads its request; returns the connection's fd. */
int mt6d_ctl_accept(int lfd, char *req, size_t len) __attribute__((warn_unused_result));
int mt6d_ctl_reply(int cfd, const char *reply);

/* Client side: sends @req and waits (5 s at most) for the reply. */
int mt6d_ctl_request(const char *path, const char *req, char *reply, size_t len)
	__attribute__((warn_unused_result));

#endif

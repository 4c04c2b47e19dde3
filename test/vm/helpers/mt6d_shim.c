// SPDX-License-Identifier: MIT
/*
 * A misbehaving peer for the VM tests, made from the real mt6d-tunnel: this library is
 * preloaded (LD_PRELOAD) into one gateway's daemon and changes what that daemon does on
 * the wire, so that the other gateway, unmodified, meets a hostile or broken peer over
 * a real SCTP association. Nothing here is linked into mt6d.
 *
 *   MT6D_SHIM_NOAUTH=1   the peer "built without SCTP-AUTH": its endpoint does not
 *                        offer AUTH (SCTP_AUTH_SUPPORTED forced to 0, the AUTH key and
 *                        chunk options skipped), while the daemon believes the other
 *                        side is fine (SCTP_PEER_AUTH_CHUNKS answered with every chunk
 *                        type; the NO_AUTH notification hidden). Everything
 *                        else, the session handshake and sealed data included, is real.
 *   MT6D_SHIM_REPLAY=N   every Nth sealed DATA (or DATA_GSO) frame the daemon sends is sent a
 * second time at once, byte for byte, over the same association; every 4th replay resends instead a
 * frame recorded 50 frames earlier. MT6D_SHIM_REPLAY_MAX (default 20) bounds the replays;
 *                        MT6D_SHIM_REPLAY_LOG names a file that holds their count.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"

#define OLD_DISTANCE 50
#define FRAME_MAX 70000

typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);
typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);
typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);
typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

static int is_sctp(int fd)
{
	int proto = 0;
	socklen_t len = sizeof(proto);

	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_SCTP;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static setsockopt_fn real;
	struct sctp_assoc_value av;

	if (!real)
		real = (setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
	if (level == IPPROTO_SCTP && env_int("MT6D_SHIM_NOAUTH", 0)) {
		switch (name) {
		case SCTP_AUTH_SUPPORTED:
			if (len >= sizeof(av)) {
				memcpy(&av, val, sizeof(av));
				av.assoc_value = 0;
				return real(fd, level, name, &av, sizeof(av));
			}
			break;
		case SCTP_ASCONF_SUPPORTED: /* the kernel wants AUTH for ASCONF */
		case SCTP_AUTH_CHUNK:
		case SCTP_AUTH_KEY:
		case SCTP_AUTH_ACTIVE_KEY:
		case SCTP_AUTH_DELETE_KEY:
			return 0;
		}
	}
	return real(fd, level, name, val, len);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	static getsockopt_fn real;
	struct sctp_authchunks *ac = val;

	if (!real)
		real = (getsockopt_fn)dlsym(RTLD_NEXT, "getsockopt");
	/* Every chunk type, so that whatever list mt6d requires of its peer is satisfied. */
	if (level == IPPROTO_SCTP && name == SCTP_PEER_AUTH_CHUNKS &&
	    env_int("MT6D_SHIM_NOAUTH", 0) && *len >= sizeof(*ac) + 256) {
		ac->gauth_number_of_chunks = 256;
		for (unsigned int i = 0; i < 256; i++)
			ac->gauth_chunks[i] = (uint8_t)i;
		*len = (socklen_t)(sizeof(*ac) + 256);
		return 0;
	}
	return real(fd, level, name, val, len);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static recvmsg_fn real;
	ssize_t n;

	if (!real)
		real = (recvmsg_fn)dlsym(RTLD_NEXT, "recvmsg");
	n = real(fd, msg, flags);
	if (n >= (ssize_t)sizeof(struct sctp_authkey_event) &&
	    (msg->msg_flags & MSG_NOTIFICATION) && env_int("MT6D_SHIM_NOAUTH", 0) &&
	    msg->msg_iovlen >= 1 && msg->msg_iov[0].iov_len >= sizeof(struct sctp_authkey_event)) {
		struct sctp_authkey_event *ev = msg->msg_iov[0].iov_base;

		if (ev->auth_type == SCTP_AUTHENTICATION_EVENT &&
		    ev->auth_indication == SCTP_AUTH_NO_AUTH)
			ev->auth_indication = SCTP_AUTH_NEW_KEY; /* ignored by mt6d */
	}
	return n;
}

struct replay_state {
	unsigned long frames, replays;
	uint8_t ring[OLD_DISTANCE][FRAME_MAX];
	size_t ring_len[OLD_DISTANCE];
};

static void note_replay(struct replay_state *r)
{
	const char *path = getenv("MT6D_SHIM_REPLAY_LOG");
	FILE *f;

	r->replays++;
	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "%lu\n", r->replays);
	fclose(f);
}

static void maybe_replay(sendmsg_fn real, int fd, const struct msghdr *msg, int flags)
{
	static struct replay_state *r;
	int every = env_int("MT6D_SHIM_REPLAY", 0);
	const uint8_t *p;
	size_t len, slot;

	if (every <= 0 || msg->msg_iovlen != 1 || !is_sctp(fd))
		return;
	p = msg->msg_iov[0].iov_base;
	len = msg->msg_iov[0].iov_len;
	if (len < MT6D_FRAME_HDR_LEN || len > FRAME_MAX || p[0] != MT6D_FRAME_VERSION ||
	    (p[1] != MT6D_FRAME_DATA && p[1] != MT6D_FRAME_DATA_GSO))
		return;
	if (!r && !(r = calloc(1, sizeof(*r))))
		return;
	slot = r->frames % OLD_DISTANCE;
	r->frames++;
	if (r->replays < (unsigned long)env_int("MT6D_SHIM_REPLAY_MAX", 20) &&
	    r->frames > OLD_DISTANCE && r->frames % (unsigned long)every == 0) {
		struct msghdr m = *msg;
		struct iovec iov = msg->msg_iov[0];

		/* The oldest recorded frame sits in the slot about to be overwritten. */
		if ((r->replays + 1) % 4 == 0) {
			iov.iov_base = r->ring[slot];
			iov.iov_len = r->ring_len[slot];
		}
		m.msg_iov = &iov;
		if (real(fd, &m, flags) >= 0)
			note_replay(r);
	}
	memcpy(r->ring[slot], p, len);
	r->ring_len[slot] = len;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static sendmsg_fn real;
	ssize_t n;
	int saved;

	if (!real)
		real = (sendmsg_fn)dlsym(RTLD_NEXT, "sendmsg");
	n = real(fd, msg, flags);
	if (n < 0)
		return n;
	saved = errno;
	maybe_replay(real, fd, msg, flags);
	errno = saved;
	return n;
}

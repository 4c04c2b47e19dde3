// SPDX-License-Identifier: MIT
#include "endpoint.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Chunk types the peer must send behind an AUTH chunk (RFC 4895). The kernel drops such a
 * chunk that arrives without a valid AUTH before its state machine sees it
 * (sctp_assoc_bh_rcv(): sctp_auth_recv_cid() && !chunk->auth), so an on-path observer who
 * read the verification tag cannot abort, shut down, acknowledge or feed the association.
 * RFC 4895 allows every type but INIT, INIT-ACK, SHUTDOWN-COMPLETE and AUTH; the kernel
 * keeps at most 16 (SCTP_AUTH_MAX_CHUNKS, the size of the copy in its state cookie: a
 * 17th is refused with EINVAL where sctp_auth_ep_add_chunkid() is fixed, and overflows
 * that copy where it is not). COOKIE-ECHO is on it, so a forged INIT and COOKIE-ECHO
 * cannot restart the association; the kernel verifies that AUTH late, and only with the
 * network namespace's net.sctp.auth_enable = 1 (sctp_auth_chunk_verify()), which the
 * tunnel therefore requires before it starts. Left out: I-DATA and I-FORWARD-TSN
 * (interleaving is never negotiated, and the kernel discards both without it) and PAD
 * (always discarded).
 * What each type does without AUTH on Linux 6.1: docs/sctp-auth.md.
 */
/*
 * @peer_must: the peer must require it of us too, or it is refused -- the types whose
 * forgery toward the peer would reset, restart, shut down, stall or feed the association
 * both ends share. A peer that leaves out only COOKIE-ACK, congestion signals (ECNE, CWR)
 * or RE-CONFIG (stream reset, never negotiated) is still accepted.
 */
static const struct {
	uint8_t type;
	bool peer_must;
} auth_chunks[] = {
	/* clang-format off */
	{ 0x00, true },		/* DATA */
	{ 0x03, true },		/* SACK */
	{ 0x04, true },		/* HEARTBEAT */
	{ 0x05, true },		/* HEARTBEAT-ACK */
	{ 0x06, true },		/* ABORT */
	{ 0x07, true },		/* SHUTDOWN */
	{ 0x08, true },		/* SHUTDOWN-ACK */
	{ 0x09, true },		/* ERROR */
	{ 0x0a, true },		/* COOKIE-ECHO */
	{ 0x0b, false },	/* COOKIE-ACK */
	{ 0x0c, false },	/* ECNE */
	{ 0x0d, false },	/* CWR */
	{ 0x80, true },		/* ASCONF-ACK */
	{ 0x82, false },	/* RE-CONFIG */
	{ 0xc0, true },		/* FORWARD-TSN */
	{ 0xc1, true },		/* ASCONF */
	/* clang-format on */
};
#define N_AUTH_CHUNKS (sizeof(auth_chunks) / sizeof(auth_chunks[0]))

static const uint16_t subscribed_events[] = {
	SCTP_ASSOC_CHANGE,
	SCTP_PEER_ADDR_CHANGE,
	SCTP_SHUTDOWN_EVENT,
	SCTP_AUTHENTICATION_EVENT,
};

static int set_opt(int fd, int level, int name, const void *val, socklen_t len)
{
	return setsockopt(fd, level, name, val, len) < 0 ? -errno : 0;
}

static int set_int(int fd, int level, int name, int val)
{
	return set_opt(fd, level, name, &val, sizeof(val));
}

static int set_assoc_value(int fd, int name, uint32_t val)
{
	struct sctp_assoc_value av = { .assoc_id = SCTP_FUTURE_ASSOC, .assoc_value = val };

	return set_opt(fd, IPPROTO_SCTP, name, &av, sizeof(av));
}

static int set_buffers(int fd, int size)
{
	/* SCTP does not autotune: size both buffers; FORCE passes rmem_max with CAP_NET_ADMIN. */
	if (set_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, size) < 0 &&
	    set_int(fd, SOL_SOCKET, SO_SNDBUF, size) < 0)
		return -errno;
	if (set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, size) < 0 &&
	    set_int(fd, SOL_SOCKET, SO_RCVBUF, size) < 0)
		return -errno;
	return 0;
}

int endpoint_set_auth(int fd, const uint8_t *key, size_t key_len)
{
	uint8_t buf[sizeof(struct sctp_authkey) + 64];
	struct sctp_authkey *ak = (struct sctp_authkey *)buf;
	struct sctp_authkeyid kid = { .scact_assoc_id = SCTP_FUTURE_ASSOC, .scact_keynumber = 1 };
	int ret;

	if (key_len > 64)
		return -EINVAL;
	for (size_t i = 0; i < N_AUTH_CHUNKS; i++) {
		struct sctp_authchunk ac = { .sauth_chunk = auth_chunks[i].type };

		ret = set_opt(fd, IPPROTO_SCTP, SCTP_AUTH_CHUNK, &ac, sizeof(ac));
		if (ret < 0)
			return ret;
	}
	memset(buf, 0, sizeof(buf));
	ak->sca_assoc_id = SCTP_FUTURE_ASSOC;
	ak->sca_keynumber = 1;
	ak->sca_keylength = (uint16_t)key_len;
	memcpy(ak->sca_key, key, key_len);
	ret = set_opt(fd, IPPROTO_SCTP, SCTP_AUTH_KEY, ak, (socklen_t)(sizeof(*ak) + key_len));
	explicit_bzero(buf, sizeof(buf));
	if (ret < 0)
		return ret;
	ret = set_opt(fd, IPPROTO_SCTP, SCTP_AUTH_ACTIVE_KEY, &kid, sizeof(kid));
	if (ret < 0)
		return ret;
	/* The null key 0 would let anyone who saw the handshake compute valid AUTH chunks. */
	kid.scact_keynumber = 0;
	return set_opt(fd, IPPROTO_SCTP, SCTP_AUTH_DELETE_KEY, &kid, sizeof(kid));
}

static int set_events(int fd)
{
	for (size_t i = 0; i < sizeof(subscribed_events) / sizeof(subscribed_events[0]); i++) {
		struct sctp_event ev = {
			.se_assoc_id = SCTP_FUTURE_ASSOC,
			.se_type = subscribed_events[i],
			.se_on = 1,
		};
		int ret = set_opt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev));

		if (ret < 0)
			return ret;
	}
	return set_int(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, 1);
}

/* Failure detection in seconds, not the kernel's default of minutes. */
static int set_timers(int fd, const struct endpoint_params *p)
{
	struct sctp_rtoinfo rto = {
		.srto_assoc_id = SCTP_FUTURE_ASSOC,
		.srto_initial = p->rto_max < 1000 ? p->rto_max : 1000,
		.srto_min = p->rto_min,
		.srto_max = p->rto_max,
	};
	struct sctp_initmsg init = {
		.sinit_num_ostreams = p->streams,
		.sinit_max_instreams = p->streams,
		.sinit_max_attempts = 4,
		.sinit_max_init_timeo = 2000,
	};
	struct sctp_assocparams ap = {
		.sasoc_assoc_id = SCTP_FUTURE_ASSOC,
		.sasoc_asocmaxrxt = p->max_retrans,
	};
	struct sctp_paddrparams pp = {
		.spp_assoc_id = SCTP_FUTURE_ASSOC,
		.spp_hbinterval = p->hb_interval,
		.spp_pathmaxrxt = p->path_max_retrans,
		.spp_flags = p->hb_interval ? SPP_HB_ENABLE : SPP_HB_DISABLE,
	};
	/* Potentially failed (RFC 7829): switch paths after a few losses, not at failure. */
	struct sctp_paddrthlds th = {
		.spt_assoc_id = SCTP_FUTURE_ASSOC,
		.spt_pathmaxrxt = p->path_max_retrans,
		.spt_pathpfthld = p->pf_threshold,
	};
	int ret;

	ret = set_opt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto));
	if (!ret)
		ret = set_opt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init));
	if (!ret)
		ret = set_opt(fd, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, sizeof(ap));
	if (!ret)
		ret = set_opt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp));
	if (!ret)
		ret = set_opt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS, &th, sizeof(th));
	return ret;
}

/*
 * Delayed SACK (RFC 4960 6.2): at most every second packet or after @delay ms. With 0 the
 * receiver acknowledges every packet, which opens the sender's window sooner.
 */
static int set_sack(int fd, uint32_t delay)
{
	struct sctp_sack_info si = {
		.sack_assoc_id = SCTP_FUTURE_ASSOC,
		.sack_delay = delay ? delay : 1,
		.sack_freq = delay ? 2 : 1,
	};

	return set_opt(fd, IPPROTO_SCTP, SCTP_DELAYED_SACK, &si, sizeof(si));
}

/*
 * PR-SCTP (RFC 3758): offered to the peer only when data is partially reliable, and the
 * endpoint's default policy. Under full reliability it is switched off explicitly
 * (net.sctp.prsctp_enable, which new endpoints inherit, defaults to 1): a FORWARD-TSN is
 * then an unknown chunk to the kernel, one attack surface less. The tunnel's own sends
 * carry their policy in an SCTP_PRINFO each (send_cmsg), since SCTP_SNDINFO makes the
 * kernel ignore the default.
 */
static int set_prinfo(int fd, const struct endpoint_params *p)
{
	struct sctp_default_prinfo pi = {
		.pr_assoc_id = SCTP_FUTURE_ASSOC,
		.pr_policy = p->pr.policy,
		.pr_value = p->pr.value,
	};
	bool partial = p->pr.policy != SCTP_PR_SCTP_NONE;
	int ret = set_assoc_value(fd, SCTP_PR_SUPPORTED, partial);

	if (!ret && partial)
		ret = set_opt(fd, IPPROTO_SCTP, SCTP_DEFAULT_PRINFO, &pi, sizeof(pi));
	return ret;
}

int endpoint_open(const struct endpoint_params *p)
{
	int fd = socket(AF_INET6, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_SCTP);
	int ret;

	if (fd < 0)
		return -errno;
	ret = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	/* Hashed addresses may be bound before mt6d-addrmgr has put them on the uplink. */
	if (!ret)
		ret = set_int(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1);
	if (!ret)
		ret = set_int(fd, IPPROTO_SCTP, SCTP_AUTO_ASCONF, 0);
	/* AUTH first: the kernel refuses ASCONF on an endpoint without it. */
	if (!ret)
		ret = set_assoc_value(fd, SCTP_AUTH_SUPPORTED, 1);
	if (!ret)
		ret = set_assoc_value(fd, SCTP_ASCONF_SUPPORTED, 1);
	if (!ret)
		ret = endpoint_set_auth(fd, p->auth_key, p->auth_key_len);
	if (!ret)
		ret = set_events(fd);
	if (!ret)
		ret = set_timers(fd, p);
	if (!ret)
		ret = set_prinfo(fd, p);
	if (!ret)
		ret = set_sack(fd, p->sack_delay);
	if (!ret)
		ret = set_int(fd, IPPROTO_SCTP, SCTP_NODELAY, 1);
	if (!ret)
		ret = set_buffers(fd, p->bufsize);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

static size_t fill_sockaddrs(struct sockaddr_in6 *sa, const struct in6_addr *addrs, size_t n,
			     uint16_t port)
{
	for (size_t i = 0; i < n; i++)
		sa[i] = (struct sockaddr_in6){
			.sin6_family = AF_INET6,
			.sin6_port = htons(port),
			.sin6_addr = addrs[i],
		};
	return n;
}

#define SCTP_EP_MAX_ADDRS 16

int endpoint_bind(int fd, const struct in6_addr *addrs, size_t n, uint16_t port)
{
	struct sockaddr_in6 sa[SCTP_EP_MAX_ADDRS];

	if (!n || n > SCTP_EP_MAX_ADDRS)
		return -EINVAL;
	fill_sockaddrs(sa, addrs, n, port);
	if (sctp_bindx(fd, (struct sockaddr *)sa, (int)n, SCTP_BINDX_ADD_ADDR) < 0)
		return -errno;
	return listen(fd, 4) < 0 ? -errno : 0;
}

int endpoint_connect(int fd, const struct in6_addr *addrs, size_t n, uint16_t port,
		     sctp_assoc_t *id)
{
	struct sockaddr_in6 sa[SCTP_EP_MAX_ADDRS];

	if (!n || n > SCTP_EP_MAX_ADDRS)
		return -EINVAL;
	fill_sockaddrs(sa, addrs, n, port);
	if (sctp_connectx(fd, (struct sockaddr *)sa, (int)n, id) < 0 && errno != EINPROGRESS)
		return -errno;
	return 0;
}

int endpoint_check_peer_auth(int fd, sctp_assoc_t id)
{
	uint8_t buf[sizeof(struct sctp_authchunks) + 256];
	struct sctp_authchunks *ac = (struct sctp_authchunks *)buf;
	socklen_t len = sizeof(buf);

	memset(buf, 0, sizeof(buf));
	ac->gauth_assoc_id = id;
	/* A peer without AUTH is accepted by the kernel; this read is the only sign. */
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_PEER_AUTH_CHUNKS, ac, &len) < 0)
		return -errno;
	for (size_t i = 0; i < N_AUTH_CHUNKS; i++) {
		if (auth_chunks[i].peer_must &&
		    !memchr(ac->gauth_chunks, auth_chunks[i].type, ac->gauth_number_of_chunks))
			return -EPERM;
	}
	return 0;
}

/*
 * SCTP_SNDINFO alone makes the kernel ignore the endpoint's default PR-SCTP policy
 * (sctp_sendmsg_update_sinfo() applies default_flags only to a send without SNDINFO
 * and SNDRCV): every message carries its policy in an SCTP_PRINFO of its own.
 */
static int send_cmsg(int fd, sctp_assoc_t id, uint16_t stream, uint16_t flags,
		     const struct endpoint_pr *pr, const struct iovec *iov, int iovcnt)
{
	char cbuf[CMSG_SPACE(sizeof(struct sctp_sndinfo)) +
		  CMSG_SPACE(sizeof(struct sctp_prinfo))] = { 0 };
	struct msghdr mh = {
		.msg_iov = (struct iovec *)iov,
		.msg_iovlen = (size_t)iovcnt,
		.msg_control = cbuf,
		.msg_controllen = CMSG_SPACE(sizeof(struct sctp_sndinfo)),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	struct sctp_sndinfo si = { .snd_sid = stream, .snd_flags = flags, .snd_assoc_id = id };

	cm->cmsg_level = IPPROTO_SCTP;
	cm->cmsg_type = SCTP_SNDINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(si));
	memcpy(CMSG_DATA(cm), &si, sizeof(si));
	if (pr) {
		struct sctp_prinfo pi = { .pr_policy = pr->policy, .pr_value = pr->value };

		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_NXTHDR(&mh, cm);
		cm->cmsg_level = IPPROTO_SCTP;
		cm->cmsg_type = SCTP_PRINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -errno : 0;
}

int endpoint_abort(int fd, sctp_assoc_t id)
{
	return send_cmsg(fd, id, 0, SCTP_ABORT, NULL, NULL, 0);
}

int endpoint_send(int fd, sctp_assoc_t id, uint16_t stream, int unordered,
		  const struct endpoint_pr *pr, const struct iovec *iov, int iovcnt)
{
	static const struct endpoint_pr reliable = { .policy = SCTP_PR_SCTP_NONE };

	return send_cmsg(fd, id, stream, unordered ? SCTP_UNORDERED : 0, pr ? pr : &reliable, iov,
			 iovcnt);
}

int endpoint_recv(int fd, void *buf, size_t len, struct endpoint_msg *msg)
{
	char cbuf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	*msg = (struct endpoint_msg){
		.len = (size_t)n,
		.notification = !!(mh.msg_flags & MSG_NOTIFICATION),
		.complete = !!(mh.msg_flags & MSG_EOR),
	};
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == IPPROTO_SCTP && cm->cmsg_type == SCTP_RCVINFO) {
			struct sctp_rcvinfo ri;

			memcpy(&ri, CMSG_DATA(cm), sizeof(ri));
			msg->assoc = ri.rcv_assoc_id;
		}
	}
	return 0;
}

// SPDX-License-Identifier: MIT
#include "tsock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime.h"

void tsock_detach(struct tsock *ts)
{
	if (ts->sk >= 0)
		close(ts->sk);
	if (ts->pidfd >= 0)
		close(ts->pidfd);
	*ts = (struct tsock)TSOCK_INIT;
}

static int check_sctp(int sk)
{
	int proto = 0, domain = 0;
	socklen_t len = sizeof(proto);

	if (getsockopt(sk, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0)
		return -errno;
	len = sizeof(domain);
	if (getsockopt(sk, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return -errno;
	return proto == IPPROTO_SCTP && domain == AF_INET6 ? 0 : -ENOTSOCK;
}

int tsock_attach(struct tsock *ts, const char *runtime_path, int *changed)
{
	struct mt6d_runtime_sock rs;
	int pidfd, sk, ret;

	*changed = 0;
	ret = mt6d_runtime_read(runtime_path, &rs);
	if (ret < 0) {
		tsock_detach(ts);
		return ret;
	}
	if (ts->sk >= 0 && ts->pid == rs.pid && ts->fdnum == rs.fd && ts->serial == rs.serial) {
		ts->assoc = rs.assoc;
		return 0;
	}
	tsock_detach(ts);
	pidfd = pidfd_open(rs.pid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	sk = pidfd_getfd(pidfd, rs.fd, 0);
	if (sk < 0) {
		ret = -errno;
		close(pidfd);
		return ret;
	}
	ret = check_sctp(sk);
	if (ret < 0) {
		close(sk);
		close(pidfd);
		return ret;
	}
	*ts = (struct tsock){ .pid = rs.pid,
			      .assoc = rs.assoc,
			      .epoch = rs.epoch,
			      .port = rs.port,
			      .serial = rs.serial,
			      .fdnum = rs.fd,
			      .pidfd = pidfd,
			      .sk = sk };
	*changed = 1;
	return 0;
}

/* The IPv6 ones of @n packed addresses @sa; *@port (when asked): the first one's. */
static int copy_addrs(struct sockaddr *sa, int n, struct in6_addr *out, size_t max, uint16_t *port)
{
	size_t k = 0;
	char *p = (char *)sa;

	for (int i = 0; i < n; i++) {
		struct sockaddr *s = (struct sockaddr *)p;

		if (s->sa_family == AF_INET6) {
			if (port && !k)
				*port = ntohs(((struct sockaddr_in6 *)s)->sin6_port);
			if (k < max)
				out[k++] = ((struct sockaddr_in6 *)s)->sin6_addr;
			p += sizeof(struct sockaddr_in6);
		} else {
			p += sizeof(struct sockaddr_in);
		}
	}
	return (int)k;
}

int tsock_local_addrs(const struct tsock *ts, struct in6_addr *out, size_t max)
{
	struct sockaddr *sa = NULL;
	int n = sctp_getladdrs(ts->sk, 0, &sa), ret;

	if (n < 0)
		return -errno;
	ret = copy_addrs(sa, n, out, max, NULL);
	if (sa)
		sctp_freeladdrs(sa);
	return ret;
}

int tsock_peer_addrs(const struct tsock *ts, sctp_assoc_t id, struct in6_addr *out, size_t max,
		     uint16_t *port)
{
	struct sockaddr *sa = NULL;
	int n = sctp_getpaddrs(ts->sk, id, &sa), ret;

	if (n < 0)
		return -errno;
	ret = copy_addrs(sa, n, out, max, port);
	if (sa)
		sctp_freepaddrs(sa);
	return ret;
}

int tsock_peer_primary(const struct tsock *ts, sctp_assoc_t id, struct in6_addr *out)
{
	struct sctp_prim p = { .ssp_assoc_id = id };
	socklen_t len = sizeof(p);
	const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)&p.ssp_addr;

	if (getsockopt(ts->sk, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &p, &len) < 0)
		return -errno;
	if (sa->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	*out = sa->sin6_addr;
	return 0;
}

int tsock_path_info(const struct tsock *ts, sctp_assoc_t id, const struct in6_addr *addr,
		    uint16_t port, struct tsock_path *out)
{
	struct sctp_paddrinfo pi = { .spinfo_assoc_id = id };
	socklen_t len = sizeof(pi);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = *addr };

	memcpy(&pi.spinfo_address, &sa, sizeof(sa));
	if (getsockopt(ts->sk, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &pi, &len) < 0)
		return -errno;
	out->state = pi.spinfo_state;
	out->srtt_ms = pi.spinfo_srtt;
	return 0;
}

static struct sockaddr_in6 sockaddr6(const struct in6_addr *addr, uint16_t port)
{
	return (struct sockaddr_in6){
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = *addr,
	};
}

int tsock_bind(const struct tsock *ts, const struct in6_addr *addr, uint16_t port, int add)
{
	struct sockaddr_in6 sa = sockaddr6(addr, port);

	if (sctp_bindx(ts->sk, (struct sockaddr *)&sa, 1,
		       add ? SCTP_BINDX_ADD_ADDR : SCTP_BINDX_REM_ADDR) < 0)
		return -errno;
	return 0;
}

int tsock_set_peer_primary(const struct tsock *ts, sctp_assoc_t id, const struct in6_addr *addr,
			   uint16_t port)
{
	struct sctp_setpeerprim sp = { .sspp_assoc_id = id };
	/* The bound port must be in the address, or the kernel says EADDRNOTAVAIL forever. */
	struct sockaddr_in6 sa = sockaddr6(addr, port);

	memcpy(&sp.sspp_addr, &sa, sizeof(sa));
	if (setsockopt(ts->sk, IPPROTO_SCTP, SCTP_SET_PEER_PRIMARY_ADDR, &sp, sizeof(sp)) < 0)
		return -errno;
	return 0;
}

bool tsock_addr_in(const struct in6_addr *a, const struct in6_addr *list, int n)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(&list[i], a, sizeof(*a)))
			return true;
	return false;
}

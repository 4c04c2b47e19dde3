// SPDX-License-Identifier: MIT
#include "assoc_info.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* sctp_get[pl]addrs() pack addresses of both families back to back. */
static const struct sockaddr *next_addr(const struct sockaddr *sa)
{
	size_t len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					       : sizeof(struct sockaddr_in);

	return (const struct sockaddr *)((const char *)sa + len);
}

static int get_path(int fd, sctp_assoc_t id, const struct sockaddr_in6 *sa,
		    struct sctp_path_info *p)
{
	struct sctp_paddrinfo pi = { .spinfo_assoc_id = id };
	socklen_t len = sizeof(pi);

	memcpy(&pi.spinfo_address, sa, sizeof(*sa));
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &pi, &len) < 0)
		return -errno;
	p->addr = sa->sin6_addr;
	p->state = pi.spinfo_state;
	p->srtt_ms = pi.spinfo_srtt;
	p->rto_ms = pi.spinfo_rto;
	p->cwnd = pi.spinfo_cwnd;
	p->mtu = pi.spinfo_mtu;
	return 0;
}

static void get_paths(int fd, sctp_assoc_t id, const struct in6_addr *primary,
		      struct assoc_info *out)
{
	struct sockaddr *addrs;
	int n = sctp_getpaddrs(fd, id, &addrs);
	const struct sockaddr *a = addrs;

	for (int i = 0; i < n && out->n_paths < SCTP_INFO_MAX_PATHS; i++, a = next_addr(a)) {
		const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)a;
		struct sctp_path_info *p = &out->paths[out->n_paths];

		/* A path that went away between the two calls is simply left out. */
		if (a->sa_family != AF_INET6 || get_path(fd, id, sa, p) < 0)
			continue;
		out->peer_port = ntohs(sa->sin6_port);
		p->primary = IN6_ARE_ADDR_EQUAL(&p->addr, primary);
		out->n_paths++;
	}
	if (n > 0)
		sctp_freepaddrs(addrs);
}

static void get_local(int fd, sctp_assoc_t id, struct assoc_info *out)
{
	struct sockaddr *addrs;
	int n = sctp_getladdrs(fd, id, &addrs);
	const struct sockaddr *a = addrs;

	for (int i = 0; i < n && out->n_local < SCTP_INFO_MAX_LOCAL; i++, a = next_addr(a))
		if (a->sa_family == AF_INET6)
			out->local[out->n_local++] = ((const struct sockaddr_in6 *)a)->sin6_addr;
	if (n > 0)
		sctp_freeladdrs(addrs);
}

int assoc_info_get(int fd, sctp_assoc_t id, struct assoc_info *out)
{
	struct sctp_status st = { .sstat_assoc_id = id };
	struct sctp_assoc_stats as = { .sas_assoc_id = id };
	socklen_t len = sizeof(st);
	const struct sockaddr_in6 *prim;

	memset(out, 0, sizeof(*out));
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0)
		return -errno;
	out->state = st.sstat_state;
	out->rwnd = st.sstat_rwnd;
	out->unacked = st.sstat_unackdata;
	out->pending = st.sstat_penddata;
	out->instreams = st.sstat_instrms;
	out->outstreams = st.sstat_outstrms;
	len = sizeof(as);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_GET_ASSOC_STATS, &as, &len) == 0) {
		out->opackets = as.sas_opackets;
		out->ipackets = as.sas_ipackets;
		out->rtx_chunks = as.sas_rtxchunks;
		out->gap_acks = as.sas_gapcnt;
	}
	prim = (const struct sockaddr_in6 *)&st.sstat_primary.spinfo_address;
	get_paths(fd, id, &prim->sin6_addr, out);
	get_local(fd, id, out);
	return 0;
}

const char *assoc_info_assoc_state(int state)
{
	static const char *const names[] = {
		[SCTP_EMPTY] = "empty",
		[SCTP_CLOSED] = "closed",
		[SCTP_COOKIE_WAIT] = "cookie-wait",
		[SCTP_COOKIE_ECHOED] = "cookie-echoed",
		[SCTP_ESTABLISHED] = "established",
		[SCTP_SHUTDOWN_PENDING] = "shutdown-pending",
		[SCTP_SHUTDOWN_SENT] = "shutdown-sent",
		[SCTP_SHUTDOWN_RECEIVED] = "shutdown-received",
		[SCTP_SHUTDOWN_ACK_SENT] = "shutdown-ack-sent",
	};

	if (state < 0 || (size_t)state >= sizeof(names) / sizeof(names[0]) || !names[state])
		return "unknown";
	return names[state];
}

const char *assoc_info_path_state(int state)
{
	static const char *const names[] = {
		[SCTP_INACTIVE] = "inactive",
		[SCTP_PF] = "pf",
		[SCTP_ACTIVE] = "active",
		[SCTP_UNCONFIRMED] = "unconfirmed",
	};

	if (state < 0 || (size_t)state >= sizeof(names) / sizeof(names[0]) || !names[state])
		return "unknown";
	return names[state];
}

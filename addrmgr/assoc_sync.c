// SPDX-License-Identifier: MIT
#include "assoc_sync.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "log.h"
#include "notify.h"

static const char *fmt_addr(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/*
 * An address bound to the endpoint while an association was still being set up is
 * never announced to it (the kernel only sends ADD-IP on established associations):
 * unbind and bind it again so that the kernel sends the ASCONF now.
 */
static int reannounce(const struct assoc_sync *as, const struct in6_addr *cur)
{
	char buf[INET6_ADDRSTRLEN];
	int ret = tsock_bind(as->ts, cur, as->port, 0);

	if (!ret)
		ret = tsock_bind(as->ts, cur, as->port, 1);
	log_info("re-announcing %s to the association: %s", fmt_addr(cur, buf),
		 ret ? strerror(-ret) : "ok");
	return ret;
}

/*
 * Only the association the tunnel published as in charge (the peer proved the key on it):
 * any other association on the socket, a forged one included, is never made to send to
 * us anywhere.
 */
static void set_primary(const struct assoc_sync *as, const struct in6_addr *cur)
{
	struct assoc_state *st = as->st;
	sctp_assoc_t id = as->ts->assoc;
	char buf[INET6_ADDRSTRLEN];
	int ret;

	if (!id || (id == st->primary_assoc && st->primary_slot == as->plan->current))
		return;
	ret = tsock_set_peer_primary(as->ts, id, cur, as->port);
	if (ret == -EPERM || ret == -ENOTCONN) {
		/* Still being set up (the peer's ASCONF support is not known yet). */
		log_debug("association %d not established yet", (int)id);
		return;
	}
	if (ret == -EADDRNOTAVAIL && st->reannounced_slot != as->plan->current) {
		st->reannounced_slot = as->plan->current;
		ret = reannounce(as, cur);
		if (!ret)
			ret = tsock_set_peer_primary(as->ts, id, cur, as->port);
	}
	if (ret < 0) {
		as->stats->failures++;
		/* Retried every tick: say it once per slot. */
		if (st->warned_slot != as->plan->current)
			log_warnx("association %d: cannot make %s the peer's primary: %s", (int)id,
				  fmt_addr(cur, buf), strerror(-ret));
		st->warned_slot = as->plan->current;
		return;
	}
	st->primary_assoc = id;
	st->primary_slot = as->plan->current;
	mt6d_notify_status("slot %llu: peer sends to %s; %llu rotations, %llu failures",
			   (unsigned long long)as->plan->current, fmt_addr(cur, buf),
			   (unsigned long long)as->stats->rotations,
			   (unsigned long long)as->stats->failures);
	log_info("association %d: peer now sends to %s (slot %llu)", (int)id, fmt_addr(cur, buf),
		 (unsigned long long)as->plan->current);
}

/*
 * Confirmed teardown (guard/guard.c): an address that left the plan is unbound only once
 * the peer's SCTP reached a newer one. Past the deadline without that evidence: one line
 * in the log, a failure counted, and the peer's primary set again (the kernel retransmits
 * the ASCONFs themselves).
 */
static bool may_unbind(const struct assoc_sync *as, const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	uint64_t slot, missed;

	if (!as->guard || !plan_stray(as->plan, as->pp, a, &slot))
		return true;
	switch (guard_unbind_check(as->guard, a, slot, &missed)) {
	case GUARD_TEARDOWN_UNBIND:
		return true;
	case GUARD_TEARDOWN_RETRY:
		as->stats->failures++;
		/* One line per held address; its later retries only at debug level. */
		if (missed == 1)
			log_warnx("no evidence yet that the peer sends to an address newer than %s "
				  "(slot %llu): keeping it bound, asking for the peer's primary "
				  "again",
				  fmt_addr(a, buf), (unsigned long long)slot);
		else
			log_debug("still no evidence for an address newer than %s (%llu "
				  "deadlines)",
				  fmt_addr(a, buf), (unsigned long long)missed);
		if (!as->st->stalled)
			as->st->primary_assoc = 0;
		return false;
	default:
		return false;
	}
}

/*
 * While the peer is seen using no newer address than one that stopped being current a
 * deadline ago, the current one is neither bound nor made primary (guard_stalled): the
 * rotation waits for the path instead of queueing ASCONFs behind a lost one.
 */
static bool asconf_stalled(const struct assoc_sync *as, time_t now, const struct in6_addr *cur,
			   const struct in6_addr *bound, int nbound)
{
	uint64_t newest = 0, slot;
	bool stalled = false;

	if (!as->guard || tsock_addr_in(cur, bound, nbound))
		goto out;
	for (int i = 0; i < nbound; i++) {
		const struct plan_entry *e = plan_find(as->plan, &bound[i]);

		slot = 0;
		if (e)
			slot = e->slot;
		else if (!plan_stray(as->plan, as->pp, &bound[i], &slot))
			continue;
		if (slot > newest)
			newest = slot;
	}
	stalled = guard_stalled(as->guard, newest, now);
out:
	if (stalled && !as->st->stalled)
		log_warnx("no evidence that the peer got the ASCONFs up to slot %llu: rotation "
			  "waits for them",
			  (unsigned long long)newest);
	else if (!stalled && as->st->stalled)
		log_warnx("ASCONFs get through again: rotation resumes");
	as->st->stalled = stalled;
	return stalled;
}

/* The planned address of the association's epoch's latest slot, or NULL. */
static const struct plan_entry *last_of_epoch(const struct assoc_sync *as)
{
	const struct plan_entry *last = NULL;

	for (size_t i = 0; i < as->plan->n; i++)
		if (as->plan->e[i].role != ROLE_NEXT &&
		    mt6d_assoc_epoch(as->plan->e[i].slot, as->association_slots) == as->ts->epoch)
			last = &as->plan->e[i];
	return last;
}

/*
 * Step 2: make-before-break on the association: bind the current address (ASCONF
 * ADD-IP), make it the peer's primary, then unbind what fell out of the plan
 * (ASCONF DEL-IP). Never the last address: the kernel refuses that anyway.
 */
void assoc_sync_converge(const struct assoc_sync *as, time_t now, struct in6_addr *bound,
			 int *nbound)
{
	const struct plan_entry *cur = NULL;
	char buf[INET6_ADDRSTRLEN];
	int ret;

	for (size_t i = 0; i < as->plan->n; i++)
		if (as->plan->e[i].role == ROLE_CURRENT)
			cur = &as->plan->e[i];
	/*
	 * Association hopping: a socket carries the addresses of its own epoch only (the
	 * tunnel bound the first); the next epoch's address goes to the next association,
	 * never to this one, where an ASCONF would tie the two together. Past its epoch, an
	 * association keeps the epoch's last address until the hop. When that is not bound
	 * (the uplink was renumbered since), it is announced and made the peer's primary: the
	 * peer learns the new /64 from it and hops there. When it is bound but was not made
	 * the primary on this association yet (a new primary uplink), that is asked again.
	 */
	if (as->association_slots &&
	    mt6d_assoc_epoch(cur->slot, as->association_slots) != as->ts->epoch) {
		cur = last_of_epoch(as);
		if (!cur || (tsock_addr_in(&cur->addr, bound, *nbound) &&
			     as->st->primary_assoc == as->ts->assoc))
			goto unbind;
	}
	if (asconf_stalled(as, now, &cur->addr, bound, *nbound))
		goto unbind;
	if (!tsock_addr_in(&cur->addr, bound, *nbound)) {
		ret = tsock_bind(as->ts, &cur->addr, as->port, 1);
		if (ret < 0) {
			as->stats->failures++;
			log_warnx("cannot bind %s to the association: %s",
				  fmt_addr(&cur->addr, buf), strerror(-ret));
			return;
		}
		bound[(*nbound)++] = cur->addr;
	}
	/*
	 * The only address needs no SET-PRIMARY (with hopping, every association's first); the
	 * other uplinks' current addresses stay bound, for the peer's SCTP to fail over to.
	 */
	if (as->primary && (!as->association_slots || *nbound > 1))
		set_primary(as, &cur->addr);
unbind:
	for (int i = 0; i < *nbound; i++) {
		const struct plan_entry *e = plan_find(as->plan, &bound[i]);

		if ((e && e->role != ROLE_NEXT) || !plan_in_prefix(as->pp, &bound[i]) ||
		    *nbound == 1)
			continue;
		if (!e && !may_unbind(as, &bound[i]))
			continue;
		ret = tsock_bind(as->ts, &bound[i], as->port, 0);
		if (ret < 0) {
			as->stats->failures++;
			log_warnx("cannot unbind %s from the association: %s",
				  fmt_addr(&bound[i], buf), strerror(-ret));
			continue;
		}
		log_debug("unbound %s", fmt_addr(&bound[i], buf));
		if (as->guard)
			guard_unbound(as->guard, &bound[i]);
		bound[i--] = bound[--(*nbound)];
	}
}

void assoc_sync_live(const struct tsock *ts, struct in6_addr *peers, size_t max,
		     struct guard_live *out)
{
	int n;

	*out = (struct guard_live){ .peers = peers };
	/* The peer's addresses of the association in charge only: an INIT lists what it likes. */
	if (ts->sk < 0 || !ts->assoc)
		return;
	n = tsock_peer_addrs(ts, ts->assoc, peers, max, &out->peer_port);
	if (n <= 0) {
		out->peer_port = 0;
		return;
	}
	out->n_peers = (size_t)n < max ? (size_t)n : max;
	out->port = ts->port;
}

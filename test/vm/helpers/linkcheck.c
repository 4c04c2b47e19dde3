// SPDX-License-Identifier: MIT
/*
 * linkcheck: how far one cleartext SCTP identifier ties a gateway's hashed addresses
 * together, as a passive observer of the capture sees it.
 *
 *   linkcheck FILE.pcap PREFIX/64...
 *
 * Reads a pcap of Ethernet frames (what tcpdump writes on a veth). Every SCTP packet
 * with one address in a listed /64 ties that address to its identifiers: the port pair
 * (the two ports, in either order), the verification tag when it is not zero, and the
 * initiate tag of an INIT or INIT-ACK, which is the verification tag of everything the
 * sender will receive; a HEARTBEAT also ties its sender to the sender's clock (below).
 * For each prefix it prints one line
 *
 *   PREFIX addresses N tied M ports MP P-Q tag MT 0xT hbclock MH
 *
 * N: distinct addresses of the prefix in the capture (as source or destination);
 * MP: the most of them one port pair P-Q ties together; MT: the most one tag T ties;
 * MH: the most one heartbeat clock offset ties; M: the largest of the three. Without association
 * hopping M = N: one port pair, and one association's tags, name every address of a tunnel.
 *
 * Then one line on what continues from one association (one port pair) to the next, in the
 * order they first appear:
 *
 *   associations NA shared-tag NT shared-port NP tsn-continued NC
 *
 * NT: consecutive pairs that share a verification or initiate tag; NP: consecutive pairs that
 * share a port (of either end; a chance of about 1 in 4000 per hop with the default range);
 * NC: consecutive pairs and directions in which the later association's first DATA TSN
 * follows within 64 of the earlier one's last.
 *
 *   linkcheck -s SECONDS FILE.pcap PREFIX/64...
 *
 * splits every association at capture time SECONDS (relative to the first packet) as if it had
 * hopped there: the positive control, on a capture without hopping, for the second line.
 * Exit status 0, or 1 on bad usage or a file that is not a pcap of Ethernet frames.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapfile.h"

#define ETH_LEN 14
#define IP6_LEN 40
#define SCTP_HDR_LEN 12
#define MAX_PREFIXES 4
#define MAX_ADDRS 4096
#define MAX_ASSOCS 4096
#define MAX_TAGS 4
#define TSN_WINDOW 64

enum id_kind { ID_PORTS, ID_TAG, ID_HBCLOCK };

struct ident {
	enum id_kind kind;
	uint32_t value; /* ports: low << 16 | high; tag: the tag; clock: its offset bucket */
};

/* One (prefix, identifier, address) triple seen; duplicates are dropped on insert. */
struct tie {
	int prefix;
	struct ident id;
	int addr;
};

/* One association as the wire shows it: a port pair (and a half, when split). */
struct assoc {
	uint32_t ports;
	int half;
	uint32_t tags[MAX_TAGS];
	int ntags;
	uint32_t tsn_first[MAX_PREFIXES], tsn_last[MAX_PREFIXES]; /* by the sender's prefix */
	uint8_t has_tsn[MAX_PREFIXES];
};

static struct {
	uint8_t prefix[MAX_PREFIXES][8];
	struct assoc *assocs;
	int nassocs;
	double t0, split; /* split < 0: none */
	int nprefix;
	uint8_t addr[MAX_ADDRS][16];
	int naddr;
	struct tie *ties;
	size_t nties, cap;
	int overflow;
} st;

static int prefix_of(const uint8_t *a)
{
	for (int i = 0; i < st.nprefix; i++)
		if (!memcmp(a, st.prefix[i], 8))
			return i;
	return -1;
}

static int addr_index(const uint8_t *a)
{
	for (int i = 0; i < st.naddr; i++)
		if (!memcmp(st.addr[i], a, 16))
			return i;
	if (st.naddr == MAX_ADDRS) {
		st.overflow = 1;
		return -1;
	}
	memcpy(st.addr[st.naddr], a, 16);
	return st.naddr++;
}

static void tie(const uint8_t *a, struct ident id)
{
	int p = prefix_of(a), i = p < 0 ? -1 : addr_index(a);

	if (i < 0)
		return;
	for (size_t k = 0; k < st.nties; k++) {
		struct tie *t = &st.ties[k];

		if (t->addr == i && t->id.kind == id.kind && t->id.value == id.value)
			return;
	}
	if (st.nties == st.cap) {
		size_t cap = st.cap ? 2 * st.cap : 1024;
		struct tie *n = realloc(st.ties, cap * sizeof(*n));

		if (!n) {
			st.overflow = 1;
			return;
		}
		st.ties = n;
		st.cap = cap;
	}
	st.ties[st.nties++] = (struct tie){ .prefix = p, .id = id, .addr = i };
}

static uint32_t get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Linux puts its own heartbeat info in HEARTBEAT (struct sctp_sender_hb_info): after the
 * parameter header, the destination as a 28-byte sockaddr, then the sender's jiffies
 * (8 bytes, little-endian on x86). Jiffies minus capture time at HZ 250 is the sender's
 * boot-time offset, the same for all of its associations: in buckets of 4 s, one
 * identifier per sending kernel.
 */
#define HB_SENT_AT_OFF (4 + 4 + 28)
#define HB_HZ 250
#define HB_BUCKET (4 * HB_HZ)

static void heartbeat(const uint8_t *src, const uint8_t *c, size_t clen, double ts)
{
	uint64_t sent_at = 0;
	int64_t off;

	if (clen < HB_SENT_AT_OFF + 8 || c[4] != 0 || c[5] != 1)
		return;
	for (int i = 7; i >= 0; i--)
		sent_at = sent_at << 8 | c[HB_SENT_AT_OFF + i];
	off = (int64_t)sent_at - (int64_t)(ts * HB_HZ);
	off = off >= 0 ? off / HB_BUCKET : -((-off + HB_BUCKET - 1) / HB_BUCKET);
	tie(src, (struct ident){ ID_HBCLOCK, (uint32_t)off });
}

static struct assoc *assoc_of(uint32_t ports, double ts)
{
	int half = st.split >= 0 && ts - st.t0 >= st.split;

	for (int i = 0; i < st.nassocs; i++)
		if (st.assocs[i].ports == ports && st.assocs[i].half == half)
			return &st.assocs[i];
	if (st.nassocs == MAX_ASSOCS) {
		st.overflow = 1;
		return NULL;
	}
	st.assocs[st.nassocs] = (struct assoc){ .ports = ports, .half = half };
	return &st.assocs[st.nassocs++];
}

static void assoc_tag(struct assoc *a, uint32_t tag)
{
	for (int i = 0; i < a->ntags; i++)
		if (a->tags[i] == tag)
			return;
	if (a->ntags < MAX_TAGS)
		a->tags[a->ntags++] = tag;
}

static void assoc_tsn(struct assoc *a, const uint8_t *src, uint32_t tsn)
{
	int p = prefix_of(src);

	if (p < 0)
		return;
	if (!a->has_tsn[p])
		a->tsn_first[p] = tsn;
	a->has_tsn[p] = 1;
	a->tsn_last[p] = tsn;
}

static void packet(const struct pcap_frame *pf, void *ctx)
{
	const uint8_t *f = pf->data, *ip = f + ETH_LEN, *sctp = ip + IP6_LEN, *c, *end;
	struct assoc *as;
	size_t len = pf->len;
	uint16_t sp, dp;
	uint32_t vtag;

	(void)ctx;
	if (len < ETH_LEN + IP6_LEN + SCTP_HDR_LEN || f[12] != 0x86 || f[13] != 0xdd ||
	    (ip[0] >> 4) != 6 || ip[6] != IPPROTO_SCTP)
		return;
	sp = (uint16_t)(sctp[0] << 8 | sctp[1]);
	dp = (uint16_t)(sctp[2] << 8 | sctp[3]);
	vtag = get32be(sctp + 4);
	if (prefix_of(ip + 8) < 0 && prefix_of(ip + 24) < 0)
		return;
	if (!st.nassocs && !st.t0)
		st.t0 = pf->ts;
	as = assoc_of(sp < dp ? (uint32_t)sp << 16 | dp : (uint32_t)dp << 16 | sp, pf->ts);
	for (int k = 0; k < 2; k++) {
		const uint8_t *a = ip + 8 + 16 * k;

		tie(a, (struct ident){ ID_PORTS, sp < dp ? (uint32_t)sp << 16 | dp
							 : (uint32_t)dp << 16 | sp });
		if (vtag)
			tie(a, (struct ident){ ID_TAG, vtag });
	}
	if (as && vtag)
		assoc_tag(as, vtag);
	end = ip + IP6_LEN + (ip[4] << 8 | ip[5]);
	if (end > f + len)
		end = f + len;
	/* INIT (1) and INIT-ACK (2): the initiate tag names the sender from now on. */
	for (c = sctp + SCTP_HDR_LEN; c + 4 <= end;) {
		size_t clen = (size_t)(c[2] << 8 | c[3]);

		if (clen < 4 || c + clen > end)
			break;
		if ((c[0] == 1 || c[0] == 2) && clen >= 8) {
			tie(ip + 8, (struct ident){ ID_TAG, get32be(c + 4) });
			if (as)
				assoc_tag(as, get32be(c + 4));
		} else if (c[0] == 0 && clen >= 8 && as) {
			assoc_tsn(as, ip + 8, get32be(c + 4));
		} else if (c[0] == 4)
			heartbeat(ip + 8, c, clen, pf->ts);
		c += (clen + 3) & ~(size_t)3;
	}
}

/* The most addresses of prefix @p that one identifier of @kind ties, and which one. */
static size_t most_tied(int p, enum id_kind kind, uint32_t *which)
{
	size_t best = 0;

	for (size_t k = 0; k < st.nties; k++) {
		const struct tie *t = &st.ties[k];
		size_t n = 0;

		if (t->prefix != p || t->id.kind != kind)
			continue;
		/* Ties are unique per (address, identifier): count this identifier's. */
		for (size_t j = 0; j < st.nties; j++)
			n += st.ties[j].prefix == p && st.ties[j].id.kind == kind &&
			     st.ties[j].id.value == t->id.value;
		if (n > best) {
			best = n;
			*which = t->id.value;
		}
	}
	return best;
}

static void report(int p, const char *text)
{
	uint32_t ports = 0, tag = 0, clock = 0;
	size_t by_ports = most_tied(p, ID_PORTS, &ports), by_tag = most_tied(p, ID_TAG, &tag);
	size_t by_clock = most_tied(p, ID_HBCLOCK, &clock), most = by_ports;
	int naddr = 0;
	char *seen = calloc(MAX_ADDRS, 1);

	if (!seen)
		exit(1);
	for (size_t k = 0; k < st.nties; k++)
		if (st.ties[k].prefix == p && !seen[st.ties[k].addr]) {
			seen[st.ties[k].addr] = 1;
			naddr++;
		}
	free(seen);
	if (by_tag > most)
		most = by_tag;
	if (by_clock > most)
		most = by_clock;
	printf("%s addresses %d tied %zu ports %zu %u-%u tag %zu 0x%08x hbclock %zu\n", text, naddr,
	       most, by_ports, ports >> 16, ports & 0xffff, by_tag, tag, by_clock);
}

static int share_tag(const struct assoc *a, const struct assoc *b)
{
	for (int i = 0; i < a->ntags; i++)
		for (int j = 0; j < b->ntags; j++)
			if (a->tags[i] == b->tags[j])
				return 1;
	return 0;
}

static int share_port(const struct assoc *a, const struct assoc *b)
{
	uint16_t pa[2] = { a->ports >> 16, a->ports & 0xffff };
	uint16_t pb[2] = { b->ports >> 16, b->ports & 0xffff };

	return pa[0] == pb[0] || pa[0] == pb[1] || pa[1] == pb[0] || pa[1] == pb[1];
}

/* What continues from each association to the next one to appear. */
static void report_assocs(void)
{
	int tags = 0, ports = 0, tsns = 0;

	for (int i = 1; i < st.nassocs; i++) {
		const struct assoc *a = &st.assocs[i - 1], *b = &st.assocs[i];

		tags += share_tag(a, b);
		ports += share_port(a, b);
		for (int p = 0; p < st.nprefix; p++)
			tsns += a->has_tsn[p] && b->has_tsn[p] &&
				b->tsn_first[p] - a->tsn_last[p] - 1 < TSN_WINDOW;
	}
	printf("associations %d shared-tag %d shared-port %d tsn-continued %d\n", st.nassocs, tags,
	       ports, tsns);
}

int main(int argc, char **argv)
{
	st.split = -1;
	if (argc > 2 && !strcmp(argv[1], "-s")) {
		st.split = atof(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || argc - 2 > MAX_PREFIXES) {
		fprintf(stderr,
			"usage: linkcheck [-s SECONDS] FILE.pcap PREFIX/64... (at most %d)\n",
			MAX_PREFIXES);
		return 1;
	}
	st.assocs = calloc(MAX_ASSOCS, sizeof(*st.assocs));
	if (!st.assocs)
		return 1;
	for (int i = 2; i < argc; i++) {
		char text[INET6_ADDRSTRLEN + 4], *slash;
		uint8_t a[16];

		snprintf(text, sizeof(text), "%s", argv[i]);
		slash = strchr(text, '/');
		if (!slash || strcmp(slash, "/64") ||
		    (*slash = 0, inet_pton(AF_INET6, text, a) != 1)) {
			fprintf(stderr, "linkcheck: %s: not an IPv6 /64 prefix\n", argv[i]);
			return 1;
		}
		memcpy(st.prefix[st.nprefix++], a, 8);
	}
	if (pcap_each(argv[1], packet, NULL) < 0) {
		fprintf(stderr, "linkcheck: %s: not a pcap of Ethernet frames\n", argv[1]);
		return 1;
	}
	if (st.overflow)
		fprintf(stderr, "linkcheck: more than %d addresses; the rest are not counted\n",
			MAX_ADDRS);
	for (int i = 2; i < argc; i++)
		report(i - 2, argv[i]);
	report_assocs();
	free(st.ties);
	free(st.assocs);
	return 0;
}

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
 * hopping M = N: one port pair, and one association's tags, name every address of a tunnel. Exit
 * status 0, or 1 on bad usage or a file that is not a pcap of Ethernet frames.
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

static struct {
	uint8_t prefix[MAX_PREFIXES][8];
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

static void packet(const struct pcap_frame *pf, void *ctx)
{
	const uint8_t *f = pf->data, *ip = f + ETH_LEN, *sctp = ip + IP6_LEN, *c, *end;
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
	for (int k = 0; k < 2; k++) {
		const uint8_t *a = ip + 8 + 16 * k;

		tie(a, (struct ident){ ID_PORTS, sp < dp ? (uint32_t)sp << 16 | dp
							 : (uint32_t)dp << 16 | sp });
		if (vtag)
			tie(a, (struct ident){ ID_TAG, vtag });
	}
	end = ip + IP6_LEN + (ip[4] << 8 | ip[5]);
	if (end > f + len)
		end = f + len;
	/* INIT (1) and INIT-ACK (2): the initiate tag names the sender from now on. */
	for (c = sctp + SCTP_HDR_LEN; c + 4 <= end;) {
		size_t clen = (size_t)(c[2] << 8 | c[3]);

		if (clen < 4 || c + clen > end)
			break;
		if ((c[0] == 1 || c[0] == 2) && clen >= 8)
			tie(ip + 8, (struct ident){ ID_TAG, get32be(c + 4) });
		else if (c[0] == 4)
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

int main(int argc, char **argv)
{
	if (argc < 3 || argc - 2 > MAX_PREFIXES) {
		fprintf(stderr, "usage: linkcheck FILE.pcap PREFIX/64... (at most %d)\n",
			MAX_PREFIXES);
		return 1;
	}
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
	free(st.ties);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * nf_tables batches of common/nft.c as bytes, without a socket: BEGIN first and END last
 * for the nftables subsystem, one sequence number per message and rising, each message
 * aligned and whole, the payloads libnftnl put in intact, and a batch far past the first
 * buffer still one well-formed run of messages.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "check.h"
#include "nft.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TABLE "mt6d_unit"
#define SET "hashed"
/* About 40 bytes each: enough elements to outgrow the batch's first buffer several times. */
#define MANY 20000

#define NFT_TYPE(msg) ((uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | (msg)))

/* What a walk over a finished batch found. */
struct walk {
	const struct nlmsghdr *msg[8]; /* the first few, in order */
	size_t n;		       /* messages, BEGIN and END included */
	const struct nlmsghdr *last;
	bool seq_rising; /* each seq is the previous one plus one */
	bool aligned;	 /* each message starts NLMSG_ALIGNTO-aligned */
	bool request;	 /* each carries NLM_F_REQUEST */
	int rest;	 /* bytes left when mnl_nlmsg_ok() stopped */
};

static void walk(const void *buf, size_t len, struct walk *w)
{
	const struct nlmsghdr *nlh = buf;
	int rest = (int)len;
	uint32_t prev = 0;

	memset(w, 0, sizeof(*w));
	w->seq_rising = w->aligned = w->request = true;
	for (; mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
		if (w->n < ARRAY_SIZE(w->msg))
			w->msg[w->n] = nlh;
		if (w->n && nlh->nlmsg_seq != prev + 1)
			w->seq_rising = false;
		if ((size_t)((const char *)nlh - (const char *)buf) % NLMSG_ALIGNTO)
			w->aligned = false;
		if (!(nlh->nlmsg_flags & NLM_F_REQUEST))
			w->request = false;
		prev = nlh->nlmsg_seq;
		w->last = nlh;
		w->n++;
	}
	w->rest = rest;
}

/* BEGIN or END: a bare nfgenmsg naming the nftables subsystem. */
static void check_marker(const struct nlmsghdr *nlh, uint16_t type, const char *name)
{
	const struct nfgenmsg *nfg;

	CHECK(nlh && nlh->nlmsg_type == type, "%s: type %u, want %u", name,
	      nlh ? nlh->nlmsg_type : 0, type);
	if (!nlh)
		return;
	CHECK(nlh->nlmsg_len == NLMSG_LENGTH(sizeof(*nfg)), "%s: length %u", name, nlh->nlmsg_len);
	nfg = mnl_nlmsg_get_payload(nlh);
	CHECK(ntohs(nfg->res_id) == NFNL_SUBSYS_NFTABLES, "%s: res_id %u, want %u", name,
	      ntohs(nfg->res_id), NFNL_SUBSYS_NFTABLES);
	CHECK(nfg->nfgen_family == AF_UNSPEC && nfg->version == NFNETLINK_V0,
	      "%s: family %u, version %u", name, nfg->nfgen_family, nfg->version);
}

static void check_nft_msg(const struct nlmsghdr *nlh, uint16_t msg, uint16_t flags,
			  const char *name)
{
	const struct nfgenmsg *nfg;

	CHECK(nlh && nlh->nlmsg_type == NFT_TYPE(msg), "%s: type %#x, want %#x", name,
	      nlh ? nlh->nlmsg_type : 0, NFT_TYPE(msg));
	if (!nlh)
		return;
	CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | flags), "%s: flags %#x, want %#x", name,
	      nlh->nlmsg_flags, NLM_F_REQUEST | flags);
	nfg = mnl_nlmsg_get_payload(nlh);
	CHECK(nfg->nfgen_family == NFPROTO_IPV6, "%s: family %u", name, nfg->nfgen_family);
}

/* Larger than the attribute types read here (NFTA_TABLE_*, NFTA_SET_ELEM_LIST_*). */
#define ATTR_MAX 16

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= ATTR_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* The attribute @type of @nlh, a NUL-terminated string equal to @want. */
static bool has_str(const struct nlmsghdr *nlh, uint16_t type, const char *want)
{
	const struct nlattr *tb[ATTR_MAX + 1] = { NULL };

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb) != MNL_CB_OK || !tb[type] ||
	    mnl_attr_validate(tb[type], MNL_TYPE_NUL_STRING) < 0)
		return false;
	return !strcmp(mnl_attr_get_str(tb[type]), want);
}

static int add_table(struct mt6d_nft_batch *b)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -1;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, TABLE);
	nlh = mt6d_nft_batch_msg(b, NFT_MSG_NEWTABLE, NFPROTO_IPV6, NLM_F_CREATE);
	if (nlh)
		nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return nlh ? 0 : -1;
}

/* One NEWSETELEM (or DELSETELEM) message with @n IPv6 addresses from @first on. */
static int add_elems(struct mt6d_nft_batch *b, uint16_t type, uint32_t first, uint32_t n)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh = NULL;

	if (!s)
		return -1;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, SET);
	for (uint32_t i = first; i < first + n; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		uint8_t key[16] = { 0x20, 0x01, 0x0d, 0xb8 };

		if (!e)
			goto out;
		memcpy(key + 12, &i, sizeof(i));
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, sizeof(key));
		nftnl_set_elem_add(s, e);
	}
	nlh = mt6d_nft_batch_msg(b, type, NFPROTO_IPV6,
				 type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0);
	if (nlh)
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
out:
	nftnl_set_free(s);
	return nlh ? 0 : -1;
}

static void case_empty(void)
{
	struct mt6d_nft_batch *b;
	const void *buf;
	size_t len;
	struct walk w;

	CHECK(mt6d_nft_batch_new(NULL, &b) == 0, "new without a socket");
	CHECK(mt6d_nft_batch_count(b) == 0, "count %zu, want 0", mt6d_nft_batch_count(b));
	CHECK(mt6d_nft_batch_finish(b, &buf, &len) == 0, "finish");
	walk(buf, len, &w);
	CHECK(w.n == 2 && w.rest == 0, "%zu messages, %d bytes left; want BEGIN, END", w.n, w.rest);
	check_marker(w.msg[0], NFNL_MSG_BATCH_BEGIN, "BEGIN");
	check_marker(w.last, NFNL_MSG_BATCH_END, "END");
	CHECK(w.msg[0] && w.msg[0]->nlmsg_seq == 1, "first sequence number 1 without a socket");
	CHECK(w.seq_rising, "END follows BEGIN's sequence number");
	mt6d_nft_batch_free(b);
}

static void case_messages(void)
{
	struct mt6d_nft_batch *b;
	const void *buf, *buf2;
	size_t len, len2, off = 0;
	struct walk w;

	CHECK(mt6d_nft_batch_new(NULL, &b) == 0, "new without a socket");
	CHECK(add_table(b) == 0, "NEWTABLE");
	CHECK(add_elems(b, NFT_MSG_NEWSETELEM, 0, 3) == 0, "NEWSETELEM");
	CHECK(add_elems(b, NFT_MSG_DELSETELEM, 3, 1) == 0, "DELSETELEM");
	CHECK(mt6d_nft_batch_count(b) == 3, "count %zu, want 3", mt6d_nft_batch_count(b));
	CHECK(mt6d_nft_batch_finish(b, &buf, &len) == 0, "finish");
	walk(buf, len, &w);
	CHECK(w.n == 5, "%zu messages, want BEGIN, 3, END", w.n);
	CHECK(w.rest == 0, "%d bytes after the last whole message", w.rest);
	CHECK(w.seq_rising, "sequence numbers rise by one per message");
	CHECK(w.aligned, "every message NLMSG_ALIGNTO-aligned");
	CHECK(w.request, "every message NLM_F_REQUEST");
	if (w.n != 5)
		goto out;
	check_marker(w.msg[0], NFNL_MSG_BATCH_BEGIN, "BEGIN");
	check_nft_msg(w.msg[1], NFT_MSG_NEWTABLE, NLM_F_CREATE, "NEWTABLE");
	CHECK(has_str(w.msg[1], NFTA_TABLE_NAME, TABLE), "NEWTABLE names " TABLE);
	check_nft_msg(w.msg[2], NFT_MSG_NEWSETELEM, NLM_F_CREATE, "NEWSETELEM");
	CHECK(has_str(w.msg[2], NFTA_SET_ELEM_LIST_SET, SET), "NEWSETELEM names set " SET);
	check_nft_msg(w.msg[3], NFT_MSG_DELSETELEM, 0, "DELSETELEM");
	check_marker(w.msg[4], NFNL_MSG_BATCH_END, "END");
	/* Each message starts where the aligned length of the one before ends. */
	for (size_t i = 0; i < w.n; i++) {
		CHECK((const char *)w.msg[i] == (const char *)buf + off, "message %zu at %zu", i,
		      off);
		off += NLMSG_ALIGN(w.msg[i]->nlmsg_len);
	}
	CHECK(off == len, "messages cover %zu of %zu bytes", off, len);

	/* Finished: no more messages, and a second finish gives the same bytes. */
	CHECK(mt6d_nft_batch_msg(b, NFT_MSG_NEWTABLE, NFPROTO_IPV6, 0) == NULL,
	      "no message after finish");
	CHECK(mt6d_nft_batch_finish(b, &buf2, &len2) == 0 && buf2 == buf && len2 == len,
	      "finish twice: one END");
out:
	mt6d_nft_batch_free(b);
}

/* MANY elements, 100 to a message: the buffer grows while messages are being written. */
static void case_large(void)
{
	struct mt6d_nft_batch *b;
	const void *buf;
	size_t len, msgs = MANY / 100;
	bool built = true;
	struct walk w;

	CHECK(mt6d_nft_batch_new(NULL, &b) == 0, "new without a socket");
	for (uint32_t i = 0; i < MANY; i += 100)
		built = built && add_elems(b, NFT_MSG_NEWSETELEM, i, 100) == 0;
	CHECK(built, "every message built");
	CHECK(mt6d_nft_batch_count(b) == msgs, "count %zu, want %zu", mt6d_nft_batch_count(b),
	      msgs);
	CHECK(mt6d_nft_batch_finish(b, &buf, &len) == 0, "finish");
	CHECK(len > 2 * MT6D_NFT_MSG_ROOM, "%zu bytes: past the first buffer", len);
	walk(buf, len, &w);
	CHECK(w.n == msgs + 2 && w.rest == 0, "%zu messages and %d bytes left, want %zu and 0", w.n,
	      w.rest, msgs + 2);
	CHECK(w.seq_rising, "sequence numbers rise by one per message");
	CHECK(w.aligned, "every message NLMSG_ALIGNTO-aligned");
	check_marker(w.msg[0], NFNL_MSG_BATCH_BEGIN, "BEGIN");
	check_marker(w.last, NFNL_MSG_BATCH_END, "END");
	check_nft_msg(w.msg[1], NFT_MSG_NEWSETELEM, NLM_F_CREATE, "first NEWSETELEM");
	mt6d_nft_batch_free(b);
}

/* clang-format off */
static const struct test {
	const char *name;
	void (*run)(void);
} tests[] = {
	{"empty batch: BEGIN, END, nftables subsystem", case_empty},
	{"table and elements: order, types, flags, seq, alignment, payloads", case_messages},
	{"large batch: grows past its buffer, still one run of whole messages", case_large},
};
/* clang-format on */

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		int failed = check_failed;

		tests[i].run();
		printf("%s - %s\n", check_failed == failed ? "ok  " : "FAIL", tests[i].name);
	}
	return check_done();
}

// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the nf_tables replies the daemons read (common/nft_reply.c): the
 * answers to a batch (errors and their extended ack text, as mt6d_nft_batch_commit() reads
 * them) and the replies to requests through mt6d_nft_reply_feed() with the callbacks the
 * daemons pass to mt6d_nft_request(): the guard table's handle and set elements
 * (guard_reply.c) and a counter object (mt6d_nftctr_parse()).
 *
 * The input: a byte choosing what is read (modulo 4: batch answers, table, set elements,
 * counter), a byte of room (the error text's buffer, or how many elements are stored
 * modulo 16 and, by bit 4, whether their keys are port keys or addresses),
 * then the kernel's reads (fuzz_nlread.h: each ending with its last whole message unless
 * its length's top bit says otherwise), fed one by one as the daemon reads them, until a
 * request's reply is complete. Each read, the error text and the element array sit at the
 * end of buffers of their own size, so an access past them is reported. The request's
 * sequence number is 9, the socket's port id 4343.
 *
 * Checks besides the sanitizers': errors are -errno and the text is terminated within its
 * buffer; a reply's outcome is 1 (more to read), 0 or -errno.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "fuzz_nlread.h"
#include "guard_reply.h"
#include "nft_reply.h"
#include "nftctr.h"

#define SEQ 9
#define PORTID 4343

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { READ_BATCH, READ_TABLE, READ_ELEMS, READ_COUNTER, READ_MAX };

static bool is_errno(int ret)
{
	return ret <= 0 && ret >= -4095;
}

static void batch(struct fuzz_input *in, size_t room)
{
	char *err = malloc(room ? room : 1);
	int first = 0;
	uint8_t *buf;
	size_t len;

	if (!err)
		abort();
	if (room)
		err[0] = '\0';
	while ((buf = fuzz_nl_read(in, &len))) {
		mt6d_nft_batch_errors(buf, len, &first, err, room);
		free(buf);
		if (!is_errno(first) || (room && !memchr(err, '\0', room)))
			abort();
	}
	free(err);
}

/* Feeds the reads to @r until its reply is complete or fails; returns how it ended. */
static int request(struct mt6d_nft_reply *r, struct fuzz_input *in)
{
	uint8_t *buf;
	size_t len;
	int ret = 1;

	while (ret > 0 && (buf = fuzz_nl_read(in, &len))) {
		ret = mt6d_nft_reply_feed(r, buf, len);
		free(buf);
		if (ret > 1 || (ret <= 0 && !is_errno(ret)))
			abort();
	}
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t what = fuzz_u8(&in) % READ_MAX;
	size_t room = fuzz_u8(&in);
	struct mt6d_nft_reply r;
	struct guard_reply_elems d = { .max = room % 16, .key_len = room & 16 ? 8 : 16 };
	uint64_t value = 0;

	switch (what) {
	case READ_BATCH:
		batch(&in, room);
		break;
	case READ_TABLE:
		mt6d_nft_reply_init(&r, SEQ, PORTID, guard_reply_handle, &value);
		request(&r, &in);
		break;
	case READ_ELEMS:
		d.out = malloc(d.max ? d.max * sizeof(*d.out) : 1);
		if (!d.out)
			abort();
		mt6d_nft_reply_init(&r, SEQ, PORTID, guard_reply_elems, &d);
		request(&r, &in);
		free(d.out);
		break;
	default:
		mt6d_nft_reply_init(&r, SEQ, PORTID, mt6d_nftctr_parse, &value);
		request(&r, &in);
		break;
	}
	return 0;
}

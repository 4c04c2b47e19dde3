/* SPDX-License-Identifier: MIT */
#ifndef MT6D_RX_TAIL_H
#define MT6D_RX_TAIL_H

#include <stdbool.h>

/*
 * A message larger than the receive buffer arrives in pieces, each read without MSG_EOR
 * but the last; only a read with MSG_EOR ends a message. Every piece of such a message,
 * the last one included, is dropped: the last piece alone is no frame. (Partial delivery
 * of one association's message holds back every other association's, unless
 * SCTP_FRAGMENT_INTERLEAVE is set, which the endpoint never does: one state is enough.)
 */
struct rx_tail {
	bool discarding; /* in the middle of a message too large to take */
};

/*
 * Whether to take a read that ended with (@eor) or without MSG_EOR as a whole message.
 * *@dropped is set when the read starts a message that is dropped (count it once).
 */
static inline bool rx_tail_take(struct rx_tail *t, bool eor, bool *dropped)
{
	*dropped = false;
	if (!eor) {
		*dropped = !t->discarding;
		t->discarding = true;
		return false;
	}
	if (t->discarding) {
		t->discarding = false;
		return false;
	}
	return true;
}

#endif

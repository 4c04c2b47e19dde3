/* SPDX-License-Identifier: MIT */
#ifndef MT6D_REPLAY_H
#define MT6D_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Sliding anti-replay window (RFC 6479): a ring of 64-bit words indexed by counter.
 * Unordered delivery with retransmissions can hand a message over seconds after its
 * successors, so the window is wide: 8192 counters minus the one word the ring keeps
 * free. Check before the tag (cheap refusal), update only after it verified.
 */
#define MT6D_REPLAY_WORDS 128
#define MT6D_REPLAY_WINDOW ((MT6D_REPLAY_WORDS - 1) * 64)
/* Counters at or above this are refused: the sender rekeys long before. */
#define MT6D_COUNTER_LIMIT (UINT64_C(1) << 60)

struct mt6d_replay {
	uint64_t top; /* highest counter accepted + 1; 0: none yet */
	uint64_t bits[MT6D_REPLAY_WORDS];
};

void mt6d_replay_reset(struct mt6d_replay *r);

/*
 * 0 when @counter may be accepted; -EALREADY when it was seen; -ESTALE when it is
 * behind the window; -EOVERFLOW at or above MT6D_COUNTER_LIMIT.
 */
int mt6d_replay_check(const struct mt6d_replay *r, uint64_t counter);

/* Marks @counter seen; call after mt6d_replay_check() returned 0 and the tag verified. */
void mt6d_replay_update(struct mt6d_replay *r, uint64_t counter);

#endif

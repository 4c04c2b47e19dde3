// SPDX-License-Identifier: MIT
#include "replay.h"

#include <errno.h>
#include <string.h>

#define WORD(c) (((c) / 64) % MT6D_REPLAY_WORDS)
#define BIT(c) (UINT64_C(1) << ((c) % 64))

void mt6d_replay_reset(struct mt6d_replay *r)
{
	memset(r, 0, sizeof(*r));
}

int mt6d_replay_check(const struct mt6d_replay *r, uint64_t counter)
{
	if (counter >= MT6D_COUNTER_LIMIT)
		return -EOVERFLOW;
	if (counter >= r->top)
		return 0;
	if (r->top - counter > MT6D_REPLAY_WINDOW)
		return -ESTALE;
	return r->bits[WORD(counter)] & BIT(counter) ? -EALREADY : 0;
}

void mt6d_replay_update(struct mt6d_replay *r, uint64_t counter)
{
	if (counter >= r->top) {
		/* Clear the words the window slides over; at most the whole ring. */
		uint64_t from = r->top ? (r->top - 1) / 64 + 1 : 0, to = counter / 64;

		if (to >= from && to - from >= MT6D_REPLAY_WORDS)
			memset(r->bits, 0, sizeof(r->bits));
		else
			for (uint64_t w = from; w <= to; w++)
				r->bits[w % MT6D_REPLAY_WORDS] = 0;
		r->top = counter + 1;
	}
	r->bits[WORD(counter)] |= BIT(counter);
}

// SPDX-License-Identifier: MIT
/* The replay window's edges: duplicates, slides, reused ring words, the counter limit. */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "replay.h"

static void test_replay(void)
{
	struct mt6d_replay r;

	mt6d_replay_reset(&r);
	CHECK(mt6d_replay_check(&r, 0) == 0, "first counter 0");
	mt6d_replay_update(&r, 0);
	CHECK(mt6d_replay_check(&r, 0) == -EALREADY, "duplicate 0");
	CHECK(mt6d_replay_check(&r, 1) == 0, "next");
	mt6d_replay_update(&r, 5);
	CHECK(mt6d_replay_check(&r, 3) == 0, "out of order inside the window");
	mt6d_replay_update(&r, 3);
	CHECK(mt6d_replay_check(&r, 3) == -EALREADY, "late duplicate");
	CHECK(mt6d_replay_check(&r, 5) == -EALREADY, "top duplicate");

	/* Far ahead: the window slides and forgets what falls behind it. */
	mt6d_replay_update(&r, 100000);
	CHECK(mt6d_replay_check(&r, 5) == -ESTALE, "far behind after a jump");
	CHECK(mt6d_replay_check(&r, 100001 - MT6D_REPLAY_WINDOW) == 0, "oldest in the window");
	CHECK(mt6d_replay_check(&r, 100000 - MT6D_REPLAY_WINDOW) == -ESTALE,
	      "just behind the window");
	CHECK(mt6d_replay_check(&r, 99999) == 0, "just below the top");
	/* A ring word reused after the slide must not keep old bits. */
	CHECK(mt6d_replay_check(&r, 100000 - 64 * 3 + 5) == 0, "reused word is clean");
	for (uint64_t c = 100001; c < 100001 + 3 * MT6D_REPLAY_WINDOW; c += 7)
		mt6d_replay_update(&r, c);
	CHECK(mt6d_replay_check(&r, 100001 + 3 * MT6D_REPLAY_WINDOW - 7 * 2 + 1) == 0,
	      "unseen counter after many slides");

	/* The sender never gets near a wrap; the receiver refuses such counters. */
	CHECK(mt6d_replay_check(&r, MT6D_COUNTER_LIMIT - 1) == 0, "largest counter accepted");
	CHECK(mt6d_replay_check(&r, MT6D_COUNTER_LIMIT) == -EOVERFLOW, "limit refused");
	CHECK(mt6d_replay_check(&r, UINT64_MAX) == -EOVERFLOW, "wrap refused");
}

int main(void)
{
	test_replay();
	return check_done();
}

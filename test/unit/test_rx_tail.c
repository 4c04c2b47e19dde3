// SPDX-License-Identifier: MIT
/*
 * Reads of an SCTP message too large for the buffer: every piece is dropped, the last one
 * (which carries MSG_EOR) too, and the drop is counted once; whole messages pass.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rx_tail.h"

/* @eors: one character per read, 'E' with MSG_EOR, '-' without. Returns what was taken. */
static void run(const char *eors, const char *want_taken, int want_dropped)
{
	struct rx_tail t = { 0 };
	char taken[32] = "";
	int dropped = 0;

	for (size_t i = 0; eors[i]; i++) {
		bool d;

		taken[i] = rx_tail_take(&t, eors[i] == 'E', &d) ? 'T' : '.';
		dropped += d;
	}
	CHECK(!strcmp(taken, want_taken) && dropped == want_dropped,
	      "%s: taken %s (want %s), dropped %d (want %d)", eors, taken, want_taken, dropped,
	      want_dropped);
}

int main(void)
{
	run("EEE", "TTT", 0);
	run("-E", "..", 1);
	run("--E", "...", 1);
	run("-EE", "..T", 1);
	run("E-EE", "T..T", 1);
	run("-E-E", "....", 2);
	return check_done();
}

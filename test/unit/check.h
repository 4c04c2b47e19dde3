/* SPDX-License-Identifier: MIT */
#ifndef MT6D_TEST_CHECK_H
#define MT6D_TEST_CHECK_H

#include <stdio.h>

/* Minimal test reporting: one line per check, a closing "N passed, M failed". */
static int check_passed, check_failed;

#define CHECK(cond, ...)                                            \
	do {                                                        \
		if (cond) {                                         \
			check_passed++;                             \
		} else {                                            \
			check_failed++;                             \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
		}                                                   \
	} while (0)

static inline int check_done(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif

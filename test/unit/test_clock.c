// SPDX-License-Identifier: MIT
/*
 * The test-only clock offset: parsed strictly from the environment, and moving the
 * clock the slots follow by exactly that much (floor to whole seconds, either sign).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "clock.h"
#include "derive.h"

static long offset_of(const char *v, int *ret)
{
	long off = 12345;

	if (v)
		setenv(MT6D_CLOCK_OFFSET_ENV, v, 1);
	else
		unsetenv(MT6D_CLOCK_OFFSET_ENV);
	*ret = mt6d_clock_offset_from_env(&off);
	return off;
}

/* mt6d_clock_now(@off) against the wall clock read around it, in milliseconds. */
static int moved_by(long off)
{
	for (int tries = 0; tries < 5; tries++) {
		struct timespec a, b;
		time_t t;
		long long lo, hi;

		clock_gettime(CLOCK_REALTIME, &a);
		t = mt6d_clock_now(off);
		clock_gettime(CLOCK_REALTIME, &b);
		lo = (long long)a.tv_sec * 1000 + a.tv_nsec / 1000000 + off;
		hi = (long long)b.tv_sec * 1000 + b.tv_nsec / 1000000 + off;
		/* Floor of a value between lo and hi: retry when a second boundary fell between. */
		if (lo / 1000 == hi / 1000)
			return t == (time_t)(lo / 1000);
	}
	return 0;
}

int main(void)
{
	int ret;
	long off;

	off = offset_of(NULL, &ret);
	CHECK(ret == 0 && off == 0, "unset: %d, %ld", ret, off);
	off = offset_of("", &ret);
	CHECK(ret == 0 && off == 0, "empty: %d, %ld", ret, off);
	off = offset_of("1000", &ret);
	CHECK(ret == 0 && off == 1000, "1000: %d, %ld", ret, off);
	off = offset_of("-5500", &ret);
	CHECK(ret == 0 && off == -5500, "-5500: %d, %ld", ret, off);
	off = offset_of("86400000", &ret);
	CHECK(ret == 0 && off == 86400000, "a day: %d, %ld", ret, off);
	offset_of("86400001", &ret);
	CHECK(ret == -EINVAL, "more than a day: %d", ret);
	offset_of("1s", &ret);
	CHECK(ret == -EINVAL, "unit suffix: %d", ret);
	offset_of("0x10", &ret);
	CHECK(ret == -EINVAL, "hex: %d", ret);
	offset_of("99999999999999999999", &ret);
	CHECK(ret == -EINVAL, "overflow: %d", ret);

	CHECK(moved_by(0), "offset 0 is the wall clock");
	CHECK(moved_by(1500), "+1500 ms");
	CHECK(moved_by(-1500), "-1500 ms");
	CHECK(moved_by(-86400000), "-1 day");
	/* Half an interval ahead: the slot is the wall clock's or the next one. */
	{
		time_t now = mt6d_clock_now(0);
		uint64_t s0 = mt6d_slot(now, 2), s1 = mt6d_slot(mt6d_clock_now(1000), 2);

		CHECK(s1 == s0 || s1 == s0 + 1, "interval 2 s, +1 s: slot %llu vs %llu",
		      (unsigned long long)s1, (unsigned long long)s0);
	}
	return check_done();
}

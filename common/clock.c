// SPDX-License-Identifier: MIT
#include "clock.h"

#include <errno.h>
#include <stdlib.h>

int mt6d_clock_offset_from_env(long *offset_ms)
{
	const char *v = getenv(MT6D_CLOCK_OFFSET_ENV);
	char *end;
	long n;

	*offset_ms = 0;
	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < -MT6D_CLOCK_OFFSET_MAX_MS || n > MT6D_CLOCK_OFFSET_MAX_MS)
		return -EINVAL;
	*offset_ms = n;
	return 0;
}

time_t mt6d_clock_now(long offset_ms)
{
	struct timespec ts;
	long long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + offset_ms;
	/* Floor, not truncation: the same second boundaries as time() for any offset. */
	return (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
}

uint64_t mt6d_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

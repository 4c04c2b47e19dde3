/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CLOCK_H
#define MT6D_CLOCK_H

#include <stdint.h>
#include <time.h>

/*
 * The clock the slots are computed from. Both gateways derive their addresses from
 * floor(unix time / interval), so their clocks must agree to within half an interval.
 *
 * For tests only: MT6D_TEST_CLOCK_OFFSET_MS in the environment (a signed number of
 * milliseconds) moves this clock, and nothing else, so that a test can run two
 * gateways whose clocks disagree. Each daemon reads it once at start and warns.
 */
#define MT6D_CLOCK_OFFSET_ENV "MT6D_TEST_CLOCK_OFFSET_MS"
/* A day either way is more skew than any test needs. */
#define MT6D_CLOCK_OFFSET_MAX_MS 86400000L

/* The offset from the environment in *@offset_ms (0 when unset); -EINVAL when malformed. */
int mt6d_clock_offset_from_env(long *offset_ms) __attribute__((warn_unused_result));

/*
 * Milliseconds on CLOCK_MONOTONIC_COARSE, for deadlines and rates. The coarse clock (a
 * few ms of resolution, far below any timer here) comes from the vDSO's data page even
 * where the clock source has no vDSO reader (HPET in many VMs), where CLOCK_MONOTONIC
 * costs a system call: the tunnel reads it once per batch of packets.
 */
uint64_t mt6d_mono_ms(void);

/* Unix time in seconds, the wall clock moved by @offset_ms. */
time_t mt6d_clock_now(long offset_ms);

#endif

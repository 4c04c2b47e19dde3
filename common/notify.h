/* SPDX-License-Identifier: MIT */
#ifndef MT6D_NOTIFY_H
#define MT6D_NOTIFY_H

#include <stdint.h>

/*
 * The sd_notify datagram protocol, implemented directly (no libsystemd): one
 * datagram of "KEY=VALUE\n" lines to the AF_UNIX socket named by $NOTIFY_SOCKET
 * (a path, or '@' for the abstract namespace). Without NOTIFY_SOCKET every call is
 * a successful no-op, so the daemons run the same under systemd and by hand.
 */
int mt6d_notify_send(const char *state) __attribute__((warn_unused_result));

/* printf-style STATUS= line. */
int mt6d_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Watchdog period in microseconds from $WATCHDOG_USEC (and $WATCHDOG_PID), 0 if off. */
uint64_t mt6d_watchdog_usec(void);

/* Sends WATCHDOG=1 at most every third of the period; call it from a periodic tick. */
struct mt6d_watchdog {
	uint64_t period_usec; /* 0: no watchdog */
	uint64_t last_usec;
};
void mt6d_watchdog_init(struct mt6d_watchdog *w);
void mt6d_watchdog_kick(struct mt6d_watchdog *w);

#endif

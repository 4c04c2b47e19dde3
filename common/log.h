/* SPDX-License-Identifier: MIT */
#ifndef MT6D_LOG_H
#define MT6D_LOG_H

#include <stdbool.h>

/*
 * Logging for the daemon layer only: library modules return -errno and let the
 * daemon decide what to say. stderr in the foreground, syslog otherwise. When stderr is
 * the journal (JOURNAL_STREAM names it, as systemd does for a service), each line starts
 * with its syslog priority, "<4>" for a warning, and carries neither time nor name.
 */
void log_init(const char *ident, bool foreground, int verbose);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* adds errno */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif

// SPDX-License-Identifier: MIT
/* OpenBSD-style logging: one place decides where a message goes. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static struct {
	bool foreground;
	bool journal; /* stderr is systemd's journal stream */
	int verbose;
	const char *ident;
} log_state = { .foreground = true, .ident = "mt6d" };

/* systemd sets JOURNAL_STREAM to "DEV:INODE" of the stream it connected stderr to. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
	       (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *ident, bool foreground, int verbose)
{
	log_state.ident = ident;
	log_state.foreground = foreground;
	log_state.journal = foreground && stderr_is_journal();
	log_state.verbose = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_state.journal) {
		/* journald reads the priority from "<N>" and adds time and name itself. */
		fprintf(stderr, "<%d>%s%s%s\n", pri, msg, suffix ? ": " : "", suffix ? suffix : "");
		fflush(stderr);
	} else if (log_state.foreground) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "%lld.%03ld %s: %s%s%s\n", (long long)ts.tv_sec,
			ts.tv_nsec / 1000000, log_state.ident, msg, suffix ? ": " : "",
			suffix ? suffix : "");
		fflush(stderr);
	} else {
		syslog(pri, "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
	}
}

#define LOG_FN(name, pri, with_errno, guard)                               \
	void name(const char *fmt, ...)                                    \
	{                                                                  \
		int saved = errno;                                         \
		va_list ap;                                                \
		if (!(guard))                                              \
			return;                                            \
		va_start(ap, fmt);                                         \
		vlog(pri, fmt, ap, (with_errno) ? strerror(saved) : NULL); \
		va_end(ap);                                                \
		errno = saved;                                             \
	}

LOG_FN(log_warn, LOG_WARNING, true, true)
LOG_FN(log_warnx, LOG_WARNING, false, true)
LOG_FN(log_info, LOG_INFO, false, true)
LOG_FN(log_debug, LOG_DEBUG, false, log_state.verbose > 0)

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

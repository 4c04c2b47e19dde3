// SPDX-License-Identifier: MIT
#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

int mt6d_notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	size_t plen;
	int fd, ret = 0;

	if (!path || !*path)
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sun.sun_path))
		return -EINVAL;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int mt6d_notify_status(const char *fmt, ...)
{
	char buf[512] = "STATUS=";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + 7, sizeof(buf) - 7, fmt, ap);
	va_end(ap);
	return mt6d_notify_send(buf);
}

uint64_t mt6d_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	char *end;
	unsigned long long v;

	if (!usec)
		return 0;
	/* WATCHDOG_PID names the process meant; a child that inherited it must not ping. */
	if (pid && strtol(pid, NULL, 10) != getpid())
		return 0;
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (errno || *end || !v)
		return 0;
	return v;
}

void mt6d_watchdog_init(struct mt6d_watchdog *w)
{
	w->period_usec = mt6d_watchdog_usec();
	w->last_usec = 0;
}

void mt6d_watchdog_kick(struct mt6d_watchdog *w)
{
	uint64_t now;

	if (!w->period_usec)
		return;
	now = mt6d_mono_ms() * 1000;
	if (w->last_usec && now - w->last_usec < w->period_usec / 3)
		return;
	/* A failed ping is retried at the next tick; systemd acts only on silence. */
	if (mt6d_notify_send("WATCHDOG=1") == 0)
		w->last_usec = now;
}

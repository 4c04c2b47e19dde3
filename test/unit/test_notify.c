// SPDX-License-Identifier: MIT
/* sd_notify against a real AF_UNIX datagram socket standing in for systemd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <errno.h>
#include <stddef.h>

#include "check.h"
#include "notify.h"

static int listener(const char *path, int abstract)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	strcpy(sun.sun_path, path);
	if (abstract)
		sun.sun_path[0] = '\0';
	else
		unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0)
		return -1;
	return fd;
}

static int received(int fd, const char *want)
{
	char buf[600];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	if (strcmp(buf, want))
		printf("got \"%s\", want \"%s\"\n", buf, want);
	return !strcmp(buf, want);
}

int main(void)
{
	char path[] = "/tmp/mt6d-notify-XXXXXX", sock[64], abs_name[64], pid[32];
	int fd;

	CHECK(mkdtemp(path) != NULL, "mkdtemp");
	snprintf(sock, sizeof(sock), "%s/notify", path);
	unsetenv("NOTIFY_SOCKET");
	CHECK(mt6d_notify_send("READY=1") == 0, "no NOTIFY_SOCKET: silent success");

	fd = listener(sock, 0);
	CHECK(fd >= 0, "listener");
	setenv("NOTIFY_SOCKET", sock, 1);
	CHECK(mt6d_notify_send("READY=1") == 0 && received(fd, "READY=1"), "READY=1");
	CHECK(mt6d_notify_status("association %d up, %s", 3, "2001:db8::1") == 0 &&
		      received(fd, "STATUS=association 3 up, 2001:db8::1"),
	      "STATUS line");
	CHECK(mt6d_notify_send("WATCHDOG=1") == 0 && received(fd, "WATCHDOG=1"), "WATCHDOG=1");
	CHECK(mt6d_notify_send("READY=1\nSTATUS=two lines") == 0 &&
		      received(fd, "READY=1\nSTATUS=two lines"),
	      "several assignments in one datagram");
	close(fd);
	unlink(sock);

	snprintf(abs_name, sizeof(abs_name), "@mt6d-test-%d", (int)getpid());
	fd = listener(abs_name, 1);
	CHECK(fd >= 0, "abstract listener");
	setenv("NOTIFY_SOCKET", abs_name, 1);
	CHECK(mt6d_notify_send("READY=1") == 0 && received(fd, "READY=1"), "abstract socket");
	close(fd);

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	CHECK(mt6d_notify_send("READY=1") == -EINVAL, "relative path refused");
	setenv("NOTIFY_SOCKET", sock, 1);
	CHECK(mt6d_notify_send("READY=1") < 0, "nobody listening: an error, not a crash");

	unsetenv("WATCHDOG_USEC");
	CHECK(mt6d_watchdog_usec() == 0, "no watchdog");
	setenv("WATCHDOG_USEC", "3000000", 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	CHECK(mt6d_watchdog_usec() == 3000000, "watchdog for this pid");
	setenv("WATCHDOG_PID", "1", 1);
	CHECK(mt6d_watchdog_usec() == 0, "watchdog meant for another pid");
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "3s", 1);
	CHECK(mt6d_watchdog_usec() == 0, "malformed WATCHDOG_USEC");
	rmdir(path);
	return check_done();
}

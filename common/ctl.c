// SPDX-License-Identifier: MIT
#include "ctl.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static int ctl_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

static int ctl_connect(const char *path)
{
	struct sockaddr_un sun;
	struct timeval tv = { .tv_sec = 5 };
	int fd, ret = ctl_addr(&sun, path);

	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int mt6d_ctl_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd, ret = ctl_addr(&sun, path);
	mode_t old;

	if (ret < 0)
		return ret;
	fd = ctl_connect(path);
	if (fd >= 0) {
		close(fd);
		return -EADDRINUSE;
	}
	/* Nobody answers: a socket left by a killed daemon. */
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old = umask(0077);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (ret < 0 || listen(fd, 4) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int mt6d_ctl_accept(int lfd, char *req, size_t len)
{
	struct timeval tv = { .tv_sec = 1 };
	int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ssize_t n;

	if (cfd < 0)
		return -errno;
	/* A client that connects and says nothing must not stall the daemon. */
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(cfd, req, len - 1, 0);
	if (n <= 0) {
		close(cfd);
		return n < 0 ? -errno : -ENODATA;
	}
	req[n] = '\0';
	req[strcspn(req, "\r\n")] = '\0';
	return cfd;
}

int mt6d_ctl_reply(int cfd, const char *reply)
{
	int ret = send(cfd, reply, strlen(reply), MSG_NOSIGNAL) < 0 ? -errno : 0;

	close(cfd);
	return ret;
}

int mt6d_ctl_request(const char *path, const char *req, char *reply, size_t len)
{
	int fd = ctl_connect(path), ret = 0;
	ssize_t n;

	if (fd < 0)
		return fd;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		ret = -errno;
		goto out;
	}
	n = recv(fd, reply, len - 1, 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	reply[n] = '\0';
out:
	close(fd);
	return ret;
}

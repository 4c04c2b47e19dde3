// SPDX-License-Identifier: MIT
#include "evloop.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define EVLOOP_MAX_FDS 32
#define EVLOOP_BATCH 16

struct evloop_handler {
	int fd;
	mt6d_evloop_cb cb;
	void *ctx;
};

struct mt6d_evloop {
	int epfd;
	bool stop;
	struct evloop_handler handlers[EVLOOP_MAX_FDS];
};

int mt6d_evloop_new(struct mt6d_evloop **out)
{
	struct mt6d_evloop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int ret = -errno;

		free(loop);
		return ret;
	}
	for (int i = 0; i < EVLOOP_MAX_FDS; i++)
		loop->handlers[i].fd = -1;
	*out = loop;
	return 0;
}

void mt6d_evloop_free(struct mt6d_evloop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop);
}

int mt6d_evloop_add(struct mt6d_evloop *loop, int fd, uint32_t events, mt6d_evloop_cb cb, void *ctx)
{
	struct evloop_handler *h = NULL;
	struct epoll_event ev = { .events = events };

	for (int i = 0; i < EVLOOP_MAX_FDS && !h; i++)
		if (loop->handlers[i].fd < 0)
			h = &loop->handlers[i];
	if (!h)
		return -ENOSPC;
	ev.data.ptr = h;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	*h = (struct evloop_handler){ .fd = fd, .cb = cb, .ctx = ctx };
	return 0;
}

static struct evloop_handler *evloop_find(struct mt6d_evloop *loop, int fd)
{
	for (int i = 0; i < EVLOOP_MAX_FDS; i++)
		if (loop->handlers[i].fd == fd)
			return &loop->handlers[i];
	return NULL;
}

int mt6d_evloop_mod(struct mt6d_evloop *loop, int fd, uint32_t events)
{
	struct evloop_handler *h = evloop_find(loop, fd);
	struct epoll_event ev = { .events = events, .data.ptr = h };

	if (!h)
		return -ENOENT;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void mt6d_evloop_del(struct mt6d_evloop *loop, int fd)
{
	struct evloop_handler *h = evloop_find(loop, fd);

	if (!h)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	/* A handler removed during dispatch must not be called again in this batch. */
	h->fd = -1;
	h->cb = NULL;
}

int mt6d_evloop_run(struct mt6d_evloop *loop)
{
	struct epoll_event evs[EVLOOP_BATCH];

	loop->stop = false;
	while (!loop->stop) {
		int n = epoll_wait(loop->epfd, evs, EVLOOP_BATCH, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !loop->stop; i++) {
			struct evloop_handler *h = evs[i].data.ptr;

			if (h->cb)
				h->cb(h->fd, evs[i].events, h->ctx);
		}
	}
	return 0;
}

void mt6d_evloop_stop(struct mt6d_evloop *loop)
{
	loop->stop = true;
}

int mt6d_evloop_timer_set(int fd, unsigned int first_ms, unsigned int period_ms)
{
	struct itimerspec its = {
		.it_value = { first_ms / 1000, (long)(first_ms % 1000) * 1000000 },
		.it_interval = { period_ms / 1000, (long)(period_ms % 1000) * 1000000 },
	};

	/* A zero it_value disarms the timer: fire "now" instead. */
	if (!first_ms)
		its.it_value.tv_nsec = 1;
	return timerfd_settime(fd, 0, &its, NULL) < 0 ? -errno : 0;
}

int mt6d_evloop_timer_new(unsigned int first_ms, unsigned int period_ms)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	int ret;

	if (fd < 0)
		return -errno;
	ret = mt6d_evloop_timer_set(fd, first_ms, period_ms);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

uint64_t mt6d_evloop_timer_drain(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

int mt6d_evloop_signalfd(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

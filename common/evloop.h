/* SPDX-License-Identifier: MIT */
#ifndef MT6D_EVLOOP_H
#define MT6D_EVLOOP_H

#include <stdint.h>

/* One epoll loop per process: every fd has a callback and a context pointer. */
struct evloop;

typedef void (*evloop_cb)(int fd, uint32_t events, void *ctx);

int evloop_new(struct evloop **out) __attribute__((warn_unused_result));
void evloop_free(struct evloop *loop);

int evloop_add(struct evloop *loop, int fd, uint32_t events, evloop_cb cb, void *ctx)
	__attribute__((warn_unused_result));
int evloop_mod(struct evloop *loop, int fd, uint32_t events) __attribute__((warn_unused_result));
void evloop_del(struct evloop *loop, int fd);

/* Runs until evloop_stop(); returns 0, or -errno when epoll fails. */
int evloop_run(struct evloop *loop);
void evloop_stop(struct evloop *loop);

/* A CLOCK_MONOTONIC timerfd firing after @first_ms, then every @period_ms (0: once). */
int evloop_timer_new(unsigned int first_ms, unsigned int period_ms)
	__attribute__((warn_unused_result));
int evloop_timer_set(int fd, unsigned int first_ms, unsigned int period_ms)
	__attribute__((warn_unused_result));
/* Reads the expiry count so a level-triggered timer stops firing; 0 when none. */
uint64_t evloop_timer_drain(int fd);

/* Blocks SIGINT, SIGTERM, SIGHUP, SIGUSR1 and SIGPIPE and returns a signalfd for them. */
int evloop_signalfd(void) __attribute__((warn_unused_result));

#endif

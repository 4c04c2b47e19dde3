/* SPDX-License-Identifier: MIT */
#ifndef MT6D_EVLOOP_H
#define MT6D_EVLOOP_H

#include <stdint.h>

/* One epoll loop per process: every fd has a callback and a context pointer. */
struct mt6d_evloop;

typedef void (*mt6d_evloop_cb)(int fd, uint32_t events, void *ctx);

int mt6d_evloop_new(struct mt6d_evloop **out) __attribute__((warn_unused_result));
void mt6d_evloop_free(struct mt6d_evloop *loop);

int mt6d_evloop_add(struct mt6d_evloop *loop, int fd, uint32_t events, mt6d_evloop_cb cb, void *ctx)
	__attribute__((warn_unused_result));
int mt6d_evloop_mod(struct mt6d_evloop *loop, int fd, uint32_t events)
	__attribute__((warn_unused_result));
void mt6d_evloop_del(struct mt6d_evloop *loop, int fd);

/* Runs until mt6d_evloop_stop(); returns 0, or -errno when epoll fails. */
int mt6d_evloop_run(struct mt6d_evloop *loop);
void mt6d_evloop_stop(struct mt6d_evloop *loop);

/* A CLOCK_MONOTONIC timerfd firing after @first_ms, then every @period_ms (0: once). */
int mt6d_evloop_timer_new(unsigned int first_ms, unsigned int period_ms)
	__attribute__((warn_unused_result));
int mt6d_evloop_timer_set(int fd, unsigned int first_ms, unsigned int period_ms)
	__attribute__((warn_unused_result));
/* Reads the expiry count so a level-triggered timer stops firing; 0 when none. */
uint64_t mt6d_evloop_timer_drain(int fd);

/* Blocks SIGINT, SIGTERM, SIGHUP, SIGUSR1 and SIGPIPE and returns a signalfd for them. */
int mt6d_evloop_signalfd(void) __attribute__((warn_unused_result));

#endif

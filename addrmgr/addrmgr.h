/* SPDX-License-Identifier: MIT */
#ifndef MT6D_ADDRMGR_H
#define MT6D_ADDRMGR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct addrmgr;

struct addrmgr_stats {
	uint64_t rotations; /* changes of the current slot */
	uint64_t failures;  /* kernel operations that failed */
	uint64_t retired;   /* addresses removed from the uplink */
};

/* @cfg outlives the daemon, which changes what a reload applies live (reload.h). */
int addrmgr_new(struct addrmgr **out, struct mt6d_config *cfg) __attribute__((warn_unused_result));
int addrmgr_run(struct addrmgr *m);
void addrmgr_free(struct addrmgr *m);

/* Client side: sends @req ("rotate", "reload", "status") to the running daemon for @cfg. */
int addrmgr_request(const struct mt6d_config *cfg, const char *req, char *reply, size_t len)
	__attribute__((warn_unused_result));

#endif

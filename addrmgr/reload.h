/* SPDX-License-Identifier: MIT */
#ifndef MT6D_RELOAD_H
#define MT6D_RELOAD_H

#include <stdio.h>

#include "config.h"
#include "derive.h"

/*
 * mt6d-addrmgr --reload and SIGHUP: reads @cfg's file again and applies to @cfg the keys
 * that can change live (MT6D_READ_LIVE); the others stay as they are until a restart. Writes
 * the reply to @out: "ok PATH: N key(s) differ from the running configuration" and a line per
 * such key saying it was applied or which daemons must restart for it (a key not applied
 * is listed again at every reload until they do), or "error MESSAGE; the running configuration
 * stays" when the file does not load. A new key file content counts as a change of [keys] psk-file:
 * @running holds the keys derived from the one in use. Returns how many keys changed, or
 * -errno (the file did not load, or the keys could not be derived).
 */
int addrmgr_reload(struct mt6d_config *cfg, const struct mt6d_deriver *running, FILE *out)
	__attribute__((warn_unused_result));

#endif

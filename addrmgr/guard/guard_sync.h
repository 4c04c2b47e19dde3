/* SPDX-License-Identifier: MIT */
#ifndef MT6D_GUARD_SYNC_H
#define MT6D_GUARD_SYNC_H

#include <stddef.h>

#include "guard_table.h"

/*
 * Converges the guard's sets toward a wanted list of elements, each with the time it
 * should still live (guard_op.timeout_ms). The kernel is read first, because on Linux 6.1:
 *  - adding an element that exists does not refresh its timeout: a refresh is a delete
 *    and an add in the same transaction;
 *  - deleting an element that has just expired fails the whole transaction (ENOENT): only
 *    elements the kernel listed, and not about to expire, are deleted; the rest expire.
 */

/* An element lives on when it would expire within this time: deleting it could race. */
#define GUARD_SYNC_RACE_MS 1000

/*
 * The operations that turn set @s from @have into the elements of @want that belong to
 * @s: adds for missing ones, delete+add for those that would expire before half their
 * wanted time is over, deletes for unwanted ones. Returns how many (at most @max are
 * stored; a larger return means @ops was too small).
 */
size_t guard_sync_diff(enum guard_set s, const struct guard_op *want, size_t nwant,
		       const struct guard_elem *have, size_t nhave, struct guard_op *ops,
		       size_t max);

/*
 * Reads the local, peer and retired sets and applies what guard_sync_diff() finds in
 * one transaction. Returns the number of element changes, or -errno (with the kernel's
 * text in @err).
 */
int guard_sync_converge(struct guard_table *g, const struct guard_op *want, size_t nwant, char *err,
			size_t errlen) __attribute__((warn_unused_result));

#endif

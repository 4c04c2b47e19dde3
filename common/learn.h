/* SPDX-License-Identifier: MIT */
#ifndef MT6D_LEARN_H
#define MT6D_LEARN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "derive.h"

/*
 * Renumbering, as the other end learns it: where the peer's uplinks are now. The addresses
 * come from the kernel's view of the association in charge: the ones its INIT listed (the
 * association was authenticated since) and those the peer's ASCONFs added, which SCTP-AUTH
 * authenticates (the linux-sctp notes). An address outside every /64 known for the
 * peer's uplinks moves uplink k to its /64 only when it is k's hashed address there
 * (k's derivation label and the peer's true IID, for a slot in [lo, hi]) and it is newer
 * than every address of k's known /64 in the association: the two /64s share the slot the
 * renumbering happened in, and the old one's addresses leave the association a slot later.
 * In that slot, the new address wins when it is the association's primary path: the peer
 * asked to be sent to there (SET_PRIMARY, authenticated as well).
 * Anything else is left alone: a renumbering is never guessed from an address alone.
 */
struct mt6d_learn {
	const struct mt6d_deriver *deriver;
	const struct in6_addr *iid;	     /* the peer's true interface identifier */
	const struct in6_addr *primary;	     /* the association's primary path; NULL: unknown */
	uint64_t lo, hi;		     /* the slots an address may be of */
	size_t n;			     /* uplinks */
	const char *label[MT6D_MAX_UPLINKS]; /* their derivation labels ("": unnamed) */
	struct in6_addr *prefix[MT6D_MAX_UPLINKS]; /* their /64s as known; updated */
};

/*
 * Whether @a is the hashed address of @iid under @a's own /64 with derivation label @label
 * for a slot in [@lo, @hi]; which one in *@slot (the newest if several).
 */
bool mt6d_learn_slot(const struct mt6d_deriver *d, const char *label, const struct in6_addr *iid,
		     uint64_t lo, uint64_t hi, const struct in6_addr *a, uint64_t *slot);

/*
 * Looks at the association's @n addresses @addrs. Returns the uplinks whose /64 moved, as
 * a bit mask (bit k: uplink k), 0 for none.
 */
unsigned int mt6d_learn_prefixes(const struct mt6d_learn *l, const struct in6_addr *addrs,
				 size_t n);

#endif

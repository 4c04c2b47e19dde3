/* SPDX-License-Identifier: MIT */
#ifndef MT6D_FLOW_H
#define MT6D_FLOW_H

#include <stddef.h>
#include <stdint.h>

/*
 * Which SCTP stream an inner packet travels on: a hash of its addresses, protocol and,
 * for TCP, UDP, UDP-Lite and SCTP, its ports, mixed with @key. One flow stays on one stream
 * (its order is kept where delivery is ordered); a loss on one stream does not hold back
 * the others. Each association draws its own @key, so that a flow's stream id, which is in
 * clear on the wire, does not carry over from one association to the next. Packets that
 * are too short to read go to stream 0.
 */
uint16_t mt6d_flow_stream(const uint8_t *pkt, size_t len, uint16_t streams, uint32_t key);

#endif

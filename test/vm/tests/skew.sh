#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Clock skew: gwA's clock runs half an interval ahead of gwB's, the most the design
# tolerates (MT6D_TEST_CLOCK_OFFSET_MS moves only the clock the slots follow).
#
#  hostA ── gwA (clock + interval/2) ══ (veth "internet") ══ gwB ── hostB
#  fd00:a::2                                                        fd00:b::2
#
# Checks: both of gwA's daemons warn that the offset is in effect; sampled while running,
# gwA's current slot is gwB's or one ahead, and is ahead at least once; pings across
# >= 10 rotations, none lost; each gateway put >= 8 hashed source addresses on the wire.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

INTERVAL=2
OFFSET_MS=$((INTERVAL * 500))
PINGS=250
PING_INTERVAL=0.1

mkdir -p /etc/mt6d
for gw in gwA gwB; do
	sed "s/^interval = .*/interval = $INTERVAL/" "$(mt6d_conf $gw)" >/etc/mt6d/$gw.conf
done

topo_up
cap_start wire
MT6D_TEST_CLOCK_OFFSET_MS=$OFFSET_MS
export MT6D_TEST_CLOCK_OFFSET_MS
mt6d_start gwA /etc/mt6d/gwA.conf
unset MT6D_TEST_CLOCK_OFFSET_MS
mt6d_start gwB /etc/mt6d/gwB.conf

wait_for "mt6d_authed gwA && mt6d_authed gwB" 60 ||
	die "association up and authenticated" "$(tail -n 5 "$OUT/gwA-tunnel.log" "$OUT/gwB-tunnel.log")"
for d in tunnel addrmgr; do
	grep -q "MT6D_TEST_CLOCK_OFFSET_MS=$OFFSET_MS: slots follow a clock moved" "$OUT/gwA-$d.log" &&
		pass "gwA's $d runs $OFFSET_MS ms ahead (and says so)" ||
		fail "gwA's $d runs $OFFSET_MS ms ahead (and says so)" "no warning in its log"
done
wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 ||
	die "first ping" "hostB unreachable through the tunnel"

# --- pings across the rotations, slots sampled beside them --------------------------------
rot0=$(mt6d_astatus_key gwA rotations)
nsx "$NS_HOSTA" ping -6 -c "$PINGS" -i "$PING_INTERVAL" -W 5 "$HOSTB" >"$OUT/ping.log" 2>&1 &
ping_pid=$!
diffs=''
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	a=$(mt6d_astatus_key gwA slot)
	b=$(mt6d_astatus_key gwB slot)
	diffs="$diffs $((a - b))"
	sleep 0.7
done
wait "$ping_pid" && prc=0 || prc=$?
log "gwA slot - gwB slot, sampled: $diffs"
bad=$(echo "$diffs" | tr ' ' '\n' | grep -cvE '^(0|1|)$' || :)
ahead=$(echo "$diffs" | tr ' ' '\n' | grep -c '^1$' || :)
[ "$bad" -eq 0 ] && [ "$ahead" -gt 0 ] &&
	pass "gwA's slot is gwB's or one ahead ($ahead of 12 samples ahead)" ||
	fail "gwA's slot is gwB's or one ahead, sometimes ahead" "differences:$diffs"

sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$OUT/ping.log")
recv=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$OUT/ping.log")
lost=$((${sent:-0} - ${recv:-0}))
rotp=$(($(mt6d_astatus_key gwA rotations) - rot0))
log "pings: $sent sent, $recv received, $lost lost, across $rotp rotations of gwA"
if [ "${sent:-0}" -eq "$PINGS" ] && [ "$lost" -eq 0 ] && [ "$rotp" -ge 10 ]; then
	pass "skew of half an interval: $PINGS pings across $rotp rotations, none lost"
else
	fail "skew of half an interval: $PINGS pings across >= 10 rotations, none lost" \
		"sent ${sent:-?}, received ${recv:-?}, $rotp rotations (ping status $prc)"
fi

cap_stop wire
pcap=$(cap_file wire)
for side in A B; do
	eval prefix=\$GW${side}_PREFIX
	n=$(pcap_sources "$pcap" "$prefix" | tee "$OUT/sources-gw$side.txt" | wc -l)
	log "gw$side: $n distinct source addresses in $prefix"
	[ "$n" -ge 8 ] && pass "gw$side used $n hashed source addresses" ||
		fail "gw$side used at least 8 hashed source addresses" "only $n"
done
for gw in gwA gwB; do
	log "$gw: $(mt6d_astatus_key "$gw" failures) addrmgr failures"
done
mt6d_stop gwA
mt6d_stop gwB
finish

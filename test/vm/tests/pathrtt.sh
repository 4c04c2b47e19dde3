#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Path choice by round-trip time: two uplinks a side through two routers (routers2_up in
# lib.sh), isp1 and isp2 of equal preference, heartbeats every 200 ms.
#   - Control, first: both uplinks' RTTs are measured and small, isp1 (the first of equals)
#     is the primary on both gateways, and neither logs a faster uplink.
#   - Then r1 delays everything by 40 ms each way. Each gateway measures its isp1 paths'
#     RTT at 80 ms and more (their status), makes isp2 its primary (logged "is faster"),
#     and hostA's pings, through the tunnel, get answers at the speed of r2 again (their
#     average, over 3 s, below half of r1's round trip).
. "$(dirname "$0")/../lib.sh"
mt6d_require

PING=/usr/local/bin/iputils-ping
# shellcheck disable=SC2034  # read by routers2_conf (lib.sh)
INTERVAL=4

routers2_up
routers2_conf 100 "$(printf '[recovery]\nheartbeat-interval = 200\nrto-max = 400')"
mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
mt6d_wait_up "equal preferences"

uplink() { # GW NAME: "path rtt primary" of the uplink NAME in GW's addrmgr status
	mt6d_astatus "$1" --json | grep -o "{\"name\":\"$2\",[^}]*}" |
		sed 's/.*"path":"\([a-z]*\)","rtt_ms":\([0-9a-z]*\),"primary":\([a-z]*\)}/\1 \2 \3/'
}
rtt_of() { uplink "$1" "$2" | cut -d' ' -f2; }
pings_avg() { # the average RTT in ms of 3 s of pings at 10/s from hostA to hostB
	nsx "$NS_HOSTA" "$PING" -6 -n -c 30 -i 0.1 -W 1 "$HOSTB" 2>/dev/null |
		sed -n 's|.* = [0-9.]*/\([0-9.]*\)/.*|\1|p'
}

wait_for "[ \"\$(rtt_of gwA isp1)\" != null ] && [ \"\$(rtt_of gwA isp2)\" != null ] &&
	[ \"\$(rtt_of gwB isp1)\" != null ] && [ \"\$(rtt_of gwB isp2)\" != null ]" 20 ||
	fail "both uplinks' RTT measured" "gwA: $(uplink gwA isp1) / $(uplink gwA isp2)"
before=$(pings_avg)
ok=1
for gw in gwA gwB; do
	a=$(uplink $gw isp1) b=$(uplink $gw isp2)
	case "$a|$b" in
	"live "*" true|live "*" false") ;;
	*) ok=0 ;;
	esac
	[ "$(rtt_of $gw isp1)" -lt 40 ] 2>/dev/null && [ "$(rtt_of $gw isp2)" -lt 40 ] || ok=0
	! grep -q "is faster" "$OUT/$gw-addrmgr.log" || ok=0
	log "$gw before: isp1 $a, isp2 $b"
done
[ "$ok" -eq 1 ] &&
	pass "control: RTTs small on both uplinks, isp1 primary on both gateways, none faster (pings ${before:-?} ms)" ||
	fail "control: equal uplinks, isp1 primary" "gwA $(uplink gwA isp1) / $(uplink gwA isp2); gwB $(uplink gwB isp1) / $(uplink gwB isp2)"

log "r1 delays everything by 40 ms each way"
for d in toa tob; do nsx r1 "$TC" qdisc add dev "$d" root netem delay 40ms; done
wait_for "grep -q 'uplink isp2 (inet2) is faster' $OUT/gwA-addrmgr.log &&
	grep -q 'uplink isp2 (inet2) is faster' $OUT/gwB-addrmgr.log" 20
sleep 1
after=$(pings_avg)
for gw in gwA gwB; do
	a=$(uplink $gw isp1) b=$(uplink $gw isp2)
	log "$gw after: isp1 $a, isp2 $b; $(grep 'is faster' "$OUT/$gw-addrmgr.log" | tail -n 1)"
	case "$a|$b" in
	"live "*" false|live "*" true")
		[ "$(rtt_of $gw isp1)" -ge 80 ] 2>/dev/null && [ "$(rtt_of $gw isp2)" -lt 40 ] &&
			pass "$gw: isp1's paths measured at $(rtt_of $gw isp1) ms, isp2's at $(rtt_of $gw isp2) ms; isp2 made the primary (logged)" ||
			fail "$gw: RTTs after r1's delay" "isp1 $a, isp2 $b" ;;
	*) fail "$gw: isp2 the primary once r1 is slow" "isp1 $a, isp2 $b" ;;
	esac
done
awk -v a="${after:-999}" 'BEGIN { exit !(a < 40) }' &&
	pass "pings through the tunnel avoid r1: ${after} ms on average (${before:-?} ms before, r1 adds 80)" ||
	fail "pings through the tunnel avoid the slow router" "${after:-?} ms on average"
echo "pathrtt pings_before_ms=${before:-} pings_after_ms=${after:-}" >>"$OUT/figures.txt"

mt6d_stop gwA
mt6d_stop gwB
finish

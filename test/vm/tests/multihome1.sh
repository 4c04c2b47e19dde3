#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Two uplinks on gwA, one on gwB, and failover inside the one association:
#
#  hostA ── gwA inet0 ── r1 ──┐                             isp1: 2001:db8:1:1::/64 (gwA)
#               inet2 ── r2 ──┴── rB ── inet0 gwB ── hostB  isp2: 2001:db8:1:2::/64 (gwA)
#                                                           gwB:  2001:db8:2:2::/64
#
# gwA has [uplink isp1] (preference 200) and [uplink isp2] and gwB's single [peer] prefix;
# the operator's routes on gwA lead to gwB's /64 through r1 (metric 100) and r2 (metric
# 200). gwB names gwA's uplinks as [peer-uplink isp1] and [peer-uplink isp2]. Slots are 4 s,
# heartbeats every 200 ms (RTO at most 400 ms), the guard's evidence window 1 s.
#   - gwB's SCTP has a path to each of gwA's uplinks; gwA's paths all lead to gwB's one
#     /64: which uplink they leave by is the route mt6d-addrmgr keeps to gwB's /64
#     (steer.h), through the primary uplink.
#   - 100 pings/s and a paced TCP transfer while r1 stops forwarding for 5 s (the gateways
#     are not told), comes back, then r2 does the same. Reported: the longest gap between
#     echo replies and the loss; target gap <= 1 s, loss < 1 %, TCP byte-identical.
#   - gwA's route to gwB's /64 leaves by inet2 (via r2) while r1 is cut, once gwA's path
#     to gwB goes potentially failed, and by inet0 again after (all logged); r2's cut moves
#     nothing.
#   - While r1 is cut, the traffic is seen on r2's link to gwA, both ways (control: before
#     the cut r2 carries heartbeats only).
#   - No true or inner address in the bytes on the routers' links (control: gwA's isp2
#     address current during r1's cut is found on r2's).
. "$(dirname "$0")/../lib.sh"
mt6d_require

# shellcheck disable=SC2034  # PING, PINGS: read by failover_start (lib.sh)
PING=/usr/local/bin/iputils-ping
INTERVAL=4
# shellcheck disable=SC2034
PINGS=2000 # 20 s at 100/s
A1=2001:db8:1:1::/64
A2=2001:db8:1:2::/64
B=2001:db8:2:2::/64

# --- topology: the shared one, its direct link replaced by three routers ---------------
topo_up
"$IP" -n "$NS_GWA" link del "$INET_DEV"
for ns in r1 r2 rB; do router_ns "$ns"; done
for ns in $NS_GWA $NS_GWB; do
	sysctl_ns "$ns" net.ipv6.conf.default.accept_dad=0
done
veth_up "$NS_GWA" inet0 r1 toa
veth_up "$NS_GWA" inet2 r2 toa
"$IP" -n "$NS_GWB" link add inet0 type veth peer name tob netns rB
"$IP" -n "$NS_GWB" link set dev inet0 up
"$IP" -n rB link set dev tob up
veth_up r1 torb rB tor1
veth_up r2 torb rB tor2
wait_for "[ -n \"\$(ll_addr r1 toa)\" ] && [ -n \"\$(ll_addr r2 toa)\" ] &&
	[ -n \"\$(ll_addr rB tob)\" ] && [ -n \"\$(ll_addr rB tor1)\" ] &&
	[ -n \"\$(ll_addr rB tor2)\" ] && [ -n \"\$(ll_addr r1 torb)\" ] &&
	[ -n \"\$(ll_addr r2 torb)\" ] && [ -n \"\$(ll_addr $NS_GWB inet0)\" ]" 10 ||
	die topology "router link-local addresses did not appear"
"$IP" -n r1 route add "$A1" dev toa
"$IP" -n r1 route add "$B" via "$(ll_addr rB tor1)" dev torb
"$IP" -n r2 route add "$A2" dev toa
"$IP" -n r2 route add "$B" via "$(ll_addr rB tor2)" dev torb
"$IP" -n rB route add "$B" dev tob
"$IP" -n rB route add "$A1" via "$(ll_addr r1 torb)" dev tor1
"$IP" -n rB route add "$A2" via "$(ll_addr r2 torb)" dev tor2
"$IP" -n "$NS_GWB" route add 2001:db8:1::/48 via "$(ll_addr rB tob)" dev inet0
# The operator's routes to gwB: r1 first, r2 as the fallback.
"$IP" -n "$NS_GWA" route add "$B" via "$(ll_addr r1 toa)" dev inet0 metric 100
"$IP" -n "$NS_GWA" route add "$B" via "$(ll_addr r2 toa)" dev inet2 metric 200

# --- configuration ------------------------------------------------------------------------
mkdir -p "$MT6D_ETC"
mt6d_key
# Heartbeats every 200 ms plus the path's RTO (at most 400 ms, jittered by half); the
# guard's evidence window (auto) outlasts that: 200 + 2 x 400 = 1000 ms.
recovery() { printf '[recovery]\nheartbeat-interval = 200\nrto-max = 400\n'; }
{
	cat <<-EOF
		[tunnel]
		mtu = 1400
		[keys]
		psk-file = $MT6D_ETC/site.key
		[local]
		iid = ::1
		[peer]
		prefix = $B
		iid = ::2
		routes = $LANB_PREFIX
		[uplink isp1]
		interface = inet0
		prefix = $A1
		preference = 200
		[uplink isp2]
		interface = inet2
		prefix = $A2
		[rotation]
		interval = $INTERVAL
		lifetime = 2
	EOF
	recovery
} >"$MT6D_ETC/gwA.conf"
{
	cat <<-EOF
		[tunnel]
		mtu = 1400
		[keys]
		psk-file = $MT6D_ETC/site.key
		[local]
		interface = inet0
		prefix = $B
		iid = ::2
		[peer]
		iid = ::1
		routes = $LANA_PREFIX
		[peer-uplink isp1]
		prefix = $A1
		[peer-uplink isp2]
		prefix = $A2
		[rotation]
		interval = $INTERVAL
		lifetime = 2
	EOF
	recovery
} >"$MT6D_ETC/gwB.conf"
for gw in gwA gwB; do
	nsx "$gw" "$MT6D_ADDRMGR" -c "$MT6D_ETC/$gw.conf" -n >/dev/null 2>"$OUT/$gw-check.log" ||
		die "$gw configuration" "$(cat "$OUT/$gw-check.log")"
done
for r in r1 r2; do cap_start "$r-toa" "$r" toa; done
mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
mt6d_wait_up "gwB with one uplink"

# --- the association's paths and gwA's route ------------------------------------------------
paths() { # GW: its association's paths, address and uplink
	mt6d_tstatus "$1" --json | sed -n 's/.*"paths":\[\([^]]*\)\].*/\1/p' |
		grep -o '"address":"[0-9a-f:]*","uplink":[a-z0-9"]*'
}
wait_for "paths gwB | grep -q '2001:db8:1:1:.*\"isp1\"' && paths gwB | grep -q '2001:db8:1:2:.*\"isp2\"'" 20 &&
	[ "$(paths gwA | grep -vc '"2001:db8:2:2:' || :)" -eq 0 ] &&
	pass "gwB has a path to each of gwA's uplinks, gwA's lead to gwB's one /64" ||
	fail "the paths" "gwA: $(paths gwA | tr '\n' ' '); gwB: $(paths gwB | tr '\n' ' ')"
route_dev() { # gwA's route of ours to gwB's /64: its device
	"$IP" -n "$NS_GWA" -6 -o route show "$B" proto 109 | sed -n 's/.* dev \([a-z0-9]*\) .*/\1/p'
}
[ "$(route_dev)" = inet0 ] && pass "gwA routes gwB's /64 through the primary uplink (inet0)" ||
	fail "gwA's route to gwB's /64 through inet0" "$("$IP" -n "$NS_GWA" -6 route show "$B")"

sctp_on() { # ROUTER: SCTP packets seen on its link to gwA so far
	pcap_count "$(cap_file "$1-toa")" sctp 2>/dev/null || echo 0
}
failover_start
sleep 3
r2_before=$(sctp_on r2)
log "cutting r1"
router_cut r1
sleep 5
r2_cut=$(sctp_on r2)
dev_cut=$(route_dev)
c2=$(mt6d_astatus gwA --json | grep -o '"role":"current","address":"[0-9a-f:]*","uplink":"isp2"' |
	cut -d'"' -f8)
router_heal r1
log "r1 back"
sleep 4
dev_back=$(route_dev)
log "cutting r2"
router_cut r2
sleep 5
dev_r2=$(route_dev)
router_heal r2
log "r2 back"
failover_end
for r in r1 r2; do cap_stop "$r-toa"; done

failover_checks multihome1-failover

# gwA's route followed the primary uplink: inet2 during r1's cut, inet0 after, and r2's cut
# moved nothing.
left=$(grep -c "traffic to the peer's 2001:db8:2:2::/64 leaves by inet2" "$OUT/gwA-addrmgr.log" || :)
came=$(grep -c "traffic to the peer's 2001:db8:2:2::/64 leaves by inet0" "$OUT/gwA-addrmgr.log" || :)
if [ "$dev_cut" = inet2 ] && [ "$dev_back" = inet0 ] && [ "$dev_r2" = inet0 ] &&
	[ "$left" -eq 1 ] && [ "$came" -eq 2 ]; then
	pass "gwA's route to gwB: inet2 while r1 was cut, inet0 after and through r2's cut"
else
	fail "gwA's route to gwB follows the primary uplink" \
		"cut $dev_cut, back $dev_back, r2 cut $dev_r2; logged inet2 $left, inet0 $came times"
fi
moved=$((${r2_cut:-0} - ${r2_before:-0}))
log "SCTP packets on r2's link to gwA: $r2_before in the 3 s before the cut, $moved in the 5 s of it"
if [ "$moved" -ge 400 ] && [ "${r2_before:-0}" -lt $((moved / 4)) ]; then
	pass "the traffic moved to r2 while r1 was cut ($moved SCTP packets, $r2_before before)"
else
	fail "the traffic moved to r2 while r1 was cut" "$moved packets during the cut, ${r2_before:-?} before"
fi

SECRETS="2001:db8:1:1::1 2001:db8:1:2::1 2001:db8:2:2::2 $HOSTA $HOSTB"
routers_bytes_check "$SECRETS" "$c2" r1-toa r2-toa

# The tunnel first: without it, the addrmgr's stop withdraws what it put in place.
bg_stop gwA-tunnel || :
bg_stop gwA-addrmgr || :
[ -z "$("$IP" -n "$NS_GWA" -6 -o route show "$B" proto 109)" ] &&
	pass "stopped with the tunnel: gwA's route of ours to gwB is gone" ||
	fail "gwA's route of ours removed at stop" "$("$IP" -n "$NS_GWA" -6 route show "$B")"
mt6d_stop gwB
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# [rotation] mode = anyip on both gateways: one local route per side makes its hashed /64
# local; no hashed address is ever put on an interface.
#
#  hostA ── gwA ══════════ (veth "internet") ══════════ gwB ── hostB
#  fd00:a::2   local 2001:db8:1:1::/64 dev lo    local 2001:db8:2:2::/64 dev lo   fd00:b::2
#              2001:db8:2:2::/64 via fe80::gwB   2001:db8:1:1::/64 via fe80::gwA
#
# The prefixes are routed (as a delegated prefix is), not on-link: nothing answers
# neighbour discovery for the hashed addresses.
#
# An attacker reaches gwB's /64 through gwA, as from anywhere on the internet:
#
#  attacker ── atk0 ─ gwA ══ ... ══ gwB      control: 2001:db8:2:3::99 on gwB's uplink,
#  2001:db8:66::2                             outside the hashed /64
#
# Checks: the local route is in place (proto 109, with an expiry) and no hashed address is
# on any interface, during and after the run; pings across >= 8 rotations, none lost; the
# wire carries >= 6 hashed source addresses per gateway, SCTP only; ICMP echo, TCP SYN and
# SCTP INIT from the attacker to gwB's current, next, a never-used and a retired address of
# the /64 get no answer (the control address answers all three), the guard's dropped
# counter counts the first three, its tripwire the retired one; addrmgr killed with
# SIGKILL leaves the route, a new one adopts it and the tunnel keeps working; stopping the
# tunnel and then addrmgr removes the route.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

INTERVAL=2
PINGS=200
PING_INTERVAL=0.1

mkdir -p /etc/mt6d
for gw in gwA gwB; do
	sed -e "s/^interval = .*/interval = $INTERVAL/" -e '/^\[rotation\]/a mode = anyip' \
		"$(mt6d_conf $gw)" >/etc/mt6d/$gw.conf
done

topo_up
# Routed prefixes instead of the on-link routes of topo_up.
"$IP" -n "$NS_GWA" route replace "$GWB_PREFIX" via "$(uplink_ll "$NS_GWB")" dev "$INET_DEV"
"$IP" -n "$NS_GWB" route replace "$GWA_PREFIX" via "$(uplink_ll "$NS_GWA")" dev "$INET_DEV"

cap_start wire
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf

mt6d_wait_up "anyip mode"
pass "association up and authenticated in anyip mode"

local_route() { # GW PREFIX: our local route as `ip` lists it
	"$IP" -n "$1" -6 route show table local "$2" proto 109
}
hashed_on_ifaces() { # GW PREFIX: addresses of PREFIX on any interface of GW
	"$IP" -n "$1" -6 -o addr show | awk -v p="${2%%::/64}:" '{ sub("/.*", "", $4) }
		index($4, p) == 1 { print $4 }'
}
check_state() { # WHEN
	for gw in gwA gwB; do
		eval prefix=\$GW$(echo "$gw" | cut -c3)_PREFIX
		r=$(local_route "$gw" "$prefix")
		log "$gw local route ($1): $r"
		case $r in
		"local $prefix dev lo "*expires*) pass "$gw: local route $prefix dev lo with an expiry ($1)" ;;
		*) fail "$gw: local route $prefix dev lo with an expiry ($1)" "got '$r'" ;;
		esac
		a=$(hashed_on_ifaces "$gw" "$prefix")
		[ -z "$a" ] && pass "$gw: no hashed address on any interface ($1)" ||
			fail "$gw: no hashed address on any interface ($1)" "$a"
	done
}
check_state "after start"

rot0=$(mt6d_astatus_key gwA rotations)
nsx "$NS_HOSTA" ping -6 -c "$PINGS" -i "$PING_INTERVAL" -W 5 "$HOSTB" >"$OUT/ping.log" 2>&1 &&
	prc=0 || prc=$?
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$OUT/ping.log")
recv=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$OUT/ping.log")
lost=$((${sent:-0} - ${recv:-0}))
rotp=$(($(mt6d_astatus_key gwA rotations) - rot0))
mode=$(mt6d_astatus_key gwA mode)
[ "$mode" = anyip ] && pass "status: gwA's addrmgr reports mode anyip" ||
	fail "status: gwA's addrmgr reports mode anyip" "mode ${mode:-missing}"
log "pings: $sent sent, $recv received, $lost lost, across $rotp rotations of gwA"
if [ "${sent:-0}" -eq "$PINGS" ] && [ "$lost" -eq 0 ] && [ "$rotp" -ge 8 ]; then
	pass "anyip: $PINGS pings across $rotp rotations, none lost"
else
	fail "anyip: $PINGS pings across >= 8 rotations, none lost" \
		"sent ${sent:-?}, received ${recv:-?}, $rotp rotations (ping status $prc)"
fi
check_state "after the pings"

# --- what the wire saw -------------------------------------------------------------------
cap_stop wire
pcap=$(cap_file wire)
for side in A B; do
	eval prefix=\$GW${side}_PREFIX
	n=$(pcap_sources "$pcap" "$prefix" | tee "$OUT/sources-gw$side.txt" | wc -l)
	log "gw$side: $n distinct source addresses in $prefix"
	[ "$n" -ge 6 ] && pass "gw$side used $n hashed source addresses" ||
		fail "gw$side used at least 6 hashed source addresses" "only $n"
done
nother=$(pcap_count_other "$pcap")
nsctp=$(pcap_count "$pcap" sctp)
log "wire: $nsctp SCTP, $nother other"
[ "$nother" -eq 0 ] && [ "$nsctp" -gt 400 ] &&
	pass "the internet link carries SCTP only ($nsctp packets)" ||
	fail "the internet link carries SCTP only" "$nother other: $(pcap_show_other "$pcap" | head -n 2)"

# --- attacker ------------------------------------------------------------------------------
CONTROL=2001:db8:2:3::99
UNUSED=${GWB_PREFIX%%::/64}:1234:5678:9abc:def0
atk_up "$CONTROL/128"
"$IP" -n "$NS_GWA" route add 2001:db8:2:3::/64 via "$(uplink_ll "$NS_GWB")" dev "$INET_DEV"

wait_for "nsx $NS_ATK ping -6 -c 1 -W 1 $CONTROL" 10 ||
	fail "attacker path" "$CONTROL does not answer the attacker"
n=$(atk_probe "$CONTROL")
[ "$n" -eq 3 ] && pass "control: $CONTROL (outside the hashed /64) answers all 3 probes" ||
	fail "control: $CONTROL answers all 3 probes" "$n of 3 answered"
# target NAME: gwB's address of that kind now (the interval is 2 s: chosen just before use).
target() {
	case $1 in
	current | next) mt6d_astatus gwB --json | role_addr "$1" ;;
	# The most recently retired address (the one that lives longest in the set).
	retired) newest_retired gwB ;;
	unused) echo "$UNUSED" ;;
	esac
}
mt6d_astatus gwB --json >"$OUT/attacker-status0.json"
cap_start atk "$NS_ATK" eth0
for name in retired current next unused; do
	set -- $(guard_settle gwB) 0 0
	d0=$1 t0=$2
	addr=$(target $name)
	if [ -z "$addr" ] || [ -z "$(guard_counters gwB)" ]; then
		fail "attacker: gwB's $name address and guard counters" "'$addr' '$(guard_counters gwB)'"
		continue
	fi
	n=$(atk_probe "$addr")
	set -- $(guard_settle gwB) 0 0
	atk_verdict gwB "$name" "$addr" "$n" $(($1 - d0)) $(($2 - t0))
done
cap_stop atk
atk_link_check 12

# --- crash and adoption ------------------------------------------------------------------
bg_stop gwA-addrmgr KILL || :
r=$(local_route gwA "$GWA_PREFIX")
[ -n "$r" ] && pass "SIGKILL of addrmgr leaves the local route" ||
	fail "SIGKILL of addrmgr leaves the local route" "gone"
bg_start gwA-addrmgr "$NS_GWA" env RUNTIME_DIRECTORY="$(mt6d_runtime_dir gwA)" \
	"$MT6D_ADDRMGR" -c /etc/mt6d/gwA.conf -f -v
wait_for "grep -q 'adopted the local route' '$OUT/gwA-addrmgr.log'" 10 &&
	pass "a restarted addrmgr adopts the local route" ||
	fail "a restarted addrmgr adopts the local route" "$(tail -n 3 "$OUT/gwA-addrmgr.log")"
nsx "$NS_HOSTA" ping -6 -c 30 -i 0.1 -W 5 "$HOSTB" >"$OUT/ping2.log" 2>&1 || :
recv2=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$OUT/ping2.log")
[ "${recv2:-0}" -eq 30 ] && pass "30 pings after the restart, none lost" ||
	fail "30 pings after the restart, none lost" "received ${recv2:-?}"

# --- stop: tunnel first, then addrmgr removes the route ------------------------------------
bg_stop gwA-tunnel || :
wait_for "grep -q 'exited; waiting' '$OUT/gwA-addrmgr.log'" 5 || :
bg_stop gwA-addrmgr || :
r=$(local_route gwA "$GWA_PREFIX")
[ -z "$r" ] && pass "stopped with its tunnel, addrmgr removes the local route" ||
	fail "stopped with its tunnel, addrmgr removes the local route" "still there: $r"
mt6d_stop gwB
finish

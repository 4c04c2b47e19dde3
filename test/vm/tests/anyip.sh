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
ll() { # NS: the link-local address of the uplink
	"$IP" -n "$1" -6 -o addr show dev "$INET_DEV" scope link | awk '{ sub("/.*", "", $4); print $4 }'
}
# Routed prefixes instead of the on-link routes of topo_up.
"$IP" -n "$NS_GWA" route replace "$GWB_PREFIX" via "$(ll "$NS_GWB")" dev "$INET_DEV"
"$IP" -n "$NS_GWB" route replace "$GWA_PREFIX" via "$(ll "$NS_GWA")" dev "$INET_DEV"

cap_start wire
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf

authed() { grep -q 'peer proved the key' "$OUT/$1-tunnel.log"; }
wait_for "authed gwA && authed gwB" 60 ||
	die "association up and authenticated" "$(tail -n 5 "$OUT/gwA-tunnel.log" "$OUT/gwB-tunnel.log")"
pass "association up and authenticated in anyip mode"
wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 ||
	die "first ping" "hostB unreachable through the tunnel"

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

status() { # GW KEY: a counter from the addrmgr status line
	nsx "$1" env RUNTIME_DIRECTORY="$(mt6d_runtime_dir "$1")" "$MT6D_ADDRMGR" \
		-c "/etc/mt6d/$1.conf" --status | awk -v k="$2" 'NR == 1 {
			for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}
rot0=$(status gwA rotations)
nsx "$NS_HOSTA" ping -6 -c "$PINGS" -i "$PING_INTERVAL" -W 5 "$HOSTB" >"$OUT/ping.log" 2>&1 &&
	prc=0 || prc=$?
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$OUT/ping.log")
recv=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$OUT/ping.log")
lost=$((${sent:-0} - ${recv:-0}))
rotp=$(($(status gwA rotations) - rot0))
mode=$(status gwA mode)
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
NS_ATK=attacker
ATK=2001:db8:66::2
ATK_PREFIX=2001:db8:66::/64
CONTROL=2001:db8:2:3::99
UNUSED=${GWB_PREFIX%%::/64}:1234:5678:9abc:def0
"$IP" netns add "$NS_ATK"
sysctl_ns "$NS_ATK" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
"$IP" -n "$NS_ATK" -batch - <<-EOF
	link set lo up
	link add eth0 type veth peer name atk0 netns $NS_GWA
	addr add $ATK/64 dev eth0 nodad
	link set eth0 up
	route add default via 2001:db8:66::1 dev eth0
EOF
"$IP" -n "$NS_GWA" -batch - <<-EOF
	addr add 2001:db8:66::1/64 dev atk0 nodad
	link set atk0 up
	route add 2001:db8:2:3::/64 via $(ll "$NS_GWB") dev $INET_DEV
EOF
"$IP" -n "$NS_GWB" -batch - <<-EOF
	route add $ATK_PREFIX via $(ll "$NS_GWA") dev $INET_DEV
	addr add $CONTROL/128 dev $INET_DEV nodad
EOF

ajson() { # GW: mt6d-addrmgr --status --json
	nsx "$1" env RUNTIME_DIRECTORY="$(mt6d_runtime_dir "$1")" "$MT6D_ADDRMGR" \
		-c "/etc/mt6d/$1.conf" --status --json
}
counters() { # GW: "DROPPED TRIPWIRE" of the guard, from the status JSON
	ajson "$1" | sed -n 's/.*"guard":{[^}]*"dropped":\([0-9]*\),"tripwire":\([0-9]*\).*/\1 \2/p'
}

# settle GW: the guard's counters until they stop moving, so that late packets of one probe
# (a SYN retransmitted, the ABORT of an INIT given up) are not counted for the next one.
settle() {
	_prev=''
	for _i in 1 2 3 4 5 6 7 8; do
		_c=$(counters "$1")
		[ "$_c" = "$_prev" ] && break
		_prev=$_c
		sleep 0.5
	done
	echo "$_c"
}

wait_for "nsx $NS_ATK ping -6 -c 1 -W 1 $CONTROL" 10 ||
	fail "attacker path" "$CONTROL does not answer the attacker"
n=$(atk_probe "$CONTROL")
[ "$n" -eq 3 ] && pass "control: $CONTROL (outside the hashed /64) answers all 3 probes" ||
	fail "control: $CONTROL answers all 3 probes" "$n of 3 answered"
# target NAME: gwB's address of that kind now (the interval is 2 s: chosen just before use).
target() {
	case $1 in
	current | next) ajson gwB | role_addr "$1" ;;
	# The most recently retired address (the one that lives longest in the set).
	retired) newest_retired gwB ;;
	unused) echo "$UNUSED" ;;
	esac
}
ajson gwB >"$OUT/attacker-status0.json"
cap_start atk "$NS_ATK" eth0
for name in retired current next unused; do
	set -- $(settle gwB) 0 0
	d0=$1 t0=$2
	addr=$(target $name)
	if [ -z "$addr" ] || [ -z "$(counters gwB)" ]; then
		fail "attacker: gwB's $name address and guard counters" "'$addr' '$(counters gwB)'"
		continue
	fi
	n=$(atk_probe "$addr")
	set -- $(settle gwB) 0 0
	atk_verdict gwB "$name" "$addr" "$n" $(($1 - d0)) $(($2 - t0))
done
cap_stop atk
answers=$("$TCPDUMP" -Z root -nn -r "$(cap_file atk)" 2>/dev/null |
	grep "> $ATK" | grep -v "$CONTROL" | grep -v 'neighbor' || :)
[ -z "$answers" ] && pass "attacker's link: nothing from gwB's /64" ||
	fail "attacker's link: nothing from gwB's /64" "$(echo "$answers" | head -n 3)"

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

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The kill switch on the host kernel, gateway mode: mt6d-addrmgr runs natively (no SCTP,
# no tunnel); a veth named like the TUN device stands in for it, toward a "peer" namespace
# that holds hostB's address.
#
#   host ──────── gw ════════════════ inet (captured)
#   fd00:a::2  lan0   inet0 2001:db8:1:1::1/64   2001:db8:1:1::ff/64, 2001:db8:99::2
#              fd00:a::1    default via ::ff
#                 mt6d0 (veth) ── tun0 (peer): fd00:b::2, default via mt6d0
#
# The gateway routes fd00:b::/64 ([peer] routes) into mt6d0 and everything else to the
# internet. Checks, each with a capture on inet's end of the uplink:
#  - "tunnel" up: hostA <-> hostB works through mt6d0; nothing with fd00:b::2 on the uplink
#  - the LAN's route gone: hostB's packets to hostA are not forwarded out of the uplink
#  - "tunnel" gone (mt6d0 deleted, the default route left): pings and UDP from hostA
#    and the gateway's own pings to hostB never reach the uplink, while hostA's traffic to
#    2001:db8:99::2 does; the same after SIGTERM and after SIGKILL of mt6d-addrmgr
#  - with [guard] enable = no (the kill switch removed at start), both leaks appear on the
#    same capture: it can see them.
# Needs root, nft, tcpdump and socat: exits 77 (SKIP) without.
set -eu
. "$(dirname "$0")/lib.sh"
bin=$1
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in nft tcpdump socat; do
	command -v $t >/dev/null || { echo "SKIP: needs $t"; exit 77; }
done

p=mt6d-ks-$$
GW=$p-gw HOST=$p-host INET=$p-inet PEER=$p-peer
HOSTA=fd00:a::2 HOSTB=fd00:b::2 OTHER=2001:db8:99::2
dir=$(mktemp -d)
failed=0
passed=0
pid=
cap=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || :
	[ -n "$cap" ] && kill -TERM "$cap" 2>/dev/null || :
	for n in $GW $HOST $INET $PEER; do ip netns del "$n" 2>/dev/null || :; done
	[ -n "${KEEP_LOG:-}" ] && cp "$dir/log" "$KEEP_LOG"
	rm -rf "$dir"
}
trap cleanup EXIT
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; }
nsx() { _n=$1; shift; ip netns exec "$_n" "$@"; }
wait_for() { # CMD TENTHS
	_i=0
	while [ $_i -lt "$2" ]; do
		eval "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

for n in $GW $HOST $INET $PEER; do
	ip netns add "$n" || { echo "SKIP: cannot create a network namespace"; exit 77; }
	ip -n "$n" link set lo up
	nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
nsx $GW sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n $GW link add lan0 type veth peer name eth0 netns $HOST
ip -n $GW link add inet0 type veth peer name eth0 netns $INET
ip -n $GW addr add fd00:a::1/64 dev lan0 nodad
ip -n $GW addr add 2001:db8:1:1::1/64 dev inet0 nodad # the true address
ip -n $GW link set lan0 up
ip -n $GW link set inet0 up
ip -n $GW route add default via 2001:db8:1:1::ff dev inet0
ip -n $HOST addr add $HOSTA/64 dev eth0 nodad
ip -n $HOST link set eth0 up
ip -n $HOST route add default via fd00:a::1 dev eth0
ip -n $INET addr add 2001:db8:1:1::ff/64 dev eth0 nodad
ip -n $INET addr add $OTHER/128 dev lo
ip -n $INET link set eth0 up
ip -n $INET route add fd00:a::/64 via 2001:db8:1:1::1 dev eth0

tunnel_up() { # the stand-in TUN device and the route the tunnel would add
	ip -n $GW link add mt6d0 type veth peer name tun0 netns $PEER
	ip -n $GW addr add fe80::1/64 dev mt6d0 nodad
	ip -n $GW link set mt6d0 up
	ip -n $GW route add fd00:b::/64 dev mt6d0
	ip -n $PEER addr add $HOSTB/64 dev tun0 nodad
	ip -n $PEER link set tun0 up
	ip -n $PEER route add default via fe80::1 dev tun0
}
tunnel_down() { ip -n $GW link del mt6d0; } # the TUN device goes with its process

netns_key "$dir" >/dev/null
conf() { # GUARD
	netns_conf "$dir" <<-EOF
		[tunnel]
		device = mt6d0
		[rotation]
		interval = 2
		[guard]
		enable = $1
	EOF
}
start() {
	ip netns exec $GW env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" -f -v \
		>>"$dir/log" 2>&1 &
	pid=$!
}
stop() { # SIGNAL
	kill "-$1" "$pid"
	wait "$pid" 2>/dev/null || :
	pid=
}
ks_present() { nsx $GW nft list chain inet mt6d-t killswitch-fwd >/dev/null 2>&1; }

cap_start() { # NAME
	nsx $INET tcpdump -i eth0 -n -U -w "$dir/$1.pcap" ip6 >"$dir/$1.tcpdump" 2>&1 &
	cap=$!
	wait_for "grep -q 'listening on' '$dir/$1.tcpdump'" 50 || bad "tcpdump did not start"
}
cap_stop() {
	sleep 0.3 # what is in flight on the veth
	kill -TERM "$cap"
	wait "$cap" 2>/dev/null || :
	cap=
}
# count NAME ADDRESS: packets of capture NAME with ADDRESS as source or destination
count() { tcpdump -nn -r "$dir/$1.pcap" 2>/dev/null | grep -cE "[ ]$2[.:> ]" || :; }

# hostA -> hostB (ping, UDP), the gateway itself -> hostB, hostA -> OTHER (the control)
traffic() {
	nsx $HOST ping -6 -c 3 -i 0.2 -W 1 $HOSTB >/dev/null 2>&1 || :
	nsx $HOST socat -u - "UDP6-SENDTO:[$HOSTB]:5000" </etc/hostname 2>/dev/null || :
	nsx $GW ping -6 -c 2 -i 0.2 -W 1 $HOSTB >/dev/null 2>&1 || :
	nsx $HOST ping -6 -c 3 -i 0.2 -W 1 $OTHER >/dev/null 2>&1 || :
}
# leak_check NAME: after traffic() with the tunnel gone
leak_check() {
	b=$(count "$1" $HOSTB)
	o=$(count "$1" $OTHER)
	[ "$b" -eq 0 ] && ok "$1: nothing to hostB on the uplink" ||
		bad "$1: $b packets with $HOSTB on the uplink"
	[ "$o" -ge 2 ] && ok "$1: hostA's traffic to $OTHER still leaves ($o packets)" ||
		bad "$1: only $o packets to $OTHER (control)"
}
# reverse NAME: hostB pings hostA while the gateway's LAN is down (its route gone)
reverse() {
	ip -n $GW link set lan0 down
	nsx $PEER ping -6 -c 3 -i 0.2 -W 1 $HOSTA >/dev/null 2>&1 || :
	ip -n $GW link set lan0 up
	ip -n $GW addr add fd00:a::1/64 dev lan0 nodad 2>/dev/null || :
}

conf yes
start
wait_for ks_present 50 && ok "mt6d-addrmgr installed the kill switch" ||
	bad "no kill switch: $(tail -n 3 "$dir/log")"

# --- tunnel up ---------------------------------------------------------------------------
tunnel_up
cap_start up
nsx $HOST ping -6 -c 3 -i 0.2 -W 1 $HOSTB >/dev/null 2>&1 &&
	ok "tunnel up: hostA <-> hostB through mt6d0" || bad "tunnel up: hostB unreachable"
reverse
cap_stop
[ "$(count up $HOSTB)" -eq 0 ] && ok "tunnel up, LAN route gone: nothing of hostB's on the uplink" ||
	bad "tunnel up: $(count up $HOSTB) packets with $HOSTB on the uplink"

# --- tunnel gone: mt6d-addrmgr running, then stopped, then killed --------------------------
tunnel_down
cap_start down
traffic
cap_stop
leak_check down

stop TERM
ks_present && ok "SIGTERM: the kill switch stays" || bad "SIGTERM removed the kill switch"
cap_start stopped
traffic
cap_stop
leak_check stopped

start
wait_for "grep -c 'kill switch:' '$dir/log' | grep -q 2" 50 || :
stop KILL
cap_start killed
traffic
cap_stop
leak_check killed

# --- positive control: the kill switch off ------------------------------------------------
conf no
start
wait_for "! ks_present" 50 && ok "[guard] enable = no: the kill switch removed at start" ||
	bad "[guard] enable = no: the kill switch is still there"
cap_start off
traffic
tunnel_up
reverse
tunnel_down
cap_stop
stop TERM
b=$(count off $HOSTB)
r=$(tcpdump -nn -r "$dir/off.pcap" 2>/dev/null | grep -c "$HOSTB > $HOSTA" || :)
[ "$b" -ge 5 ] && ok "kill switch off: $b packets with $HOSTB on the uplink (the capture sees them)" ||
	bad "kill switch off: only $b packets with $HOSTB on the uplink"
[ "$r" -ge 1 ] && ok "kill switch off: hostB -> hostA leaves by the uplink ($r packets)" ||
	bad "kill switch off: no hostB -> hostA packet on the uplink"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# A host-mode peer (a laptop) reaches a site behind a gateway-mode peer.
#
#   gwA (host mode)  ══ (veth "internet") ══  gwB (gateway) ── hostB
#   inner fd00:ac::1                                              fd00:b::2
#
# Ping and TCP from the laptop to hostB succeed across rotations.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

INNER_A=fd00:ac::1
INTERVAL=2
mkdir -p /etc/mt6d
sed -e "s/^interval = .*/interval = $INTERVAL/" -e "/^\[tunnel\]/a address = $INNER_A/128" \
	"$(mt6d_conf gwA)" >/etc/mt6d/gwA.conf
sed -e "s/^interval = .*/interval = $INTERVAL/" -e "s|^routes = .*|routes = $INNER_A/128|" \
	"$(mt6d_conf gwB)" >/etc/mt6d/gwB.conf

topo_up
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf
wait_for "grep -q 'peer proved the key' $OUT/gwA-tunnel.log" 60 ||
	die "association" "$(tail -n 5 "$OUT/gwA-tunnel.log")"
wait_for "nsx gwA ping -6 -c 1 -W 1 $HOSTB" 20 || fail "first ping" "hostB unreachable"

# 60 pings over 12 s: six rotations.
cap_start lan hostB "$HOST_DEV"
nsx gwA ping -6 -c 60 -i 0.2 -W 5 "$HOSTB" >"$OUT/ping.log" 2>&1 || :
recv=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$OUT/ping.log")
[ "${recv:-0}" -eq 60 ] && pass "60 pings laptop -> hostB across rotations" ||
	fail "60 pings laptop -> hostB" "${recv:-0} answered"
cap_stop lan
requests=$(pcap_text "$(cap_file lan)" | grep "> $HOSTB: ICMP6, echo request" || :)
n=$(echo "$requests" | grep -c "IP6 $INNER_A > " || :)
other=$(echo "$requests" | grep -v "IP6 $INNER_A > " | grep -c . || :)
[ "$n" -gt 0 ] && [ "$other" -eq 0 ] &&
	pass "hostB saw $n echo requests, all from the laptop's inner address" ||
	fail "hostB sees only the laptop's inner address" "$n from $INNER_A, $other from others"

head -c 2097152 /dev/urandom >/tmp/src
bg_start tcp-server hostB "$SOCAT" -u TCP6-LISTEN:5001,reuseaddr CREATE:/tmp/dst
wait_for "nsx hostB $SS -Hltn | grep -q ':5001'" 10 || die "tcp server" "not listening"
nsx gwA "$SOCAT" -u OPEN:/tmp/src "TCP6:[$HOSTB]:5001,bind=[$INNER_A]" ||
	fail "tcp laptop -> hostB" "socat failed"
wait_for "! bg_alive tcp-server" 30 || :
bg_stop tcp-server || :
[ "$(sha256sum </tmp/src)" = "$(sha256sum </tmp/dst)" ] &&
	pass "2 MB TCP laptop -> hostB byte-identical" ||
	fail "2 MB TCP laptop -> hostB byte-identical" "$(wc -c </tmp/dst) bytes arrived"
mt6d_stop gwA
mt6d_stop gwB
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Host mode: two hosts protect their own traffic, no networks behind them.
#
#   gwA (host mode) ══ (veth "internet", hashed addresses only) ══ gwB (host mode)
#   inner fd00:ac::1 on mt6d0                                  inner fd00:bc::1 on mt6d0
#
# iperf3 between the inner addresses across >= 8 rotations completes, and the
# capture of the link shows only hashed addresses: never a host's true address
# nor its inner address in any header.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

INNER_A=fd00:ac::1
INNER_B=fd00:bc::1
INTERVAL=2
mkdir -p /etc/mt6d
host_conf() { # GW OWN PEER
	sed -e "s/^interval = .*/interval = $INTERVAL/" \
		-e "/^\[tunnel\]/a address = $2/128" \
		-e "s|^routes = .*|routes = $3/128|" "$(mt6d_conf "$1")" >"/etc/mt6d/$1.conf"
}
host_conf gwA "$INNER_A" "$INNER_B"
host_conf gwB "$INNER_B" "$INNER_A"

topo_up
cap_start wire
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf
wait_for "grep -q 'peer proved the key' $OUT/gwA-tunnel.log" 60 ||
	die "association" "$(tail -n 5 "$OUT/gwA-tunnel.log")"
grep -q 'host mode' "$OUT/gwA-tunnel.log" && pass "tunnel runs in host mode" ||
	fail "tunnel runs in host mode" "$(head -n 2 "$OUT/gwA-tunnel.log")"
check "inner address on the TUN device" \
	sh -c "$IP -n gwA -6 addr show dev $TUN_DEV | grep -q 'inet6 $INNER_A/128'"
wait_for "nsx gwA ping -6 -c 1 -W 1 $INNER_B" 20 || fail "ping inner B" "no answer"

rot0=$(mt6d_astatus_key gwA rotations)
bg_start iperf-server gwB "$IPERF3" -s -1 -B "$INNER_B"
wait_for "nsx gwB $SS -Hltn | grep -q ':5201'" 10 || die "iperf3 server" "not listening"
if nsx gwA "$IPERF3" -c "$INNER_B" -B "$INNER_A" -t 18 >"$OUT/iperf3.log" 2>&1; then
	rate=$(awk '/receiver/ { print $7, $8 }' "$OUT/iperf3.log")
	pass "iperf3 between inner addresses completed ($rate)"
else
	fail "iperf3 between inner addresses" "$(tail -n 3 "$OUT/iperf3.log")"
fi
bg_stop iperf-server || :
rotations=$(($(mt6d_astatus_key gwA rotations) - rot0))
[ "$rotations" -ge 8 ] && pass "$rotations rotations during iperf3" ||
	fail "at least 8 rotations during iperf3" "only $rotations"

cap_stop wire
pcap=$(cap_file wire)
pcap_text "$pcap" >"$OUT/wire.txt"
for side in A B; do
	eval prefix=\$GW${side}_PREFIX
	n=$(pcap_sources "$pcap" "$prefix" | wc -l)
	[ "$n" -ge 6 ] && pass "gw$side used $n hashed source addresses" ||
		fail "gw$side used at least 6 hashed source addresses" "only $n"
done
leaks=$(grep -ciE "(^| )(2001:db8:1:1::1|2001:db8:2:2::2|$INNER_A|$INNER_B)[.:, ]" \
	"$OUT/wire.txt" || :)
[ "$leaks" -eq 0 ] && pass "no true or inner address in any header on the wire" ||
	fail "no true or inner address on the wire" "$(grep -iE "$INNER_A|$INNER_B" "$OUT/wire.txt" | head -n 2)"
[ "$(pcap_count_other "$pcap")" -eq 0 ] && pass "the link carries SCTP only" ||
	fail "the link carries SCTP only" "$(pcap_show_other "$pcap" | head -n 2)"
mt6d_stop gwA
mt6d_stop gwB
finish

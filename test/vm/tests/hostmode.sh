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
# nor its inner address in any byte of any packet, headers and payload alike
# (pcapgrep). Positive control, same capture: gwA pings gwB's link-local address
# once per searched address, with that address's 16 bytes as the ping's payload
# pattern; the byte search must find each exactly in those pings (request, and
# reply if answered) and nowhere else.
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

# The control: one ping per searched address, its 16 bytes as the payload pattern.
PING=/usr/local/bin/iputils-ping
ll_b=$(uplink_ll "$NS_GWB")
SECRETS="2001:db8:1:1::1 2001:db8:2:2::2 $INNER_A $INNER_B"
for a in $SECRETS; do
	hex=$(echo "$a" | awk "$_PCAP_AWK"' { print expand($1) }')
	nsx gwA "$PING" -6 -c 1 -W 2 -p "$hex" "$ll_b%$INET_DEV" >"$OUT/control-$a.log" 2>&1 &&
		echo 2 >"$STATE/control-$a" || echo 1 >"$STATE/control-$a"
done
# tcpdump lags behind under TCG: let it write the control pings before it is stopped.
nctl=$(cat "$STATE"/control-* | awk '{ n += $1 } END { print n }')
echo_in() { "$TCPDUMP" -Z root -nn -r "$1" 'icmp6 and (ip6[40] == 128 or ip6[40] == 129)' \
	2>/dev/null | wc -l; }
wait_for "[ \$(echo_in $(cap_file wire)) -ge $nctl ]" 10 || :
cap_stop wire
pcap=$(cap_file wire)
pcap_text "$pcap" >"$OUT/wire.txt"
for side in A B; do
	eval prefix=\$GW${side}_PREFIX
	n=$(pcap_sources "$pcap" "$prefix" | wc -l)
	[ "$n" -ge 6 ] && pass "gw$side used $n hashed source addresses" ||
		fail "gw$side used at least 6 hashed source addresses" "only $n"
done
# Raw bytes: every searched address's 16 bytes, at any offset of any captured packet.
"$PCAPGREP" "$pcap" $SECRETS >"$OUT/wire-bytes.txt" || fail "pcapgrep wire" "failed"
cat "$OUT/wire-bytes.txt"
set -- $(awk '$1 == "packets" { print $2, $4 }' "$OUT/wire-bytes.txt") 0 1
npk=$1
nsctp=$(pcap_count "$pcap" sctp)
[ "$1" -ge "${nsctp:-1}" ] && [ "$1" -gt 1000 ] && [ "$2" -eq 0 ] &&
	pass "byte search read all $1 packets of the capture, none truncated" ||
	fail "byte search reads the whole capture" "$1 packets ($nsctp SCTP), $2 truncated"
ctl_bad='' leaks='' found=''
for a in $SECRETS; do
	n=$(awk -v a="$a" '$1 == a { print $2 }' "$OUT/wire-bytes.txt")
	n=${n:-0}
	want=$(cat "$STATE/control-$a")
	if [ "$n" -lt "$want" ]; then
		ctl_bad="$ctl_bad $a in $n packets of the control's $want;"
	else
		found="$found $a in $n;"
		[ "$n" -eq "$want" ] || leaks="$leaks $a in $((n - want)) packets besides the control's;"
	fi
done
[ -z "$ctl_bad" ] &&
	pass "control: the byte search finds each address in the payload of its control ping ($found)" ||
	fail "control: the byte search finds each address in its control ping" "$ctl_bad"
[ -z "$ctl_bad" ] && [ -z "$leaks" ] &&
	pass "no true or inner address in any byte of the $npk packets on the wire but the control's" ||
	fail "no true or inner address on the wire" "${leaks:-not judged: the control failed}"
[ "$(pcap_count_other "$pcap")" -eq 0 ] && pass "the link carries SCTP only" ||
	fail "the link carries SCTP only" "$(pcap_show_other "$pcap" | head -n 2)"
mt6d_stop gwA
mt6d_stop gwB
finish

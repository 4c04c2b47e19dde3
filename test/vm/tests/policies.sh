#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The delivery-policy table behind tools/bench --policies (a measurement, not a CI
# test): one VM boot, the same topology, each delivery policy of mt6d-tunnel under
# each loss rate of the internet link.
#
#  hostA ── gwA ══ (veth "internet": netem loss L% + delay D each way) ══ gwB ── hostB
#
# For every policy (delivery + reliability, MT6D_POLICIES, default below) and every
# loss rate L (MT6D_LOSSES, default "0 1 5" %, on both ends' egress): inner TCP
# goodput (iperf3, receiver side), inner UDP loss and jitter at a fixed rate
# (iperf3 -u -b MT6D_UDP_RATE, default 8M), and ping RTT (avg, max) and loss at
# 100 pings per second. "plain" is routing without a tunnel, as a reference.
# Table in $OUT/policies.txt, raw figures in $OUT/policies.raw.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

POLICIES=$(echo "${MT6D_POLICIES:-plain ordered/full unordered/full unordered/rtx:0 unordered/ttl:100}" | tr , " ")
LOSSES=$(echo "${MT6D_LOSSES:-0 1 5}" | tr , " ")
DELAY=${MT6D_DELAY:-5ms}
SECS=${MT6D_SECS:-10}
UDP_RATE=${MT6D_UDP_RATE:-8M}
PING=/usr/local/bin/iputils-ping
A_STATIC=2001:db8:1:1::99
B_STATIC=2001:db8:2:2::99
RAW=$OUT/policies.raw
TABLE=$OUT/policies.txt

topo_up
mkdir -p "$MT6D_ETC"

netem() { # LOSS: both ends of the internet link
	for gw in gwA gwB; do
		"$TC" -n "$gw" qdisc replace dev "$INET_DEV" root netem loss "$1%" delay "$DELAY"
	done
}
netem_off() {
	for gw in gwA gwB; do "$TC" -n "$gw" qdisc del dev "$INET_DEV" root 2>/dev/null || :; done
}

# measure POLICY LOSS: one row of figures, hostA -> hostB
measure() {
	_tag=$(echo "$1-$2" | tr '/:' '__')
	netem "$2"
	nsx "$NS_HOSTA" "$IPERF3" -c "$HOSTB" -t "$SECS" -f m >"$OUT/tcp.$_tag.log" 2>&1 || :
	tcp=$(awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") v = $i }
		END { print v + 0 }' "$OUT/tcp.$_tag.log")
	nsx "$NS_HOSTA" "$IPERF3" -c "$HOSTB" -u -b "$UDP_RATE" -t "$SECS" -f m \
		>"$OUT/udp.$_tag.log" 2>&1 || :
	udp=$(awk '/receiver/ { for (i = 1; i <= NF; i++) { if ($i == "ms") j = $(i - 1)
			if ($i ~ /^\(.*%\)$/) { l = $i; gsub(/[()%]/, "", l) } } }
		END { if (l == "") print "- -"; else print l + 0, j + 0 }' "$OUT/udp.$_tag.log")
	nsx "$NS_HOSTA" "$PING" -6 -q -c 300 -i 0.01 -W 2 "$HOSTB" >"$OUT/ping.$_tag.log" 2>&1 || :
	png=$(awk -F'[ /%,]+' '/packet loss/ { for (i = 1; i <= NF; i++) if ($i == "packet") l = $(i - 1) }
		/^rtt/ { avg = $8; max = $9 }
		END { printf "%s %s %s\n", avg + 0, max + 0, (l == "" ? 100 : l) }' \
		"$OUT/ping.$_tag.log")
	netem_off
	echo "$1 $2 $tcp $udp $png" | tee -a "$RAW"
}

run_plain() {
	"$IP" -n gwA addr add "$A_STATIC/64" dev "$INET_DEV" nodad
	"$IP" -n gwB addr add "$B_STATIC/64" dev "$INET_DEV" nodad
	"$IP" -n gwA route add "$LANB_PREFIX" via "$B_STATIC" dev "$INET_DEV"
	"$IP" -n gwB route add "$LANA_PREFIX" via "$A_STATIC" dev "$INET_DEV"
	wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 10 || die plain "no route"
	for l in $LOSSES; do measure plain "$l"; done
	"$IP" -n gwA route del "$LANB_PREFIX"
	"$IP" -n gwB route del "$LANA_PREFIX"
	"$IP" -n gwA addr del "$A_STATIC/64" dev "$INET_DEV"
	"$IP" -n gwB addr del "$B_STATIC/64" dev "$INET_DEV"
}

run_policy() { # DELIVERY/RELIABILITY
	_d=${1%%/*}
	_r=${1#*/}
	for gw in gwA gwB; do
		sed -e "s/^interval = .*/interval = 60/" \
			-e "/^\[tunnel\]/a delivery = $_d" -e "/^\[tunnel\]/a reliability = $_r" \
			"$(mt6d_conf $gw)" >"$MT6D_ETC/$gw.conf"
	done
	: >"$OUT/gwA-tunnel.log"
	mt6d_start gwA "$MT6D_ETC/gwA.conf"
	mt6d_start gwB "$MT6D_ETC/gwB.conf"
	wait_for "grep -q 'peer proved the key' $OUT/gwA-tunnel.log" 60 ||
		die "$1" "tunnel did not come up: $(tail -n 3 "$OUT/gwA-tunnel.log")"
	grep -q "delivery $_d, reliability $_r" "$OUT/gwA-tunnel.log" ||
		die "$1" "the tunnel does not run this policy: $(grep 'TUN device' "$OUT/gwA-tunnel.log")"
	wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 || die "$1" "no path through mt6d"
	for l in $LOSSES; do measure "$1" "$l"; done
	mt6d_tstatus gwA >"$OUT/status.$(echo "$1" | tr '/:' '__').txt" 2>&1 || :
	mt6d_stop gwA
	mt6d_stop gwB
	for gw in gwA gwB; do
		cat "$OUT/$gw-tunnel.log" >>"$OUT/$gw-tunnel-all.log"
		: >"$OUT/$gw-tunnel.log"
	done
}

rm -f "$RAW"
bg_start iperf-hostB "$NS_HOSTB" "$IPERF3" -s
wait_for "nsx $NS_HOSTB $SS -Hln | grep -q ':5201'" 10 || die iperf3 "server did not start"
for p in $POLICIES; do
	log "policies: $p"
	case $p in
	plain) run_plain ;;
	*/*) run_policy "$p" ;;
	*) die policies "policy $p is not DELIVERY/RELIABILITY" ;;
	esac
done
bg_stop iperf-hostB || :

{
	echo "netem on both ends of the internet link: delay $DELAY each way, loss as below;" \
		"$SECS s per test, UDP at $UDP_RATE bit/s"
	printf "%-22s %5s %10s %9s %8s %9s %9s %7s\n" policy "loss%" "tcp Mb/s" "udp loss%" \
		"jit ms" "rtt avg" "rtt max" "ping loss%"
	awk '{ printf "%-22s %5s %10.2f %9s %8s %9.2f %9.2f %7s\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$RAW"
} | tee "$TABLE"

# Nonsense guard, not a threshold: every cell measured something.
for p in $POLICIES; do
	for l in $LOSSES; do
		row=$(awk -v p="$p" -v l="$l" '$1 == p && $2 == l' "$RAW")
		set -- $row
		if [ -n "$row" ] && awk -v t="$3" 'BEGIN { exit !(t > 0) }' && [ "$4" != - ]; then
			pass "$p at $l% loss: tcp $3 Mb/s, udp loss $4%"
		else
			fail "$p at $l% loss" "missing figures: $row"
		fi
	done
done
finish

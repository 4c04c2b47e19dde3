#!/bin/sh
# SPDX-License-Identifier: MIT
#
# [tunnel] coalesce: small inner packets that are queued on the TUN device together leave
# in one sealed frame (DATA_BUNDLE), and the receiver delivers every one of them.
#
#  hostA ── gwA ══ (veth "internet", captured) ══ gwB ── hostB
#
# hostA sends bursts of pings (ping -l: a whole burst at once), then 2 s of small UDP
# datagrams (iperf3; hostA's UDP leaves its checksum to the device, so gwA's TUN device
# hands them over with the checksum undone, and gwA finishes it to bundle them), twice:
# 1. both gateways with the default, coalesce = yes: gwA's counters and the capture
#    (framelen, test/vm/helpers) show bundles, gwA sends fewer data frames than it
#    forwards requests, gwB counts as many bundles in as gwA counts out, and every ping
#    is answered; the UDP datagrams are bundled too, and hostB receives them with no
#    checksum error;
# 2. gwA with coalesce = no (the control, and mixed ends): no bundle from gwA in its
#    counters or on the wire, at least one data frame per request, no UDP datagram
#    bundled (while a tenth or more of them arrive: one frame per datagram, gwA's tunnel
#    reads about half of them from its TUN device under emulation, and the rest overflow
#    the device's queue), every ping answered, and gwB's bundled replies still open at gwA.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require
[ -x "$FRAMELEN" ] || die "framelen" "$FRAMELEN not in the initramfs (build test/vm/helpers)"

BURSTS=8 BURST=25
PING=/usr/local/bin/iputils-ping
PINGS=$((BURSTS * BURST))
A_NET=${GWA_PREFIX%%::/64}:

mkdir -p "$MT6D_ETC"
topo_up

# udp_burst NAME GWA-BUNDLES-SO-FAR: 2 s of 100-byte UDP datagrams from hostA to hostB;
# leaves "received sent gwA-bundles-meanwhile hostB-checksum-errors" in $OUT/NAME.udp
udp_burst() {
	bg_start "iperf-$1" "$NS_HOSTB" "$IPERF3" -s -1
	wait_for "nsx $NS_HOSTB $SS -Hln | grep -q ':5201'" 10 ||
		die "$1" "iperf3 server did not start"
	e0=$(nsx "$NS_HOSTB" awk '$1 == "Udp6InCsumErrors" { print $2 }' /proc/net/snmp6)
	nsx "$NS_HOSTA" "$IPERF3" -c "$HOSTB" -u -b 2M -l 100 -t 2 >"$OUT/$1.udp.log" 2>&1 ||
		die "$1" "iperf3: $(tail -n 3 "$OUT/$1.udp.log")"
	e1=$(nsx "$NS_HOSTB" awk '$1 == "Udp6InCsumErrors" { print $2 }' /proc/net/snmp6)
	u=$(mt6d_tstatus gwA --json)
	awk -v b=$(($(json_num "$u" tx_bundles) - $2)) -v e=$((e1 - e0)) '/receiver/ {
		for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\/[0-9]+$/) { split($i, x, "/")
			r = x[2] - x[1]; n = x[2] } }
		END { print r + 0, n + 0, b, e }' "$OUT/$1.udp.log" >"$OUT/$1.udp"
	bg_stop "iperf-$1" || :
	log "$1: UDP received, sent, bundles meanwhile, checksum errors: $(cat "$OUT/$1.udp")"
}

# one_run NAME GWA-TUNNEL-LINE: both gateways up, bursts of pings, captured, then UDP;
# leaves "answered gwA-bundles-out gwA-in gwB-in gwB-out" in $OUT/NAME.counts
one_run() {
	mt6d_start_pair "$1" "$2"
	ok=0
	for _ in $(seq "$BURSTS"); do
		n=$(nsx "$NS_HOSTA" "$PING" -6 -q -c "$BURST" -l "$BURST" -s 100 -W 3 "$HOSTB" 2>&1 |
			sed -n 's/.* \([0-9]*\) received.*/\1/p')
		ok=$((ok + ${n:-0}))
	done
	# tcpdump lags behind under TCG: let it write what it has before it is stopped.
	sleep 2
	cap_stop "$1"
	a=$(mt6d_tstatus gwA --json)
	b=$(mt6d_tstatus gwB --json)
	echo "$ok $(json_num "$a" tx_bundles) $(json_num "$a" rx_bundles)" \
		"$(json_num "$b" rx_bundles) $(json_num "$b" tx_bundles)" >"$OUT/$1.counts"
	udp_burst "$1" "$(json_num "$a" tx_bundles)"
	mt6d_stop gwA
	mt6d_stop gwB
	log "$1: $ok of $PINGS answered; bundles gwA out, in, gwB in, out:" \
		"$(cut -d' ' -f2- "$OUT/$1.counts")"
	[ "$ok" -eq "$PINGS" ] && pass "$1: $PINGS of $PINGS pings in bursts of $BURST answered" ||
		fail "$1: every ping answered" "$ok of $PINGS"
	grep -h 'packets captured' "$OUT/$1.tcpdump.log" >&2 || :
	"$FRAMELEN" "$(cap_file "$1")" >"$OUT/$1.frames" ||
		die "$1" "framelen cannot read $(cap_file "$1")"
}

# frames NAME: "data-frames bundles" that gwA sent, as the capture shows them
frames() {
	awk -v net="$A_NET" 'index($1, net) == 1 { n++; if ($3 == 5) b++ }
		END { printf "%d %d\n", n, b }' "$OUT/$1.frames"
}

one_run bundled ""
# shellcheck disable=SC2046
set -- $(cat "$OUT/bundled.counts") $(frames bundled)
[ "$2" -ge 1 ] && [ "$4" -eq "$2" ] &&
	pass "coalesce = yes: gwA sealed $2 bundles, gwB opened $4" ||
	fail "coalesce = yes: bundles out of gwA and into gwB" "gwA $2 out, gwB $4 in"
[ "$7" -ge 1 ] && [ "$7" -le "$2" ] && [ "$6" -lt "$PINGS" ] &&
	pass "on the wire: $7 bundles among gwA's $6 data frames for $PINGS requests" ||
	fail "on the wire: gwA's bundles, fewer frames than requests" \
		"$6 data frames, $7 bundles, $2 counted"
# shellcheck disable=SC2046
set -- $(cat "$OUT/bundled.udp")
[ "$3" -ge 1 ] && [ "$4" -eq 0 ] && [ "$1" -ge $(($2 / 2)) ] &&
	pass "UDP: gwA bundled datagrams in $3 frames; hostB received $1 of $2, no checksum error" ||
	fail "UDP: datagrams whose checksum gwA finished are bundled and arrive intact" \
		"$3 bundles, hostB received $1 of $2 with $4 checksum errors"

one_run alone "coalesce = no"
# shellcheck disable=SC2046
set -- $(cat "$OUT/alone.counts") $(frames alone)
[ "$2" -eq 0 ] && [ "$7" -eq 0 ] && [ "$6" -ge "$PINGS" ] &&
	pass "control: coalesce = no: no bundle from gwA, $6 data frames for $PINGS requests" ||
	fail "control: coalesce = no sends one frame per packet" \
		"$2 bundles counted, $7 on the wire, $6 data frames"
[ "$3" -ge 1 ] && [ "$3" -eq "$5" ] &&
	pass "mixed ends: gwA (coalesce = no) opened gwB's $3 bundles" ||
	fail "mixed ends: gwB's bundles open at gwA" "gwB sent $5, gwA opened $3"
# shellcheck disable=SC2046
set -- $(cat "$OUT/alone.udp")
[ "$3" -eq 0 ] && [ "$1" -ge $(($2 / 10)) ] &&
	pass "control: coalesce = no: no UDP datagram bundled; hostB received $1 of $2" ||
	fail "control: coalesce = no bundles no UDP" "$3 bundles, hostB received $1 of $2"
finish

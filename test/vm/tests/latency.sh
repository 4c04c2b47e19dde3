#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Where the time of one idle ping goes (tools/bench --latency): hostA pings hostB through
# mt6d, and through kernel WireGuard between the same gateways for comparison, while
# tcpdump captures six points of the path at once in one VM (one clock):
#
#   gwA lan0 -> gwA tunnel device -> gwA inet0 ==> gwB inet0 -> gwB tunnel device -> gwB lan0
#
# The tunnel device is mt6d0 (TUN: the packet as the kernel hands it to mt6d-tunnel, and
# as the tunnel writes it back) or wg0. Each echo request and reply is found by its
# sequence number on the inner points; on the link between the gateways it is the first
# packet larger than SMALL bytes in its direction after it left the tunnel device (SACKs,
# heartbeats and WireGuard's keepalives are smaller). The segments of each ping:
#   fwd-in   gwA lan0 -> tunnel device (kernel forwarding into the tunnel)
#   encap    tunnel device -> inet0 (mt6d: wakeup, TUN read, seal, SCTP send; WireGuard:
#            its encryption worker)
#   link     gwA inet0 -> gwB inet0
#   decap    inet0 -> tunnel device (mt6d: SCTP receive, wakeup, open, TUN write)
#   fwd-out  tunnel device -> lan0
#   host     hostB's answer, seen at gwB lan0
# and the same back. Median and mean per segment in $OUT/latency.txt and latency.json.
# Control, in the same run: 5 ms of netem delay in gwA's inet0 qdisc must show in the
# requests' encap segment (tcpdump sees a packet leave after its qdisc), not in the replies'.
#
# MT6D_LATENCY_PINGS (default 40) pings per variant, 0.25 s apart, after 3 to warm up.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

PINGS=${MT6D_LATENCY_PINGS:-40}
SMALL=150
A_STATIC=2001:db8:1:1::99
B_STATIC=2001:db8:2:2::99
TXT=$OUT/latency.txt

topo_up

# points TUNDEV: the six capture points in path order, "NS DEV" each
points() {
	printf '%s\n' "gwA $LAN_DEV" "gwA $1" "gwA $INET_DEV" "gwB $INET_DEV" "gwB $1" "gwB $LAN_DEV"
}

# trace NAME TUNDEV: the six captures around $PINGS pings hostA -> hostB, as tcpdump text in
# $OUT/NAME.trace with the point's number (1 to 6) before each line
trace() {
	points "$2" >"$STATE/points"
	while read -r ns dev; do
		cap_start "$1.$ns.$dev" "$ns" "$dev" -s 128
	done <"$STATE/points"
	nsx "$NS_HOSTA" ping -6 -n -c "$PINGS" -i 0.25 -W 2 "$HOSTB" >"$OUT/ping.$1.log" 2>&1 || :
	i=0
	: >"$OUT/$1.trace"
	while read -r ns dev; do
		i=$((i + 1))
		cap_stop "$1.$ns.$dev"
		if [ "$dev" = "$INET_DEV" ]; then f="ip6[4:2] > $((SMALL - 40))"; else f=icmp6; fi
		"$TCPDUMP" -tt -n -r "$OUT/$1.$ns.$dev.pcap" "$f" 2>/dev/null | sed "s/^/$i /" \
			>>"$OUT/$1.trace"
	done <"$STATE/points"
}

# segments NAME: per ping, "seq" and the 12 segments in ms ($OUT/NAME.segments): fwd-in
# encap link decap fwd-out host fwd-in' encap' link' decap' fwd-out' total
segments() {
	awk -v pa="${GWA_PREFIX%%::*}:" '
		function seqof(   i) { for (i = 1; i < NF; i++) if ($i == "seq") return $(i + 1) + 0
			return -1 }
		$1 == 3 || $1 == 4 {	# the link: A to B when the source is in gwA prefix
			d = (index($4, pa) == 1) ? "ab" : "ba"
			n[$1, d]++; lt[$1, d, n[$1, d]] = $2
			next
		}
		{	k = (/echo request/ ? "q" : (/echo reply/ ? "r" : ""))
			if (k != "" && !(($1, k, seqof()) in t)) t[$1, k, seqof()] = $2
			if (k != "" && seqof() > maxs) maxs = seqof()
		}
		function after(pt, d, tm,   i) {
			for (i = 1; i <= n[pt, d]; i++) if (lt[pt, d, i] >= tm) return lt[pt, d, i]
			return -1
		}
		function ms(a, b) { return sprintf("%.3f", (b - a) * 1000) }
		function seen(s,   p) {
			for (p = 1; p <= 6; p++) if (p != 3 && p != 4)
				if (!((p, "q", s) in t) || !((p, "r", s) in t)) return 0
			return 1
		}
		END {
			for (s = 0; s <= maxs; s++) {
				if (!seen(s)) continue
				qa = after(3, "ab", t[2, "q", s]); qb = after(4, "ab", qa)
				rb = after(4, "ba", t[5, "r", s]); ra = after(3, "ba", rb)
				if (qa < 0 || qb < 0 || rb < 0 || ra < 0) continue
				print s, ms(t[1, "q", s], t[2, "q", s]), ms(t[2, "q", s], qa), ms(qa, qb),
					ms(qb, t[5, "q", s]), ms(t[5, "q", s], t[6, "q", s]),
					ms(t[6, "q", s], t[6, "r", s]), ms(t[6, "r", s], t[5, "r", s]),
					ms(t[5, "r", s], rb), ms(rb, ra), ms(ra, t[2, "r", s]),
					ms(t[2, "r", s], t[1, "r", s]), ms(t[1, "q", s], t[1, "r", s])
			}
		}' "$OUT/$1.trace" >"$OUT/$1.segments"
}

# stats NAME: "median mean" of each of the 12 segments, a line each ($OUT/NAME.stats)
stats() {
	for c in 2 3 4 5 6 7 8 9 10 11 12 13; do
		cut -d' ' -f$c "$OUT/$1.segments" | sort -n | awk '{ v[NR] = $1; s += $1 }
			END { if (NR == 0) { print "- -"; exit }
				m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "%.3f %.3f\n", m, s / NR }'
	done >"$OUT/$1.stats"
}

# measured NAME: pass when at least 3/4 of the pings were traced at every point
measured() {
	_n=$(wc -l <"$OUT/$1.segments")
	if [ "$_n" -ge $((PINGS * 3 / 4)) ]; then
		pass "latency $1: $_n of $PINGS pings traced through all six points"
	else
		fail "latency $1: pings traced through all six points" "$_n of $PINGS"
	fi
}

# --- mt6d (defaults: AES-256-GCM, 10 s slots) ----------------------------------------------
mkdir -p "$MT6D_ETC"
for gw in gwA gwB; do
	sed -e "s/^interval = .*/interval = 10/" \
		-e "s|^psk-file = .*|psk-file = $MT6D_ETC/site.key|" "$(mt6d_conf $gw)" \
		>"$MT6D_ETC/$gw.conf"
done
mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
wait_for "grep -q 'peer proved the key' $OUT/gwA-tunnel.log" 60 || die mt6d "tunnel did not come up"
wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 || die mt6d "no path through mt6d"
nsx "$NS_HOSTA" ping -6 -c 3 -i 0.25 -W 2 "$HOSTB" >/dev/null 2>&1 || :
trace mt6d "$TUN_DEV"
segments mt6d
measured mt6d
# The control: 5 ms more on the link from gwA, and only there.
"$TC" -n gwA qdisc add dev "$INET_DEV" root netem delay 5ms
PINGS_SAVED=$PINGS PINGS=12
trace delay "$TUN_DEV"
"$TC" -n gwA qdisc del dev "$INET_DEV" root
PINGS=$PINGS_SAVED
segments delay
mt6d_stop gwA
mt6d_stop gwB

# --- kernel WireGuard between the same gateways --------------------------------------------
mt6d_nft_clear gwA gwB
"$IP" -n gwA addr add "$A_STATIC/64" dev "$INET_DEV" nodad
"$IP" -n gwB addr add "$B_STATIC/64" dev "$INET_DEV" nodad
wg_gateways "$A_STATIC" "$B_STATIC"
wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 10 || die wireguard "no path through wg0"
nsx "$NS_HOSTA" ping -6 -c 3 -i 0.25 -W 2 "$HOSTB" >/dev/null 2>&1 || :
trace wireguard wg0
segments wireguard
measured wireguard

# --- the table ----------------------------------------------------------------------------
stats mt6d
stats wireguard
stats delay
paste -d' ' "$OUT/mt6d.stats" "$OUT/wireguard.stats" | awk -v json="$OUT/latency.json" '
	BEGIN { split("request_fwd-in request_encap request_link request_decap request_fwd-out " \
		"host reply_fwd-in reply_encap reply_link reply_decap reply_fwd-out total", name, " ")
		printf "%-18s %18s %18s\n", "segment (ms)", "mt6d median  mean", "wg median  mean" }
	{ printf "%-18s %9s %8s %9s %8s\n", name[NR], $1, $2, $3, $4
	  j = j sprintf("%s  \"%s\": {\"mt6d_median_ms\": %s, \"mt6d_mean_ms\": %s, " \
		"\"wireguard_median_ms\": %s, \"wireguard_mean_ms\": %s}", NR > 1 ? ",\n" : "",
		name[NR], $1, $2, $3, $4) }
	END { printf "{\n%s\n}\n", j > json }' | tee "$TXT"

# The control: the delay shows where the trace puts it. netem delays a packet in gwA's
# inet0 qdisc, before tcpdump sees it leave (the tap is after the qdisc), so the 5 ms belong
# to the requests' encap segment; the replies' segments do not move.
# shellcheck disable=SC2046
set -- $(sed -n 2p "$OUT/delay.stats") $(sed -n 2p "$OUT/mt6d.stats") \
	$(sed -n 8p "$OUT/delay.stats") $(sed -n 8p "$OUT/mt6d.stats")
if awk -v d="${1:-0}" -v b="${3:-99}" -v r="${5:-99}" -v rb="${7:-0}" \
	'BEGIN { exit !(d - b >= 4.5 && d - b <= 12 && r - rb < 2) }'; then
	pass "control: 5 ms of netem on gwA's inet0 show in the requests' encap segment (median $1 ms against $3 ms), not in the replies' ($5 ms against $7 ms)"
else
	fail "control: the trace puts 5 ms of netem delay where it is" \
		"request encap ${1:-?} ms (without ${3:-?}), reply encap ${5:-?} ms (without ${7:-?})"
fi
finish

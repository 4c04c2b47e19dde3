#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Partial loss, reordering and duplication on the internet link: what reaches hostB of a
# paced, numbered UDP stream and of a TCP transfer from hostA, through the tunnel under
# each delivery policy, and over plain routing (no tunnel) as the control. The README's
# delivery-policy table is this test's output ($OUT/netem.md).
#
#  hostA ── gwA ══ (veth "internet": netem on both ends' egress) ══ gwB ── hostB
#  fd00:a::2                                                               fd00:b::2
#
# Link conditions, each way, each with a delay of DELAY (MT6D_NETEM_CONDITIONS picks some):
#   none       the delay alone
#   loss1      1 % of packets dropped
#   loss5      5 % dropped
#   reorder25  25 % sent at once, overtaking the delayed others
#   dup1       1 % sent twice
# Variants (MT6D_NETEM_VARIANTS): plain (routing between static uplink addresses), then the
# tunnel with conf/gwX.conf as shipped (delivery unordered, reliability full: the default),
# then the other policies of the README's table (the same files with [tunnel] delivery and
# reliability set). Per variant and condition: UDP_COUNT datagrams of UDP_SIZE bytes at
# UDP_RATE per second (udpseq: lost, duplicated, reordered, one-way delay), then TCP_KIB KiB
# over TCP (socat; goodput from the receiver's accept to its EOF, sha256 of both ends), and
# the packets netem dropped on gwA's egress.
#
# Checks. Plain routing is the positive control of every counter: its UDP loss under loss1
# and loss5, and its duplicates under dup1, lie within 4 standard deviations of what netem
# was told (binomial), under reorder25 at least 5 % of its datagrams arrive out of order,
# and netem's drop counter reads 0 under none and more under loss1 and loss5. A copy of the
# TCP source with one byte changed must not pass the TCP comparison. Every TCP transfer,
# plain routing's too, completes byte-identical. Through the tunnel, under every policy and
# condition, no duplicate datagram is delivered, and under loss1 and loss5 netem dropped
# packets on gwA's egress in that very run. With full reliability (the default and
# ordered/full) the inner UDP loss is at most the link's loss + 1 percentage point. The
# partially reliable policies (rtx:N, ttl:MS) may lose more by design: their loss is
# reported, not judged.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require
[ -x "$UDPSEQ" ] || die "udpseq" "$UDPSEQ not in the initramfs (build test/vm/helpers)"

ALL_VARIANTS="plain unordered/full ordered/full unordered/rtx:0 unordered/ttl:100"
VARIANTS=$(echo "${MT6D_NETEM_VARIANTS:-$ALL_VARIANTS}" | tr , " ")
CONDITIONS=$(echo "${MT6D_NETEM_CONDITIONS:-none loss1 loss5 reorder25 dup1}" | tr , " ")
DEFAULT_POLICY=unordered/full
DELAY=5ms
UDP_COUNT=3000
UDP_RATE=1000
UDP_SIZE=256
# Quiet time after which the receiver stops: longer than the tunnel's largest RTO (1 s).
UDP_IDLE_MS=1500
TCP_KIB=1024
TCP_DEADLINE=60
A_STATIC=2001:db8:1:1::99
B_STATIC=2001:db8:2:2::99
RAW=$OUT/netem.raw
TABLE=$OUT/netem.md
SRC=/tmp/netem-src
DST=/tmp/netem-dst

# netem_args CONDITION: the netem options of a condition, or nothing for an unknown one
netem_args() {
	case $1 in
	none) echo "delay $DELAY" ;;
	loss1) echo "delay $DELAY loss 1%" ;;
	loss5) echo "delay $DELAY loss 5%" ;;
	reorder25) echo "delay $DELAY reorder 25%" ;;
	dup1) echo "delay $DELAY duplicate 1%" ;;
	esac
}
# link_loss CONDITION: the share of packets netem drops each way, in percent
link_loss() {
	case $1 in
	loss*) echo "${1#loss}" ;;
	*) echo 0 ;;
	esac
}
netem_on() { # CONDITION
	for gw in gwA gwB; do
		# shellcheck disable=SC2046
		"$TC" -n "$gw" qdisc replace dev "$INET_DEV" root netem $(netem_args "$1")
	done
}
netem_off() {
	for gw in gwA gwB; do "$TC" -n "$gw" qdisc del dev "$INET_DEV" root 2>/dev/null || :; done
}
# netem_drops GW: packets the netem qdisc on GW's uplink dropped so far
netem_drops() {
	"$TC" -s -n "$1" qdisc show dev "$INET_DEV" |
		sed -n 's/.* pkt (dropped \([0-9]*\),.*/\1/p' | head -n 1
}
# field LINE NAME: the value after NAME in udpseq's "NAME VALUE ..." line
field() {
	echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}
# socat_secs LOG: seconds from the receiving socat's accept to its EOF (its -lu stamps)
socat_secs() {
	awk '/accepting connection/ { split($2, t, ":"); a = t[1] * 3600 + t[2] * 60 + t[3] }
		/is at EOF/ { split($2, t, ":"); e = t[1] * 3600 + t[2] * 60 + t[3] }
		END { if (a == "" || e == "") print "-"; else { if (e < a) e += 86400
			printf "%.3f\n", e - a } }' "$1"
}

cell=0
# measure VARIANT CONDITION: one row of $RAW
measure() {
	cell=$((cell + 1))
	_tag=$(echo "$1-$2" | tr '/:' '__')
	netem_on "$2"
	d0=$(netem_drops gwA)

	# UDP: the receiver on hostB first, then the paced sender on hostA.
	_port=$((6000 + cell))
	bg_start "udp-recv.$_tag" "$NS_HOSTB" "$UDPSEQ" recv "$_port" "$UDP_COUNT" "$UDP_IDLE_MS"
	wait_for "grep -q 'listening on' '$OUT/udp-recv.$_tag.log'" 10 ||
		die "$1, $2: UDP receiver" "$(cat "$OUT/udp-recv.$_tag.log")"
	nsx "$NS_HOSTA" "$UDPSEQ" send "$HOSTB" "$_port" "$UDP_COUNT" "$UDP_RATE" "$UDP_SIZE" \
		>"$OUT/udp-send.$_tag.log" 2>&1 ||
		fail "$1, $2: UDP sender" "$(cat "$OUT/udp-send.$_tag.log")"
	wait_for "! bg_alive udp-recv.$_tag" 30 ||
		fail "$1, $2: UDP receiver" "still running 30 s on"
	bg_stop "udp-recv.$_tag" || :
	u=$(grep '^received ' "$OUT/udp-recv.$_tag.log" || :)
	[ -n "$u" ] || die "$1, $2: UDP receiver" "no tally: $(cat "$OUT/udp-recv.$_tag.log")"

	# TCP: TCP_KIB KiB hostA -> hostB.
	_port=$((7000 + cell))
	rm -f "$DST"
	bg_start "tcp-recv.$_tag" "$NS_HOSTB" "$SOCAT" -d -d -lu -u \
		"TCP6-LISTEN:$_port,reuseaddr" "CREATE:$DST"
	wait_for "grep -q 'listening on' '$OUT/tcp-recv.$_tag.log'" 10 ||
		die "$1, $2: TCP receiver" "$(cat "$OUT/tcp-recv.$_tag.log")"
	bg_start "tcp-send.$_tag" "$NS_HOSTA" "$SOCAT" -u "OPEN:$SRC" "TCP6:[$HOSTB]:$_port"
	wait_for "! bg_alive tcp-recv.$_tag" "$TCP_DEADLINE" && tdone=yes || tdone=no
	bg_stop "tcp-send.$_tag" || :
	bg_stop "tcp-recv.$_tag" || :
	tbytes=$(wc -c <"$DST" 2>/dev/null || echo 0)
	tsum=$(sha256sum <"$DST" | cut -d' ' -f1)
	tsecs=$(socat_secs "$OUT/tcp-recv.$_tag.log")
	[ "$tdone" = yes ] || tsecs=-

	drops=$(($(netem_drops gwA) - d0))
	netem_off
	# VARIANT CONDITION lost dups reordered delay_avg delay_max sockdrops foreign
	# tcp_bytes tcp_secs tcp_identical netem_drops_gwA
	[ "$tsum" = "$SRC_SUM" ] && same=yes || same=no
	echo "$1 $2 $(field "$u" lost) $(field "$u" duplicates) $(field "$u" reordered)" \
		"$(field "$u" delay_avg_ms) $(field "$u" delay_max_ms) $(field "$u" sockdrops)" \
		"$(field "$u" foreign) $tbytes $tsecs $same $drops" | tee -a "$RAW"
}

run_plain() {
	"$IP" -n gwA -batch - <<-EOF
		addr add $A_STATIC/64 dev $INET_DEV nodad
		route add $LANB_PREFIX via $B_STATIC dev $INET_DEV
	EOF
	"$IP" -n gwB -batch - <<-EOF
		addr add $B_STATIC/64 dev $INET_DEV nodad
		route add $LANA_PREFIX via $A_STATIC dev $INET_DEV
	EOF
	wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 10 || die plain "no route"
	for c in $CONDITIONS; do measure plain "$c"; done
	"$IP" -n gwA -batch - <<-EOF
		route del $LANB_PREFIX
		addr del $A_STATIC/64 dev $INET_DEV
	EOF
	"$IP" -n gwB -batch - <<-EOF
		route del $LANA_PREFIX
		addr del $B_STATIC/64 dev $INET_DEV
	EOF
}

run_policy() { # DELIVERY/RELIABILITY
	_d=${1%%/*}
	_r=${1#*/}
	for gw in gwA gwB; do
		if [ "$1" = "$DEFAULT_POLICY" ]; then
			cp "$(mt6d_conf $gw)" "$MT6D_ETC/$gw.conf"
		else
			sed -e "/^\[tunnel\]/a delivery = $_d" -e "/^\[tunnel\]/a reliability = $_r" \
				"$(mt6d_conf $gw)" >"$MT6D_ETC/$gw.conf"
		fi
	done
	mt6d_start gwA "$MT6D_ETC/gwA.conf"
	mt6d_start gwB "$MT6D_ETC/gwB.conf"
	mt6d_wait_up "$1"
	grep -q "delivery $_d, reliability $_r" "$OUT/gwA-tunnel.log" || die "$1" \
		"the tunnel does not run this policy: $(grep 'TUN device' "$OUT/gwA-tunnel.log")"
	for c in $CONDITIONS; do measure "$1" "$c"; done
	_t=$(echo "$1" | tr '/:' '__')
	mt6d_tstatus gwA >"$OUT/status-gwA.$_t.txt" 2>&1 || :
	mt6d_tstatus gwB >"$OUT/status-gwB.$_t.txt" 2>&1 || :
	mt6d_stop gwA
	mt6d_stop gwB
	# One pair of logs per policy; the end-of-test checks read them all.
	for gw in gwA gwB; do
		mv "$OUT/$gw-tunnel.log" "$OUT/$gw.$_t-tunnel.log"
		mv "$OUT/$gw-addrmgr.log" "$OUT/$gw.$_t-addrmgr.log"
	done
}

for c in $CONDITIONS; do
	[ -n "$(netem_args "$c")" ] || die conditions "unknown condition $c"
done
case " $VARIANTS " in
*" plain "*) ;;
*) die variants "plain routing, the positive control, is not among them: $VARIANTS" ;;
esac
topo_up
mkdir -p "$MT6D_ETC"
head -c $((TCP_KIB * 1024)) /dev/urandom >"$SRC"
SRC_SUM=$(sha256sum <"$SRC" | cut -d' ' -f1)
# Positive control of the TCP comparison: one byte changed (byte 100 + 1) gives another
# checksum.
b=$(($(od -An -tu1 -j100 -N1 "$SRC") + 1))
# shellcheck disable=SC2059
{ head -c 100 "$SRC"; printf "\\$(printf %o $((b % 256)))"; tail -c +102 "$SRC"; } >"$DST"
if [ "$(wc -c <"$DST")" -eq $((TCP_KIB * 1024)) ] && ! cmp -s "$SRC" "$DST" &&
	[ "$(sha256sum <"$DST" | cut -d' ' -f1)" != "$SRC_SUM" ]; then
	pass "the TCP check tells a copy with one byte changed from the original"
else
	fail "the TCP check tells a copy with one byte changed from the original" "it does not"
fi
rm -f "$RAW"
for v in $VARIANTS; do
	log "netem: $v"
	case $v in
	plain) run_plain ;;
	*/*) run_policy "$v" ;;
	*) die variants "$v is neither plain nor DELIVERY/RELIABILITY" ;;
	esac
done
netem_off

# --- the table ------------------------------------------------------------------------
link_text() { # CONDITION
	case $1 in
	none) echo "${DELAY%ms} ms" ;;
	loss*) echo "${DELAY%ms} ms, ${1#loss} % lost" ;;
	reorder*) echo "${DELAY%ms} ms, ${1#reorder} % reordered" ;;
	dup*) echo "${DELAY%ms} ms, ${1#dup} % duplicated" ;;
	esac
}
{
	echo "| policy | link, each way | UDP lost % | UDP duplicates | UDP reordered % |" \
		"UDP delay avg / max ms | TCP Mb/s | TCP byte-identical |"
	echo "|---|---|---|---|---|---|---|---|"
	while read -r v c lost dups reord davg dmax _ _ tbytes tsecs same _; do
		name=$v
		[ "$v" != "$DEFAULT_POLICY" ] || name="$v (default)"
		awk -v name="$name" -v link="$(link_text "$c")" -v n="$UDP_COUNT" -v lost="$lost" \
			-v dups="$dups" -v reord="$reord" -v davg="$davg" -v dmax="$dmax" \
			-v tb="$tbytes" -v ts="$tsecs" -v same="$same" 'BEGIN {
			tcp = ts == "-" ? "did not finish" : sprintf("%.1f", tb * 8 / ts / 1e6)
			printf "| %s | %s | %.2f | %d | %.1f | %.1f / %.0f | %s | %s |\n", name, link,
				lost * 100 / n, dups, reord * 100 / n, davg, dmax, tcp, same
		}'
	done <"$RAW"
} >"$TABLE"
log "delivery-policy table: $UDP_COUNT UDP datagrams of $UDP_SIZE bytes at $UDP_RATE/s," \
	"then $TCP_KIB KiB over TCP, hostA -> hostB, per row"
cat "$TABLE"

# --- verdicts -------------------------------------------------------------------------
# within COUNT N PCT: COUNT lies within 4 standard deviations of the mean of N draws at
# PCT % (binomial; squared, as busybox awk has no sqrt)
within() {
	awk -v c="$1" -v n="$2" -v p="$3" 'BEGIN { p /= 100; d = c - n * p
		exit !(d * d <= 16 * n * p * (1 - p)) }'
}
pct() { awk -v a="$1" -v n="$UDP_COUNT" 'BEGIN { printf "%.2f", a * 100 / n }'; }

while read -r v c lost dups reord _ _ sdrops _ tbytes tsecs same drops; do
	row="$v, $c"
	L=$(link_loss "$c")
	# Not a verdict: a loss of the receiver's own making shows in the UDP loss anyway.
	[ "$sdrops" = 0 ] || log "$row: the UDP receiver's socket dropped $sdrops datagrams"
	if [ "$same" = yes ] && [ "$tsecs" != - ]; then
		pass "$row: TCP $tbytes bytes byte-identical in $tsecs s"
	else
		fail "$row: TCP transfer byte-identical" \
			"$tbytes bytes, seconds: $tsecs, identical: $same"
	fi
	if [ "$v" = plain ]; then
		# Positive controls: netem did what it was told, and the counters see it.
		case $c in
		none)
			# The tunnel's rows count netem's drops: the counter reads 0 without loss.
			[ "$drops" -eq 0 ] && pass "$row: netem dropped nothing on gwA's uplink" ||
				fail "$row: netem dropped nothing on gwA's uplink" "it dropped $drops" ;;
		loss*)
			within "$lost" "$UDP_COUNT" "$L" && [ "$drops" -gt 0 ] &&
				pass "$row: plain routing loses $(pct "$lost") % of UDP (netem: $L %," \
					"$drops packets dropped on gwA's uplink)" ||
				fail "$row: plain routing loses about $L % of UDP" \
					"lost $lost of $UDP_COUNT; netem dropped $drops" ;;
		dup*)
			within "$dups" "$UDP_COUNT" "${c#dup}" &&
				pass "$row: plain routing delivers $dups duplicates" \
					"(netem: ${c#dup} %)" ||
				fail "$row: plain routing delivers about ${c#dup} % duplicates" \
					"$dups of $UDP_COUNT" ;;
		reorder*)
			[ $((reord * 100)) -ge $((UDP_COUNT * 5)) ] &&
				pass "$row: plain routing delivers $(pct "$reord") % out of order" ||
				fail "$row: plain routing delivers >= 5 % out of order" \
					"$reord of $UDP_COUNT" ;;
		esac
		continue
	fi
	[ "$dups" = 0 ] && pass "$row: no duplicate datagram delivered" ||
		fail "$row: no duplicate datagram delivered" "$dups duplicates"
	case $c in
	loss*)
		[ "$drops" -gt 0 ] &&
			pass "$row: netem dropped $drops packets on gwA's uplink meanwhile" ||
			fail "$row: netem dropped packets on gwA's uplink" "it dropped none" ;;
	esac
	case ${v#*/} in
	full)
		if awk -v l="$lost" -v n="$UDP_COUNT" -v L="$L" 'BEGIN { exit !(l * 100 / n <= L + 1) }'
		then
			pass "$row: UDP loss $(pct "$lost") % <= link loss $L % + 1"
		else
			fail "$row: UDP loss <= link loss $L % + 1" \
				"$(pct "$lost") % ($lost of $UDP_COUNT)"
		fi ;;
	*) log "$row: UDP loss $(pct "$lost") % (partial reliability: reported, not judged)" ;;
	esac
done <"$RAW"
finish

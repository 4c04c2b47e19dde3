#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The soak behind tools/soak (not in the CI suite): one VM boot, MT6D_SOAK_SECS (1800) of
# inner traffic through both gateways with a rotation every second, a rekey every 10 s
# and a daemon SIGKILLed every MT6D_SOAK_KILL_EVERY (180) seconds.
#
#  hostA ── gwA ══ (veth "internet", hashed addresses only) ══ gwB ── hostB
#  fd00:a::2        mt6d-tunnel + mt6d-addrmgr on each gateway        fd00:b::2
#   udpseq send ─────────────────────────────────────────────────────▶ udpseq recv
#   ping every 0.2 s ────────────────────────────────────────────────▶
#
# 1. Capacity: iperf3 UDP, unpaced, CAP_SECS through the tunnel, DGRAM-byte datagrams;
#    the receiver's rate is the capacity.
# 2. Positive control of the stream's figures: a short udpseq stream (CTL_RATE/s for
#    CTL_SECS) while an nft rule on hostB drops it for CTL_DROP_SECS; the receiver must
#    count the dropped datagrams as lost and report a gap of about CTL_DROP_SECS, so the
#    loss and outage figures below can show a loss and an outage when there is one.
# 3. Traffic: a UDP stream paced at half that capacity (test/vm/helpers/udpseq: sequence
#    numbers and send times, so the receiver counts loss; with a GAP_MS argument it also
#    prints every silence of 0.2 s or more), long enough to outlast the end figures by
#    about STREAM_TAIL_SECS, and a ping every 0.2 s, hostA -> hostB, from before the
#    first figure to after the last.
# 4. After WARMUP_SECS (the guard's retired set and the uplinks fill up in about 12
#    slots), the start figures: RSS (VmRSS) and open descriptors of the four daemons;
#    per gateway, the hashed addresses on the uplink and the elements of each set of the
#    guard table ip6 mt6d-GW (the kill switch's table, inet mt6d-GW, has no sets).
#    Positive control of the counts: on gwA, a spare veth holding 3 addresses of gwA's
#    prefix and a table ip6 soak-control with 1, 2, 3 and 4 elements in sets named like
#    the guard's must be counted as exactly "3 1 2 3 4", and once one address is taken
#    away the start/end comparison must report a difference.
# 5. Every KILL_EVERY seconds one of the four daemons, drawn at random (MT6D_SOAK_SEED
#    makes the draw repeatable), is SIGKILLed and started again as recovery.sh does it,
#    after the RestartSec of its systemd unit (tunnel 2 s, addrmgr 1 s), as a supervisor
#    would. Only the killed daemon restarts: the units' BindsTo, which stops and restarts
#    mt6d-addrmgr with its tunnel, is not modelled, so a killed tunnel leaves its addrmgr
#    running, the harder case. No kill falls in the last SETTLE_SECS, so that the end
#    figures do not catch a recovery under way. After each kill the test waits up to
#    RECOVER_SECS for the daemon to be back at work: a killed tunnel when both tunnels
#    have a new authenticated session and its addrmgr holds the new socket, a killed
#    addrmgr when it is attached to its tunnel again. That condition is checked once
#    between the kill and the restart too, and must be false then (its positive control).
# 6. The end figures, as in 4, while the traffic still runs; then the stream runs out
#    and the receiver reports.
#
# The hashed-address and guard-element counts move by one around each slot boundary (the
# next address comes before the oldest goes, an element times out just before or after
# the next one is added) and, for the evidence set, with the peer's heartbeats to its
# older paths. So each count is sampled SAMPLES times over about twenty slots and the
# value seen most often (the mode) is the figure compared: an element that stays behind
# shifts it, a slot change caught in the middle does not. An end count that differs from
# the start is sampled again, up to twice, and the mode of all its samples judged. Floor
# and peak go to soak.raw as well.
# Association hops (moving the tunnel to a new association on schedule) are not
# exercised: the daemons do not have them.
#
# Verdicts: FAIL when a start and an end count differ (a gateway's hashed addresses, or
# one set of its guard table), when a killed daemon does not come back to work within
# RECOVER_SECS, when a daemon exits without being killed (it is restarted, as
# Restart=on-failure would, but counted), when a daemon is not running at the end, or
# when the stream or the capacity measurement moved nothing, when the stream ran out before
# the end figures were taken, or when a positive control does not see what was planted. Loss, outages, memory and descriptors are reported, not
# judged.
#
# Output in $OUT: soak.md (the markdown table tools/soak prints), soak.raw (every figure,
# "KEY VALUE" lines), kills.txt, counts.txt (every count sample), udpseq-*.log (the
# receiver's gaps, its 10 s ticks and its tally), ctl-*.log (the stream's control), ping.log,
# capacity.log, the daemons' logs.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

SOAK_SECS=${MT6D_SOAK_SECS:-1800}
KILL_EVERY=${MT6D_SOAK_KILL_EVERY:-180}
SEED=${MT6D_SOAK_SEED:-$(od -An -tu2 -N2 /dev/urandom | tr -d ' ')}
CAP_SECS=8
DGRAM=1200
PORT=5301
WARMUP_SECS=20
SETTLE_SECS=30
RECOVER_SECS=60
SAMPLES=20
STREAM_TAIL_SECS=240
GAP_MS=200
CTL_RATE=50
CTL_SECS=8
CTL_DROP_SECS=2
UDPSEQ=/usr/local/bin/udpseq
PING=/usr/local/bin/iputils-ping
DAEMONS="gwA-tunnel gwA-addrmgr gwB-tunnel gwB-addrmgr"
RAW=$OUT/soak.raw

mkdir -p "$MT6D_ETC"
for gw in gwA gwB; do
	sed -e "s/^interval = .*/interval = 1/" -e "/^\[tunnel\]/a rekey-interval = 10" \
		-e "s|^psk-file = .*|psk-file = $MT6D_ETC/site.key|" \
		"$(mt6d_conf $gw)" >"$MT6D_ETC/$gw.conf"
done
: >"$RAW"
raw() { echo "$*" >>"$RAW"; }
raw soak_secs "$SOAK_SECS"
raw kill_every_secs "$KILL_EVERY"
raw seed "$SEED"

topo_up
mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
mt6d_wait_up
pass "tunnel up"

# --- the daemons -------------------------------------------------------------------------

# daemon_start NAME: start gwA-tunnel, gwB-addrmgr, ... as mt6d_start does
daemon_start() {
	_gw=${1%-*}
	case ${1#*-} in
	tunnel) _bin=$MT6D_TUNNEL ;;
	addrmgr) _bin=$MT6D_ADDRMGR ;;
	esac
	bg_start "$1" "$_gw" env RUNTIME_DIRECTORY="$(mt6d_runtime_dir "$_gw")" "$_bin" \
		-c "$MT6D_ETC/$_gw.conf" -f -v
}
# restart_delay NAME: the RestartSec of the daemon's systemd unit
restart_delay() {
	case $1 in
	*-tunnel) echo 2 ;;
	*) echo 1 ;;
	esac
}
authed_n() { grep -c 'peer proved the key' "$OUT/$1-tunnel.log" || :; }
attached() { [ "$(mt6d_astatus_key "$1" tunnel 2>/dev/null)" = attached ]; }

rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# gw_counts GW [DEV TABLE]: "UPLINK LOCAL PEER RETIRED EVIDENCE": GW's hashed addresses on
# its uplink (or DEV) and the elements of each set of its guard table (or ip6 TABLE; one
# address each, in the set's block of `nft list table`), read in one go
gw_counts() {
	case $1 in
	gwA) _pfx=${GWA_PREFIX%%::*}: ;;
	*) _pfx=${GWB_PREFIX%%::*}: ;;
	esac
	nsx "$1" sh -c "$IP -6 -o addr show dev ${2:-$INET_DEV} scope global;
		$NFT list table ip6 ${3:-mt6d-$1}" 2>/dev/null | awk -v p="$_pfx" '
		$3 == "inet6" { if (index($4, p) == 1) u++; next }
		/^\tset / { set = $2; next }
		set != "" && /^\t}/ { set = ""; next }
		set != "" { n[set] += gsub(/[0-9a-f]+:[0-9a-f:]+/, "&") }
		END { printf "%d %d %d %d %d\n", u, n["local"], n["peer"], n["retired"], n["evidence"] }'
}
COUNT_NAMES="uplink local peer retired evidence"

# count_samples PHASE [N GW DEV TABLE]: SAMPLES (or N) samples of both gateways' counts
# (or of GW's, from DEV and TABLE), appended to counts.txt
count_samples() {
	_i=0
	while [ "$_i" -lt "${2:-$SAMPLES}" ]; do
		for gw in ${3:-gwA gwB}; do
			echo "$1 $(now) $gw $(gw_counts $gw ${4:-} ${5:-})" >>"$OUT/counts.txt"
		done
		_i=$((_i + 1))
	done
}
# count_figures PHASE [GWS]: into soak.raw, per gateway and count, the mode of all PHASE's
# samples (the lower value on a tie) as PHASE.GW.COUNT, with their floor and peak
count_figures() {
	for gw in ${2:-gwA gwB}; do
		awk -v ph="$1" -v gw="$gw" -v names="$COUNT_NAMES" '
			$1 == ph && $3 == gw {
				for (c = 4; c <= NF; c++) {
					v = $c + 0
					f[c, v]++
					if (!n || v < lo[c]) lo[c] = v
					if (!n || v > hi[c]) hi[c] = v
				}
				n++
			}
			END {
				k = split(names, name, " ")
				for (c = 4; c < 4 + k; c++) {
					m = lo[c]
					for (v = lo[c]; v <= hi[c]; v++)
						if (f[c, v] > f[c, m])
							m = v
					key = ph "." gw "." name[c - 3]
					printf "%s %d\n%s_floor %d\n%s_peak %d\n", key, m, key, lo[c], key, hi[c]
				}
			}' "$OUT/counts.txt" >>"$RAW"
	done
}

# snapshot PHASE: the daemons' RSS and descriptors, and the counts, into soak.raw
snapshot() {
	for n in $DAEMONS; do
		p=$(bg_pid "$n")
		raw "$1.$n.pid" "$p"
		raw "$1.$n.rss_kib" "$(rss_kb "$p")"
		raw "$1.$n.fds" "$(fds "$p")"
	done
	count_samples "$1"
	count_figures "$1"
	log "soak: $1 figures: $(grep "^$1\.[^ ]* " "$RAW" | grep -v '_floor \|_peak ' | tr '\n' ' ')"
}
# counts_differ [PHASE1 PHASE2 [GWS]]: true when a count of PHASE1 (start) and PHASE2 (end)
# differ
counts_differ() {
	for gw in ${3:-gwA gwB}; do
		for c in $COUNT_NAMES; do
			[ "$(rawv "${1:-start}.$gw.$c")" = "$(rawv "${2:-end}.$gw.$c")" ] || return 0
		done
	done
	return 1
}
rawv() { awk -v k="$1" '$1 == k { v = $2 } END { print v }' "$RAW"; }

# --- 1. capacity ---------------------------------------------------------------------------
bg_start iperf-hostB "$NS_HOSTB" "$IPERF3" -s -1
wait_for "nsx $NS_HOSTB $SS -Hln | grep -q ':5201'" 10 || die "iperf3 server" "did not start"
nsx "$NS_HOSTA" "$IPERF3" -c "$HOSTB" -u -b 0 -l "$DGRAM" -t "$CAP_SECS" -f m \
	>"$OUT/capacity.log" 2>&1 || :
bg_stop iperf-hostB || :
cap=$(awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") v = $i }
	END { print v + 0 }' "$OUT/capacity.log")
awk -v c="$cap" 'BEGIN { exit !(c > 0) }' ||
	die "capacity measured" "iperf3: $(tail -n 3 "$OUT/capacity.log")"
pps=$(awk -v c="$cap" -v b="$DGRAM" 'BEGIN { p = int(c * 1e6 / 2 / (b * 8) + 0.5); print (p > 0 ? p : 1) }')
rate=$(awk -v p="$pps" -v b="$DGRAM" 'BEGIN { printf "%.2f", p * b * 8 / 1e6 }')
raw capacity_mbps "$cap"
raw stream_pps "$pps"
raw stream_mbps "$rate"
raw datagram_bytes "$DGRAM"
pass "capacity: $cap Mbit/s of $DGRAM-byte UDP datagrams; stream at $pps/s ($rate Mbit/s)"
# The unpaced run filled the association's queues: start once a ping gets through.
wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 || die "ping after the capacity run" "none"

# field LINE NAME: the value after NAME in udpseq's "NAME VALUE ..." line (0 when absent)
field() {
	echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) }
		END { print (v == "" ? 0 : v) }'
}
# gap_max LOG FROM TO: the longest of udpseq's "gap AT LEN" lines in LOG that began
# between FROM and TO (seconds of uptime), 0 when none
gap_max() {
	awk -v a="$2" -v b="$3" 'NF == 3 && $1 == "gap" && $2 >= a && $2 < b && $3 > m { m = $3 }
		END { printf "%.3f\n", m }' "$1"
}

# --- 2. positive control of the stream's loss and outage figures ---------------------------
ctl_port=$((PORT + 1))
ctl_n=$((CTL_RATE * CTL_SECS))
bg_start ctl-recv "$NS_HOSTB" "$UDPSEQ" recv "$ctl_port" "$ctl_n" 3000 "$GAP_MS"
wait_for "grep -q 'listening on' '$OUT/ctl-recv.log'" 10 || die "control receiver" "did not start"
bg_start ctl-send "$NS_HOSTA" "$UDPSEQ" send "$HOSTB" "$ctl_port" "$ctl_n" "$CTL_RATE" "$DGRAM"
sleep 3
nsx "$NS_HOSTB" "$NFT" -f - <<EOT
table ip6 soak-drop {
	chain in { type filter hook input priority 0; udp dport $ctl_port drop; }
}
EOT
t_drop=$(now)
sleep "$CTL_DROP_SECS"
nsx "$NS_HOSTB" "$NFT" delete table ip6 soak-drop
wait_for "! bg_alive ctl-recv" 30 || fail "control receiver" "still running 30 s on"
bg_stop ctl-send || :
bg_stop ctl-recv || :
u=$(grep '^received ' "$OUT/ctl-recv.log" || :)
ctl_lost=$(field "$u" lost)
ctl_gap=$(gap_max "$OUT/ctl-recv.log" "$(awk -v t="$t_drop" 'BEGIN { print t - 1 }')" \
	"$(now)")
raw control.stream_lost "$ctl_lost"
raw control.stream_gap_s "$ctl_gap"
# The rule was in place for CTL_DROP_SECS: at least 3/4 of what was sent meanwhile is lost,
# and a silence of at least 3/4 of it is reported.
if [ -n "$u" ] && [ "$ctl_lost" -ge $((CTL_RATE * CTL_DROP_SECS * 3 / 4)) ] &&
	awk -v g="$ctl_gap" -v d="$CTL_DROP_SECS" 'BEGIN { exit !(g >= d * 0.75) }'; then
	pass "control: a ${CTL_DROP_SECS} s drop on hostB is seen: $ctl_lost of $ctl_n lost, gap $ctl_gap s"
else
	fail "control: a ${CTL_DROP_SECS} s drop on hostB is seen as loss and a gap" \
		"lost $ctl_lost of $ctl_n, gap $ctl_gap s: ${u:-no tally}"
fi

# --- 3. traffic --------------------------------------------------------------------------
# The stream lasts the warm-up, the soak and STREAM_TAIL_SECS for the figures around them.
stream_n=$((pps * (WARMUP_SECS + SOAK_SECS + STREAM_TAIL_SECS)))
raw stream_datagrams "$stream_n"
bg_start udpseq-recv "$NS_HOSTB" "$UDPSEQ" recv "$PORT" "$stream_n" $((RECOVER_SECS * 1000)) \
	"$GAP_MS"
wait_for "grep -q 'listening on' '$OUT/udpseq-recv.log'" 10 || die "udpseq receiver" "did not start"
t_stream=$(now)
bg_start udpseq-send "$NS_HOSTA" "$UDPSEQ" send "$HOSTB" "$PORT" "$stream_n" "$pps" "$DGRAM"
bg_start ping "$NS_HOSTA" "$PING" -6 -D -n -i 0.2 -W 2 "$HOSTB"
t_traffic=$(now)

# --- 4. start figures, and the positive control of the counts -------------------------------
sleep "$WARMUP_SECS"
snapshot start
for gw in gwA gwB; do
	# An unreadable guard table would count 0 at both ends and match: it must hold addresses.
	[ "$(rawv "start.$gw.uplink")" -gt 0 ] && [ "$(rawv "start.$gw.local")" -gt 0 ] &&
		[ "$(rawv "start.$gw.peer")" -gt 0 ] &&
		pass "$gw: the start counts see hashed addresses and guard elements" ||
		fail "$gw: the start counts see hashed addresses and guard elements" \
			"$(grep "^start\.$gw\.[a-z]* " "$RAW" | tr '\n' ' ')"
done
ctl_pfx=${GWA_PREFIX%%::*}
nsx gwA "$IP" link add soakc0 type veth peer name soakc1
for i in 1 2 3; do
	nsx gwA "$IP" -6 addr add "$ctl_pfx::5eed:$i/64" dev soakc0 nodad
done
{
	echo "table ip6 soak-control {"
	i=0
	for c in local peer retired evidence; do
		i=$((i + 1))
		echo "set $c { type ipv6_addr; flags timeout; elements = {"
		seq 1 $i | sed "s/.*/$ctl_pfx::c:& timeout 1h/" | paste -sd, -
		echo "} }"
	done
	echo "}"
} | nsx gwA "$NFT" -f -
count_samples control 3 gwA soakc0 soak-control
count_figures control gwA
nsx gwA "$IP" -6 addr del "$ctl_pfx::5eed:3/64" dev soakc0
count_samples control2 3 gwA soakc0 soak-control
count_figures control2 gwA
nsx gwA "$IP" link del soakc0
nsx gwA "$NFT" delete table ip6 soak-control
ctl=$(for c in $COUNT_NAMES; do rawv "control.gwA.$c"; done | tr '\n' ' ')
[ "$ctl" = "3 1 2 3 4 " ] && pass "control: the planted address and elements are counted: $ctl" ||
	fail "control: the planted 3 addresses and 1 2 3 4 elements are counted" "counted $ctl"
counts_differ control control2 gwA && ! counts_differ control control gwA &&
	pass "control: one address taken away is a difference between two counts" ||
	fail "control: one address taken away is a difference between two counts" \
		"$(grep '^control2\.gwA\.[a-z]* ' "$RAW" | tr '\n' ' ')"

# --- 5. kills ----------------------------------------------------------------------------
t0=$(now)
nkills=$(awk -v s="$SOAK_SECS" -v k="$KILL_EVERY" -v e="$SETTLE_SECS" \
	'BEGIN { n = 0; while ((n + 1) * k <= s - e) n++; print n }')
victims=$(awk -v seed="$SEED" -v n="$nkills" -v d="$DAEMONS" 'BEGIN {
	srand(seed); split(d, v, " ")
	for (i = 0; i < n; i++) printf "%s ", v[int(rand() * 4) + 1] }')
raw kills_planned "$nkills"
log "soak: $SOAK_SECS s, $nkills kills every $KILL_EVERY s (seed $SEED): $victims"
: >"$OUT/kills.txt"
unexpected=0 unrecovered=0 k=0 ctl_bad=0
after() { awk -v a="$1" -v b="$(now)" 'BEGIN { exit !(b >= a) }'; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# supervise: restart, as Restart=on-failure would, a daemon that exited unbidden
supervise() {
	for n in $DAEMONS; do
		bg_alive "$n" && continue
		rc=0
		bg_stop "$n" || rc=$?
		unexpected=$((unexpected + 1))
		fail "$n exited without being killed" "status $rc at $(now) s; restarted"
		sleep "$(restart_delay "$n")"
		daemon_start "$n"
	done
}

# kill_one NAME: SIGKILL, restart after the unit's RestartSec, wait until it is back at work
kill_one() {
	gw=${1%-*}
	a0=$(authed_n gwA) b0=$(authed_n gwB)
	tk=$(now)
	pid=$(bg_pid "$1")
	bg_stop "$1" KILL || :
	log "soak: kill $k: $1 SIGKILLed"
	case $1 in
	*-tunnel) ready="[ \$(authed_n gwA) -gt $a0 ] && [ \$(authed_n gwB) -gt $b0 ] && attached $gw" ;;
	*) ready="attached $gw" ;;
	esac
	# Positive control of "back at work": not true while the daemon is dead.
	if pid_alive "$pid" || eval "$ready" >/dev/null 2>&1; then
		ctl_bad=$((ctl_bad + 1))
		fail "kill $k: $1 dead and not at work before its restart" "pid $pid or '$ready' still true"
	fi
	sleep "$(restart_delay "$1")"
	daemon_start "$1"
	if wait_for "$ready" "$RECOVER_SECS"; then
		back=$(elapsed "$tk")
		log "soak: kill $k: $1 back at work ${back} s after the kill"
	else
		back=-
		unrecovered=$((unrecovered + 1))
		fail "kill $k: $1 back at work within $RECOVER_SECS s" \
			"$(tail -n 3 "$OUT/$1.log" | tr '\n' ' ')"
	fi
	echo "$k $tk $1 $back" >>"$OUT/kills.txt"
}

for victim in $victims; do
	k=$((k + 1))
	due=$(awk -v a="$t0" -v i="$k" -v e="$KILL_EVERY" 'BEGIN { print a + i * e }')
	until after "$due"; do
		supervise
		sleep 1
	done
	kill_one "$victim"
done
end=$(awk -v a="$t0" -v s="$SOAK_SECS" 'BEGIN { print a + s }')
until after "$end"; do
	supervise
	sleep 1
done
supervise

# --- 6. end figures, then the receiver's report ----------------------------------------------
snapshot end
# A count caught between two values at one end is measured again, up to twice, with
# SAMPLES more samples each time; the mode of all the end samples is judged.
for round in 2 3; do
	counts_differ || break
	log "soak: a count differs; $SAMPLES more samples (round $round)"
	count_samples end
	count_figures end
done
# The end figures were taken while the stream still ran.
t_stream_end=$(awk -v a="$t_stream" -v n="$stream_n" -v r="$pps" 'BEGIN { print a + n / r }')
after "$t_stream_end" &&
	fail "end figures taken while the stream runs" "done at $(now) s, stream over at $t_stream_end s" ||
	pass "end figures taken while the stream runs (done at $(now) s, stream over at $t_stream_end s)"
# Then the sender runs out, and the receiver stops a third of its idle time after the
# last number, or its whole idle time after the last arrival when some are missing.
wait_for "! bg_alive udpseq-send" $((STREAM_TAIL_SECS + 60)) || fail "sender" "still running"
wait_for "! bg_alive udpseq-recv" $((RECOVER_SECS + 30)) || fail "receiver" "still running"
bg_stop udpseq-send || :
bg_stop udpseq-recv || :
bg_stop ping INT || :
t_end=$(now)

u=$(grep '^sent ' "$OUT/udpseq-send.log" | tail -n 1)
sent=$(field "$u" sent) send_errors=$(field "$u" errors) s_secs=$(field "$u" seconds)
u=$(grep '^received ' "$OUT/udpseq-recv.log" | tail -n 1)
received=$(field "$u" unique) dup=$(field "$u" duplicates) reordered=$(field "$u" reordered)
first=$(field "$u" first_s) last=$(field "$u" last_s)
delay_avg=$(field "$u" delay_avg_ms) delay_max=$(field "$u" delay_max_ms)
sockdrops=$(field "$u" sockdrops)
# The longest outage: the longest silence between arrivals (udpseq's gap lines), or the
# time from the stream's start to its first arrival, or from its last datagram's send
# time to its last arrival.
outage=$(awk -v g="$(gap_max "$OUT/udpseq-recv.log" 0 "$t_end")" -v s="$t_stream" \
	-v f="$first" -v l="$last" -v d="$s_secs" -v n="$received" 'BEGIN {
		e = s + d
		if (n == 0) { printf "%.3f", d; exit }
		o = g
		if (f - s > o) o = f - s
		if (e - l > o) o = e - l
		printf "%.3f", o }')
loss=$(awk -v s="$sent" -v r="$received" 'BEGIN { printf "%.3f", (s > 0 ? (s - r) * 100 / s : 100) }')
# Pings: loss, and the longest gap between replies (the stretch after the last reply
# counts), as recovery.sh measures it.
# shellcheck disable=SC2046
set -- $(awk -v dur="$(awk -v a="$t_traffic" -v b="$t_end" 'BEGIN { print b - a }')" '
	/bytes from/ { t = substr($1, 2, length($1) - 2) + 0
		if (!n++) first = t
		else if (t - last > g) g = t - last
		last = t }
	/packets transmitted/ { sent = $1 }
	END { if (n && first + dur - last > g) g = first + dur - last
		printf "%.3f %d %d\n", g, n, sent }' "$OUT/ping.log")
ping_gap=${1:-0} ping_replies=${2:-0} ping_sent=${3:-0}
ping_loss=$(awk -v s="$ping_sent" -v r="$ping_replies" \
	'BEGIN { printf "%.2f", (s > 0 ? (s - r) * 100 / s : 100) }')
for kv in "sent $sent" "send_errors $send_errors" "sender_seconds $s_secs" \
	"received $received" "duplicates $dup" "reordered $reordered" "loss_pct $loss" \
	"sockdrops $sockdrops" "outage_max_s $outage" "delay_avg_ms $delay_avg" \
	"delay_max_ms $delay_max" "ping_sent $ping_sent" "ping_replies $ping_replies" \
	"ping_loss_pct $ping_loss" "ping_gap_max_s $ping_gap" "kills_done $k" \
	"unexpected_exits $unexpected" "unrecovered_kills $unrecovered" \
	"key_changes_gwA $(grep 'keys of generation' "$OUT/gwA-tunnel.log" | grep -vc 'generation 1 ' || :)" \
	"sessions_gwA $(authed_n gwA)" \
	"addresses_added_gwA $(grep -c ' added .* (slot ' "$OUT/gwA-addrmgr.log" || :)" \
	"addresses_added_gwB $(grep -c ' added .* (slot ' "$OUT/gwB-addrmgr.log" || :)"; do
	# shellcheck disable=SC2086  # KEY and VALUE
	raw $kv
done

# Each kill's outage: the longest gap in the stream that began from 1 s before it to 30 s
# after it (or to 1 s before the next kill, when kills come faster).
awk -v r="$OUT/udpseq-recv.log" -v e="$KILL_EVERY" '
	BEGIN {
		w = e - 1 < 30 ? e - 1 : 30
		while ((getline l < r) > 0)
			if (split(l, f, " ") == 3 && f[1] == "gap") { n++; at[n] = f[2]; len[n] = f[3] }
	}
	{
		o = 0
		for (i = 1; i <= n; i++)
			if (at[i] >= $2 - 1 && at[i] < $2 + w && len[i] > o)
				o = len[i]
		print $0, sprintf("%.3f", o)
	}' "$OUT/kills.txt" >"$OUT/kills.tmp"
mv "$OUT/kills.tmp" "$OUT/kills.txt"
# Where the losses fell: between two of udpseq's "tick AT MAX_SEQ UNIQUE" lines (10 s
# apart), the numbers up to MAX_SEQ that did not arrive; a stretch that overlaps 1 s
# before to 30 s after a kill counts for the kills, any other for the quiet time.
# shellcheck disable=SC2046
set -- $(awk -v k="$OUT/kills.txt" '
	BEGIN { while ((getline l < k) > 0) { split(l, f, " "); n++; kt[n] = f[2] } }
	$1 == "tick" {
		if (seen) {
			near = 0
			for (i = 1; i <= n; i++)
				if ($2 >= kt[i] - 1 && pt < kt[i] + 30)
					near = 1
			d = $3 - pm; l = d - ($4 - pu)
			if (near) { kd += d; kl += l } else { qd += d; ql += l }
		}
		seen = 1; pt = $2; pm = $3; pu = $4
	}
	END { printf "%d %d %d %d\n", qd, ql, kd, kl }' "$OUT/udpseq-recv.log")
quiet_n=${1:-0} quiet_lost=${2:-0} kills_n=${3:-0} kills_lost=${4:-0}
pct() { awk -v l="$1" -v n="$2" 'BEGIN { printf "%.3f", (n > 0 ? l * 100 / n : 0) }'; }
raw quiet_datagrams "$quiet_n"
raw quiet_lost "$quiet_lost"
raw kill_windows_datagrams "$kills_n"
raw kill_windows_lost "$kills_lost"

# --- verdicts ----------------------------------------------------------------------------
[ "$received" -gt 0 ] && pass "stream: $received of $sent datagrams received" ||
	fail "stream through the tunnel" "$received of $sent datagrams received"
for gw in gwA gwB; do
	for c in $COUNT_NAMES; do
		s=$(rawv "start.$gw.$c") e=$(rawv "end.$gw.$c")
		what="$gw $([ "$c" = uplink ] && echo "hashed addresses on the uplink" ||
			echo "elements in guard set $c")"
		[ "$s" = "$e" ] && pass "$what: $s at the start, $e at the end" ||
			fail "$what: same count at the start and the end" "$s at the start, $e at the end"
	done
done
for n in $DAEMONS; do
	bg_alive "$n" && pass "$n running at the end" || fail "$n running at the end" "dead"
done
[ "$k" -eq "$nkills" ] || fail "kills" "$k of $nkills done"
[ "$k" -gt 0 ] && [ "$ctl_bad" -eq 0 ] &&
	pass "control: each of the $k killed daemons was dead and not at work before its restart"

# --- the table ---------------------------------------------------------------------------
{
	echo "| figure | value |"
	echo "|---|---|"
	echo "| run | $(awk -v s="$SOAK_SECS" 'BEGIN { printf "%g", s / 60 }') min;" \
		"rotation every 1 s, rekey every 10 s; $k SIGKILLs, one every $KILL_EVERY s (seed $SEED) |"
	echo "| capacity (iperf3, $DGRAM-byte UDP) | $cap Mbit/s |"
	echo "| stream | $pps datagrams/s, $rate Mbit/s |"
	echo "| inner loss | $loss % ($((sent - received)) of $sent) |"
	echo "| inner loss in the 1 s before to 30 s after each kill / at other times |" \
		"$(pct "$kills_lost" "$kills_n") % ($kills_lost of $kills_n) /" \
		"$(pct "$quiet_lost" "$quiet_n") % ($quiet_lost of $quiet_n) |"
	echo "| longest outage | $outage s |"
	echo "| one-way delay avg / max | $delay_avg ms / $delay_max ms |"
	echo "| pings (every 0.2 s): loss, longest gap | $ping_loss %, $ping_gap s |"
	echo "| hashed addresses added, gwA / gwB | $(rawv addresses_added_gwA) / $(rawv addresses_added_gwB) |"
	echo "| gwA's tunnel: sessions authenticated, key changes after the first |" \
		"$(rawv sessions_gwA), $(rawv key_changes_gwA) |"
	echo "| daemons that exited unbidden / not back at work after a kill | $unexpected / $unrecovered |"
	echo "| positive controls: a ${CTL_DROP_SECS} s drop on hostB; planted addresses and elements |" \
		"$ctl_lost of $ctl_n lost, gap $ctl_gap s; counted $ctl|"
	echo
	echo "| daemon | killed | RSS start | RSS end | fds start | fds end |"
	echo "|---|---|---|---|---|---|"
	for n in $DAEMONS; do
		echo "| $n | $(awk -v n="$n" '$3 == n' "$OUT/kills.txt" | wc -l) |" \
			"$(rawv "start.$n.rss_kib") KiB | $(rawv "end.$n.rss_kib") KiB |" \
			"$(rawv "start.$n.fds") | $(rawv "end.$n.fds") |"
	done
	echo
	echo "| gateway | hashed addresses on the uplink | guard elements: local | peer | retired | evidence |"
	echo "|---|---|---|---|---|---|"
	for gw in gwA gwB; do
		row="| $gw"
		for c in $COUNT_NAMES; do
			s=$(rawv "start.$gw.$c") e=$(rawv "end.$gw.$c")
			row="$row | $s → $e$([ "$s" = "$e" ] || echo " **differs**")"
		done
		echo "$row |"
	done
	echo
	echo "| kill | at (s) | daemon | back at work after (s) | longest stream gap after it (s) |"
	echo "|---|---|---|---|---|"
	# udpseq reports gaps of 0.2 s and more
	awk -v t="$t0" '{ printf "| %d | %.0f | %s | %s | %s |\n", $1, $2 - t, $3, $4,
		($5 > 0 ? $5 : "< 0.2") }' "$OUT/kills.txt"
} >"$OUT/soak.md"
cat "$OUT/soak.md"
finish

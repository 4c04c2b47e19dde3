#!/bin/sh
# SPDX-License-Identifier: MIT
#
# mt6d-addrmgr's guard table and confirmed teardown under attack, loss, load and crashes.
#
#                                   (table 66: gwB's /64 via gwB's link-local)
#  attacker ── atk0 ┐
#  2001:db8:66::2   gwA ══ (veth "internet") ══ gwB ── hostB
#  hostA ─────── lan0┘                               fd00:b::2
#  fd00:a::2
#
# The attacker's packets reach gwB's hashed /64 through gwA, as from anywhere on the
# internet; gwB routes its answers, if any, back the same way.
#
# Phases (MT6D_GUARD_PHASES=attacker,crash selects some, for development; CI runs all):
#  attacker  [rotation] interval 10. ICMP echo, TCP SYN and SCTP INIT to gwB's current,
#            next and a retired hashed address: no answer on the attacker's link (a
#            non-hashed address on gwB's uplink answers the same probes: the path
#            works); `mt6d-addrmgr --status --json` shows the dropped counter grown by the
#            probes to current and next, the tripwire counter by those to the retired
#            one; `mt6d-tunnel --status` shows both under their reasons.
#  The rest run with a 1 s rotation and the default lifetime of 3 slots:
#  flood     ping -i 0.01 hostA -> hostB across >= 60 rotations: none lost; a paced TCP
#            transfer across the same rotations arrives byte-identical; the longest gap
#            between echo replies (captured at hostA) is reported and must stay < 1 s.
#            Control: the capture holds the replies ping received, and a 1.5 s pause put
#            after the pings is measured as such (flood and crash alike).
#  asconf    an nft rule on gwA drops every SCTP packet with an ASCONF chunk, both ways,
#            for 10 s: pings every 0.1 s keep being answered, teardown failures are counted
#            and logged on both gateways, old addresses are held and gwA's status says the
#            rotation is stalled; once the rule is gone, new hashed addresses of both
#            gateways appear on the wire, the holds end and the stall with them.
#  crash     gwA's mt6d-addrmgr is SIGKILLed at a random moment 5 times and restarted: the
#            longest gap between echo replies stays below one interval (1 s); afterwards
#            gwA's uplink holds exactly the hashed addresses of its guard's local set (read
#            with the daemon stopped for a moment), the current one among them, none of
#            the retired set.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

PHASES=$(echo "${MT6D_GUARD_PHASES:-attacker,flood,asconf,crash}" | tr ',' ' ')
CONTROL=2001:db8:2:2::99	# on gwB's uplink, in the hashed /64, but not a hashed address
FLOOD_SECONDS=${MT6D_FLOOD_SECONDS:-64}
LIFETIME=3	# [rotation] lifetime of the 1 s phases: the default

want() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }

conf() { # GW INTERVAL LIFETIME
	sed -e "s/^interval = .*/interval = $2/" -e "s/^lifetime = .*/lifetime = $3/" \
		"$(mt6d_conf "$1")" >"/etc/mt6d/$1.conf"
}

start_both() { # INTERVAL LIFETIME
	for gw in gwA gwB; do
		conf $gw "$1" "$2"
		: >"$OUT/$gw-tunnel.log"
	done
	mt6d_start gwA /etc/mt6d/gwA.conf
	mt6d_start gwB /etc/mt6d/gwB.conf
	mt6d_wait_up "interval $1"
}

nft_set() { # GW SET: the elements of the guard's set, one per line
	nsx "$1" "$NFT" list set ip6 "mt6d-$1" "$2" 2>/dev/null |
		tr ',{}' '\n\n\n' | grep -o '[0-9a-f]*:[0-9a-f:]*' | sort -u
}

# Echo replies captured at hostA: the gaps between them measure the tunnel's interruptions.
# Positive control, in each capture: after a phase's pings, a pause of MARK_PAUSE seconds,
# then MARK_N pings of MARK_SIZE bytes (the mark); the same computation must find that
# pause, and the capture must hold the replies ping counted.
MARK_PAUSE=1.5
MARK_SIZE=200
MARK_N=3
marks_in() { # PCAP: the mark's echo replies (IPv6 payload length MARK_SIZE + 8) in PCAP
	"$TCPDUMP" -Z root -nn -r "$1" "ip6[4:2] == $((MARK_SIZE + 8))" 2>/dev/null | wc -l
}
mark_replies() { # NAME: the mark, in capture NAME
	sleep "$MARK_PAUSE"
	nsx "$NS_HOSTA" ping -6 -c "$MARK_N" -i 0.2 -W 2 -s "$MARK_SIZE" "$HOSTB" >/dev/null 2>&1 || :
	# tcpdump lags behind under TCG: let it write the mark before it is stopped.
	wait_for "[ \$(marks_in $(cap_file "$1")) -ge $MARK_N ]" 10 || :
}
# gaps PCAP: "REPLIES GAP MARKS MARK_GAP": the phase's echo replies in PCAP, the longest
# time in ms between two of them, the mark's replies, and the time in ms from the last
# reply of the phase to the first of the mark.
gaps() {
	"$TCPDUMP" -Z root -tt -nn -r "$1" 2>/dev/null | awk -v mlen="length $((MARK_SIZE + 8))" '
		/echo reply/ && $0 ~ mlen "$" { if (!m++ && n) mg = $1 - p; next }
		/echo reply/ { t = $1 + 0; if (n++ && t - p > g) g = t - p; p = t }
		END { printf "%d %d %d %d\n", n, g * 1000, m, mg * 1000 }'
}
# judge_gaps PHASE PCAP RECEIVED: the capture holds the replies ping received (99 %: a
# reply tcpdump missed can only lengthen a gap) and measures the mark's pause; sets gap and
# captured (the replies in the capture, marks left out).
judge_gaps() {
	set -- "$1" "$2" "$3" $(gaps "$2")
	gap=$5
	captured=$4
	log "$1: $4 of $3 replies captured, longest gap $5 ms; mark: $6 replies, $7 ms after"
	echo "$1 replies_captured=$4 longest_gap_ms=$5 mark_replies=$6 mark_gap_ms=$7" \
		>>"$OUT/figures.txt"
	[ "$3" -gt 0 ] && [ "$(($4 * 100))" -ge "$(($3 * 99))" ] &&
		pass "$1: the capture holds $4 of the $3 echo replies ping received" ||
		fail "$1: the capture holds the echo replies ping received" "$4 of $3"
	[ "$6" -eq "$MARK_N" ] && [ "$7" -ge "$(awk -v p="$MARK_PAUSE" 'BEGIN { print p * 1000 }')" ] &&
		[ "$7" -ge 1000 ] &&
		pass "control: $1's gap measure finds the ${MARK_PAUSE} s pause before the mark ($7 ms, over the 1 s bound)" ||
		fail "control: $1's gap measure finds the ${MARK_PAUSE} s pause" "$6 mark replies, $7 ms"
}
# replies_cap_start NAME: capture the echo replies arriving at hostA.
replies_cap_start() {
	cap_start "$1" "$NS_HOSTA" "$HOST_DEV" icmp6 and 'ip6[40] == 129'
}

attacker_up() {
	atk_up "$CONTROL/64"
	# gwA treats gwB's /64 as on-link; the internet routes it to gwB instead.
	"$IP" -6 -n "$NS_GWA" -batch - <<-EOF
		route add $GWB_PREFIX via $(uplink_ll "$NS_GWB") dev $INET_DEV table 66
		rule add from $ATK_PREFIX table 66
	EOF
	wait_for "nsx $NS_ATK ping -6 -c 1 -W 1 $CONTROL" 10 ||
		die "attacker path" "$CONTROL does not answer the attacker"
}

mkdir -p /etc/mt6d
topo_up

# --- attacker ----------------------------------------------------------------------
if want attacker; then
	attacker_up
	start_both 10 1
	n=$(atk_probe "$CONTROL")
	[ "$n" -eq 3 ] && pass "control: $CONTROL (not hashed) answers all 3 probes" ||
		fail "control: $CONTROL answers all 3 probes" "$n of 3 answered"

	json=$(mt6d_astatus gwB --json)
	echo "$json" >"$OUT/attacker-status0.json"
	cur=$(echo "$json" | role_addr current)
	nxt=$(echo "$json" | role_addr next)
	# The most recently retired address (the one that lives longest in the set).
	ret=$(newest_retired gwB)
	log "gwB current $cur, next $nxt, retired $ret"
	echo "$json" | grep -q '"guard":{"table":"mt6d-gwB","installed":true' ||
		fail "gwB's guard table installed" "$json"
	[ -n "$cur" ] && [ -n "$nxt" ] && [ -n "$ret" ] ||
		die "attacker targets" "current '$cur' next '$nxt' retired '$ret'"
	nft_set gwB local | grep -qx "$cur" && nft_set gwB local | grep -qx "$nxt" &&
		pass "gwB's local set holds its current and next addresses" ||
		fail "gwB's local set holds current and next" "$(nft_set gwB local | tr '\n' ' ')"

	cap_start atk "$NS_ATK" eth0
	for target in current:$cur next:$nxt retired:$ret; do
		name=${target%%:*}
		addr=${target#*:}
		set -- $(guard_settle gwB) 0 0
		d0=$1 t0=$2
		n=$(atk_probe "$addr")
		set -- $(guard_settle gwB) 0 0
		d1=$1 t1=$2
		atk_verdict gwB "$name" "$addr" "$n" $((d1 - d0)) $((t1 - t0))
	done
	cap_stop atk
	atk_link_check 9

	set -- $(guard_counters gwB)
	mt6d_tstatus gwB >"$OUT/attacker-tunnel-status.txt" 2>&1 || :
	cat "$OUT/attacker-tunnel-status.txt"
	grep -q "^  drops:.* filter $1, tripwire $2" "$OUT/attacker-tunnel-status.txt" &&
		pass "mt6d-tunnel --status: drops filter $1, tripwire $2" ||
		fail "mt6d-tunnel --status shows filter $1 and tripwire $2" \
			"$(grep drops "$OUT/attacker-tunnel-status.txt")"
	mt6d_tstatus gwB --json | grep -q "\"filter\":$1,\"tripwire\":$2" &&
		pass "mt6d-tunnel --status --json: drops filter $1, tripwire $2" ||
		fail "mt6d-tunnel --status --json: drops" "$(mt6d_tstatus gwB --json)"
	# A clean stop, the tunnels first: then mt6d-addrmgr removes its addresses and
	# the table (while its tunnel runs it keeps both, see guardfail.sh).
	bg_stop gwA-tunnel || :
	bg_stop gwB-tunnel || :
	wait_for "grep -q 'exited; waiting' '$OUT/gwB-addrmgr.log'" 5 || :
	mt6d_stop gwA
	mt6d_stop gwB
	wait_for "! nsx gwB $NFT list table ip6 mt6d-gwB" 5 &&
		pass "guard table removed at a clean stop without the tunnel" ||
		fail "guard table removed at a clean stop without the tunnel" "mt6d-gwB still there"
fi

# --- flood: 1 s rotation under ping -i 0.01 and a paced TCP transfer ---------------------
if want flood || want asconf || want crash; then
	start_both 1 "$LIFETIME"
fi
ping_result() { # LOG: "SENT RECEIVED"
	echo "$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1") $(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$1")"
}

if want flood; then
	count=$((FLOOD_SECONDS * 100))
	chunks=$((FLOOD_SECONDS * 4))
	head -c $((chunks * 65536)) /dev/urandom >/tmp/src
	bg_start tcp-server "$NS_HOSTB" "$SOCAT" -u TCP6-LISTEN:5001,reuseaddr CREATE:/tmp/dst
	wait_for "nsx $NS_HOSTB $SS -Hltn | grep -q ':5001'" 10 || die "tcp server" "not listening"
	replies_cap_start flood
	rot0=$(mt6d_astatus_key gwA rotations)
	# 64 KiB every 0.25 s: about 256 KiB/s beside the pings, across every rotation.
	bg_start tcp-client "$NS_HOSTA" sh -c "i=0; while [ \$i -lt $chunks ]; do
		dd if=/tmp/src bs=65536 skip=\$i count=1 2>/dev/null; i=\$((i + 1)); sleep 0.25
		done | $SOCAT -u STDIN TCP6:[$HOSTB]:5001"
	nsx "$NS_HOSTA" ping -6 -c "$count" -i 0.01 -W 5 "$HOSTB" >"$OUT/flood-ping.log" 2>&1 || :
	rot=$(($(mt6d_astatus_key gwA rotations) - rot0))
	mark_replies flood
	wait_for "! bg_alive tcp-client" 120 || fail "paced transfer" "still running"
	bg_stop tcp-client || :
	wait_for "! bg_alive tcp-server" 30 || :
	bg_stop tcp-server || :
	cap_stop flood
	set -- $(ping_result "$OUT/flood-ping.log")
	sent=${1:-0} recv=${2:-0}
	judge_gaps flood "$(cap_file flood)" "$recv"
	# A reply ping missed but the capture at hostA holds arrived all the same (once, under
	# the sanitizers' slowdown, 6399 by ping's count and 6400 in the capture).
	[ "${captured:-0}" -le "$recv" ] || recv=$captured
	log "flood: $sent sent, $recv received across $rot rotations of gwA; longest gap ${gap} ms"
	echo "flood sent=$sent received=$recv rotations=$rot longest_gap_ms=$gap" >>"$OUT/figures.txt"
	[ "$sent" -eq "$count" ] && [ "$recv" -eq "$sent" ] && [ "$rot" -ge 60 ] &&
		pass "flood: $sent pings at 0.01 s across $rot rotations, none lost" ||
		fail "flood: pings at 0.01 s across >= 60 rotations, none lost" \
			"sent $sent received $recv rotations $rot"
	[ "$gap" -lt 1000 ] && pass "flood: longest gap between echo replies $gap ms" ||
		fail "flood: longest gap between echo replies below 1 s" "$gap ms"
	want_sum=$(sha256sum </tmp/src | cut -d' ' -f1)
	got_sum=$(sha256sum </tmp/dst | cut -d' ' -f1)
	log "transfer: $(wc -c </tmp/dst) of $(wc -c </tmp/src) bytes"
	[ "$want_sum" = "$got_sum" ] &&
		pass "flood: $(wc -c </tmp/src) byte TCP transfer across the rotations byte-identical" ||
		fail "flood: TCP transfer byte-identical" "$(wc -c </tmp/dst) of $(wc -c </tmp/src) bytes"
fi

# --- asconf: every ASCONF dropped on the path for 10 s --------------------------------------
failures() { mt6d_astatus "$1" --json | sed -n 's/.*"guard":{[^}]*"teardown_failures":\([0-9]*\).*/\1/p'; }
if want asconf; then
	f0a=$(failures gwA) f0b=$(failures gwB)
	cap_start asconf
	nsx "$NS_HOSTA" ping -6 -c 300 -i 0.1 -W 5 "$HOSTB" >"$OUT/asconf-ping.log" 2>&1 &
	pingpid=$!
	sleep 2
	nsx gwA "$NFT" -f - <<-EOF
		table inet asconf-drop {
			counter asconf { }
			chain in { type filter hook prerouting priority -400; sctp chunk asconf exists counter name asconf drop; }
			chain out { type filter hook output priority -400; sctp chunk asconf exists counter name asconf drop; }
		}
	EOF
	t_drop=$(now)
	log "ASCONF chunks dropped from now on"
	wait_for "[ \$(failures gwA) -gt $f0a ] && [ \$(failures gwB) -gt $f0b ]" 10 || :
	# The status says that rotation waits (first line ends in "stalled").
	wait_for "mt6d_astatus gwA | head -n 1 | grep -q ' stalled\$'" 5 && stalled=yes || stalled=no
	mt6d_astatus gwA >"$OUT/asconf-gwA-status.txt" || :
	sleep_left=$(awk -v t="$t_drop" -v n="$(now)" 'BEGIN { s = 10 - (n - t); print (s > 0 ? s : 0) }')
	sleep "$sleep_left"
	dropped=$(nsx gwA "$NFT" list counter inet asconf-drop asconf | sed -n 's/.*packets \([0-9]*\).*/\1/p')
	nsx gwA "$NFT" delete table inet asconf-drop
	e_undrop=$(date +%s)
	log "ASCONF drop over: $dropped packets dropped"
	f1a=$(failures gwA) f1b=$(failures gwB)
	echo "asconf dropped_packets=${dropped:-0} failures_gwA=$((f1a - f0a)) failures_gwB=$((f1b - f0b))" >>"$OUT/figures.txt"
	cat "$OUT/asconf-gwA-status.txt"
	[ "${dropped:-0}" -gt 0 ] && [ "$f1a" -gt "$f0a" ] && [ "$f1b" -gt "$f0b" ] &&
		pass "asconf: $dropped ASCONF packets dropped; teardown failures gwA +$((f1a - f0a)), gwB +$((f1b - f0b))" ||
		fail "asconf: ASCONFs dropped and teardown failures counted" \
			"dropped ${dropped:-0}, gwA $f0a -> $f1a, gwB $f0b -> $f1b"
	[ "$stalled" = yes ] && pass "asconf: gwA's status shows the rotation stalled" ||
		fail "asconf: gwA's status shows the rotation stalled" \
			"$(head -n 1 "$OUT/asconf-gwA-status.txt")"
	grep -q "held" "$OUT/asconf-gwA-status.txt" &&
		pass "asconf: gwA's status shows held addresses" ||
		fail "asconf: gwA's status shows held addresses" "$(cat "$OUT/asconf-gwA-status.txt")"
	grep -q 'no evidence yet that the peer sends' "$OUT/gwA-addrmgr.log" &&
		grep -q 'no evidence yet that the peer sends' "$OUT/gwB-addrmgr.log" &&
		pass "asconf: both gateways logged the missing evidence" ||
		fail "asconf: missing evidence logged on both gateways" "no log line"
	# Rotation resumes: the holds end and new addresses of both sides reach the wire.
	# released GW: GW's addrmgr answers, with no held address and no stall
	released() { _s=$(mt6d_astatus "$1") && ! echo "$_s" | grep -q 'held\| stalled$'; }
	wait_for "released gwA && released gwB" 20 &&
		pass "asconf: holds released and rotation no longer stalled after the drop" ||
		fail "asconf: holds released after the drop" "$(mt6d_astatus gwA | grep held)"
	wait "$pingpid" || :
	cap_stop asconf
	set -- $(ping_result "$OUT/asconf-ping.log")
	log "asconf: pings $1 sent, $2 received"
	echo "asconf pings_sent=$1 pings_received=$2" >>"$OUT/figures.txt"
	[ "$1" -eq 300 ] && [ "$2" -eq "$1" ] &&
		pass "asconf: all $1 pings answered across the drop" ||
		fail "asconf: pings answered across the drop" "sent $1 received $2"
	# Sources first seen on the wire after the drop: rotation resumed on both sides.
	"$TCPDUMP" -Z root -tt -nn -r "$(cap_file asconf)" 2>/dev/null >"$OUT/asconf-wire.txt"
	for side in A B; do
		eval prefix=\$GW${side}_PREFIX
		n=$(awk -v t="$e_undrop" -v net="${prefix%%::/64}:" '
			$2 == "IP6" && index($3, net) == 1 {
				s = $3; sub(/\.[0-9]+$/, "", s)
				if (!(s in first)) first[s] = $1
			}
			END { for (s in first) if (first[s] >= t + 1) n++; print n + 0 }' "$OUT/asconf-wire.txt")
		log "gw$side: $n source addresses first seen after the drop ended"
		echo "asconf gw${side}_new_sources_after=$n" >>"$OUT/figures.txt"
		[ "$n" -ge 3 ] && pass "asconf: rotation resumed, $n new gw$side addresses on the wire" ||
			fail "asconf: rotation of gw$side resumed" "$n new source addresses after the drop"
	done
fi

# --- crash: SIGKILL mid-rotation, 5 times ---------------------------------------------------
if want crash; then
	replies_cap_start crash
	nsx "$NS_HOSTA" ping -6 -c 400 -i 0.05 -W 5 "$HOSTB" >"$OUT/crash-ping.log" 2>&1 &
	pingpid=$!
	for i in 1 2 3 4 5; do
		# A random moment within a slot: 0.3 to 1.7 s after the previous restart.
		sleep "$(awk -v r="$(od -An -tu2 -N2 /dev/urandom)" 'BEGIN { printf "%.2f", 0.3 + (r % 140) / 100 }')"
		kill -KILL "$(bg_pid gwA-addrmgr)"
		log "crash $i: gwA's mt6d-addrmgr killed"
		wait "$(bg_pid gwA-addrmgr)" 2>/dev/null || :
		bg_start gwA-addrmgr gwA env RUNTIME_DIRECTORY="$(mt6d_runtime_dir gwA)" \
			"$MT6D_ADDRMGR" -c /etc/mt6d/gwA.conf -f -v
		wait_for "mt6d_astatus gwA >/dev/null" 5 || fail "crash $i: restart" "no status"
	done
	wait "$pingpid" || :
	mark_replies crash
	cap_stop crash
	set -- $(ping_result "$OUT/crash-ping.log")
	judge_gaps crash "$(cap_file crash)" "${2:-0}"
	set -- $(ping_result "$OUT/crash-ping.log")
	log "crash: pings $1 sent, $2 received; longest gap between replies $gap ms"
	echo "crash pings_sent=$1 pings_received=$2 longest_gap_ms=$gap" >>"$OUT/figures.txt"
	# The gap is measured between replies: the loss bound covers silence after the last one.
	# Five gaps below one interval lose at most 5 x 20 of the pings sent every 0.05 s.
	[ "$gap" -lt 1000 ] && [ "$1" -eq 400 ] && [ "$2" -ge $(($1 - 100)) ] &&
		pass "crash: 5 kills, longest gap between echo replies $gap ms (< 1 interval), $2 of $1 answered" ||
		fail "crash: tunnel interrupted for less than one interval" "gap $gap ms, $2 of $1 answered"
	# Exactly the expected state. The daemon is frozen (SIGSTOP) while the kernel is
	# read, so that uplink and table come from the same tick; 1 s slots move on fast.
	check_state() {
		kill -STOP "$(bg_pid gwA-addrmgr)"
		up=$(addrs gwA "$INET_DEV" | sort -u)
		loc=$(nft_set gwA local)
		ret=$(nft_set gwA retired)
		kill -CONT "$(bg_pid gwA-addrmgr)"
		cur=$(mt6d_astatus gwA --json | role_addr current)
		[ -n "$up" ] && [ "$up" = "$loc" ] || return 1
		for a in $ret; do echo "$up" | grep -qx "$a" && return 1; done
		echo "$up" | grep -qx "$cur" || return 1
		# plan (lifetime draining, current, next), the one kept a slot, those unbound in
		# the last 5 s (their grace on the uplink)
		[ "$(echo "$up" | wc -l)" -le $((LIFETIME + 2 + 1 + 5)) ]
	}
	if wait_for check_state 5; then
		pass "crash: uplink holds exactly the guard's local set ($(echo $up | wc -w) addresses), the current one among them, nothing retired"
	else
		fail "crash: uplink and guard sets agree" "uplink: $(echo $up) local: $(echo $loc) current: $cur"
	fi
	log "gwA: $(mt6d_astatus gwA | head -n 1)"
fi

mt6d_stop gwA
mt6d_stop gwB
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Faults during association hopping (1 s slots, one association per slot): each must heal by
# itself, leave nothing bound or listening behind, and show in --status.
#   kill-tunnel   SIGKILL of gwA's mt6d-tunnel (restarted at once, as systemd would)
#   kill-addrmgr  SIGKILL of gwA's mt6d-addrmgr, restarted 2 s later: no address is
#                 pre-armed meanwhile, so hops fail and the association in charge carries on
#   drop-init     every INIT dropped at gwB for 3 s (an nft rule): the hops fail, the old
#                 association carries on; the rule's counter shows INITs were dropped
# Around each: 100 pings/s from hostA to hostB; the longest gap between echo replies is
# reported and bounded; afterwards the hops resume (the hop counter moves on) and each
# gateway holds at most 4 listening SCTP sockets (draining, in charge, this epoch's, the
# next one's), none on a port from before the fault.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

INTERVAL=1
PING=/usr/local/bin/iputils-ping
# A restarted tunnel needs its endpoint, an association and a handshake; recovery.sh's
# restart bound applies.
KILL_BOUND=8
# The association in charge carries on: no more than a hop's own gap.
CARRY_BOUND=1

mkdir -p /etc/mt6d
for gw in gwA gwB; do
	sed -e "s/^interval = .*/interval = $INTERVAL/" -e "/^\[rotation\]/a association-slots = 1" \
		"$(mt6d_conf $gw)" >/etc/mt6d/$gw.conf
done
jnum() { json_num "$(mt6d_tstatus "$1" --json)" "$2"; }
# listeners GW: the ports of GW's listening SCTP sockets, one per line
listeners() { nsx "$1" "$SS" -Hln --sctp | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u; }
# ping_run NAME SECONDS: ping -D every 10 ms for SECONDS in the background
ping_run() {
	bg_start "$1" "$NS_HOSTA" "$PING" -6 -D -n -i 0.01 -W 2 -w "$2" "$HOSTB"
	wait_for "grep -q 'icmp_seq=' $OUT/$1.log" 10 || die "$1" "no reply before the fault"
}
# gap NAME: "longest_gap_s replies sent" of a finished ping_run
gap() {
	awk '/bytes from/ { t = substr($1, 2, length($1) - 2) + 0
			if (n++ && t - last > g) g = t - last
			last = t }
		/packets transmitted/ { sent = $1 }
		END { printf "%.3f %d %d\n", g, n, sent }' "$OUT/$1.log"
}
# after_fault NAME BOUND PORTS_BEFORE: the checks every fault ends with
after_fault() {
	wait_for "! bg_alive $1" 30 || :
	# shellcheck disable=SC2046
	set -- "$1" "$2" "$3" $(gap "$1")
	log "$1: longest gap between replies $4 s, $5 of $6 answered"
	echo "$1 longest_gap_s=$4 replies=$5 sent=$6" >>"$OUT/figures.txt"
	if [ "${6:-0}" -gt 0 ] && awk -v g="$4" -v b="$2" 'BEGIN { exit !(g > 0 && g < b) }'; then
		pass "$1: longest gap between echo replies $4 s (bound $2 s), $5 of $6 answered"
	else
		fail "$1: traffic carried on or resumed within $2 s" "gap $4 s, $5 of $6 answered"
	fi
	h=$(jnum gwA hops)
	if wait_for "[ \$(jnum gwA hops) -ge $((h + 3)) ]" 10; then
		pass "$1: hops resume ($(jnum gwA hops) in all on gwA)"
	else
		fail "$1: hops resume" "$(mt6d_tstatus gwA)"
	fi
	for gw in gwA gwB; do
		now=$(listeners $gw)
		n=$(echo "$now" | grep -c . || :)
		stale=$(echo "$now" | grep -Fxf "$OUT/$3-$gw.txt" || :)
		if [ "$n" -ge 1 ] && [ "$n" -le 4 ] && [ -z "$stale" ]; then
			pass "$1: $gw listens on $n SCTP socket(s), none from before the fault"
		else
			fail "$1: $gw listens on at most 4 SCTP sockets, none from before" \
				"$(echo "$now" | tr '\n' ' ')(before: $(tr '\n' ' ' <"$OUT/$3-$gw.txt"))"
		fi
	done
}
save_listeners() { # NAME
	for gw in gwA gwB; do listeners $gw >"$OUT/$1-$gw.txt"; done
}

topo_up
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf
mt6d_wait_up
wait_for "[ \$(jnum gwA hops) -ge 3 ]" 20 || die "hopping" "$(mt6d_tstatus gwA)"
pass "hopping: $(jnum gwA hops) hops on gwA"
# The control for the listener check: it does see the tunnel's sockets.
n=$(listeners gwA | grep -c . || :)
if [ "$n" -ge 1 ]; then
	pass "control: gwA listens on $n SCTP socket(s) while hopping"
else
	fail "control: the listener check sees gwA's sockets" "none"
fi

# --- SIGKILL of the tunnel ---------------------------------------------------------------
save_listeners kill-tunnel
ping_run kill-tunnel 12
sleep 2
kill -KILL "$(bg_pid gwA-tunnel)"
wait "$(bg_pid gwA-tunnel)" 2>/dev/null || :
log "kill-tunnel: gwA's mt6d-tunnel killed"
bg_start gwA-tunnel gwA env RUNTIME_DIRECTORY="$(mt6d_runtime_dir gwA)" \
	"$MT6D_TUNNEL" -c /etc/mt6d/gwA.conf -f -v
sleep 8
after_fault kill-tunnel $KILL_BOUND kill-tunnel

# --- SIGKILL of addrmgr --------------------------------------------------------------------
save_listeners kill-addrmgr
f0=$(jnum gwA hop_failures)
ping_run kill-addrmgr 10
sleep 2
kill -KILL "$(bg_pid gwA-addrmgr)"
wait "$(bg_pid gwA-addrmgr)" 2>/dev/null || :
log "kill-addrmgr: gwA's mt6d-addrmgr killed"
sleep 2
bg_start gwA-addrmgr gwA env RUNTIME_DIRECTORY="$(mt6d_runtime_dir gwA)" \
	"$MT6D_ADDRMGR" -c /etc/mt6d/gwA.conf -f -v
after_fault kill-addrmgr $CARRY_BOUND kill-addrmgr
f1=$(jnum gwA hop_failures)
log "kill-addrmgr: gwA hop failures $f0 -> $f1"

# --- INITs dropped on the wire -----------------------------------------------------------------
save_listeners drop-init
fa0=$(jnum gwA hop_failures)
fb0=$(jnum gwB hop_failures)
ping_run drop-init 10
sleep 2
nsx gwB "$NFT" -f - <<EOF
table ip6 hopfault {
	chain pre {
		type filter hook prerouting priority -400; policy accept;
		sctp chunk init exists counter drop
	}
}
EOF
sleep 3
dropped=$(nsx gwB "$NFT" list table ip6 hopfault | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
nsx gwB "$NFT" delete table ip6 hopfault
log "drop-init: $dropped INIT(s) dropped at gwB in 3 s"
after_fault drop-init $CARRY_BOUND drop-init
fa1=$(jnum gwA hop_failures)
fb1=$(jnum gwB hop_failures)
if [ "${dropped:-0}" -ge 1 ] && [ "$fa1" -gt "$fa0" ] && [ "$fb1" -gt "$fb0" ]; then
	pass "drop-init: $dropped INITs dropped; hop failures counted: gwA $fa0 -> $fa1, gwB $fb0 -> $fb1"
else
	fail "drop-init: INITs dropped and the failed hops counted on both sides" \
		"dropped ${dropped:-0}, gwA $fa0 -> $fa1, gwB $fb0 -> $fb1"
fi
st=$(mt6d_tstatus gwA)
echo "$st" >"$OUT/status-gwA.txt"
echo "$st" | grep -Eq "[1-9][0-9]* slots with a hop that did not complete" &&
	pass "--status shows the failed hops: $(echo "$st" | grep 'hops:' | sed 's/^ *//')" ||
	fail "--status shows the failed hops" "$st"
grep -q "did not complete within its slot" "$OUT/gwA-tunnel.log" &&
	pass "the tunnel logged the failed hop" ||
	fail "the tunnel logged the failed hop" "$(tail -n 5 "$OUT/gwA-tunnel.log")"

mt6d_stop gwA
mt6d_stop gwB
finish

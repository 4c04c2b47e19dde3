#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Recovery without a manual step, with the outage measured.
#
#  hostA ── gwA ══ (veth "internet") ══ gwB ── hostB
#   ping -D every 10 ms, hostA -> hostB, all along
#
# 1. gwB's mt6d-tunnel is killed with SIGKILL and started again at once (its
#    addrmgr and gwA are left alone): the tunnel re-establishes itself and the
#    longest gap between two ping replies stays under RESTART_BOUND seconds.
# 2. The internet link goes down for 5 s (gwA's end of the veth, so both ends lose
#    carrier and gwA's uplink loses its addresses) and comes back: traffic resumes
#    and the longest gap stays under LINK_BOUND seconds (the 5 s outage included).
# Each outage's longest gap, and the replies lost, are logged as "outage: ..." lines.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

RESTART_BOUND=${RESTART_BOUND:-8}
LINK_BOUND=${LINK_BOUND:-12}
PING=/usr/local/bin/iputils-ping

mkdir -p "$MT6D_ETC"
for gw in gwA gwB; do
	sed "s/^interval = .*/interval = 30/" "$(mt6d_conf $gw)" >"$MT6D_ETC/$gw.conf"
done
authed_n() { grep -c 'peer proved the key' "$OUT/$1-tunnel.log" || :; }

topo_up
mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
wait_for '[ $(authed_n gwA) -ge 1 ] && [ $(authed_n gwB) -ge 1 ]' 60 ||
	die "tunnel up" "$(tail -n 3 "$OUT/gwA-tunnel.log" "$OUT/gwB-tunnel.log")"
wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 || die "first ping" "no answer"
pass "tunnel up"

# ping_start NAME SECONDS: ping -D every 10 ms for SECONDS, replies in $OUT/NAME.log
ping_start() {
	bg_start "$1" "$NS_HOSTA" "$PING" -6 -D -n -i 0.01 -W 2 -w "$2" "$HOSTB"
	wait_for "grep -q 'icmp_seq=' $OUT/$1.log" 10 || die "$1" "no reply before the outage"
}
# gap NAME: "longest_gap_s replies sent" from ping -D's timestamps
gap() {
	awk '/bytes from/ { t = substr($1, 2, length($1) - 2) + 0
			if (n++ && t - last > g) { g = t - last; at = last }
			last = t }
		/packets transmitted/ { sent = $1 }
		END { printf "%.3f %d %d\n", g, n, sent }' "$OUT/$1.log"
}
# report NAME WHAT BOUND
report() {
	set -- "$1" "$2" "$3" $(gap "$1")
	log "outage: $2: longest gap between replies $4 s; $5 of $6 replies received"
	echo "$2 longest_gap_s=$4 replies=$5 sent=$6" >>"$OUT/outages.txt"
	if [ "${6:-0}" -gt 0 ] && [ "${5:-0}" -gt 0 ] &&
		awk -v g="$4" -v b="$3" 'BEGIN { exit !(g > 0 && g < b) }'; then
		pass "$2: traffic resumed, longest gap $4 s (bound $3 s)"
	else
		fail "$2: traffic resumes within $3 s" "longest gap $4 s, $5 of $6 replies"
	fi
}

# --- 1. peer tunnel SIGKILLed and restarted ------------------------------------------------
n0=$(authed_n gwA)
ping_start ping-restart 20
sleep 2
rt=$(mt6d_runtime_dir gwB)
bg_stop gwB-tunnel KILL || :
log "gwB tunnel killed; starting it again"
bg_start gwB-tunnel gwB env RUNTIME_DIRECTORY="$rt" "$MT6D_TUNNEL" -c "$MT6D_ETC/gwB.conf" -f -v
wait_for "[ \$(authed_n gwA) -gt $n0 ]" 30 || fail "new session after the restart" \
	"$(tail -n 5 "$OUT/gwA-tunnel.log")"
wait_for "! bg_alive ping-restart" 40 || :
bg_stop ping-restart || :
report ping-restart "peer tunnel SIGKILLed and restarted" "$RESTART_BOUND"

# --- 2. internet link down for 5 s ------------------------------------------------------------
ping_start ping-link 25
sleep 2
log "internet link down"
"$IP" -n gwA link set "$INET_DEV" down
sleep 5
"$IP" -n gwA link set "$INET_DEV" up
log "internet link up"
wait_for "! bg_alive ping-link" 40 || :
bg_stop ping-link || :
report ping-link "internet link down 5 s" "$LINK_BOUND"
grep -h 'association' "$OUT/gwA-tunnel.log" | tail -n 4

for gw in gwA gwB; do
	mt6d_tstatus "$gw" >"$OUT/$gw-status.txt" 2>&1 || :
done
mt6d_stop gwA
mt6d_stop gwB
finish

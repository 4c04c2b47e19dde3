#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Association hopping on the wire and under traffic: 1 s slots, one association per slot
# ([rotation] association-slots = 1), so every slot brings new SCTP ports on both ends, new
# verification tags and TSNs, a new handshake and keys, and the slot's address only.
#
#  hostA ── gwA ══ (veth "internet", captured) ══ gwB ── hostB
#
# Checks, all on one capture of the internet link:
#   - 100 pings/s for >= 12 hops: none lost; the longest gap between echo replies is
#     reported and must stay below one slot;
#   - a TCP transfer spanning the hops arrives byte-identical;
#   - linkcheck (test/vm/helpers): for each gateway, the largest set of hashed addresses one
#     port pair, verification tag or heartbeat clock ties together is at most
#     association-slots + lifetime + 1, while the capture holds >= 10 addresses of it; no
#     two consecutive associations share a port pair or a tag; no association's TSNs go on
#     from the one before it;
#   - both tunnels count the hops in --status, with the epoch, the ports and the next hop;
#   - the guard takes SCTP on the live associations' port pairs only: an INIT from a
#     stranger (namespace "attacker", linked to gwA) on the port pair of an association
#     three hops old trips gwA's tripwire (the pings above show the live pairs pass). Its
#     control: the same INIT on [tunnel] port, a pair no association used, is dropped
#     without tripping it.
# Positive control in the same run: the first phase runs with hopping off, and linkcheck must
# find one identifier tying every address of that capture together.
# A last phase runs four slots per association (addresses rotate by ASCONF inside each):
# ports and tags tie at most 4 + lifetime + 1 addresses; the heartbeats' clock, which the
# kernel needs there, is reported.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

INTERVAL=1
LIFETIME=3
SLOTS=1
BOUND=$((SLOTS + LIFETIME + 1))
PINGS=1500
TRANSFER_MB=30
PING=/usr/local/bin/iputils-ping

# conf_for GW HOPPING: the shipped config with 1 s slots, hopping on (association-slots) or off
conf_for() {
	sed -e "s/^interval = .*/interval = $INTERVAL/" -e "s/^lifetime = .*/lifetime = $LIFETIME/" \
		-e "/^\[rotation\]/a association-slots = $2" "$(mt6d_conf "$1")" >"/etc/mt6d/$1.conf"
}
hops() { json_num "$(mt6d_tstatus "$1" --json)" hops; }
hop_failures() { json_num "$(mt6d_tstatus "$1" --json)" hop_failures; }

# linkcheck_phase NAME: linkcheck on capture NAME, its report in $OUT/linkcheck-NAME.txt
# SPLIT (optional): linkcheck -s SPLIT, report in $OUT/linkcheck-NAME-split.txt
linkcheck_phase() {
	_f=$OUT/linkcheck-$1${2:+-split}.txt
	"$LINKCHECK" ${2:+-s "$2"} "$(cap_file "$1")" "$GWA_PREFIX" "$GWB_PREFIX" >"$_f" ||
		fail "linkcheck on $1" "failed"
	cat "$_f"
}
# assocs_line FILE: linkcheck's "associations ..." line as "NA NT NP NC"
assocs_line() { awk '$1 == "associations" { print $2, $4, $6, $8 }' "$1"; }
# atk_init NAME SPORT DPORT: an SCTP INIT from the attacker to gwA's current address (read
# just before: with 1 s slots it is retired a few seconds later), SPORT to DPORT, traced
# through gwA's nf_tables (nft monitor trace, $OUT/trace-NAME.log: the tripwire also counts
# other hosts' neighbour solicitations to retired addresses, the trace only the
# attacker's packets). Prints the address and how many of the attacker's packets the
# guard's retired-ports rule dropped and how many its last rule: "ADDR TRIPPED DROPPED"
atk_init() {
	_cur=$(mt6d_astatus gwA --json | role_addr current)
	bg_start "trace-$1" "$NS_GWA" "$NFT" monitor trace >&2
	sleep 0.5
	nsx "$NS_ATK" "$SOCAT" -u /dev/null \
		"SCTP6-CONNECT:[$_cur]:$3,bind=[$ATK]:$2,connect-timeout=1" >/dev/null 2>&1 || :
	sleep 0.5
	bg_stop "trace-$1" >&2 || :
	_v=$(grep "ip6 mt6d-gwA guard rule" "$OUT/trace-$1.log" | grep '(verdict drop)' || :)
	echo "$_cur $(echo "$_v" | grep -c '@retired-ports counter name "tripwire"') $(echo "$_v" |
		grep -c 'guard rule ip6 daddr @local counter name "dropped"')"
}

mkdir -p /etc/mt6d
topo_up
atk_up 2001:db8:67::1/64
# The attacker's packets are traced (atk_init), before the guard's chain sees them.
nsx "$NS_GWA" "$NFT" -f - <<-EOF
	table ip6 mt6d-test-trace {
		chain c {
			type filter hook prerouting priority -350;
			ip6 saddr $ATK meta nftrace set 1
		}
	}
EOF

# --- control: hopping off, every address tied together --------------------------------------
conf_for gwA off
conf_for gwB off
cap_start off
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf
mt6d_wait_up "hopping off"
nsx "$NS_HOSTA" ping -6 -c 80 -i 0.1 -W 2 "$HOSTB" >"$OUT/ping-off.log" 2>&1 || :
cap_stop off
mt6d_stop gwA
mt6d_stop gwB
linkcheck_phase off
grep '^2001' "$OUT/linkcheck-off.txt" >"$OUT/lc-off-prefixes.txt"
while read -r prefix _ n _ tied _; do
	if [ "$n" -ge 6 ] && [ "$tied" -eq "$n" ]; then
		pass "control, hopping off: one identifier ties all $n addresses of $prefix"
	else
		fail "control, hopping off: linkcheck ties every address of $prefix" \
			"$(cat "$OUT/linkcheck-off.txt")"
	fi
done <"$OUT/lc-off-prefixes.txt"
# The continuity check's control: the one association cut in two halves at 4 s, as if it
# had hopped there, must show a shared tag and continued TSNs in both directions.
linkcheck_phase off 4
# shellcheck disable=SC2046
set -- $(assocs_line "$OUT/linkcheck-off-split.txt")
if [ "${1:-0}" -eq 2 ] && [ "${2:-0}" -ge 1 ] && [ "${4:-0}" -eq 2 ]; then
	pass "control: one association cut in two shows $2 shared tag(s) and $4 continued TSN sequences"
else
	fail "control: linkcheck sees what continues across a cut" "$(cat "$OUT/linkcheck-off-split.txt")"
fi
# The next phase starts on fresh addresses: the old ones' lifetimes run out first.
sleep $((LIFETIME + 2))

# --- hopping on ------------------------------------------------------------------------------
conf_for gwA $SLOTS
conf_for gwB $SLOTS
cap_start on
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf
mt6d_wait_up "hopping on"
h0=$(hops gwA)

# The guard on ports: an association's pair once it is retired (its epoch out of the
# candidates of the slots from two ago to the next: 4 slots on) and while it is still
# within the tripwire's 8 slots. Hops that fail on a loaded machine can push the first
# try past that window; the next association is tried then (3 tries).
aslot() { json_num "$(mt6d_astatus gwA --json)" slot; }
tries=0 probed=0
while [ $tries -lt 3 ] && [ $probed -eq 0 ]; do
	tries=$((tries + 1))
	st=$(mt6d_tstatus gwA --json)
	old_epoch=$(json_num "$st" epoch)
	old_local=$(json_num "$st" local_port)
	old_peer=$(json_num "$st" peer_port)
	wait_for "[ \$(json_num \"\$(mt6d_tstatus gwA --json)\" epoch) -gt ${old_epoch:-0} ] &&
		[ \$(aslot) -ge $((${old_epoch:-0} + 4)) ]" 20 || continue
	s0=$(aslot)
	[ "${s0:-99}" -le $((${old_epoch:-0} + 7)) ] || continue
	# shellcheck disable=SC2046
	set -- $(atk_init retired "$old_peer" "$old_local")
	s1=$(aslot)
	[ "${s1:-99}" -le $((${old_epoch:-0} + 9)) ] && probed=1
done
log "INIT to ${1:-?} on the pair $old_peer to $old_local of epoch $old_epoch in slots $s0-$s1" \
	"(try $tries): tripwire rule ${2:-?}, last rule ${3:-?}"
if [ $probed -eq 1 ] && [ "${old_local:-0}" -gt 0 ] && [ "${2:-0}" -ge 1 ] && [ "${3:-1}" -eq 0 ]; then
	pass "a stranger's INIT on a retired association's ports ($old_peer to $old_local) trips the wire ($2 packet(s))"
else
	fail "a stranger's INIT on a retired association's ports trips the wire" \
		"ports ${old_peer:-?} to ${old_local:-?} of epoch ${old_epoch:-?}, probed in slots" \
		"${s0:-?}-${s1:-?} (in window: $probed): tripwire rule ${2:-?}, last rule ${3:-?}"
fi
# shellcheck disable=SC2046
set -- $(atk_init unused 7861 7861)
log "INIT to $1 on 7861 to 7861: tripwire rule $2, last rule $3"
if [ "${2:-1}" -eq 0 ] && [ "${3:-0}" -ge 1 ]; then
	pass "control: an INIT on ports no association used is dropped by the last rule ($3), not tripped"
else
	fail "control: an INIT on unused ports is dropped, not tripped" \
		"tripwire rule ${2:-?}, last rule ${3:-?}"
fi
h0=$(hops gwA)

nsx "$NS_HOSTA" "$PING" -6 -D -n -c "$PINGS" -i 0.01 -W 2 "$HOSTB" >"$OUT/ping-on.log" 2>&1 &&
	prc=0 || prc=$?
# shellcheck disable=SC2046
set -- $(ping_figures "$OUT/ping-on.log")
sent=$1 recv=$2 gap=$4
nhops=$(($(hops gwA) - ${h0:-0}))
log "pings: $sent sent, $recv received across $nhops hops; longest gap between replies ${gap} s"
if [ "${sent:-0}" -eq "$PINGS" ] && [ "${recv:-0}" -eq "$PINGS" ] && [ "$nhops" -ge 12 ]; then
	pass "$PINGS pings at 100/s across $nhops hops, none lost"
else
	fail "$PINGS pings across >= 12 hops, none lost" \
		"sent ${sent:-?}, received ${recv:-?}, $nhops hops (ping status $prc)"
fi
if awk -v g="$gap" -v s="$INTERVAL" 'BEGIN { exit !(g > 0 && g < s) }'; then
	pass "longest gap between echo replies ${gap} s, below one slot ($INTERVAL s)"
else
	fail "longest gap between echo replies below one slot" "${gap} s"
fi

# After the pings, not beside them: a ping lost to the transfer's congestion says nothing
# about hopping. The transfer is large enough to span several hops.
head -c $((TRANSFER_MB * 1024 * 1024)) /dev/urandom >/tmp/src
bg_start tcp-server "$NS_HOSTB" "$SOCAT" -u TCP6-LISTEN:5001,reuseaddr CREATE:/tmp/dst
wait_for "nsx $NS_HOSTB $SS -Hltn | grep -q ':5001'" 10 || die "tcp server" "not listening"
h1=$(hops gwA)
bg_start tcp-client "$NS_HOSTA" "$SOCAT" -u OPEN:/tmp/src "TCP6:[$HOSTB]:5001"
if wait_for "! bg_alive tcp-client" 120; then
	bg_stop tcp-client || :
	wait_for "! bg_alive tcp-server" 30 || :
	bg_stop tcp-server || :
else
	mt6d_tstatus gwA >"$OUT/stall-gwA.txt" 2>&1 || :
	mt6d_tstatus gwB >"$OUT/stall-gwB.txt" 2>&1 || :
	fail "tcp transfer" "did not finish in 120 s: $(stat -c %s /tmp/dst) bytes; $(cat "$OUT/stall-gwA.txt")"
	bg_stop tcp-client || :
	bg_stop tcp-server || :
fi
thops=$(($(hops gwA) - ${h1:-0}))
want=$(sha256sum </tmp/src | cut -d' ' -f1)
got=$(sha256sum </tmp/dst | cut -d' ' -f1)
log "transfer: $(wc -c </tmp/dst) of $(wc -c </tmp/src) bytes across $thops hops"
if [ "$want" = "$got" ] && [ "$thops" -ge 3 ]; then
	pass "$TRANSFER_MB MB TCP transfer across $thops hops byte-identical"
else
	fail "$TRANSFER_MB MB TCP transfer across >= 3 hops byte-identical" \
		"sha256 $got != $want or $thops hops"
fi

for gw in gwA gwB; do
	st=$(mt6d_tstatus $gw)
	echo "$st" >"$OUT/status-$gw.txt"
	if echo "$st" | grep -Eq 'association hopping: epoch [0-9]+, port [0-9]+ to [0-9]+, next hop in'; then
		pass "$gw --status: $(echo "$st" | grep 'association hopping:' | sed 's/^ *//')"
	else
		fail "$gw --status shows the epoch, ports and next hop" "$st"
	fi
	log "$gw: $(hops $gw) hops, $(hop_failures $gw) slots with a failed hop"
done
cap_stop on

# --- what the wire saw ---------------------------------------------------------------------
linkcheck_phase on
grep '^2001' "$OUT/linkcheck-on.txt" >"$OUT/lc-on-prefixes.txt"
while read -r prefix _ n _ tied _ _ _ _ _ _ _ hb; do
	if [ "$n" -ge 10 ] && [ "$tied" -le "$BOUND" ]; then
		pass "hopping: one identifier ties at most $tied of the $n addresses of $prefix (bound $BOUND; heartbeat clock $hb)"
	else
		fail "hopping: one identifier ties at most $BOUND addresses of $prefix, of >= 10" \
			"$(cat "$OUT/linkcheck-on.txt")"
	fi
done <"$OUT/lc-on-prefixes.txt"
[ "$(wc -l <"$OUT/lc-on-prefixes.txt")" -eq 2 ] ||
	fail "linkcheck reports both prefixes" "$(cat "$OUT/linkcheck-on.txt")"
# shellcheck disable=SC2046
set -- $(assocs_line "$OUT/linkcheck-on.txt")
if [ "${1:-0}" -ge 12 ] && [ "${2:-1}" -eq 0 ] && [ "${4:-1}" -eq 0 ]; then
	pass "$1 associations on the wire: no two consecutive share a tag or a TSN sequence ($3 share a port by chance)"
else
	fail "consecutive associations share no tag and no TSN sequence" "$(cat "$OUT/linkcheck-on.txt")"
fi

mt6d_stop gwA
mt6d_stop gwB

# --- four slots per association ---------------------------------------------------------------
# Addresses rotate by ASCONF inside each association; the kernel keeps its heartbeats to
# confirm them, and their clock is reported, not bounded (README: only one slot per
# association leaves nothing that continues).
sleep $((LIFETIME + 2))
conf_for gwA 4
conf_for gwB 4
cap_start four
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf
mt6d_wait_up "four slots per association"
h0=$(hops gwA)
nsx "$NS_HOSTA" "$PING" -6 -n -c 160 -i 0.1 -W 2 "$HOSTB" >"$OUT/ping-four.log" 2>&1 || :
recv=$(sed -n "s/.* \([0-9]*\) received.*/\1/p" "$OUT/ping-four.log")
nhops=$(($(hops gwA) - ${h0:-0}))
cap_stop four
mt6d_stop gwA
mt6d_stop gwB
if [ "${recv:-0}" -eq 160 ] && [ "$nhops" -ge 2 ]; then
	pass "four slots per association: 160 pings across $nhops hops, none lost"
else
	fail "four slots per association: 160 pings across >= 2 hops, none lost" \
		"${recv:-0} received, $nhops hops"
fi
linkcheck_phase four
grep '^2001' "$OUT/linkcheck-four.txt" >"$OUT/lc-four-prefixes.txt"
while read -r prefix _ n _ _ _ byports _ _ bytag _ _ hb; do
	if [ "$n" -ge 8 ] && [ "$byports" -le $((4 + LIFETIME + 1)) ] &&
		[ "$bytag" -le $((4 + LIFETIME + 1)) ]; then
		pass "four slots per association: a port pair ties at most $byports, a tag $bytag of the $n addresses of $prefix (bound $((4 + LIFETIME + 1))); the heartbeat clock ties $hb"
	else
		fail "four slots per association: ports and tags tie at most $((4 + LIFETIME + 1)) addresses of $prefix, of >= 8" \
			"$(cat "$OUT/linkcheck-four.txt")"
	fi
done <"$OUT/lc-four-prefixes.txt"
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# A stranger's association must not displace the authenticated one, nor get its addresses
# admitted by the guard.  While the tunnel is up and hostA pings hostB, an intruder on
# gwA's side of the path (sctp_intruder, in gwA's namespace) opens an association to gwB's
# current hashed address from gwA's next hashed address and the tunnel's port: the guard
# admits it (both addresses are in its sets), SCTP-AUTH is offered and required on the
# chunk types mt6d requires, and its INIT also lists STRANGER, an address that belongs to
# no tunnel.
#
#  hostA ── gwA ══ (veth "internet") ══ gwB ── hostB
#           intruder: [gwA next]:7861 + STRANGER -> [gwB current]:7861
#
# 1. Without the tunnel's SCTP-AUTH key the intruder's COOKIE-ECHO (which gwB requires
#    behind AUTH) is discarded: no association comes up, gwB counts none and logs nothing.
# 2. With the SCTP-AUTH key (sctp_intruder -k: derived from the PSK, the model of an
#    attacker who got that key alone) but not the PSK: the association comes up (positive
#    control for 1), gwB takes it as a candidate (logged), keeps the association in charge
#    (same id, no "down"), aborts the candidate after the handshake deadline and counts it
#    (unproven); every ping is answered; the guard's peer set holds gwA's current address
#    (control) and never STRANGER.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require
[ -x "$INTRUDER" ] || die "intruder" "$INTRUDER not in the initramfs (build test/vm/helpers)"

STRANGER=2001:db8:1:1::bad
INTERVAL=600
# The test takes under 60 s: start it where no slot boundary falls inside (slots are
# counted from the epoch), or the intruder's "next" address would become gwA's own.
left=$((INTERVAL - $(date +%s) % INTERVAL))
if [ "$left" -lt 90 ]; then
	log "waiting $((left + 1)) s for the next slot, so that none begins during the test"
	sleep $((left + 1))
fi
mkdir -p "$MT6D_ETC"
for gw in gwA gwB; do
	# Long slots: the next address stays next, the current one current, for the whole test.
	sed "s/^interval = .*/interval = $INTERVAL/" "$(mt6d_conf $gw)" >"$MT6D_ETC/$gw.conf"
done

topo_up
"$IP" -n "$NS_GWA" addr add "$STRANGER/128" dev "$INET_DEV" nodad
mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
wait_for "mt6d_authed gwA && mt6d_authed gwB" 60 || die "tunnel up" "not authenticated"
wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 || die "tunnel carries" "no ping answered"

assoc_id() { mt6d_tstatus gwB --json | grep -o '"association":{"id":[0-9]*' | grep -o '[0-9]*$'; }
peer_set() { nsx "$NS_GWB" "$NFT" list set ip6 mt6d-gwB peer; }
unproven() { json_num "$(mt6d_tstatus gwB --json)" unproven; }
id0=$(assoc_id)
gwb_cur=$(mt6d_astatus gwB --json | role_addr current)
gwa_cur=$(mt6d_astatus gwA --json | role_addr current)
gwa_next=$(mt6d_astatus gwA --json | role_addr next)
log "in charge on gwB: association $id0; intruder [$gwa_next]:7861 -> [$gwb_cur]:7861"
[ -n "$id0" ] && [ -n "$gwb_cur" ] && [ -n "$gwa_next" ] || die "addresses" "status incomplete"

associations() { json_num "$(mt6d_tstatus gwB --json)" associations; }
n0=$(associations)
nsx "$NS_GWA" "$INTRUDER" "$gwa_next" "$gwb_cur" 7861 2 "$STRANGER" >"$OUT/intruder-nokey.log" 2>&1 || :
log "intruder without the key: $(cat "$OUT/intruder-nokey.log")"
n1=$(associations)
grep -q '^refused' "$OUT/intruder-nokey.log" && [ "$n1" = "$n0" ] &&
	! grep -q 'a candidate' "$OUT/gwB-tunnel.log" &&
	pass "without the SCTP-AUTH key no association comes up (gwB: $n0 associations before and after, no candidate)" ||
	fail "without the SCTP-AUTH key no association comes up" \
		"$(cat "$OUT/intruder-nokey.log"); associations $n0 -> $n1; $(grep 'candidate' "$OUT/gwB-tunnel.log" | head -n 2)"

PING=/usr/local/bin/iputils-ping
nsx "$NS_HOSTA" "$PING" -6 -c 100 -i 0.1 -W 2 "$HOSTB" >"$OUT/ping.log" 2>&1 &
ping_pid=$!
sleep 1
nsx "$NS_GWA" "$INTRUDER" -k "$MT6D_ETC/gwA.conf" "$gwa_next" "$gwb_cur" 7861 8 "$STRANGER" >"$OUT/intruder.log" 2>&1 &
intruder_pid=$!
# While the intruder's association lives, the guard's peer set is watched every 0.25 s.
stranger_seen=0 control_seen=0
for _i in $(seq 1 28); do
	set_now=$(peer_set 2>/dev/null || :)
	case $set_now in *"$STRANGER"*) stranger_seen=$((stranger_seen + 1)) ;; esac
	case $set_now in *"$gwa_cur"*) control_seen=$((control_seen + 1)) ;; esac
	sleep 0.25
done
wait "$intruder_pid" || :
wait "$ping_pid" || :
log "intruder: $(cat "$OUT/intruder.log")"

grep -q connected "$OUT/intruder.log" &&
	pass "with the SCTP-AUTH key the intruder's association came up (the guard admitted it)" ||
	fail "the intruder's association came up" "$(cat "$OUT/intruder.log")"
grep -q 'a candidate' "$OUT/gwB-tunnel.log" &&
	pass "gwB took it as a candidate (the forgery reached the tunnel)" ||
	fail "gwB took it as a candidate" "$(tail -n 5 "$OUT/gwB-tunnel.log")"
wait_for '[ "$(unproven)" -ge 1 ]' 10 &&
	pass "gwB aborted the unproven candidate and counted it" ||
	fail "gwB counted the unproven candidate" "$(mt6d_tstatus gwB --json)"
id1=$(assoc_id)
[ "$id1" = "$id0" ] && ! grep -q "association $id0 down" "$OUT/gwB-tunnel.log" &&
	pass "association $id0 stayed in charge throughout" ||
	fail "association $id0 stayed in charge" "now $id1; $(grep -E 'down|replace' "$OUT/gwB-tunnel.log" | head -n 3)"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$OUT/ping.log")
recv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$OUT/ping.log")
[ "${sent:-0}" -eq 100 ] && [ "${recv:-0}" -eq 100 ] &&
	pass "100 of 100 pings answered across the intrusion" ||
	fail "every ping answered across the intrusion" "sent ${sent:-?} received ${recv:-?}"
[ "$control_seen" -gt 0 ] && [ "$stranger_seen" -eq 0 ] &&
	pass "guard's peer set: gwA's current address in $control_seen of 28 looks, STRANGER in none" ||
	fail "guard's peer set never admits STRANGER" \
		"STRANGER in $stranger_seen, gwA's current address in $control_seen of 28 looks"
echo "id=$id0 stranger_seen=$stranger_seen control_seen=$control_seen sent=$sent recv=$recv" \
	>"$OUT/figures.txt"
mt6d_stop gwA
mt6d_stop gwB
finish

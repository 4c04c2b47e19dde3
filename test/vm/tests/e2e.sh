#!/bin/sh
# SPDX-License-Identifier: MIT
#
# End to end: two gateways carry hostA <-> hostB traffic over one SCTP
# association while their hashed addresses rotate every 2 s.
#
#  hostA ── gwA ══ (veth "internet", hashed addresses only) ══ gwB ── hostB
#  fd00:a::2        mt6d-tunnel + mt6d-addrmgr on each gateway        fd00:b::2
#
# Checks: 200 pings spread over >= 8 rotations and at least one rekey handshake (a new
# key exchange on the live association, every 10 s here), none lost; a 20 MB TCP transfer
# across the rotations arrives byte-identical; the capture of the internet link
# shows >= 6 hashed source addresses per gateway, SCTP only (plus neighbour
# discovery), never a true address; --rotate puts a new address on the wire
# within 2 s while the transfer runs.  With encryption on (the default), no byte
# sequence of any captured packet, headers or payload, equals either inner host's
# address, a gateway's LAN address or a gateway's true address (pcapgrep searches
# the raw pcap); the same search finds the inner addresses in a capture on hostB's
# LAN and the hashed addresses on the wire, so it is not blind. linkcheck reports how
# many hashed addresses one port pair or verification tag ties together: all of them,
# as long as the tunnel keeps one association (association hopping is off here; hop.sh
# tests it).
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

INTERVAL=2
PINGS=200
PING_INTERVAL=0.1
TRANSFER_MB=20
TRUE_A=2001:db8:1:1::1
TRUE_B=2001:db8:2:2::2

# Config files as shipped in conf/, with a 2 s rotation interval and a 10 s rekey interval.
mkdir -p /etc/mt6d
for gw in gwA gwB; do
	sed -e "s/^interval = .*/interval = $INTERVAL/" -e "/^\[tunnel\]/a rekey-interval = 10" \
		"$(mt6d_conf $gw)" >/etc/mt6d/$gw.conf
done
rekeys() { json_num "$(mt6d_tstatus "$1" --json)" rekey_handshakes; }

topo_up
cap_start wire
cap_start lan "$NS_HOSTB" "$HOST_DEV"
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf

if wait_for "mt6d_authed gwA && mt6d_authed gwB" 60; then
	pass "association up and authenticated"
else
	die "association up and authenticated" "$(tail -n 5 "$OUT/gwA-tunnel.log" "$OUT/gwB-tunnel.log")"
fi
wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 ||
	die "first ping" "hostB unreachable through the tunnel"

rot0=$(mt6d_astatus_key gwA rotations)
rk0=$(rekeys gwA)

# --- 200 pings across the rotations ------------------------------------------------
# Alone on the link: with a bulk transfer beside them, a ping can be lost to
# ordinary congestion, which says nothing about rotation.
nsx "$NS_HOSTA" ping -6 -c "$PINGS" -i "$PING_INTERVAL" -W 5 "$HOSTB" >"$OUT/ping.log" 2>&1 &&
	prc=0 || prc=$?
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$OUT/ping.log")
recv=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$OUT/ping.log")
lost=$((${sent:-0} - ${recv:-0}))
rotp=$(($(mt6d_astatus_key gwA rotations) - rot0))
rkp=$(($(rekeys gwA) - ${rk0:-0}))
cap_stop lan
log "pings: $sent sent, $recv received, $lost lost, across $rotp rotations and $rkp rekeys of gwA"
if [ "${sent:-0}" -eq "$PINGS" ] && [ "$lost" -eq 0 ] && [ "$rotp" -ge 8 ]; then
	pass "$PINGS pings across $rotp rotations, none lost"
else
	fail "$PINGS pings across >= 8 rotations, none lost" \
		"sent ${sent:-?}, received ${recv:-?}, $rotp rotations (ping status $prc)"
fi
# Both sides count the rekeys they completed: the initiator on message 2, the responder
# on the confirmation.
if [ "$rkp" -ge 1 ] && [ "$(rekeys gwB)" -ge 1 ]; then
	pass "rekey handshakes during the pings: gwA +$rkp, gwB $(rekeys gwB) in all"
else
	fail "rekey handshakes during the pings" "gwA +$rkp, gwB $(rekeys gwB)"
fi

# --- 20 MB TCP transfer hostA -> hostB, with a forced rotation during it ------------
head -c $((TRANSFER_MB * 1024 * 1024)) /dev/urandom >/tmp/src
bg_start tcp-server "$NS_HOSTB" "$SOCAT" -u TCP6-LISTEN:5001,reuseaddr CREATE:/tmp/dst
wait_for "nsx $NS_HOSTB $SS -Hltn | grep -q ':5001'" 10 || die "tcp server" "not listening"
bg_start tcp-client "$NS_HOSTA" "$SOCAT" -u OPEN:/tmp/src "TCP6:[$HOSTB]:5001"

wait_for "[ \$(stat -c %s /tmp/dst 2>/dev/null || echo 0) -gt 2000000 ]" 30 ||
	fail "tcp transfer" "not even 2 MB after 30 s"
reply=$(mt6d_rotate gwA /etc/mt6d/gwA.conf) || fail "--rotate" "$reply"
log "--rotate at $(stat -c %s /tmp/dst) bytes: $reply"
new=$(echo "$reply" | sed -n 's/.*current \([0-9a-f:]*\).*/\1/p')
if [ -z "$new" ]; then
	fail "--rotate" "no new address in the reply: $reply"
elif wait_for "pcap_sources $(cap_file wire) $GWA_PREFIX | grep -qx $new" 2; then
	pass "--rotate: $new on the wire within 2 s"
else
	fail "--rotate: new address on the wire within 2 s" "$new not seen as a source"
fi

if wait_for "! bg_alive tcp-client" 300; then
	bg_stop tcp-client || :
	wait_for "! bg_alive tcp-server" 30 || :
	bg_stop tcp-server || :
else
	fail "tcp transfer" "did not finish in 300 s"
fi
want=$(sha256sum </tmp/src | cut -d' ' -f1)
got=$(sha256sum </tmp/dst | cut -d' ' -f1)
log "transfer: $(wc -c </tmp/dst) of $(wc -c </tmp/src) bytes, sha256 $got"
[ "$want" = "$got" ] && pass "$TRANSFER_MB MB TCP transfer byte-identical (sha256 $got)" ||
	fail "$TRANSFER_MB MB TCP transfer byte-identical" "sha256 $got != $want"

rot1=$(mt6d_astatus_key gwA rotations)
rotations=$((rot1 - rot0))
log "rotations of gwA during the whole run: $rotations"

# --- what the wire saw -----------------------------------------------------------------
cap_stop wire
pcap=$(cap_file wire)
pcap_text "$pcap" >"$OUT/wire.txt"
for side in A B; do
	eval prefix=\$GW${side}_PREFIX
	n=$(pcap_sources "$pcap" "$prefix" | tee "$OUT/sources-gw$side.txt" | wc -l)
	log "gw$side: $n distinct source addresses in $prefix"
	[ "$n" -ge 6 ] && pass "gw$side used $n hashed source addresses" ||
		fail "gw$side used at least 6 hashed source addresses" "only $n"
done
# What one cleartext identifier ties together (linkcheck). Without association hopping
# one port pair and one association's tags name every hashed address of a tunnel: the
# checker must say so here.
"$LINKCHECK" "$pcap" "$GWA_PREFIX" "$GWB_PREFIX" >"$OUT/linkcheck.txt" || fail "linkcheck" "failed"
# The heartbeats' clock (the sender's jiffies) is reported beside: it links whatever the
# ports and tags are.
grep '^2001' "$OUT/linkcheck.txt" >"$OUT/linkcheck-prefixes.txt"
while read -r prefix _ n _ tied _ _ _ _ _ _ _ hb; do
	[ "$n" -ge 6 ] && [ "$tied" -eq "$n" ] &&
		pass "linkcheck: one identifier ties all $n addresses of $prefix (no hopping here; heartbeat clock alone: $hb)" ||
		fail "linkcheck ties every address of $prefix without hopping" "$(cat "$OUT/linkcheck.txt")"
done <"$OUT/linkcheck-prefixes.txt"
[ "$(wc -l <"$OUT/linkcheck-prefixes.txt")" -eq 2 ] ||
	fail "linkcheck reports both prefixes" "$(cat "$OUT/linkcheck.txt")"
if grep -qiE "(^|[ ,])($TRUE_A|$TRUE_B)([.:,]| |$)" "$OUT/wire.txt"; then
	fail "no true gateway address on the wire" "$(grep -iE "$TRUE_A|$TRUE_B" "$OUT/wire.txt" | head -n 2)"
else
	pass "no true gateway address on the wire"
fi

# Raw bytes: every captured packet in full, at any offset.
SECRETS="$HOSTA $HOSTB $GWA_LAN $GWB_LAN $TRUE_A $TRUE_B"
grep -q 'encryption aes-256-gcm' "$OUT/gwA-tunnel.log" &&
	grep -q 'encryption aes-256-gcm' "$OUT/gwB-tunnel.log" ||
	fail "encryption on" "$(grep -h 'TUN device' "$OUT"/gw?-tunnel.log)"
hashed=$(head -n 1 "$OUT/sources-gwA.txt")
# shellcheck disable=SC2086
"$PCAPGREP" "$pcap" $SECRETS "$hashed" >"$OUT/wire-bytes.txt" || fail "pcapgrep wire" "failed"
cat "$OUT/wire-bytes.txt"
# shellcheck disable=SC2086
"$PCAPGREP" "$(cap_file lan)" $SECRETS >"$OUT/lan-bytes.txt" || fail "pcapgrep lan" "failed"
hits() { awk -v a="$2" '$1 == a { print $2 }' "$1"; }
wpk=$(awk '$1 == "packets" { print $2 }' "$OUT/wire-bytes.txt")
wtr=$(awk '$1 == "packets" { print $4 }' "$OUT/wire-bytes.txt")
if [ "$(hits "$OUT/lan-bytes.txt" "$HOSTA")" -gt 0 ] && [ "$(hits "$OUT/lan-bytes.txt" "$HOSTB")" -gt 0 ] &&
	[ "$(hits "$OUT/wire-bytes.txt" "$hashed")" -gt 0 ] && [ "${wtr:-1}" -eq 0 ] &&
	[ "${wpk:-0}" -gt 1000 ]; then
	pass "byte search sees addresses where they are (inner on hostB's LAN, $hashed on the wire)"
else
	fail "byte search sees addresses where they are" \
		"lan: $(tr '\n' ' ' <"$OUT/lan-bytes.txt"); wire: $(tr '\n' ' ' <"$OUT/wire-bytes.txt")"
fi
leaks=
for a in $SECRETS; do
	n=$(hits "$OUT/wire-bytes.txt" "$a")
	[ "${n:-1}" -eq 0 ] || leaks="$leaks $a in ${n:-?} packets;"
done
[ -z "$leaks" ] && pass "no inner, LAN or true address in any byte of $wpk packets on the wire" ||
	fail "no inner, LAN or true address in any byte on the wire" "$leaks"

nother=$(pcap_count_other "$pcap")
# Neighbour discovery and MLD are all the ICMPv6 the link may carry.
nicmp=$(pcap_text "$pcap" | grep ICMP6 | grep -cvE 'neighbor (solicitation|advertisement)|router solicitation|multicast listener' || :)
nsctp=$(pcap_count "$pcap" sctp)
# The kernel sends an SCTP packet IP-fragmented when it bundles a pending SACK with a
# full-size authenticated DATA chunk (sctp_packet_will_fit() allows it when the packet
# has no DATA yet): the fragments are part of SCTP packets between hashed addresses.
nfrag=$(pcap_count "$pcap" frag)
log "wire: $nsctp SCTP, $nfrag later IPv6 fragments, $nother other, $nicmp unexpected ICMPv6 packets"
[ "$nother" -eq 0 ] && [ "$nicmp" -eq 0 ] && [ "$nsctp" -gt 1000 ] &&
	pass "the internet link carries SCTP only ($nsctp packets, $nfrag later IPv6 fragments)" ||
	fail "the internet link carries SCTP only" "$nother other, $nicmp ICMPv6: $(pcap_show_other "$pcap" | head -n 2)"

# Both sides logged their rotations and nothing failed.
for gw in gwA gwB; do
	rot=$(mt6d_astatus_key "$gw" rotations)
	nfail=$(mt6d_astatus_key "$gw" failures)
	log "$gw: $rot rotations, $nfail addrmgr failures;" \
		"uplink now: $(addrs $gw $INET_DEV | tr '\n' ' ')"
	[ "${rot:-0}" -gt 0 ] && [ "$nfail" = 0 ] &&
		pass "$gw: $rot rotations, no addrmgr failure" ||
		fail "$gw: rotations and no addrmgr failure" "rotations '${rot:-}', failures '${nfail:-}'"
	"$IP" -n "$gw" -s link show dev "$TUN_DEV" >>"$OUT/$gw-tun-stats.txt"
done
mt6d_stop gwA
mt6d_stop gwB
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# An on-path injector against the live association.  sctp_forge (test/vm/helpers) watches
# one end of the "internet" link with a packet socket, reads the verification tag, the TSNs
# both ways and the shape of the AUTH chunk off real tunnel packets, and sends forged
# packets to the far gateway as if from the near one: ABORT, SHUTDOWN, a SACK 1000 TSNs
# ahead of what the far end sent, a FORWARD-TSN skipping the near end's next 100 TSNs, and
# DATA with the near end's next TSN, and a restart (INIT from the near end's address, then
# a COOKIE-ECHO with the cookie of the far end's INIT-ACK) -- each bare, then again behind
# an AUTH chunk with a zeroed HMAC.  gwA -> gwB from gwA's end, then gwB -> gwA from gwB's
# end.
#
#  hostA ── gwA ══════════ (veth "internet") ══════════ gwB ── hostB
#           inet0: sctp_forge -> gwB        inet0: sctp_forge -> gwA
#
# Reliability rtx:3, so that PR-SCTP is negotiated and FORWARD-TSN is live.
# Positive controls first, against plain SCTP associations (socat, no SCTP-AUTH) between
# the two gateways: the forged restart is acknowledged (COOKIE-ACK under the forger's
# tag), and one bare ABORT kills the association.
# Pass: the controls hold; on mt6d every forgery is sent and arrives (nft counter of hop
# limit 77 in the victim), those behind a bad AUTH are counted by the kernel
# (SctpInPktDiscards), no restart is acknowledged, no association is aborted or shut down
# (SctpAborteds, SctpShutdowns), both gateways keep the same association id with no
# "down" line, and every one of hostA's pings is answered.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require
[ -x "$FORGE" ] || die "injector" "$FORGE not in the initramfs (build test/vm/helpers)"

KINDS="abort shutdown sack fwdtsn data"
ALL_KINDS="$KINDS abort+auth shutdown+auth sack+auth fwdtsn+auth data+auth restart restart+auth"
NFORGED=12
NPACKETS=14 # a restart is two packets: INIT, then COOKIE-ECHO
CTL_A=2001:db8:1:1::c
CTL_B=2001:db8:2:2::c
CTL_PORT=9000
CTL_PORT2=9001

snmp() { # NS KEY: a counter of the kernel's SCTP MIB in NS
	nsenter --net="/run/netns/$1" cat /proc/net/sctp/snmp | awk -v k="$2" '$1 == k { print $2 }'
}
snmp_save() { # NS FILE
	nsenter --net="/run/netns/$1" cat /proc/net/sctp/snmp >"$2"
}
snmp_delta() { # BEFORE AFTER KEY
	awk -v k="$3" 'FNR == NR && $1 == k { a = $2 } FNR != NR && $1 == k { b = $2 }
		END { print b - a }' "$1" "$2"
}
# forged_in NS: forged packets (hop limit 77) that reached NS's uplink, counted by nft
forged_in() {
	nsx "$1" "$NFT" list counter ip6 onpath-test forged | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

topo_up
for ns in $NS_GWA $NS_GWB; do
	"$IP" netns exec "$ns" "$NFT" -f - <<-EOF
		table ip6 onpath-test {
			counter forged { }
			chain in {
				type filter hook input priority -400; policy accept;
				iifname "$INET_DEV" ip6 nexthdr sctp ip6 hoplimit 77 counter name forged
			}
		}
	EOF
done

# --- positive controls: plain associations (socat, no SCTP-AUTH) ------------------------
"$IP" -n "$NS_GWA" addr add "$CTL_A/128" dev "$INET_DEV" nodad
"$IP" -n "$NS_GWB" addr add "$CTL_B/128" dev "$INET_DEV" nodad
echo 'while true; do echo x; sleep 0.2; done' >"$STATE/ticker.sh"
plain_up() { # PORT: a plain association gwA -> gwB with data flowing
	bg_start "ctl-server-$1" "$NS_GWB" "$SOCAT" -u "SCTP6-LISTEN:$1,bind=[$CTL_B]" \
		"CREATE:$OUT/control-$1.rx"
	wait_for "nsx $NS_GWB $SS -Hln --sctp | grep -q ':$1'" 10 || die control "no listener on $1"
	bg_start "ctl-client-$1" "$NS_GWA" "$SOCAT" -u "EXEC:/bin/sh $STATE/ticker.sh" \
		"SCTP6-CONNECT:[$CTL_B]:$1,bind=[$CTL_A]"
	wait_for "[ \$(wc -c <$OUT/control-$1.rx) -ge 4 ]" 15 ||
		die control "no data on the plain association on port $1"
}
plain_down() { # PORT
	bg_stop "ctl-client-$1" || :
	bg_stop "ctl-server-$1" || :
}

# A forged INIT and COOKIE-ECHO restart a plain association: the far end acknowledges the
# cookie under the forger's tag.
plain_up "$CTL_PORT2"
nsx "$NS_GWA" "$FORGE" "$INET_DEV" "$CTL_PORT2" restart >"$OUT/forge-control-restart.log" 2>&1 || :
log "control: $(cat "$OUT/forge-control-restart.log")"
grep -q '^forged restart .*COOKIE-ACK yes$' "$OUT/forge-control-restart.log" &&
	pass "control: a forged INIT and COOKIE-ECHO restarted the plain association (COOKIE-ACK under the forger's tag)" ||
	fail "control: a forged INIT and COOKIE-ECHO restart a plain association" \
		"$(cat "$OUT/forge-control-restart.log")"
plain_down "$CTL_PORT2"

# One forged ABORT kills a plain association.
plain_up "$CTL_PORT"
snmp_save "$NS_GWB" "$STATE/ctl0"
nsx "$NS_GWA" "$FORGE" "$INET_DEV" "$CTL_PORT" abort >"$OUT/forge-control.log" 2>&1 || :
log "control: $(cat "$OUT/forge-control.log")"
if wait_for "! bg_alive ctl-server-$CTL_PORT" 10; then
	snmp_save "$NS_GWB" "$STATE/ctl1"
	pass "control: one forged ABORT killed the plain association (SctpAborteds +$(snmp_delta "$STATE/ctl0" "$STATE/ctl1" SctpAborteds))"
else
	fail "control: a forged ABORT kills a plain association" \
		"the listener still runs; $(cat "$OUT/forge-control.log")"
fi
plain_down "$CTL_PORT"
"$IP" -n "$NS_GWA" addr del "$CTL_A/128" dev "$INET_DEV"
"$IP" -n "$NS_GWB" addr del "$CTL_B/128" dev "$INET_DEV"

# --- the tunnel under forgery -----------------------------------------------------------
mkdir -p "$MT6D_ETC"
for gw in gwA gwB; do
	# Long slots: no rotation during the test; PR-SCTP on, so that FORWARD-TSN is live.
	sed -e "s/^interval = .*/interval = 60/" -e "/^\[tunnel\]/a reliability = rtx:3" \
		"$(mt6d_conf $gw)" >"$MT6D_ETC/$gw.conf"
done
mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
mt6d_wait_up

assoc_id() { mt6d_tstatus "$1" --json | grep -o '"association":{"id":[0-9]*' | grep -o '[0-9]*$'; }
ida=$(assoc_id gwA)
idb=$(assoc_id gwB)
log "associations: gwA $ida, gwB $idb"
for gw in gwA gwB; do snmp_save "$gw" "$STATE/$gw-0"; done
fa0=$(forged_in "$NS_GWA")
fb0=$(forged_in "$NS_GWB")

PING=/usr/local/bin/iputils-ping
nsx "$NS_HOSTA" "$PING" -6 -c 250 -i 0.1 -W 2 "$HOSTB" >"$OUT/ping.log" 2>&1 &
ping_pid=$!
sleep 1
# shellcheck disable=SC2086
nsx "$NS_GWA" "$FORGE" "$INET_DEV" 7861 $ALL_KINDS >"$OUT/forge-to-gwB.log" 2>&1 && ra=0 || ra=$?
# shellcheck disable=SC2086
nsx "$NS_GWB" "$FORGE" "$INET_DEV" 7861 $ALL_KINDS >"$OUT/forge-to-gwA.log" 2>&1 && rb=0 || rb=$?
wait "$ping_pid" || :
cat "$OUT/forge-to-gwB.log" "$OUT/forge-to-gwA.log"
for gw in gwA gwB; do snmp_save "$gw" "$STATE/$gw-1"; done
fa1=$(forged_in "$NS_GWA")
fb1=$(forged_in "$NS_GWB")

for dir in to-gwB:gwA:gwB:$ra to-gwA:gwB:gwA:$rb; do
	IFS=: read -r name from victim rc <<-EOF
		$dir
	EOF
	n=$(grep -c '^forged ' "$OUT/forge-$name.log" || :)
	[ "$rc" -eq 0 ] && [ "$n" -eq "$NFORGED" ] &&
		pass "$from -> $victim: $n forgeries sent ($ALL_KINDS)" ||
		fail "$from -> $victim: every forgery sent" "$n of $NFORGED, exit $rc: $(tail -n 2 "$OUT/forge-$name.log")"
done

for name in to-gwB to-gwA; do
	took=$(grep -c '^forged restart.*COOKIE-ACK no$' "$OUT/forge-$name.log" || :)
	[ "$took" -eq 2 ] &&
		pass "$name: forged INIT + COOKIE-ECHO (bare and behind a bad AUTH) restarted nothing (no COOKIE-ACK)" ||
		fail "$name: a forged restart is refused" "$(grep '^forged restart' "$OUT/forge-$name.log")"
done
arrived_b=$((fb1 - fb0))
arrived_a=$((fa1 - fa0))
for v in gwB:$arrived_b gwA:$arrived_a; do
	gw=${v%%:*}
	arrived=${v#*:}
	d_disc=$(snmp_delta "$STATE/$gw-0" "$STATE/$gw-1" SctpInPktDiscards)
	d_abrt=$(snmp_delta "$STATE/$gw-0" "$STATE/$gw-1" SctpAborteds)
	d_shut=$(snmp_delta "$STATE/$gw-0" "$STATE/$gw-1" SctpShutdowns)
	d_pkts=$(snmp_delta "$STATE/$gw-0" "$STATE/$gw-1" SctpInSCTPPacks)
	d_ctrl=$(snmp_delta "$STATE/$gw-0" "$STATE/$gw-1" SctpInCtrlChunks)
	d_ootb=$(snmp_delta "$STATE/$gw-0" "$STATE/$gw-1" SctpOutOfBlues)
	echo "$gw arrived=$arrived InPktDiscards+$d_disc Aborteds+$d_abrt Shutdowns+$d_shut InSCTPPacks+$d_pkts InCtrlChunks+$d_ctrl OutOfBlues+$d_ootb" |
		tee -a "$OUT/figures.txt"
	[ "$arrived" -eq "$NPACKETS" ] &&
		pass "$gw: all $arrived forged packets reached its SCTP stack (nft counter, hop limit 77)" ||
		fail "$gw: every forged packet arrives" "nft counted $arrived of $NPACKETS"
	[ "$d_disc" -ge 5 ] &&
		pass "$gw: the kernel discarded and counted the forgeries behind a bad AUTH (SctpInPktDiscards +$d_disc)" ||
		fail "$gw: forgeries behind a bad AUTH counted" "SctpInPktDiscards +$d_disc"
	[ "$d_abrt" -eq 0 ] && [ "$d_shut" -eq 0 ] &&
		pass "$gw: no association aborted or shut down (SctpAborteds +0, SctpShutdowns +0)" ||
		fail "$gw: no association aborted or shut down" "SctpAborteds +$d_abrt, SctpShutdowns +$d_shut"
done

ida1=$(assoc_id gwA || :)
idb1=$(assoc_id gwB || :)
for v in "gwA:$ida:$ida1" "gwB:$idb:$idb1"; do
	IFS=: read -r gw id0 id1 <<-EOF
		$v
	EOF
	downs=$(grep -E 'association [0-9]+ down' "$OUT/$gw-tunnel.log" || :)
	[ -n "$id0" ] && [ "$id0" = "$id1" ] && [ -z "$downs" ] &&
		pass "$gw: association $id0 stayed in charge, no 'down' line" ||
		fail "$gw: association stays in charge" "before ${id0:-?}, after ${id1:-?}; $(echo "$downs" | head -n 3)"
done

sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$OUT/ping.log")
recv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$OUT/ping.log")
echo "pings sent=$sent received=$recv" >>"$OUT/figures.txt"
[ "${sent:-0}" -eq 250 ] && [ "${recv:-0}" -eq 250 ] &&
	pass "250 of 250 pings answered across $((2 * NFORGED)) forgeries" ||
	fail "every ping answered across the forgeries" "sent ${sent:-?} received ${recv:-?}"
mt6d_stop gwA
mt6d_stop gwB
finish

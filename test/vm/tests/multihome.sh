#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Several uplinks on both gateways, and failover inside the one association:
#
#  hostA ── gwA inet0 ─── r1 ─── inet0 gwB ── hostB     isp1: 2001:db8:1:1::/64 (gwA)
#               inet2 ─── r2 ─── inet2                         2001:db8:2:1::/64 (gwB)
#                                                        isp2: 2001:db8:1:2::/64 (gwA)
#                                                              2001:db8:2:2::/64 (gwB)
#
# Each gateway has [uplink isp1] (preference 200, the peer's primary) and [uplink isp2],
# and names the other's as [peer-uplink isp1] and [peer-uplink isp2]. Slots are 4 s, so
# addresses rotate on both uplinks during the run.
#   - The association is multihomed: each side lists a path to each of the peer's uplinks,
#     and the addresses on the wire are hashed ones of the configured /64s.
#   - 100 pings/s and a paced TCP transfer while r1 stops forwarding for 5 s (the gateways
#     are not told: their links stay up), then comes back, then r2 does the same. Reported: the
#     longest gap between echo replies and the loss; target gap <= 1 s, loss < 1 %, the
#     TCP transfer byte-identical.
#   - While r1 is cut, the traffic is seen on r2's link (control: before the cut, r2
#     carries heartbeats only, under a quarter of that).
#   - Each side asks the peer to send to isp2 while r1 is cut (the peer reaches none of its
#     isp1 addresses), and to isp1 again after; r2's cut moves nothing.
#   - Rotation went on during the run on both uplinks of gwA.
#   - No true or inner address in the bytes on either router's links (control: gwA's
#     isp2 address current during r1's cut is found on r2's).
. "$(dirname "$0")/../lib.sh"
mt6d_require

# shellcheck disable=SC2034  # PING, PINGS: read by failover_start (lib.sh)
PING=/usr/local/bin/iputils-ping
# shellcheck disable=SC2034  # read by routers2_conf (lib.sh)
INTERVAL=4
# shellcheck disable=SC2034
PINGS=2000 # 20 s at 100/s

# --- topology and configuration: two routers, two uplinks a side (lib.sh) -----------------
routers2_up
routers2_conf 200
for r in r1 r2; do
	for d in toa tob; do cap_start "$r-$d" "$r" "$d"; done
done
mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
mt6d_wait_up "two uplinks a side"

# --- the association's paths -----------------------------------------------------------
paths_to() { # GW PREFIX-START NAME: how many of GW's paths lead there, named the peer's NAME
	mt6d_tstatus "$1" --json | grep -o '"address":"[0-9a-f:]*","uplink":"[a-z0-9]*"' |
		grep -c "\"$2[0-9a-f:]*\",\"uplink\":\"$3\"" || :
}
wait_for "[ \$(paths_to gwA 2001:db8:2:1: isp1) -ge 1 ] && [ \$(paths_to gwA 2001:db8:2:2: isp2) -ge 1 ] &&
	[ \$(paths_to gwB 2001:db8:1:1: isp1) -ge 1 ] && [ \$(paths_to gwB 2001:db8:1:2: isp2) -ge 1 ]" 20 &&
	pass "each side has paths to both of the peer's uplinks, each named after its uplink" ||
	fail "each side has paths to both of the peer's uplinks" \
		"$(mt6d_tstatus gwA | head -n 20)"
slot0=$(mt6d_astatus_key gwA slot)

# --- failover: r1 cut and back, then r2 ------------------------------------------------
# SCTP packets seen on ROUTER's link to gwA so far
sctp_on() { # ROUTER
	pcap_count "$(cap_file "$1-toa")" sctp 2>/dev/null || echo 0
}

failover_start
sleep 3
r2_before=$(sctp_on r2)
log "cutting r1"
router_cut r1
sleep 5
r2_cut=$(sctp_on r2)
# gwA's isp2 address that the peer sends to now: the byte search's control below
st_cut=$(mt6d_astatus gwA --json)
c2=$(echo "$st_cut" | grep -o '"role":"current","address":"[0-9a-f:]*","uplink":"isp2"' |
	cut -d'"' -f8)
router_heal r1
log "r1 back"
sleep 4
log "cutting r2"
router_cut r2
sleep 5
router_heal r2
log "r2 back"
failover_end

failover_checks multihome-failover

for r in r1 r2; do
	for d in toa tob; do cap_stop "$r-$d"; done
done
# Before the cut r2 carries heartbeats only; while r1 is cut, the pings.
moved=$((${r2_cut:-0} - ${r2_before:-0}))
log "SCTP packets on r2's link to gwA: $r2_before in the 3 s before the cut, $moved in the 5 s of it"
if [ "$moved" -ge 400 ] && [ "${r2_before:-0}" -lt $((moved / 4)) ]; then
	pass "the traffic moved to r2 while r1 was cut ($moved SCTP packets, $r2_before before)"
else
	fail "the traffic moved to r2 while r1 was cut" "$moved packets during the cut, ${r2_before:-?} before"
fi

# The peer's primary follows the uplinks it reaches: away from isp1 while r1 is cut, back
# after; r2's cut (isp2, not the primary) moves nothing.
for gw in gwA gwB; do
	away=$(grep -c 'uplink isp1 (inet0): the peer reached none of its addresses lately; asking it to send to uplink isp2' \
		"$OUT/$gw-addrmgr.log" || :)
	back=$(grep -c 'uplink isp1 (inet0) reached again' "$OUT/$gw-addrmgr.log" || :)
	other=$(grep -c 'uplink isp2 (inet2): the peer reached none' "$OUT/$gw-addrmgr.log" || :)
	if [ "$away" -eq 1 ] && [ "$back" -eq 1 ] && [ "$other" -eq 0 ]; then
		pass "$gw: the peer's primary left isp1 while r1 was cut and came back after"
	else
		fail "$gw: the peer's primary follows the uplinks it reaches" \
			"away $away, back $back, isp2 left $other times"
	fi
done

# The status while r1 was cut, and now: isp1's path dead, then live and primary again.
st_end=$(mt6d_astatus gwA --json)
uplink_st() { # JSON NAME: "path primary" of uplink NAME
	echo "$1" | grep -o "{\"name\":\"$2\",[^}]*}" |
		sed 's/.*"path":"\([a-z]*\)",.*"primary":\([a-z]*\)}/\1 \2/'
}
if [ "$(uplink_st "$st_cut" isp1)" = "dead false" ] && [ "$(uplink_st "$st_cut" isp2)" = "live true" ] &&
	[ "$(uplink_st "$st_end" isp1)" = "live true" ] && [ "$(uplink_st "$st_end" isp2)" = "live false" ]; then
	pass "gwA's status: isp1 dead and isp2 primary during r1's cut; isp1 live and primary at the end"
else
	fail "gwA's status per uplink follows the cut" \
		"cut: isp1 $(uplink_st "$st_cut" isp1), isp2 $(uplink_st "$st_cut" isp2); end: isp1 $(uplink_st "$st_end" isp1), isp2 $(uplink_st "$st_end" isp2)"
fi

slot1=$(mt6d_astatus_key gwA slot)
rot=$(mt6d_astatus_key gwA rotations)
cur=$(mt6d_astatus gwA --json | grep -o '"role":"current","address":"[0-9a-f:]*","uplink":"isp[12]"' |
	sed 's/.*"address":"\([0-9a-f:]*\)","uplink":"\(isp[12]\)"/\2=\1/' | tr '\n' ' ')
log "gwA: slots $slot0 to $slot1, $rot rotations; current $cur"
case $cur in
*isp1=2001:db8:1:1:*isp2=2001:db8:1:2:* | *isp2=2001:db8:1:2:*isp1=2001:db8:1:1:*)
	[ "${rot:-0}" -ge 3 ] && pass "addresses rotated on both uplinks during the run ($rot rotations)" ||
		fail "addresses rotated during the run" "$rot rotations" ;;
*) fail "a current address on each uplink, in its /64" "$cur" ;;
esac

# Raw bytes of every packet on the four router links: no true gateway address, no inner
# address. Control: gwA's isp2 address current during r1's cut is found on r2's link.
SECRETS="2001:db8:1:1::1 2001:db8:1:2::1 2001:db8:2:1::2 2001:db8:2:2::2 $HOSTA $HOSTB"
routers_bytes_check "$SECRETS" "$c2" r1-toa r1-tob r2-toa r2-tob

mt6d_stop gwA
mt6d_stop gwB
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The kill switch, gateway mode: with the tunnel or mt6d-addrmgr down, nothing between the
# protected prefixes leaves in clear, although each gateway has a default route to the
# internet and its true address on the uplink.
#
#  hostA ── gwA ══════════ "internet" (captured) ══════════ gwB ── hostB
#  fd00:a::2   2001:db8:1:1::1/64              2001:db8:2:2::2/64   fd00:b::2
#              default via gwB                 default via gwA
#
# Without a tunnel, each gateway's default route leads to the other, which forwards to its
# LAN: hostA and hostB would reach each other in clear. Phases, each with its own capture
# of the internet link while hostA pings hostB and sends it UDP (socat), and hostB does the
# same toward hostA:
#   tunnel-term   gwA's mt6d-tunnel stopped (SIGTERM)           then started again
#   tunnel-kill   gwA's mt6d-tunnel SIGKILLed                   then started again
#   addrmgr-term  gwA's mt6d-addrmgr stopped (SIGTERM)          then started again
#   addrmgr-kill  gwA's mt6d-addrmgr SIGKILLed                  then started again
#   both-term     both daemons stopped on both gateways
# Checks: no byte of any captured packet equals hostA's or hostB's address (pcapgrep).
# Positive control, same run: mt6d-addrmgr started with [guard] enable = no (which removes
# the kill switch) and stopped again on both gateways; the same traffic then shows both
# addresses on the internet link.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

TRUE_A=2001:db8:1:1::1
TRUE_B=2001:db8:2:2::2

mkdir -p "$MT6D_ETC/off"
for gw in gwA gwB; do
	cp "$(mt6d_conf $gw)" "$MT6D_ETC/$gw.conf"
	# The same tunnel name (the file's), the kill switch off.
	{ cat "$(mt6d_conf $gw)"; printf '[guard]\nenable = no\n'; } >"$MT6D_ETC/off/$gw.conf"
done

topo_up
"$IP" -n "$NS_GWA" -batch - <<-EOF
	addr add $TRUE_A/64 dev $INET_DEV nodad
	route add default via $(uplink_ll "$NS_GWB") dev $INET_DEV
EOF
"$IP" -n "$NS_GWB" -batch - <<-EOF
	addr add $TRUE_B/64 dev $INET_DEV nodad
	route add default via $(uplink_ll "$NS_GWA") dev $INET_DEV
EOF

tunnel_start() { # GW
	bg_start "$1-tunnel" "$1" env RUNTIME_DIRECTORY="$(mt6d_runtime_dir "$1")" \
		"$MT6D_TUNNEL" -c "$MT6D_ETC/$1.conf" -f -v
}
addrmgr_start() { # GW [CONF]
	bg_start "$1-addrmgr" "$1" env RUNTIME_DIRECTORY="$(mt6d_runtime_dir "$1")" \
		"$MT6D_ADDRMGR" -c "${2:-$MT6D_ETC/$1.conf}" -f -v
}
ks_present() { nsx "$1" "$NFT" list chain inet "mt6d-$1" killswitch-fwd >/dev/null 2>&1; }
through() { nsx "$NS_HOSTA" ping -6 -c 1 -W 1 "$HOSTB"; }
wait_through() { # NOTE: hostA reaches hostB through the tunnel again
	wait_for through 60 || die "tunnel back ($1)" "hostB unreachable through the tunnel"
}

# hostA <-> hostB: 3 pings and one UDP datagram each way.
traffic() {
	nsx "$NS_HOSTA" ping -6 -c 3 -i 0.2 -W 1 "$HOSTB" >/dev/null 2>&1 || :
	echo leak | nsx "$NS_HOSTA" "$SOCAT" -u - "UDP6-SENDTO:[$HOSTB]:5000" 2>/dev/null || :
	nsx "$NS_HOSTB" ping -6 -c 3 -i 0.2 -W 1 "$HOSTA" >/dev/null 2>&1 || :
	echo leak | nsx "$NS_HOSTB" "$SOCAT" -u - "UDP6-SENDTO:[$HOSTA]:5000" 2>/dev/null || :
}

# scan NAME: stop capture NAME; "HITS-A HITS-B PACKETS" from a raw byte search
scan() {
	cap_stop "$1"
	"$PCAPGREP" "$(cap_file "$1")" "$HOSTA" "$HOSTB" >"$OUT/$1-bytes.txt" ||
		fail "pcapgrep $1" "failed"
	awk -v a="$HOSTA" -v b="$HOSTB" '$1 == a { ha = $2 } $1 == b { hb = $2 }
		$1 == "packets" { n = $2 } END { print ha + 0, hb + 0, n + 0 }' "$OUT/$1-bytes.txt"
}
# phase NAME: traffic under capture NAME, then no inner address in any byte of it
phase() {
	cap_start "$1"
	traffic
	# shellcheck disable=SC2046
	set -- "$1" $(scan "$1")
	log "$1: hostA in $2, hostB in $3 of $4 packets"
	if [ "$2" -eq 0 ] && [ "$3" -eq 0 ]; then
		pass "$1: no inner address in any byte of $4 packets on the internet link"
	else
		fail "$1: no inner address on the internet link" \
			"hostA in $2, hostB in $3 of $4 packets: $(pcap_text "$(cap_file "$1")" |
				grep -m 3 'fd00:' | tr '\n' ';')"
	fi
}

mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
mt6d_wait_up
ks_present gwA && ks_present gwB && pass "kill switch installed on both gateways" ||
	fail "kill switch installed on both gateways" "$(nsx gwA "$NFT" list tables | tr '\n' ' ')"

bg_stop gwA-tunnel TERM || :
phase tunnel-term
tunnel_start gwA
wait_through tunnel-term

bg_stop gwA-tunnel KILL || :
phase tunnel-kill
tunnel_start gwA
wait_through tunnel-kill

bg_stop gwA-addrmgr TERM || :
phase addrmgr-term
addrmgr_start gwA
bg_stop gwA-addrmgr KILL || :
phase addrmgr-kill
addrmgr_start gwA
wait_through addrmgr-kill

mt6d_stop gwA
mt6d_stop gwB
phase both-term

# --- positive control: the kill switch off, the tunnel down ---------------------------------
for gw in gwA gwB; do
	addrmgr_start "$gw" "$MT6D_ETC/off/$gw.conf"
done
wait_for "! ks_present gwA && ! ks_present gwB" 20 ||
	fail "[guard] enable = no removes the kill switch" "still there"
mt6d_stop gwA
mt6d_stop gwB
cap_start off
traffic
# shellcheck disable=SC2046
set -- $(scan off)
log "off: hostA in $1, hostB in $2 of $3 packets"
if [ "$1" -ge 4 ] && [ "$2" -ge 4 ]; then
	pass "kill switch off: hostA in $1, hostB in $2 packets on the internet link (seen)"
else
	fail "kill switch off: the capture sees the inner addresses" "hostA in $1, hostB in $2"
fi
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The demo behind tools/demo: two gateways, two hosts, traffic flowing while the
# gateways' addresses rotate, with a live view once a second.
#
#  hostA ── gwA ══ (veth "internet", hashed addresses only) ══ gwB ── hostB
#  fd00:a::2        mt6d-tunnel + mt6d-addrmgr on each gateway        fd00:b::2
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

SECONDS_TO_RUN=${MT6D_DEMO_SECONDS:-60}
INTERVAL=${MT6D_DEMO_INTERVAL:-3}

mkdir -p "$MT6D_ETC"
for gw in gwA gwB; do
	sed -e "s/^interval = .*/interval = $INTERVAL/" \
		-e "s|^psk-file = .*|psk-file = $MT6D_ETC/site.key|" "$(mt6d_conf $gw)" \
		>"$MT6D_ETC/$gw.conf"
done
topo_up
trap topo_down EXIT
mt6d_start gwA "$MT6D_ETC/gwA.conf"
mt6d_start gwB "$MT6D_ETC/gwB.conf"
wait_for "grep -q 'peer proved the key' $OUT/gwA-tunnel.log" 60 ||
	die demo "the tunnel did not come up: $(tail -n 3 "$OUT/gwA-tunnel.log")"

current() { # GW: the current hashed address from mt6d-addrmgr --status
	nsx "$1" env RUNTIME_DIRECTORY="$(mt6d_runtime_dir "$1")" "$MT6D_ADDRMGR" \
		-c "$MT6D_ETC/$1.conf" --status 2>/dev/null | awk '$1 == "current" { print $2 }'
}
tun_packets() { # GW: "rx/tx" packets of the TUN device
	"$IP" -n "$1" -s link show dev "$TUN_DEV" |
		awk '/RX:/ { getline; rx = $2 } /TX:/ { getline; tx = $2 } END { print rx "/" tx }'
}

bg_start ping "$NS_HOSTA" ping -6 -i 0.2 "$HOSTB"
echo
echo "mt6d demo: hostA -> hostB through gwA and gwB, rotating every ${INTERVAL} s."
echo "Addresses are the gateways' current hashed addresses on the internet link."
echo
printf '%5s  %-38s %-38s %8s %13s\n' time "gwA current" "gwB current" "pings" "gwA tun rx/tx"
start=$(cut -d. -f1 /proc/uptime)
while :; do
	now=$(cut -d. -f1 /proc/uptime)
	elapsed=$((now - start))
	[ "$elapsed" -ge "$SECONDS_TO_RUN" ] && break
	answered=$(grep -c 'bytes from' "$OUT/ping.log" || :)
	sent=$(grep -o 'seq=[0-9]*' "$OUT/ping.log" | tail -n 1 | cut -d= -f2)
	cur=$(current gwA)
	echo "$cur" >>"$STATE/demo-gwA-current"
	printf '%4ss  %-38s %-38s %8s %13s\n' "$elapsed" "$cur" "$(current gwB)" \
		"$answered/$((${sent:--1} + 1))" "$(tun_packets gwA)"
	sleep 1
done
bg_stop ping INT || :
answered=$(grep -c 'bytes from' "$OUT/ping.log" || :)
sent=$(grep -o 'seq=[0-9]*' "$OUT/ping.log" | tail -n 1 | cut -d= -f2)
sent=$((${sent:--1} + 1))
seen=$(grep -c . "$STATE/demo-gwA-current" || :)
distinct=$(grep . "$STATE/demo-gwA-current" | sort -u | wc -l)
echo
log "demo: $answered pings answered; gwA rotated $(nsx gwA env \
	RUNTIME_DIRECTORY="$(mt6d_runtime_dir gwA)" "$MT6D_ADDRMGR" -c "$MT6D_ETC/gwA.conf" --status |
	awk 'NR == 1 { for (i = 1; i < NF; i++) if ($i == "rotations") print $(i + 1) }') times"
# What a newcomer is shown must be true: pings answered throughout, and the address
# in the view changing (the view read it $seen times).
[ "$answered" -gt 0 ] && [ $((answered * 10)) -ge $((sent * 9)) ] &&
	pass "demo traffic flowed: $answered of $sent pings answered" ||
	fail "demo traffic flowed" "$answered of $sent pings answered"
[ "$distinct" -ge 2 ] && pass "the view showed gwA on $distinct different hashed addresses" ||
	fail "the view shows the addresses rotating" "$distinct distinct address(es) in $seen reads"
mt6d_stop gwA
mt6d_stop gwB
finish

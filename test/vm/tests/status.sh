#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Status and metrics of a running tunnel reflect the kernel's and the data
# plane's real state.
#
#  hostA ── gwA ══ (veth "internet", hashed addresses only) ══ gwB ── hostB
#  fd00:a::2        mt6d-tunnel + mt6d-addrmgr on each gateway        fd00:b::2
#
# First, with gwB not started yet: both of gwA's daemons report READY=1 to their
# NOTIFY_SOCKET within 10 s (a gateway whose peer is down must not hold boot), the
# tunnel's STATUS= saying it waits for the peer.
# Checks: `mt6d-tunnel --status --json` says authenticated and established; the
# association's local addresses are exactly hashed addresses present on gwA's
# uplink, its paths lie in gwB's prefix with one primary; inner packet counters
# grow by at least the pings sent; the text form and the all-tunnels form show
# the same tunnel; the Prometheus textfile carries the same counters.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

INTERVAL=2
PINGS=30
METRICS=/tmp/metrics-gwA

A_NET=${GWA_PREFIX%%::/64}:	# "2001:db8:1:1:", what every hashed address starts with
B_NET=${GWB_PREFIX%%::/64}:

mkdir -p /etc/mt6d "$METRICS"
for gw in gwA gwB; do
	sed "s/^interval = .*/interval = $INTERVAL/" "$(mt6d_conf $gw)" >/etc/mt6d/$gw.conf
done
printf '\n[metrics]\ndirectory = %s\n' "$METRICS" >>/etc/mt6d/gwA.conf

topo_up

# --- ready without the peer ------------------------------------------------------------
for d in tunnel addrmgr; do
	bg_start "notify-$d" "$NS_GWA" "$SOCAT" -u "UNIX-RECV:/run/notify-$d.sock" \
		"OPEN:$OUT/notify-$d.log,creat,append"
	wait_for "[ -S /run/notify-$d.sock ]" 5 || die "notify socket" "no /run/notify-$d.sock"
done
MT6D_TUNNEL_ENV=NOTIFY_SOCKET=/run/notify-tunnel.sock \
	MT6D_ADDRMGR_ENV=NOTIFY_SOCKET=/run/notify-addrmgr.sock mt6d_start gwA /etc/mt6d/gwA.conf
for d in tunnel addrmgr; do
	wait_for "grep -q READY=1 $OUT/notify-$d.log" 10 &&
		pass "mt6d-$d is ready with the peer down: $(tr '\n' ' ' <"$OUT/notify-$d.log" | head -c 200)" ||
		fail "mt6d-$d reports READY=1 with the peer down" "$(cat "$OUT/notify-$d.log" 2>/dev/null)"
done
grep -q 'STATUS=.*waiting for the peer' "$OUT/notify-tunnel.log" &&
	pass "the tunnel's STATUS= says it waits for the peer" ||
	fail "the tunnel's STATUS= says it waits for the peer" "$(cat "$OUT/notify-tunnel.log")"
mt6d_start gwB /etc/mt6d/gwB.conf

mt6d_wait_up

tstatus() { # [ARGS...]: mt6d-tunnel --status in gwA's namespace and runtime directory
	nsx gwA env RUNTIME_DIRECTORY="$(mt6d_runtime_dir gwA)" "$MT6D_TUNNEL" --status "$@"
}

# --- JSON: session and association -------------------------------------------------
tstatus -c /etc/mt6d/gwA.conf --json >"$OUT/status0.json" ||
	fail "status --json" "exit status $?: $(cat "$OUT/status0.json")"
json=$(cat "$OUT/status0.json")
log "status: $json"
case $json in
'[{"name":"gwA","tunnel":{'*'}]') pass "status --json is one array with tunnel gwA" ;;
*) fail "status --json is one array with tunnel gwA" "$json" ;;
esac
echo "$json" | grep -q '"session":"authenticated"' &&
	pass "status: session authenticated" || fail "status: session authenticated" "$json"
echo "$json" | grep -q '"association":{"id":[0-9]*,"state":"established"' &&
	pass "status: association established" || fail "status: association established" "$json"

# The association's local addresses are what addrmgr put on the uplink.
local=$(echo "$json" | sed -n 's/.*"local_addresses":\[\([^]]*\)\].*/\1/p' | tr -d '"' | tr ',' '\n')
uplink=$(addrs gwA "$INET_DEV")
nl=0
bad=
for a in $local; do
	nl=$((nl + 1))
	echo "$uplink" | grep -qx "$a" || bad="$bad $a"
	case $a in "$A_NET"*) ;; *) bad="$bad $a(prefix)" ;; esac
done
log "association local addresses: $(echo $local); uplink: $(echo $uplink)"
[ "$nl" -ge 1 ] && [ -z "$bad" ] &&
	pass "status: $nl local address(es), all hashed and on the uplink" ||
	fail "status: local addresses are on the uplink" "missing or foreign:$bad (of $nl)"

paths=$(echo "$json" | grep -o '"address":"[0-9a-f:]*","uplink":[a-z0-9"]*,"state":"[a-z]*","primary":[a-z]*')
np=$(echo "$paths" | grep -c . || :)
nprim=$(echo "$paths" | grep -c '"primary":true' || :)
nforeign=$(echo "$paths" | grep -vc "\"address\":\"$B_NET" || :)
log "paths: $(echo $paths)"
[ "$np" -ge 1 ] && [ "$nprim" -eq 1 ] && [ "$nforeign" -eq 0 ] &&
	pass "status: $np path(s) in gwB's prefix, one primary" ||
	fail "status: paths in gwB's prefix, one primary" "$np paths, $nprim primary, $nforeign foreign"

# mt6d-addrmgr's part: its current address is on the uplink and bound.
cur=$(echo "$json" | grep -o '"role":"current","address":"[0-9a-f:]*"' | sed 's/.*"address":"//; s/"$//')
log "addrmgr current address: ${cur:-none}"
[ -n "$cur" ] && echo "$uplink" | grep -qx "$cur" &&
	echo "$json" | grep -q '"addrmgr":{"slot":[0-9]*,"interval":2,"rotations":[0-9]*' &&
	echo "$json" | grep -q '"tunnel":"attached","mode":"interface","stalled":false,' &&
	pass "status: addrmgr's current address $cur is on the uplink" ||
	fail "status: addrmgr's current address is on the uplink" "${cur:-none}; $json"

# --- counters grow with traffic ---------------------------------------------------------
tx0=$(json_num "$json" tx_packets)
rx0=$(json_num "$json" rx_packets)
nsx "$NS_HOSTA" ping -6 -c "$PINGS" -i 0.05 -W 2 "$HOSTB" >"$OUT/ping.log" 2>&1 || :
json=$(tstatus -c /etc/mt6d/gwA.conf --json)
tx1=$(json_num "$json" tx_packets)
rx1=$(json_num "$json" rx_packets)
log "inner packets: tx $tx0 -> $tx1, rx $rx0 -> $rx1 after $PINGS pings"
[ $((tx1 - tx0)) -ge "$PINGS" ] && [ $((rx1 - rx0)) -ge "$PINGS" ] &&
	pass "status: packet counters grew by >= $PINGS each way" ||
	fail "status: packet counters grew with the pings" "tx $tx0 -> $tx1, rx $rx0 -> $rx1"

# --- text, and every tunnel -----------------------------------------------------------------
tstatus -c /etc/mt6d/gwA.conf >"$OUT/status.txt" 2>&1 || :
cat "$OUT/status.txt"
grep -q '^tunnel: gwA$' "$OUT/status.txt" && grep -q '^  session: authenticated$' "$OUT/status.txt" &&
	grep -q "^  path $B_NET[0-9a-f:]*: active" "$OUT/status.txt" &&
	pass "status text: tunnel, session and an active path" ||
	fail "status text: tunnel, session and an active path" "$(head -n 12 "$OUT/status.txt")"
all=$(tstatus 2>&1) || :
echo "$all" | grep -q '^tunnel: gwA$' && pass "status without -c lists the running tunnel" ||
	fail "status without -c lists the running tunnel" "$all"

# --- Prometheus textfile ---------------------------------------------------------------------
prom=$METRICS/gwA-tunnel.prom
wait_for "[ -s $prom ]" 10 || fail "metrics textfile" "$prom not written"
sleep 6	# one more period, so the file holds the pings
ptx=$(sed -n 's/^mt6d_tunnel_packets_total{tunnel="gwA",direction="tx"} \([0-9]*\)$/\1/p' "$prom")
pauth=$(sed -n 's/^mt6d_tunnel_authenticated{tunnel="gwA"} \([0-9]*\)$/\1/p' "$prom")
log "metrics: tx packets ${ptx:-none}, authenticated ${pauth:-none}"
[ "${ptx:-0}" -ge "$tx1" ] && [ "${pauth:-0}" -eq 1 ] &&
	grep -q '^# TYPE mt6d_tunnel_drops_total counter$' "$prom" &&
	pass "metrics textfile: tx packets ${ptx} >= ${tx1}, authenticated" ||
	fail "metrics textfile agrees with the status" "$(head -n 20 "$prom")"

aprom=$METRICS/gwA-addrmgr.prom
wait_for "[ -s $aprom ]" 10 || :
arot=$(sed -n 's/^mt6d_addrmgr_rotations_total{tunnel="gwA"} \([0-9]*\)$/\1/p' "$aprom" 2>/dev/null)
acur=$(sed -n 's/^mt6d_addrmgr_addresses{tunnel="gwA",role="current"} \([0-9]*\)$/\1/p' "$aprom" 2>/dev/null)
log "addrmgr metrics: rotations ${arot:-none}, current addresses ${acur:-none}"
[ "${arot:-0}" -ge 1 ] && [ "${acur:-0}" -eq 1 ] &&
	pass "addrmgr metrics: $arot rotations, one current address" ||
	fail "addrmgr metrics" "$(head -n 20 "$aprom" 2>/dev/null)"

mt6d_stop gwA
wait_for "[ ! -e $prom ]" 5 && pass "metrics textfile removed at stop" ||
	fail "metrics textfile removed at stop" "$prom still there"
mt6d_stop gwB
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The guard fails closed: on a kernel that lacks one nf_tables expression the guard needs,
# mt6d-addrmgr adds no hashed address, says what is missing, and gets going once it is there.
#
#                                   (table 66: gwB's /64 via gwB's link-local)
#  attacker ── atk0 ┐
#  2001:db8:66::2   gwA ══ (veth "internet") ══ gwB ── hostB
#  hostA ─────── lan0┘                               fd00:b::2
#  fd00:a::2
#
# 1. Before the daemons start, nft_fib_ipv6 (the guard's "fib daddr type" in the ip6
#    family, interface mode) is unloaded and the kernel's on-demand loading made to fail
#    (/proc/sys/kernel/modprobe = /bin/false); nft itself shows that a fib rule is refused
#    then, and that fib is not built in.
# 1b. With net.sctp.auth_enable=0 in gwB's namespace mt6d-tunnel refuses to start and
#    names the sysctl (SCTP-AUTH on COOKIE-ECHO would not hold); --check fails on it.
# 2. Both gateways start (interface mode, guard on). For 5 s gwB's uplink holds no hashed
#    address; its log (once), `--status` (text and JSON), the metrics and `--check` name
#    the expression "fib" and the module nft_fib_ipv6; ICMP echo, TCP SYN and SCTP INIT
#    to gwB's current hashed address (from its status) get no answer, while a plain
#    address on gwB's uplink answers them (the path works).
# 3. nft_fib_ipv6 is loaded: the guard installs, the addresses appear, the tunnel comes up
#    and carries a ping (positive control); the attacker's probes still get no answer.
# 4. Clean stop: SIGTERM to gwB's mt6d-addrmgr while its mt6d-tunnel runs keeps the
#    addresses and the table (and says so); restarted without the tunnel and stopped
#    again, it removes the addresses, then the table.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

CONTROL=2001:db8:2:2::99 # on gwB's uplink, in the hashed /64, but not a hashed address
MODPROBE=$(cat /proc/sys/kernel/modprobe)
FIB_RULE='add table ip6 t; add chain ip6 t c { type filter hook prerouting priority 0; }; add rule ip6 t c fib daddr type local accept'

hashed() { # GW: the hashed addresses on GW's uplink (the control address left out)
	addrs "$1" "$INET_DEV" | grep -v "^$CONTROL\$" | grep '^2001:db8:' || :
}
fib_rule_works() { # true when nft takes a fib rule in a scratch namespace
	"$IP" netns add fibtry 2>/dev/null || :
	_r=0
	nsx fibtry "$NFT" "$FIB_RULE" >"$OUT/fibtry.log" 2>&1 || _r=1
	"$IP" netns del fibtry
	return $_r
}

mkdir -p /etc/mt6d /run/metrics
for gw in gwA gwB; do
	cp "$(mt6d_conf $gw)" "/etc/mt6d/$gw.conf"
done
printf '\n[metrics]\ndirectory = /run/metrics\n' >>/etc/mt6d/gwB.conf

# --- 1. the kernel without fib -------------------------------------------------------
k=/lib/modules/$(uname -r)
grep -q 'nft_fib' "$k/modules.builtin" 2>/dev/null &&
	die "fib is a module here" "$(grep nft_fib "$k/modules.builtin")"
rmmod nft_fib_inet 2>/dev/null || :
rmmod nft_fib_ipv6 || die "unload nft_fib_ipv6" "$(grep nft_fib /proc/modules)"
echo /bin/false >/proc/sys/kernel/modprobe
if ! grep -q '^nft_fib_ipv6 ' /proc/modules && ! fib_rule_works; then
	pass "fib unavailable: nft_fib_ipv6 unloaded, not built in, on-demand loading fails (nft: $(grep -m 1 Error "$OUT/fibtry.log"))"
else
	die "fib unavailable" "a fib rule still works: $(grep nft_fib /proc/modules)"
fi

topo_up
atk_up "$CONTROL/64"
"$IP" -6 -n "$NS_GWA" -batch - <<-EOF
	route add $GWB_PREFIX via $(uplink_ll "$NS_GWB") dev $INET_DEV table 66
	rule add from $ATK_PREFIX table 66
EOF
wait_for "nsx $NS_ATK ping -6 -c 1 -W 1 $CONTROL" 10 ||
	die "attacker path" "$CONTROL does not answer the attacker"

# --- 1b. no SCTP-AUTH on COOKIE-ECHO, no tunnel ------------------------------------------
# With net.sctp.auth_enable=0 in its namespace mt6d-tunnel must refuse to start, name the
# sysctl, and leave no TUN device; --check fails on it. Step 3 is the positive control: with
# the sysctl back at 1, the same tunnel starts and carries a ping.
sysctl_ns "$NS_GWB" net.sctp.auth_enable=0
mt6d_key "$MT6D_ETC/site.key"
rc=0
nsx "$NS_GWB" env RUNTIME_DIRECTORY=/run/mt6d-noauth timeout 10 "$MT6D_TUNNEL" \
	-c /etc/mt6d/gwB.conf -f >"$OUT/gwB-noauth.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] &&
	grep -q 'refusing to start: net.sctp.auth_enable=0' "$OUT/gwB-noauth.log" &&
	! "$IP" -n "$NS_GWB" link show dev "$TUN_DEV" >/dev/null 2>&1; then
	pass "auth_enable=0: mt6d-tunnel refuses to start (exit $rc), names the sysctl, no TUN device"
else
	fail "auth_enable=0: mt6d-tunnel refuses to start" "exit $rc: $(tail -n 3 "$OUT/gwB-noauth.log")"
fi
nsx "$NS_GWB" "$MT6D_TUNNEL" -c /etc/mt6d/gwB.conf --check >"$OUT/gwB-noauth-check.log" 2>&1 &&
	fail "--check fails with auth_enable=0" "$(cat "$OUT/gwB-noauth-check.log")" ||
	{ grep -q '^FAIL  cookie-auth .*net.sctp.auth_enable=0' "$OUT/gwB-noauth-check.log" &&
		pass "--check names cookie-auth: $(grep cookie-auth "$OUT/gwB-noauth-check.log")" ||
		fail "--check names cookie-auth" "$(cat "$OUT/gwB-noauth-check.log")"; }
sysctl_ns "$NS_GWB" net.sctp.auth_enable=1

# --- 2. no guard, no addresses ---------------------------------------------------------
mt6d_start gwA /etc/mt6d/gwA.conf
mt6d_start gwB /etc/mt6d/gwB.conf
wait_for "grep -q 'no hashed address is added until it is there' '$OUT/gwB-addrmgr.log'" 20 ||
	fail "gwB says the guard cannot be installed" "$(tail -n 5 "$OUT/gwB-addrmgr.log")"
seen=''
i=0
while [ $i -lt 25 ]; do
	seen="$seen$(hashed gwB)"
	sleep 0.2
	i=$((i + 1))
done
[ -z "$seen" ] && pass "gwB: no hashed address on the uplink for 5 s without the guard" ||
	fail "gwB adds no hashed address without the guard" "$(echo "$seen" | head -n 3)"
[ -z "$(hashed gwA)" ] && pass "gwA neither (same kernel)" ||
	fail "gwA adds no hashed address without the guard" "$(hashed gwA | tr '\n' ' ')"

lacks='the kernel lacks nf_tables expression "fib" (module nft_fib_ipv6)'
n=$(grep -cF "guard table: $lacks: no hashed address is added until it is there" \
	"$OUT/gwB-addrmgr.log" || :)
[ "$n" -eq 1 ] && pass "gwB's log names fib and nft_fib_ipv6, once" ||
	fail "gwB's log names fib and nft_fib_ipv6 once" "$n times: $(grep guard "$OUT/gwB-addrmgr.log" | head -n 3)"
mt6d_astatus gwB >"$OUT/status0.txt" 2>&1 || :
grep -qF "(not installed: $lacks; no hashed address added)" "$OUT/status0.txt" &&
	pass "gwB's status says the guard is not installed and why" ||
	fail "gwB's status says why the guard is not installed" "$(grep guard "$OUT/status0.txt")"
json=$(mt6d_astatus gwB --json)
echo "$json" >"$OUT/status0.json"
echo "$json" | grep -qF '"installed":false,"error":"the kernel lacks nf_tables expression \"fib\" (module nft_fib_ipv6)"' &&
	pass "gwB's status --json too" ||
	fail "gwB's status --json says why" "$(echo "$json" | grep -o '"guard":{[^}]*}')"
wait_for "grep -q '^mt6d_addrmgr_guard_installed.* 0\$' /run/metrics/gwB-addrmgr.prom" 12 &&
	pass "metrics: mt6d_addrmgr_guard_installed 0" ||
	fail "metrics: mt6d_addrmgr_guard_installed 0" "$(grep guard_installed /run/metrics/gwB-addrmgr.prom 2>&1)"
rc=0
nsx gwB env RUNTIME_DIRECTORY=/run/mt6d-check "$MT6D_ADDRMGR" -c /etc/mt6d/gwB.conf --check \
	>"$OUT/check0.txt" 2>&1 || rc=$?
cat "$OUT/check0.txt"
[ "$rc" -eq 1 ] && grep -qE '^FAIL +fib +missing: the kernel lacks nf_tables expression "fib" \(module nft_fib_ipv6\)' "$OUT/check0.txt" &&
	grep -qE '^ok +payload ' "$OUT/check0.txt" &&
	pass "--check: fib missing (module nft_fib_ipv6), the rest ok, exit 1" ||
	fail "--check names fib and exits 1" "exit $rc: $(grep -E 'fib|guard' "$OUT/check0.txt" | head -n 3)"
"$NFT" list tables | grep -q 'mt6d.probe' && fail "probe tables left behind" "$("$NFT" list tables)" ||
	pass "no probe table left behind"

cur=$(echo "$json" | role_addr current)
[ -n "$cur" ] || die "gwB's current address" "not in its status: $json"
n=$(atk_probe "$CONTROL")
[ "$n" -eq 3 ] && pass "control: $CONTROL answers all 3 probes" ||
	fail "control: $CONTROL answers all 3 probes" "$n of 3"
n=$(atk_probe "$cur")
[ "$n" -eq 0 ] && pass "attacker: no answer from gwB's current address $cur without the guard" ||
	fail "attacker: no answer from gwB's current address $cur" "$n of 3 answered"

# --- 3. the module arrives ---------------------------------------------------------------
echo "$MODPROBE" >/proc/sys/kernel/modprobe
modprobe nft_fib_ipv6 || die "load nft_fib_ipv6" "modprobe failed"
wait_for "grep -q 'guard table mt6d-gwB installed' '$OUT/gwB-addrmgr.log'" 20 &&
	pass "nft_fib_ipv6 loaded: gwB's guard installs" ||
	fail "gwB's guard installs once fib is there" "$(tail -n 5 "$OUT/gwB-addrmgr.log")"
wait_for '[ -n "$(hashed gwB)" ] && [ -n "$(hashed gwA)" ]' 20 &&
	pass "hashed addresses appear on both uplinks" ||
	fail "hashed addresses appear" "gwB [$(hashed gwB | tr '\n' ' ')] gwA [$(hashed gwA | tr '\n' ' ')]"
mt6d_wait_up "after nft_fib_ipv6 is loaded"
check "tunnel carries a ping (positive control)" nsx "$NS_HOSTA" ping -6 -c 3 -W 2 "$HOSTB"
mt6d_astatus gwB --json | grep -q '"installed":true,"error":null' &&
	pass "gwB's status: installed" || fail "gwB's status: installed" "$(mt6d_astatus gwB --json)"
cur=$(mt6d_astatus gwB --json | role_addr current)
n=$(atk_probe "$cur")
[ "$n" -eq 0 ] && pass "attacker: no answer from gwB's current address $cur with the guard" ||
	fail "attacker: no answer from gwB's current address $cur with the guard" "$n of 3"

# --- 4. clean stop -------------------------------------------------------------------------
before=$(hashed gwB)
bg_stop gwB-addrmgr || :
[ -n "$(hashed gwB)" ] && nsx gwB "$NFT" list chain ip6 mt6d-gwB guard >/dev/null 2>&1 &&
	grep -q 'guard table kept: mt6d-tunnel pid [0-9]* still runs' "$OUT/gwB-addrmgr.log" &&
	pass "SIGTERM with the tunnel running: addresses and table stay, and the log says why" ||
	fail "SIGTERM with the tunnel running keeps addresses and table" \
		"uplink [$(hashed gwB | tr '\n' ' ')] before [$(echo $before)]; $(tail -n 2 "$OUT/gwB-addrmgr.log")"
bg_stop gwB-tunnel || :
bg_start gwB-addrmgr gwB env RUNTIME_DIRECTORY="$(mt6d_runtime_dir gwB)" "$MT6D_ADDRMGR" \
	-c /etc/mt6d/gwB.conf -f -v
wait_for "[ \$(grep -c 'guard table mt6d-gwB installed' '$OUT/gwB-addrmgr.log') -ge 2 ]" 10 ||
	fail "restarted addrmgr adopts the table" "$(tail -n 3 "$OUT/gwB-addrmgr.log")"
bg_stop gwB-addrmgr || :
[ -z "$(hashed gwB)" ] && ! nsx gwB "$NFT" list table ip6 mt6d-gwB >/dev/null 2>&1 &&
	pass "SIGTERM without the tunnel: hashed addresses removed, then the table" ||
	fail "SIGTERM without the tunnel removes addresses and table" \
		"uplink [$(hashed gwB | tr '\n' ' ')], $(nsx gwB "$NFT" list tables)"
mt6d_stop gwA
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# mt6d-addrmgr with two uplinks on the host kernel (no SCTP, no tunnel: it rotates on the
# uplinks alone, every second), in a fresh netns:
#
#   inet0 (veth): [uplink isp1], 2001:db8:a1:1::/64, preference 200
#   inet2 (veth): [uplink isp2], 2001:db8:a2:1::/64
#   the peer: [peer-uplink b1] 2001:db8:b1:1::/64 and [peer-uplink b2] 2001:db8:b2:1::/64
#
# Checks: each uplink carries its own slot window of hashed addresses, in its own /64 and
# nothing of the other's; one slot's addresses on the two share no IID; the guard's local
# set is both windows, its peer set holds the windows of both peer uplinks; the guard drops
# and counts a stranger's UDP to either uplink's current address (control: such a packet
# to an address on inet2 is received before the guard is up); the kill switch has rules
# for both uplinks; the status names each address's uplink. inet2 deleted: the daemon says
# so and rotates on inet0; inet2 made again: its addresses are back on it. SIGTERM (no
# tunnel) removes the addresses of both. Needs root: exits 77 (SKIP) without.
# shellcheck disable=SC2154  # ns, dir: set by netns_begin (lib.sh)
set -eu
. "$(dirname "$0")/lib.sh"
bin=$1
netns_begin mu nft socat
netns_veth 2
netns_key "$dir" >/dev/null
{
	echo "[keys]"
	echo "psk-file = $dir/key"
	printf '[local]\niid = ::1\n[peer]\niid = ::2\nroutes = fd00:b::/64\n'
	printf '[uplink isp1]\ninterface = inet0\nprefix = 2001:db8:a1:1::/64\npreference = 200\n'
	printf '[uplink isp2]\ninterface = inet2\nprefix = 2001:db8:a2:1::/64\n'
	printf '[peer-uplink b1]\nprefix = 2001:db8:b1:1::/64\n'
	printf '[peer-uplink b2]\nprefix = 2001:db8:b2:1::/64\n'
	printf '[rotation]\ninterval = 1\nlifetime = 1\n'
} >"$dir/t.conf"
nsx() { ip netns exec "$ns" "$@"; }
ctl() { nsx env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" "$@"; }
addrs() { # DEV
	ip -n "$ns" -6 -o addr show dev "$1" scope global | awk '{ sub("/.*", "", $4); print $4 }' | sort
}
set_elems() { # SET
	nsx nft list set ip6 mt6d-t "$1" 2>/dev/null | tr ',{}' '\n\n\n' |
		grep -o '2001:[0-9a-f:]*' | sort -u
}
iid() { echo "$1" | cut -d: -f5-; }
dropped() { ctl --status --json | sed -n 's/.*"dropped":\([0-9]*\).*/\1/p'; }
probe() { # ADDRESS
	nsx sh -c "echo probe | socat -u - UDP6-SENDTO:[$1]:9999" 2>/dev/null || :
}

# Control: with no guard yet, a stranger's UDP to an address on inet2 gets through.
nsx ip addr add 2001:db8:a2:1::77/64 dev inet2 nodad
nsx timeout 3 socat -u UDP6-RECV:9999,bind=[2001:db8:a2:1::77] - >"$dir/ctl.out" 2>/dev/null &
sleep 0.3
probe 2001:db8:a2:1::77
sleep 0.5
grep -q probe "$dir/ctl.out" && ok "control: UDP to inet2 received without the guard" ||
	bad "control: the probe did not arrive"
nsx ip addr del 2001:db8:a2:1::77/64 dev inet2

ip netns exec "$ns" env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" -f -v \
	>>"$dir/log" 2>&1 &
pid=$!
sleep 4.5
a1=$(addrs inet0)
a2=$(addrs inet2)
n1=$(echo "$a1" | grep -c '^2001:db8:a1:1:' || :)
n2=$(echo "$a2" | grep -c '^2001:db8:a2:1:' || :)
if [ "$n1" -ge 2 ] && [ "$n1" -le 4 ] && [ "$n2" -ge 2 ] && [ "$n2" -le 4 ] &&
	! echo "$a1" | grep -q '^2001:db8:a2:' && ! echo "$a2" | grep -q '^2001:db8:a1:'; then
	ok "each uplink its own window: inet0 $n1, inet2 $n2 addresses, none of the other's"
else
	bad "inet0 [$(echo $a1)] inet2 [$(echo $a2)]"
fi

json=$(ctl --status --json)
c1=$(echo "$json" | grep -o '"role":"current","address":"[0-9a-f:]*","uplink":"isp1"' | cut -d'"' -f8)
c2=$(echo "$json" | grep -o '"role":"current","address":"[0-9a-f:]*","uplink":"isp2"' | cut -d'"' -f8)
case $c1 in 2001:db8:a1:1:*) ;; *) c1= ;; esac
case $c2 in 2001:db8:a2:1:*) ;; *) c2= ;; esac
[ -n "$c1" ] && [ -n "$c2" ] && [ "$(iid "$c1")" != "$(iid "$c2")" ] &&
	ok "status: current $c1 on isp1, $c2 on isp2, unrelated IIDs" ||
	bad "status current: [$c1] [$c2]"

# A tick may rotate between the two reads: compare up to three times.
for _ in 1 2 3; do
	loc=$(set_elems local)
	up=$(printf '%s\n%s\n' "$(addrs inet0)" "$(addrs inet2)" | sort)
	[ -n "$loc" ] && [ "$loc" = "$up" ] && break
	sleep 0.2
done
[ -n "$loc" ] && [ "$loc" = "$up" ] &&
	ok "guard local set = both uplinks' addresses ($(echo $loc | wc -w))" ||
	bad "local [$(echo $loc)] uplinks [$(echo $up)]"
p1=$(set_elems peer | grep -c '^2001:db8:b1:1:' || :)
p2=$(set_elems peer | grep -c '^2001:db8:b2:1:' || :)
[ "$p1" -ge 5 ] && [ "$p2" -ge 5 ] && [ "$p1" -eq "$p2" ] &&
	ok "guard peer set: both peer uplinks' windows ($p1 + $p2)" || bad "peer set: b1 $p1, b2 $p2"
chain=$(nsx nft list chain ip6 mt6d-t guard)
echo "$chain" | grep -q '2001:db8:a1:1::/64' && echo "$chain" | grep -q '2001:db8:a2:1::/64' &&
	ok "the guard drops the rest of both /64s" ||
	bad "guard chain: $(echo "$chain" | grep -c 2001:db8) /64 rules"

d0=$(dropped)
probe "$c1"
probe "$c2"
sleep 0.3
d1=$(dropped)
[ $((d1 - d0)) -ge 2 ] &&
	ok "a stranger's UDP to either uplink's address dropped and counted (+$((d1 - d0)))" ||
	bad "dropped $d0 -> $d1"

ks=$(nsx nft list table inet mt6d-t 2>/dev/null || :)
k0=$(echo "$ks" | grep -c 'oifname "inet0"' || :)
k2=$(echo "$ks" | grep -c 'oifname "inet2"' || :)
[ "$k0" -ge 3 ] && [ "$k0" -eq "$k2" ] && ok "kill switch: $k0 rules for each uplink" ||
	bad "kill switch: inet0 $k0, inet2 $k2 rules"

# inet2 goes away, and comes back (another interface of that name, another index).
slot0=$(ctl --status --json | sed -n 's/^{"slot":\([0-9]*\),.*/\1/p')
ip -n "$ns" link del inet2
sleep 2.5
slot1=$(ctl --status --json | sed -n 's/^{"slot":\([0-9]*\),.*/\1/p')
n1=$(addrs inet0 | grep -c '^2001:db8:a1:1:' || :)
[ "$((slot1 - slot0))" -ge 2 ] && [ "$n1" -ge 2 ] && grep -q 'inet2 is gone' "$dir/log" &&
	ok "inet2 gone: logged, inet0 rotates on (slots $slot0 -> $slot1, $n1 addresses)" ||
	bad "inet2 gone: slots $slot0 -> $slot1, inet0 $n1 addresses, log: $(grep -c 'is gone' "$dir/log")"
netns_veth 2
sleep 1.5
n2=$(addrs inet2 | grep -c '^2001:db8:a2:1:' || :)
[ "$n2" -ge 2 ] && grep -q 'inet2 is back' "$dir/log" &&
	ok "inet2 back: its hashed addresses on it again ($n2)" ||
	bad "inet2 back: $n2 addresses, log: $(grep -c 'is back' "$dir/log")"

kill -TERM "$pid"
wait "$pid" || :
pid=
[ -z "$(addrs inet0)" ] && [ -z "$(addrs inet2)" ] &&
	ok "SIGTERM without the tunnel: both uplinks' addresses gone" ||
	bad "left: [$(addrs inet0 | tr '\n' ' ')] [$(addrs inet2 | tr '\n' ' ')]"
netns_end

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Live renumbering, mt6d-addrmgr's part, on the host kernel (no SCTP, no tunnel: it rotates
# on the uplink alone, every second), in a fresh netns. The uplink inet0 has no configured
# prefix: its /64 is the one the operator's address 2001:db8:a:1::1/64 names. Then the
# operator renumbers it: that address is removed and 2001:db8:a:2::1/64 added.
#
# Checks: before, the hashed addresses are in 2001:db8:a:1::/64 and the guard drops the
# rest of that /64; after, within two seconds, they are in 2001:db8:a:2::/64 alone (the
# old /64's, bound to no association, removed at once), the guard's local set is the new
# window and its /64 rule the new /64's, a stranger's UDP to the new current address is
# dropped and counted; the log says so, and the daemon forgets the old /64 once nothing of
# it is left. Control: while the old address is gone and no new one is there yet, nothing
# moves. Killed, and renumbered again while down, the restart takes the operator's /64,
# not its own leftover addresses' (which run out). Needs root: exits 77 (SKIP) without.
# shellcheck disable=SC2154  # ns, dir: set by netns_begin (lib.sh)
set -eu
. "$(dirname "$0")/lib.sh"
bin=$1
netns_begin rn nft socat
netns_key "$dir" >/dev/null
{
	echo "[keys]"
	echo "psk-file = $dir/key"
	printf '[local]\ninterface = inet0\niid = ::1\n'
	printf '[peer]\nprefix = 2001:db8:b::/64\niid = ::2\nroutes = fd00:b::/64\n'
	printf '[rotation]\ninterval = 1\nlifetime = 1\n'
} >"$dir/t.conf"
nsx() { ip netns exec "$ns" "$@"; }
ctl() { nsx env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" "$@"; }
hashed() { # the hashed addresses on inet0 (the operator's ::1 left out)
	ip -n "$ns" -6 -o addr show dev inet0 scope global | awk '{ sub("/.*", "", $4); print $4 }' |
		grep -v '::1$' | sort
}
count() { hashed | grep -c "^$1" || :; }
set_elems() { # SET
	nsx nft list set ip6 mt6d-t "$1" 2>/dev/null | tr ',{}' '\n\n\n' |
		grep -o '2001:[0-9a-f:]*' | sort -u
}
dropped() { ctl --status --json | sed -n 's/.*"dropped":\([0-9]*\).*/\1/p'; }
current() { ctl --status --json | grep -o '"role":"current","address":"[0-9a-f:]*"' | cut -d'"' -f8; }
start() {
	ip netns exec "$ns" env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" -f -v \
		>>"$dir/log" 2>&1 &
	pid=$!
}

nsx ip addr add 2001:db8:a:1::1/64 dev inet0 nodad
start
sleep 3
old=$(count 2001:db8:a:1:)
ctl --status --json | grep -q '"uplinks":\[{"name":null,"interface":"inet0","prefix":"2001:db8:a:1::/64","renumbered_from":null,' &&
	ok "status, before: the uplink's /64 is the first" || bad "status: $(ctl --status --json | grep -o '"uplinks":[^]]*')"
chain=$(nsx nft list chain ip6 mt6d-t guard)
[ "$old" -ge 2 ] && [ "$(count 2001:db8:a:2:)" -eq 0 ] &&
	echo "$chain" | grep -q '2001:db8:a:1::/64' &&
	ok "before: $old hashed addresses in 2001:db8:a:1::/64, the guard's rule for it" ||
	bad "before: [$(hashed | tr '\n' ' ')] rule: $(echo "$chain" | grep -c 2001:db8:a:)"

# The old /64 gone, no new one yet: nothing moves (the addresses keep rotating there).
nsx ip addr del 2001:db8:a:1::1/64 dev inet0
sleep 1.5
[ "$(count 2001:db8:a:1:)" -ge 2 ] && [ "$(count 2001:db8:a:2:)" -eq 0 ] &&
	ok "control: with no /64 named, the addresses stay in the old one" ||
	bad "gap: [$(hashed | tr '\n' ' ')]"

nsx ip addr add 2001:db8:a:2::1/64 dev inet0
sleep 2
new=$(count 2001:db8:a:2:)
[ "$new" -ge 2 ] && [ "$(count 2001:db8:a:1:)" -eq 0 ] &&
	ok "renumbered: $new hashed addresses in 2001:db8:a:2::/64, none left in the old" ||
	bad "after: [$(hashed | tr '\n' ' ')]"
for _ in 1 2 3; do
	loc=$(set_elems local)
	[ -n "$loc" ] && [ "$loc" = "$(hashed)" ] && break
	sleep 0.2
done
[ -n "$loc" ] && [ "$loc" = "$(hashed)" ] && ok "guard local set = the new window" ||
	bad "local [$(echo $loc)] uplink [$(hashed | tr '\n' ' ')]"
chain=$(nsx nft list chain ip6 mt6d-t guard)
echo "$chain" | grep -q '2001:db8:a:2::/64' && ! echo "$chain" | grep -q '2001:db8:a:1::/64' &&
	ok "the guard drops the rest of the new /64, the old one's rule is gone" ||
	bad "guard chain: $(echo "$chain" | grep -o '2001:db8:a:[12]::/64' | tr '\n' ' ')"
ctl --status --json | grep -q '"uplinks":\[{"name":null,"interface":"inet0","prefix":"2001:db8:a:2::/64",' &&
	ok "status: the uplink's /64 is the new one" || bad "status: $(ctl --status --json | grep -o '"uplinks":[^]]*')"
cur=$(current)
d0=$(dropped)
nsx sh -c "echo probe | socat -u - UDP6-SENDTO:[$cur]:9999" 2>/dev/null || :
sleep 0.3
d1=$(dropped)
case $cur in 2001:db8:a:2:*) ;; *) d1=$d0 ;; esac
[ "$((d1 - d0))" -ge 1 ] && ok "a stranger's UDP to the new current $cur dropped and counted" ||
	bad "current $cur, dropped $d0 -> $d1"
grep -q 'inet0 renumbered from 2001:db8:a:1::/64 to 2001:db8:a:2::/64' "$dir/log" &&
	grep -q 'nothing of ours left on 2001:db8:a:1::/64' "$dir/log" &&
	ok "logged: the renumbering, then the old /64 forgotten" || bad "log: $(grep -c renumber "$dir/log")"

# Killed, renumbered while down: the restart takes the operator's new /64, not the one
# its own leftover hashed addresses are in; those run out on their lifetimes.
kill -KILL "$pid"
wait "$pid" || :
left=$(count 2001:db8:a:2:)
nsx ip addr del 2001:db8:a:2::1/64 dev inet0
nsx ip addr add 2001:db8:a:3::1/64 dev inet0
start
sleep 2
# Each one's valid lifetime is at most (lifetime + 2) slots: 3 s.
for _ in 1 2 3 4 5 6 7 8; do
	[ "$(count 2001:db8:a:2:)" -eq 0 ] && break
	sleep 0.5
done
[ "$left" -ge 2 ] && [ "$(count 2001:db8:a:3:)" -ge 2 ] && [ "$(count 2001:db8:a:2:)" -eq 0 ] &&
	grep -q 'in 2001:db8:a:3::/64' "$dir/log" &&
	ok "killed and renumbered while down: the restart is on 2001:db8:a:3::/64, the $left left on the last /64 ran out" ||
	bad "restart: $left left; now [$(hashed | tr '\n' ' ')]"
kill -TERM "$pid"
wait "$pid" || :
pid=
netns_end

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# mt6d-addrmgr's guard table on the host kernel (no SCTP, no tunnel: the daemon rotates
# on the uplink alone), started on a messy state:
#
#   +------------------- fresh netns -------------------+
#   |  inet0 (veth): two non-hashed /64 addresses        |
#   |  table ip6 mt6d-t (half-built: one set, counter    |
#   |  "dropped" at 7 packets)   table ip6 other         |
#   +----------------------------------------------------+
#
# Checks: the half-built table is replaced by the whole one with the counter carried
# over; after some rotations the uplink's hashed addresses are exactly the local set,
# no retired element is on the uplink, the operator's own (non-hashed) addresses stay, the peer set holds the peer's
# slot window, the bystander table is untouched; UDP to the current address is dropped
# and counted; after SIGKILL and restart the same holds; SIGTERM (no tunnel runs)
# removes the hashed addresses, then the table, and only them, and leaves the kill switch
# (killswitch.sh tests what it drops).
#
# Fail closed, then: a table of the guard's name owned by another process (nft -i holds
# it with "flags owner") makes every install fail: no hashed address appears while it
# stands, the status and the log (once) say why; once its owner exits the guard installs
# and the addresses appear. The table deleted by hand comes back at the next tick, the
# addresses staying; deleted and replaced by an owned one, the addresses go until it is
# gone. Needs root: exits 77 (SKIP) without.
set -eu
. "$(dirname "$0")/lib.sh"
bin=$1
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: needs nft"; exit 77; }

ns=mt6d-ag-$$
dir=$(mktemp -d)
failed=0
passed=0
pid=
holder=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || :
	[ -n "$holder" ] && kill -KILL "$holder" 2>/dev/null || :
	ip netns del "$ns" 2>/dev/null || :
	[ -n "$KEEP_LOG" ] && cp "$dir/log" "$KEEP_LOG"
	rm -rf "$dir"
}
trap cleanup EXIT
KEEP_LOG=${KEEP_LOG:-}
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; }

ip netns add "$ns" || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip -n "$ns" link add inet0 type veth peer name inet1
ip -n "$ns" link set lo up
ip -n "$ns" link set inet0 up
ip -n "$ns" link set inet1 up
ip -n "$ns" addr add 2001:db8:1:1::dead/64 dev inet0 nodad
ip -n "$ns" addr add 2001:db8:1:1::beef/64 dev inet0 nodad
netns_key "$dir" >/dev/null
netns_conf "$dir" <<EOF
[rotation]
interval = 1
lifetime = 1
EOF
nsx() { ip netns exec "$ns" "$@"; }
nsx nft -f - <<EOF
table ip6 mt6d-t {
	counter dropped {
		packets 7 bytes 700
	}
	set local {
		type ipv6_addr
	}
}
table ip6 other {
	set keep {
		type ipv6_addr
		elements = { 2001:db8:1:1::1 }
	}
}
EOF

start() {
	# Not through nsx: a backgrounded function is a subshell, $! would not be the daemon.
	ip netns exec "$ns" env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" -f -v \
		>>"$dir/log" 2>&1 &
	pid=$!
}
status() { nsx env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" --status "$@"; }
set_elems() { # SET
	nsx nft list set ip6 mt6d-t "$1" 2>/dev/null | tr ',{}' '\n\n\n' |
		grep -o '2001:[0-9a-f:]*' | sort -u
}
uplink() {
	ip -n "$ns" -6 -o addr show dev inet0 scope global | awk '{ sub("/.*", "", $4); print $4 }' | sort
}
# The state a tick leaves: the uplink's hashed addresses = local set, nothing retired on
# them, the plan on them. ::dead and ::beef are the operator's, not hashed: they stay.
converged() {
	up=$(uplink | grep -vE '::(dead|beef)$')
	loc=$(set_elems local)
	[ -n "$up" ] && [ "$up" = "$loc" ] || return 1
	for a in $(set_elems retired); do echo "$up" | grep -qx "$a" && return 1; done
	plan=$(status --json | grep -o '"address":"[0-9a-f:]*"' | cut -d'"' -f4)
	[ -n "$plan" ] || return 1
	for a in $plan; do
		echo "$up" | grep -qx "$a" || return 1
	done
	return 0
}
wait_converged() {
	i=0
	while [ $i -lt 30 ]; do
		converged && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

start
sleep 3.5
if nsx nft list chain ip6 mt6d-t guard >/dev/null 2>&1; then
	ok "half-built table replaced by the whole one"
else
	bad "guard chain missing: $(nsx nft list table ip6 mt6d-t 2>&1 | head -n 5)"
fi
d=$(status --json | sed -n 's/.*"guard":{[^}]*"dropped":\([0-9]*\).*/\1/p')
[ "${d:-0}" -ge 7 ] && ok "counter carried over ($d)" || bad "dropped counter $d, expected >= 7"
wait_converged && ok "uplink = local set ($(echo $up | wc -w) addresses), plan on it, nothing retired" ||
	bad "uplink [$(echo $up)] local [$(echo $loc)]"
[ "$(uplink | grep -cE '::(dead|beef)$')" -eq 2 ] && ! set_elems local | grep -qE '::(dead|beef)$' &&
	ok "the operator's own addresses in the /64 stay, outside the local set" ||
	bad "::dead and ::beef: $(uplink | grep -E '::(dead|beef)$' | tr '\n' ' ')"
np=$(set_elems peer | wc -l)
# clock - lifetime - 1 .. clock + 2; one more while the oldest runs out.
[ "$np" -ge 5 ] && [ "$np" -le 6 ] && ok "peer set: the peer's 5-slot window ($np)" ||
	bad "peer set has $np elements"
nsx nft list set ip6 other keep | grep -q '2001:db8:1:1::1' && ok "bystander table untouched" ||
	bad "bystander table changed"

# A packet to the current address that is not the tunnel's: dropped and counted.
cur=$(status --json | grep -o '"role":"current","address":"[0-9a-f:]*"' | cut -d'"' -f8)
d0=$(nsx nft list counter ip6 mt6d-t dropped | sed -n 's/.*packets \([0-9]*\).*/\1/p')
nsx python3 -c "import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b'x', ('$cur', 9))" 2>/dev/null || :
d1=$(nsx nft list counter ip6 mt6d-t dropped | sed -n 's/.*packets \([0-9]*\).*/\1/p')
[ "$d1" -gt "$d0" ] && ok "UDP to the current address $cur dropped and counted ($d0 -> $d1)" ||
	bad "dropped counter did not move ($d0 -> $d1) for $cur"

# kill -9 at three moments, restart: the same state, uplink = local set, so no orphan (a
# duplicate address on one device the kernel refuses by itself).
for delay in 0.3 0.9 1.4; do
	sleep "$delay"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || :
	start
	sleep 1.2
done
wait_converged && ok "after 3 kills: uplink = local set, plan on it, nothing retired" ||
	bad "after kills: uplink [$(echo $up)] local [$(echo $loc)]"

kill -TERM "$pid"
wait "$pid" 2>/dev/null || :
pid=
nsx nft list table ip6 mt6d-t >/dev/null 2>&1 && bad "table left after SIGTERM" ||
	ok "SIGTERM removes the table"
nsx nft list table ip6 other >/dev/null 2>&1 && ok "and only it" || bad "bystander table gone"
nsx nft list chain inet mt6d-t killswitch-fwd >/dev/null 2>&1 &&
	ok "the kill switch (inet mt6d-t) outlives the clean stop" || bad "kill switch gone after SIGTERM"
left=$(uplink | grep -vE '::(dead|beef)$' || :)
[ -z "$left" ] && [ "$(uplink | grep -cE '::(dead|beef)$')" -eq 2 ] &&
	ok "SIGTERM without a tunnel removes the hashed addresses, the operator's stay" ||
	bad "after SIGTERM the uplink holds [$(uplink | tr '\n' ' ')]"
grep -q 'mt6d-tunnel is not running: removed [0-9]* hashed address' "$dir/log" &&
	ok "and says so" || bad "no log line about the removed addresses"

# --- fail closed --------------------------------------------------------------------
hashed() { uplink | grep -vE '::(dead|beef)$' || :; }
# hold CMDS: nft -i, fed CMDS, holds them (an owned table lives as long as its socket).
hold() {
	rm -f "$dir/fifo"
	mkfifo "$dir/fifo"
	ip netns exec "$ns" nft -i <"$dir/fifo" >"$dir/holder.log" 2>&1 &
	holder=$!
	exec 3>"$dir/fifo"
	echo "$1" >&3
	i=0
	until nsx nft list table ip6 mt6d-t 2>/dev/null | grep -q 'flags owner'; do
		i=$((i + 1))
		[ $i -lt 50 ] || { bad "nft -i did not make the owned table: $(cat "$dir/holder.log")"; return 1; }
		sleep 0.1
	done
}
unhold() {
	exec 3>&-
	kill -TERM "$holder" 2>/dev/null || :
	wait "$holder" 2>/dev/null || :
	holder=
}
# never_hashed SECONDS: no hashed address on the uplink at any of 10 looks a second.
never_hashed() {
	i=0
	while [ $i -lt $(($1 * 10)) ]; do
		[ -z "$(hashed)" ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

hold 'add table ip6 mt6d-t { flags owner; }' || :
: >"$dir/log"
start
if never_hashed 3; then
	ok "guard cannot be installed: no hashed address on the uplink for 3 s"
else
	bad "hashed address(es) while the guard is not installed: $(hashed | tr '\n' ' ')"
fi
st=$(status)
echo "$st" | grep -q 'guard: table mt6d-t (not installed: cannot install table mt6d-t: Operation not permitted' &&
	ok "status says the guard is not installed and why" || bad "status: $(echo "$st" | grep guard:)"
status --json | grep -q '"installed":false,"error":"cannot install table mt6d-t: Operation not permitted' &&
	ok "status --json too" || bad "json: $(status --json | grep -o '"guard":{[^}]*}')"
n=$(grep -c 'guard table: cannot install table mt6d-t: Operation not permitted.*: no hashed address is added until it is there' "$dir/log" || :)
[ "$n" -eq 1 ] && ok "logged once in 3 s ($(grep -c . "$dir/log") log lines)" ||
	bad "the install failure logged $n times"
kill -0 "$pid" 2>/dev/null && ok "the daemon stays alive and retries" || bad "the daemon exited"
unhold
i=0
until [ -n "$(hashed)" ] && nsx nft list chain ip6 mt6d-t guard >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 30 ] || break
	sleep 0.1
done
if wait_converged; then
	ok "obstacle gone: the guard installs and the addresses appear (positive control)"
else
	bad "after the obstacle: uplink [$(uplink | tr '\n' ' ')] table: $(nsx nft list tables)"
fi
grep -q 'guard table mt6d-t installed' "$dir/log" && ok "and the log says so" ||
	bad "no 'installed' line in the log"

# Deleted by hand: back at the next tick, the addresses staying all along.
before=$(hashed)
nsx nft delete table ip6 mt6d-t
i=0
until nsx nft list chain ip6 mt6d-t guard >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 20 ] || break
	sleep 0.1
done
nsx nft list chain ip6 mt6d-t guard >/dev/null 2>&1 && [ -n "$(hashed)" ] &&
	ok "table deleted by hand: installed again within $((i * 100)) ms, addresses kept" ||
	bad "table deleted by hand: not back ($(nsx nft list tables | tr '\n' ' ')), uplink [$(hashed | tr '\n' ' ')], before [$(echo $before)]"
grep -q 'guard table mt6d-t has gone; installing it again' "$dir/log" && ok "and logged" ||
	bad "the vanished table was not logged"
grep -q 'guard table is not installed: removed' "$dir/log" &&
	bad "addresses were withdrawn for a table that could be installed again" ||
	ok "no address withdrawn for it"

# Deleted and replaced by an owned table in one transaction: the addresses go.
hold 'delete table ip6 mt6d-t; add table ip6 mt6d-t { flags owner; }' || :
i=0
while [ -n "$(hashed)" ] && [ $i -lt 20 ]; do
	i=$((i + 1))
	sleep 0.1
done
[ -z "$(hashed)" ] && ok "table replaced by one we cannot install over: addresses removed ($((i * 100)) ms after the owned table was seen)" ||
	bad "addresses stay without the guard: $(hashed | tr '\n' ' ')"
never_hashed 2 && ok "and none comes back while it stands" || bad "an address came back: $(hashed)"
grep -q 'guard table is not installed: removed [0-9]* hashed address' "$dir/log" &&
	ok "the log says why they went" || bad "no log line for the withdrawn addresses"
unhold
wait_converged && ok "owner gone: addresses back" || bad "not back: uplink [$(uplink | tr '\n' ' ')]"

kill -TERM "$pid"
wait "$pid" 2>/dev/null || :
pid=
[ -z "$(hashed)" ] && ! nsx nft list table ip6 mt6d-t >/dev/null 2>&1 &&
	ok "SIGTERM again: no hashed address, no table" ||
	bad "after the second SIGTERM: uplink [$(hashed | tr '\n' ' ')]"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# mt6d-addrmgr --reload and SIGHUP on the host kernel (no SCTP, no tunnel: the daemon
# rotates on the uplink alone, every second), in a fresh netns:
#
# - [rotation] lifetime 1 -> 4 and a new [metrics] directory, reloaded: the reply says both
#   are applied, that [tunnel] mtu (changed too) needs mt6d-tunnel restarted; the uplink
#   then holds 6 hashed addresses instead of 3 (control: 3 before), and the metrics file
#   moves (control: it was in the old directory before).
# - SIGHUP: the log says what was applied.
# - A broken file: --reload refuses it with an error naming file, section and key (exit 1);
#   SIGHUP logs that error and the daemon runs on with its configuration (the address
#   count stays).
# - A new key in the same key file: both daemons must restart for it; the addresses stay
#   those of the running key, and the key is in neither the reply nor the log.
# Needs root: exits 77 (SKIP) without.
# shellcheck disable=SC2154  # ns, dir: set by netns_begin (lib.sh)
set -eu
. "$(dirname "$0")/lib.sh"
bin=$1
netns_begin rl nft
key1=$(netns_key "$dir")
mkdir "$dir/m1" "$dir/m2"
conf() { # LIFETIME METRICS-DIR MTU
	netns_conf "$dir" <<-EOF
		[tunnel]
		mtu = $3
		[rotation]
		interval = 1
		lifetime = $1
		[metrics]
		directory = $2
	EOF
}
conf 1 "$dir/m1" 1400
nsx() { ip netns exec "$ns" "$@"; }
ctl() { nsx env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" "$@"; }
# The most hashed addresses on the uplink over 12 ticks of 0.25 s.
hashed() {
	_max=0
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		_n=$(ip -n "$ns" -6 -o addr show dev inet0 scope global | grep -c '2001:db8:1:1:' || :)
		[ "$_n" -gt "$_max" ] && _max=$_n
		sleep 0.25
	done
	echo "$_max"
}
current() { ctl --status --json | grep -o '"role":"current","address":"[0-9a-f:]*"' | cut -d'"' -f8; }

ip netns exec "$ns" env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" -f -v \
	>>"$dir/log" 2>&1 &
pid=$!
sleep 6.5
before=$(hashed)
[ "$before" -ge 2 ] && [ "$before" -le 4 ] && ok "lifetime 1: $before hashed addresses" ||
	bad "lifetime 1: $before hashed addresses, want 3 (2 to 4)"
[ -f "$dir/m1/t-addrmgr.prom" ] && ok "control: metrics in the first directory" ||
	bad "no metrics file in $dir/m1"

conf 4 "$dir/m2" 1380
if reply=$(ctl --reload); then rc=0; else rc=$?; fi
echo "$reply" | sed 's/^/       /'
[ "$rc" -eq 0 ] && echo "$reply" | grep -q "3 key(s) differ" &&
	echo "$reply" | grep -qx '\[rotation\] lifetime: applied' &&
	echo "$reply" | grep -qx '\[metrics\] directory: applied; restart mt6d-tunnel@t for it too' &&
	echo "$reply" | grep -qx '\[tunnel\] mtu: restart mt6d-tunnel@t for it' &&
	ok "--reload: lifetime and metrics applied, mtu needs mt6d-tunnel restarted" ||
	bad "--reload exit $rc"
sleep 5.5
after=$(hashed)
[ "$after" -ge 6 ] && [ "$after" -le 7 ] && ok "lifetime 4 applied live: $after hashed addresses" ||
	bad "after the reload: $after hashed addresses, want 6"
[ -f "$dir/m2/t-addrmgr.prom" ] && [ ! -e "$dir/m1/t-addrmgr.prom" ] &&
	ok "metrics file moved to the new directory" ||
	bad "metrics: $(ls "$dir/m1" "$dir/m2" | tr '\n' ' ')"

conf 3 "$dir/m2" 1380
kill -HUP "$pid"
sleep 1
# The mtu is not applied: it differs still, and is listed again.
grep -q 'reload: ok .*: 2 key(s) differ' "$dir/log" &&
	[ "$(grep -c 'reload: \[tunnel\] mtu: restart mt6d-tunnel@t for it' "$dir/log")" -eq 2 ] &&
	[ "$(grep -c 'reload: \[rotation\] lifetime: applied' "$dir/log")" -eq 2 ] &&
	ok "SIGHUP: the log says what was applied, the mtu still differs" ||
	bad "SIGHUP: $(grep reload: "$dir/log" | tail -n 3)"

steady=$(hashed)
conf 0 "$dir/m2" 1380
# --reload checks the file before it asks the daemon; SIGHUP gets it to the daemon.
if reply=$(ctl --reload 2>&1); then rc=0; else rc=$?; fi
[ "$rc" -eq 1 ] && echo "$reply" | grep -q "$dir/t.conf: \[rotation\] lifetime: out of range" &&
	ok "--reload of a broken file: the error names file, section and key; exit 1" ||
	bad "--reload of a broken file: exit $rc: $reply"
kill -HUP "$pid"
sleep 1
grep -q "reload: error $dir/t.conf: \[rotation\] lifetime: out of range.*; the running configuration stays" \
	"$dir/log" && ok "SIGHUP with a broken file: logged, the running configuration stays" ||
	bad "SIGHUP with a broken file: $(grep reload: "$dir/log" | tail -n 1)"
kill -0 "$pid" 2>/dev/null && n=$(hashed) && [ "$n" -ge $((steady - 1)) ] &&
	[ "$n" -le $((steady + 1)) ] && ok "runs on with its configuration ($n addresses, $steady before)" ||
	bad "after the broken reload: ${n:-dead}, $steady before"

conf 3 "$dir/m2" 1380
was=$(current)
key2=$(netns_key "$dir")
if reply=$(ctl --reload); then rc=0; else rc=$?; fi
echo "$reply" | sed 's/^/       /'
[ "$rc" -eq 0 ] &&
	echo "$reply" | grep -qx '\[keys\] psk-file: restart mt6d-tunnel@t and mt6d-addrmgr@t for it' &&
	ok "a new key: both daemons must restart for it" || bad "new key: exit $rc"
# The daemon rotates on with the key it runs on (the addresses' derivation is the unit
# tests' job), and the key stays secret.
sleep 1.5
now=$(current)
[ -n "$now" ] && [ -n "$was" ] && ok "rotates on after the reload ($was -> $now)" ||
	bad "current address: [$was] -> [$now]"
if grep -qi -e "$key1" -e "$key2" "$dir/log" || echo "$reply" | grep -qi -e "$key1" -e "$key2"; then
	bad "a key in the log or the reply"
else
	ok "no key in the log or the reply"
fi

kill -TERM "$pid"
wait "$pid" || :
pid=
netns_end

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Steering toward a peer with one uplink, mt6d-addrmgr's route part, on the host kernel (no
# SCTP, no tunnel), in a fresh netns: two uplinks, [uplink isp1] on inet0 (preference 200)
# and [uplink isp2] on inet2, and the peer's single [peer] prefix 2001:db8:b::/64; the
# operator's routes lead there via fe80::1 out of inet0 (metric 100) and via fe80::2 out of
# inet2 (metric 200).
#
# Checks: the daemon routes the peer's /64 through the primary uplink, via the operator's
# gateway out of it (protocol 109, metric 1, with an expiry); inet0 deleted, the route moves
# to inet2 via fe80::2 (logged); SIGTERM without the tunnel removes it, and only it (the
# operator's route stays). Control: with two peer uplinks ([peer-uplink] sections) no such
# route is made. With the guard off, the route moves as well. Needs root: exits 77 (SKIP)
# without.
# shellcheck disable=SC2154  # ns, dir: set by netns_begin (lib.sh)
set -eu
. "$(dirname "$0")/lib.sh"
bin=$1
netns_begin st nft
netns_veth 2
netns_key "$dir" >/dev/null
conf() { # PEER-SECTIONS: the file, with the peer as given
	{
		echo "[keys]"
		echo "psk-file = $dir/key"
		printf '[local]\niid = ::1\n[peer]\niid = ::2\nroutes = fd00:b::/64\n%s\n' "$1"
		printf '[uplink isp1]\ninterface = inet0\nprefix = 2001:db8:a1:1::/64\npreference = 200\n'
		printf '[uplink isp2]\ninterface = inet2\nprefix = 2001:db8:a2:1::/64\n'
		printf '[rotation]\ninterval = 1\nlifetime = 1\n'
	} >"$dir/t.conf"
}
ours() { ip -n "$ns" -6 -o route show 2001:db8:b::/64 proto 109; }
start() {
	ip netns exec "$ns" env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" -f -v \
		>>"$dir/log" 2>&1 &
	pid=$!
}
ip -n "$ns" -6 route add 2001:db8:b::/64 via fe80::1 dev inet0 metric 100
ip -n "$ns" -6 route add 2001:db8:b::/64 via fe80::2 dev inet2 metric 200

# Control: two peer uplinks, no route of ours.
conf "$(printf '[peer-uplink b1]\nprefix = 2001:db8:b::/64\n[peer-uplink b2]\nprefix = 2001:db8:c::/64')"
sed -i '/^\[peer\]/,/^\[/{/^prefix/d}' "$dir/t.conf"
start
sleep 1.5
[ -z "$(ours)" ] && ok "control: with two peer uplinks, no route of ours" || bad "route: $(ours)"
kill -TERM "$pid"
wait "$pid" || :

conf "prefix = 2001:db8:b::/64"
start
sleep 1.5
case $(ours) in
*"via fe80::1 dev inet0 metric 1 expires"*)
	ok "the peer's /64 routed through the primary uplink: $(ours | cut -d' ' -f1-9)" ;;
*) bad "route of ours: [$(ours)]" ;;
esac
ip -n "$ns" link del inet0
sleep 1.5
case $(ours) in
*"via fe80::2 dev inet2 metric 1 expires"*)
	grep -q "traffic to the peer's 2001:db8:b::/64 leaves by inet2, via fe80::2" "$dir/log" &&
		ok "inet0 gone: the route moved to inet2 via fe80::2, logged" || bad "log: $(grep -c leaves "$dir/log")" ;;
*) bad "after inet0 went: [$(ours)]" ;;
esac
kill -TERM "$pid"
wait "$pid" || :
pid=
[ -z "$(ours)" ] && ip -n "$ns" -6 -o route show 2001:db8:b::/64 | grep -q 'via fe80::2 dev inet2 metric 200' &&
	ok "SIGTERM without the tunnel: our route removed, the operator's left" ||
	bad "after stop: [$(ip -n "$ns" -6 -o route show 2001:db8:b::/64 | tr '\n' ' ')]"
# The same without the guard (no evidence: the preference alone, and the interfaces there).
netns_veth 0
ip -n "$ns" -6 route add 2001:db8:b::/64 via fe80::1 dev inet0 metric 100
printf '[guard]\nenable = no\n' >>"$dir/t.conf"
start
sleep 1.5
dev0=$(ours | sed -n 's/.* dev \([a-z0-9]*\) .*/\1/p')
ip -n "$ns" link del inet0
sleep 1.5
dev1=$(ours | sed -n 's/.* dev \([a-z0-9]*\) .*/\1/p')
kill -TERM "$pid"
wait "$pid" && alive=yes || alive="exit $?"
pid=
[ "$dev0" = inet0 ] && [ "$dev1" = inet2 ] && [ "$alive" = yes ] &&
	ok "guard off: the route leaves by inet0, then by inet2 once inet0 is gone" ||
	bad "guard off: $dev0 then $dev1, daemon: $alive; $(tail -n 3 "$dir/log")"
netns_end

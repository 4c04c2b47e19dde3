#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-boot: systemd
#
# The shipped units under a real systemd (PID 1 of a Debian 12 guest, rootfs.sh),
# running what `meson install` installed (/usr/local/sbin, the units in
# /lib/systemd/system, modules-load.d and sysctl.d under /usr/local/lib).
# Gateway A is this machine: its uplink and LAN are in the root namespace, set up
# by a oneshot unit before network-online.target as a real uplink would be.
# Gateway B (the peer, started by hand) and both hosts live in namespaces.
#
# Boot 1: install; `systemctl enable --now mt6d-tunnel@gwA` with the peer down
#   returns within seconds, both units active (READY=1 reached systemd) and the
#   tunnel's STATUS= says it waits for the peer; then reboot.
# Boot 2: multi-user.target is reached with the peer still down, both units active,
#   the shipped sysctl.d/modules-load.d in force; the peer comes up and hostA pings
#   hostB; `systemctl kill -s KILL` of addrmgr restarts it alone; of the tunnel
#   restarts both, and no 0.5 s sample finds a hashed address on the uplink without
#   the guard table (control: the same sampler sees addresses with the table before,
#   and the table go at the final stop); 60 s without a watchdog kill
#   (control: a stopped daemon is killed by the watchdog); the daemons' warnings are
#   in `journalctl -p warning` and their info lines are not; `systemctl stop` leaves
#   no guard table, TUN device, route or hashed address behind (all four seen
#   before the stop).
set -eu
IP=$(command -v ip) TC=$(command -v tc) SS=$(command -v ss) NFT=$(command -v nft)
SOCAT=$(command -v socat)
MT6D_TUNNEL=/usr/local/sbin/mt6d-tunnel MT6D_ADDRMGR=/usr/local/sbin/mt6d-addrmgr
. "$(dirname "$0")/../lib.sh"

GW=gwA
TUNNEL_UNIT=mt6d-tunnel@$GW.service
ADDRMGR_UNIT=mt6d-addrmgr@$GW.service
TABLE="ip6 mt6d-$GW"
A_NET=${GWA_PREFIX%%::/64}:
export MT6D_GWA_ROOT_NS=1	# topo_up: gwA is the root namespace (lib.sh)

unit_prop() { systemctl show -P "$2" "$1"; }	# UNIT PROPERTY
main_pid() { unit_prop "$1" MainPID; }
both_active() { systemctl is-active -q "$TUNNEL_UNIT" && systemctl is-active -q "$ADDRMGR_UNIT"; }
# journal lines of both daemons (SYSLOG_IDENTIFIER is the program name) at PRIORITY or higher
daemon_journal() {
	journalctl -b -q --no-pager -o cat -p "$1" SYSLOG_IDENTIFIER=mt6d-tunnel \
		+ SYSLOG_IDENTIFIER=mt6d-addrmgr
}
guard_present() { "$NFT" list table $TABLE >/dev/null 2>&1; }
hashed_on_uplink() { addrs "$NS_GWA" "$INET_DEV" | grep -c "^$A_NET" || :; }

# --- boot 1: install, enable --now with the peer down, reboot --------------------------
boot1() {
	# as a package would: into the merged-/usr tree (/lib is a link to usr/lib here)
	tar -C /test/destdir -cf - . | tar -C / -xf - --keep-directory-symlink
	systemctl daemon-reload
	# What a package's maintainer scripts do: apply the shipped modules-load.d and sysctl.d.
	systemctl restart systemd-modules-load.service systemd-sysctl.service
	mkdir -p /etc/mt6d
	mt6d_key
	for gw in gwA gwB; do
		sed 's/^interval = .*/interval = 4/' "$(mt6d_conf $gw)" >/etc/mt6d/$gw.conf
	done
	cat >/etc/systemd/system/mt6d-vmtopo.service <<-EOF
		[Unit]
		Description=test topology: gwA's uplink and LAN, the peer's and the hosts' namespaces
		DefaultDependencies=no
		After=systemd-sysctl.service systemd-modules-load.service
		Before=network-online.target $TUNNEL_UNIT
		[Service]
		Type=oneshot
		RemainAfterExit=yes
		Environment=MT6D_GWA_ROOT_NS=1
		ExecStart=/bin/sh /test/tests/systemd.sh topology
		[Install]
		WantedBy=network-online.target multi-user.target
	EOF
	systemctl enable --now mt6d-vmtopo.service
	check "topology up before the units" ll_ready "$NS_GWA" "$INET_DEV"

	t0=$(now)
	if timeout 60 systemctl enable --now "$TUNNEL_UNIT" 2>"$OUT/enable.log"; then
		took=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
		[ "${took%.*}" -lt 20 ] &&
			pass "enable --now returned in $took s with the peer down" ||
			fail "enable --now returns within 20 s with the peer down" "took $took s"
	else
		fail "enable --now with the peer down" "$(cat "$OUT/enable.log")"
	fi
	wait_for both_active 20 &&
		pass "both units active (READY=1) with the peer down" ||
		fail "both units active with the peer down" \
			"$(systemctl status --no-pager -n 5 "$TUNNEL_UNIT" "$ADDRMGR_UNIT" 2>&1)"
	unit_prop "$TUNNEL_UNIT" StatusText | grep -q 'waiting for the peer' &&
		pass "tunnel STATUS=: $(unit_prop "$TUNNEL_UNIT" StatusText)" ||
		fail "tunnel STATUS= says it waits for the peer" "$(unit_prop "$TUNNEL_UNIT" StatusText)"
	exe=$(readlink "/proc/$(main_pid "$TUNNEL_UNIT")/exe")
	[ "$exe" = "$MT6D_TUNNEL" ] && pass "the unit runs the installed $exe" ||
		fail "the unit runs the installed binary" "it runs $exe"
	exit 100
}

# --- boot 2 ---------------------------------------------------------------------------
boot2_boot() {
	state=$(timeout 120 systemctl is-system-running --wait 2>&1) || :
	case $state in
	running | degraded) pass "boot finished with the peer down (system $state)" ;;
	*) fail "boot finishes with the peer down" "is-system-running: $state" ;;
	esac
	check "multi-user.target reached" systemctl is-active -q multi-user.target
	both_active && pass "both units active after boot, peer down" ||
		fail "both units active after boot" "$(systemctl --no-pager --failed 2>&1)"
	[ "$(cat /proc/sys/net/sctp/auth_enable)" = 1 ] &&
		pass "sysctl.d applied at boot: net.sctp.auth_enable=1" ||
		fail "sysctl.d applied at boot" "auth_enable=$(cat /proc/sys/net/sctp/auth_enable)"
}

boot2_peer() {
	MT6D_TUNNEL_ENV= mt6d_start gwB /etc/mt6d/gwB.conf
	wait_for "mt6d_authed gwB" 60 ||
		die "association up and authenticated" "$(tail -n 5 "$OUT/gwB-tunnel.log")"
	wait_for "nsx $NS_HOSTA ping -c 1 -W 1 $HOSTB" 20 &&
		pass "hostA pings hostB across the tunnel" ||
		die "hostA pings hostB across the tunnel" "no reply"
	unit_prop "$TUNNEL_UNIT" StatusText | grep -qv 'waiting for the peer' &&
		pass "tunnel STATUS= after the peer came: $(unit_prop "$TUNNEL_UNIT" StatusText)" ||
		fail "tunnel STATUS= follows the peer" "$(unit_prop "$TUNNEL_UNIT" StatusText)"
}

# SIGKILL of the address manager: systemd restarts it alone; the tunnel carries on.
boot2_kill_addrmgr() {
	tpid=$(main_pid "$TUNNEL_UNIT") apid=$(main_pid "$ADDRMGR_UNIT")
	systemctl kill -s KILL "$ADDRMGR_UNIT"
	wait_for "[ \"\$(main_pid $ADDRMGR_UNIT)\" != $apid ] && [ \"\$(main_pid $ADDRMGR_UNIT)\" != 0 ] &&
		systemctl is-active -q $ADDRMGR_UNIT" 20 &&
		pass "addrmgr restarted after SIGKILL (pid $apid -> $(main_pid "$ADDRMGR_UNIT"))" ||
		fail "addrmgr restarted after SIGKILL" "$(systemctl status --no-pager -n 5 "$ADDRMGR_UNIT")"
	[ "$(main_pid "$TUNNEL_UNIT")" = "$tpid" ] && pass "the tunnel was left alone" ||
		fail "the tunnel was left alone" "pid $tpid -> $(main_pid "$TUNNEL_UNIT")"
	wait_for "nsx $NS_HOSTA ping -c 1 -W 1 $HOSTB" 20 &&
		pass "ping after the addrmgr restart" || fail "ping after the addrmgr restart" "no reply"
}

# sample_guard FILE: background sampler, a line "T0 N T2" per round: the guard table
# there (1) or not (0), the number of hashed addresses on the uplink, the table again.
# The reads are not atomic; the daemon installs the table before the first address and
# removes it after the last, so "0 N>0 0" means an address was up without the table.
guard_round() {
	t0=0 t2=0
	guard_present && t0=1
	n=$(hashed_on_uplink)
	guard_present && t2=1
	echo "$t0 $n $t2"
}
sample_guard() {
	while :; do
		guard_round
		sleep 0.5
	done >"$1" &
	sampler=$!
}
unguarded() { awk '$1 + $3 == 0 && $2 > 0' "$@"; }	# [FILE]: the rounds that caught one

# SIGKILL of the tunnel: BindsTo takes addrmgr down, both come back, the guard stays.
boot2_kill_tunnel() {
	tpid=$(main_pid "$TUNNEL_UNIT") apid=$(main_pid "$ADDRMGR_UNIT")
	sample_guard "$OUT/guard-samples.txt"
	sleep 1
	systemctl kill -s KILL "$TUNNEL_UNIT"
	wait_for "both_active && [ \"\$(main_pid $TUNNEL_UNIT)\" != $tpid ] &&
		[ \"\$(main_pid $ADDRMGR_UNIT)\" != $apid ]" 40 &&
		pass "tunnel and addrmgr restarted after the tunnel's SIGKILL" ||
		fail "tunnel and addrmgr restarted after the tunnel's SIGKILL" \
			"$(systemctl status --no-pager -n 5 "$TUNNEL_UNIT" "$ADDRMGR_UNIT" 2>&1)"
	wait_for "nsx $NS_HOSTA ping -c 1 -W 1 $HOSTB" 60 &&
		pass "ping after the tunnel restart" || fail "ping after the tunnel restart" "no reply"
	kill "$sampler"
	# The addresses go before the table and come after it (the tunnel's socket dies with
	# it, so the new one starts afresh): no sample may show an address without the table.
	f=$OUT/guard-samples.txt
	n=$(wc -l <"$f") gone=$(awk '$1 + $3 == 0' "$f" | wc -l)
	bare=$(unguarded "$f" | wc -l)
	with=$(awk '$1 + $3 == 2 && $2 > 0' "$f" | wc -l)
	# A sample costs nft and ip runs: under TCG ~1 s apart, not 0.5. The first and the
	# last (after the ping came back) must see both, so the samples span the restart.
	ends=$(sed -n '1p;$p' "$f" | awk '$1 + $3 == 2 && $2 > 0' | wc -l)
	[ "$n" -ge 5 ] && [ "$bare" -eq 0 ] && [ "$ends" -eq 2 ] &&
		pass "no hashed address without the guard table at any of $n samples through the tunnel restart ($with with both, $gone with neither)" ||
		fail "no hashed address without the guard table through the tunnel restart" \
			"$bare of $n samples had addresses but no table ($with with both): $(tr '\n' '|' <"$f")"
}

# 60 s of normal running: no watchdog kill, no restart, the tunnel keeps carrying.
boot2_watchdog() {
	tpid=$(main_pid "$TUNNEL_UNIT") apid=$(main_pid "$ADDRMGR_UNIT")
	nr="$(unit_prop "$TUNNEL_UNIT" NRestarts)/$(unit_prop "$ADDRMGR_UNIT" NRestarts)"
	nsx "$NS_HOSTA" ping -c 60 -i 1 -W 2 "$HOSTB" >"$OUT/ping-60s.txt" 2>&1 || :
	now_nr="$(unit_prop "$TUNNEL_UNIT" NRestarts)/$(unit_prop "$ADDRMGR_UNIT" NRestarts)"
	[ "$(main_pid "$TUNNEL_UNIT")" = "$tpid" ] && [ "$(main_pid "$ADDRMGR_UNIT")" = "$apid" ] &&
		[ "$nr" = "$now_nr" ] &&
		! journalctl -b -q --no-pager -u "$TUNNEL_UNIT" -u "$ADDRMGR_UNIT" | grep -q 'Watchdog timeout' &&
		pass "60 s without a watchdog kill or restart (NRestarts $now_nr)" ||
		fail "60 s without a watchdog kill" "NRestarts $nr -> $now_nr"
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$OUT/ping-60s.txt")
	[ "${got:-0}" -ge 57 ] && pass "$got/60 pings over the 60 s" ||
		fail "pings over the 60 s" "$(tail -n 2 "$OUT/ping-60s.txt")"
	# Control: the watchdog is armed and does kill a daemon that stops answering it.
	apid=$(main_pid "$ADDRMGR_UNIT")
	kill -STOP "$apid"
	wait_for "journalctl -b -q --no-pager -u $ADDRMGR_UNIT | grep -q 'Watchdog timeout'" 45 &&
		pass "control: a stopped addrmgr is killed by the watchdog ($(unit_prop "$ADDRMGR_UNIT" WatchdogUSec))" ||
		fail "control: the watchdog kills a stopped addrmgr" "no 'Watchdog timeout' in 45 s"
	wait_for "both_active && [ \"\$(main_pid $ADDRMGR_UNIT)\" != $apid ]" 20 ||
		fail "addrmgr back after the watchdog kill" "$(systemctl status --no-pager -n 5 "$ADDRMGR_UNIT")"
}

boot2_journal() {
	daemon_journal warning >"$OUT/journal-warning.txt"
	daemon_journal info >"$OUT/journal-info.txt"
	nw=$(wc -l <"$OUT/journal-warning.txt") ni=$(wc -l <"$OUT/journal-info.txt")
	[ "$nw" -gt 0 ] && pass "$nw daemon warning(s) under journalctl -p warning, e.g. $(head -n 1 "$OUT/journal-warning.txt")" ||
		fail "daemon warnings under journalctl -p warning" "none among $ni lines at info"
	# Control: info lines exist and are not all raised to warning.
	grep -q 'peer proved the key' "$OUT/journal-info.txt" &&
		! grep -q 'peer proved the key' "$OUT/journal-warning.txt" &&
		pass "info lines stay below warning ($ni at info or above, $nw at warning or above)" ||
		fail "info lines stay below warning" "'peer proved the key' missing at info or present at warning"
	! grep -q '^[A-Z][a-z][a-z] [ 0-9][0-9] \|^<[0-7]>' "$OUT/journal-info.txt" &&
		pass "journal lines carry neither a timestamp nor a <N> prefix of their own" ||
		fail "journal lines without timestamp or <N>" "$(grep -m 1 '^[A-Z][a-z][a-z] \|^<' "$OUT/journal-info.txt")"
}

boot2_stop() {
	have_route() { "$IP" -6 route show "$LANB_PREFIX" | grep -q .; }
	have_tun() { "$IP" link show dev "$TUN_DEV" >/dev/null 2>&1; }
	guard_present && have_tun && have_route && [ "$(hashed_on_uplink)" -gt 0 ] &&
		pass "before the stop: guard table, $TUN_DEV, route to $LANB_PREFIX, $(hashed_on_uplink) hashed address(es)" ||
		fail "before the stop: table, device, route and addresses present" \
			"guard $(guard_present && echo y || echo n), tun $(have_tun && echo y || echo n), route $(have_route && echo y || echo n), addresses $(hashed_on_uplink)"
	sample_guard "$OUT/guard-samples-stop.txt"
	sleep 1
	systemctl stop "$TUNNEL_UNIT"
	wait_for "! systemctl is-active -q $ADDRMGR_UNIT" 20 ||
		fail "addrmgr stops with the tunnel" "$(systemctl is-active "$ADDRMGR_UNIT")"
	sleep 1
	kill "$sampler"
	awk '$1 + $3 == 0' "$OUT/guard-samples-stop.txt" | grep -q . &&
		pass "control: the guard sampler sees the table go at the stop" ||
		fail "control: the guard sampler sees the table go" "$(tr '\n' ' ' <"$OUT/guard-samples-stop.txt")"
	left=
	guard_present && left="$left guard-table"
	have_tun && left="$left $TUN_DEV"
	have_route && left="$left route"
	[ "$(hashed_on_uplink)" -eq 0 ] || left="$left $(hashed_on_uplink)-hashed-address(es)"
	[ -z "$left" ] && pass "systemctl stop leaves no table, device, route or hashed address" ||
		fail "systemctl stop leaves nothing behind" "left:$left"
	# Control: the sampler's verdict does catch an address in the prefix without the table.
	"$IP" addr add "${A_NET}:dead/64" dev "$INET_DEV" nodad
	round=$(guard_round)
	"$IP" addr del "${A_NET}:dead/64" dev "$INET_DEV"
	echo "$round" | unguarded | grep -q . &&
		pass "control: an address put on the uplink by hand without the table is caught ($round)" ||
		fail "control: the sampler catches an unguarded address" "round: $round"
	mt6d_stop gwB
}

case ${1:-} in
topology)
	topo_up
	exit 0 ;;
esac
case ${MT6D_BOOT:-1} in
1) boot1 ;;
2)
	boot2_boot
	boot2_peer
	boot2_kill_addrmgr
	boot2_kill_tunnel
	boot2_watchdog
	boot2_journal
	boot2_stop
	finish ;;
*) die "boot" "unexpected boot ${MT6D_BOOT:-}" ;;
esac

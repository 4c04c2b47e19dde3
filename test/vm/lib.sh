# SPDX-License-Identifier: MIT
# shellcheck shell=sh disable=SC2034
#
# Guest-side helpers for the mt6d VM tests (busybox sh).  A test script does
#   . "$(dirname "$0")/../lib.sh"
# and ends with `finish`.  In between:
#   verdicts     pass NAME | fail NAME REASON | skip NAME REASON | die NAME REASON
#                check NAME CMD...  (PASS if CMD succeeds)
#   readiness    wait_for 'SHELL CMD' SECONDS  (polls every 0.1 s; no fixed sleeps)
#   topology     topo_up, topo_down, nsx NS CMD..., sysctl_ns NS K=V..., addrs NS DEV
#   processes    bg_start NAME NS CMD..., bg_alive NAME, bg_stop NAME [SIG]
#   captures     cap_start NAME [NS [DEV [FILTER...]]], cap_stop NAME, cap_file NAME
#                pcap_sources FILE PREFIX, pcap_count FILE sctp|icmp6|other|all,
#                pcap_count_other FILE, pcap_show_other FILE, lan_mark, lan_split FILE
#   mt6d         mt6d_require, mt6d_start GW [CONF], mt6d_stop GW, mt6d_rotate GW,
#                mt6d_tun_up GW, mt6d_key  (GW is gwA or gwB; CONF conf/GW.conf),
#                mt6d_tstatus GW [ARGS...], json_num JSON KEY
# Everything a test writes to $OUT (/out) is copied to the host afterwards.
#
# Topology built by topo_up (network namespaces joined by veth pairs):
#
#  hostA            gwA                                   gwB            hostB
#  eth0 ───────── lan0   inet0 ══════ "internet" ══════ inet0   lan0 ───────── eth0
#  fd00:a::2/64   fd00:a::1/64                         fd00:b::1/64   fd00:b::2/64
#                 uplink prefix 2001:db8:1:1::/64      uplink prefix 2001:db8:2:2::/64
#
# The uplinks carry link-local addresses only (plus what a test or the mt6d
# daemons add); each gateway has an on-link route for the other's /64.  The true
# addresses 2001:db8:1:1::1 and 2001:db8:2:2::2 are never configured.
#
# Busybox runs its own applets before searching PATH, so call the real tools
# through the variables below.  Commands run by `ip netns exec` (nsx) are found
# on PATH, where the real tools come first.

IP=${IP:-/usr/local/bin/ip}
TC=${TC:-/usr/local/bin/tc}
SS=${SS:-/usr/local/bin/ss}
NFT=${NFT:-/usr/local/bin/nft}
TCPDUMP=${TCPDUMP:-/usr/local/bin/tcpdump}
SOCAT=${SOCAT:-/usr/local/bin/socat}
IPERF3=${IPERF3:-/usr/local/bin/iperf3}
SCTP_DARN=${SCTP_DARN:-/usr/local/bin/sctp_darn}
SCTP_TEST=${SCTP_TEST:-/usr/local/bin/sctp_test}
MT6D_TUNNEL=${MT6D_TUNNEL:-/usr/sbin/mt6d-tunnel}
MT6D_ADDRMGR=${MT6D_ADDRMGR:-/usr/sbin/mt6d-addrmgr}
# Test helpers from the build dir (test/vm/helpers).
PCAPGREP=${PCAPGREP:-/usr/local/bin/pcapgrep}
INTRUDER=${INTRUDER:-/usr/local/bin/sctp_intruder}
FORGE=${FORGE:-/usr/local/bin/sctp_forge}
FRAMELEN=${FRAMELEN:-/usr/local/bin/framelen}
LINKCHECK=${LINKCHECK:-/usr/local/bin/linkcheck}
UDPSEQ=${UDPSEQ:-/usr/local/bin/udpseq}
MT6D_SHIM=${MT6D_SHIM:-/usr/local/lib/libmt6d_shim.so}
MT6D_HEAPPROBE=${MT6D_HEAPPROBE:-/usr/local/lib/libmt6d_heapprobe.so}
# Where tests write configuration and the PSK (tools/demo points it elsewhere natively).
MT6D_ETC=${MT6D_ETC:-/etc/mt6d}

OUT=${OUT:-/out}
RESULTS=${RESULTS:-$OUT/results.txt}
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
VM_TEST_DIR=$(cd "$(dirname "$0")/.." && pwd)
CONF_DIR=$VM_TEST_DIR/conf
STATE=${STATE:-/run/mt6d-test}
mkdir -p "$OUT" "$STATE"

NS_HOSTA=hostA
NS_GWA=gwA
NS_GWB=gwB
NS_HOSTB=hostB
INET_DEV=inet0
LAN_DEV=lan0
HOST_DEV=eth0
GWA_PREFIX=2001:db8:1:1::/64
GWB_PREFIX=2001:db8:2:2::/64
LANA_PREFIX=fd00:a::/64
LANB_PREFIX=fd00:b::/64
GWA_LAN=fd00:a::1
GWB_LAN=fd00:b::1
HOSTA=fd00:a::2
HOSTB=fd00:b::2
TUN_DEV=mt6d0

_failed=0
_passed=0

# --- output and verdicts ---------------------------------------------------------

now() { cut -d' ' -f1 /proc/uptime; }
log() { echo "[$(now)] $*"; }

_result() {
	echo "$*"
	echo "$*" >>"$RESULTS"
}
pass() { # NAME
	_passed=$((_passed + 1))
	_result "PASS: $1"
}
fail() { # NAME REASON...  (the test goes on; finish exits non-zero)
	_n=$1
	shift
	_failed=$((_failed + 1))
	_result "FAIL: $_n: $*"
}
skip() { # NAME REASON...
	_n=$1
	shift
	_result "SKIP: $_n: $*"
}
die() { # NAME REASON...  fail and end the test now
	fail "$@"
	finish
}
check() { # NAME CMD...  PASS if CMD succeeds, else FAIL with its output
	_n=$1
	shift
	if _o=$("$@" 2>&1); then
		pass "$_n"
	else
		fail "$_n" "'$*' failed: $(echo "$_o" | tail -n 3 | tr '\n' ' ')"
	fi
}
# The kernel's log and the daemons' stderr, read at the end of every test: a kernel
# WARNING, BUG, Oops or general protection fault, or a sanitizer report from a daemon
# built with -Dsanitize=true, fails the test whatever else passed. Positive control: a
# marker written to /dev/kmsg must come back through dmesg.
_end_checks() {
	_marker="mt6d-test: end of $TEST_NAME $$"
	echo "$_marker" >/dev/kmsg 2>/dev/null || :
	dmesg >"$STATE/dmesg-end.txt" 2>&1 || :
	if ! grep -qF "$_marker" "$STATE/dmesg-end.txt"; then
		fail "kernel log readable (marker written to /dev/kmsg)" "not found in dmesg"
	elif grep -E 'WARNING:|BUG:|Oops|general protection' "$STATE/dmesg-end.txt" \
		>"$STATE/dmesg-bad.txt"; then
		fail "kernel log clean" "$(head -n 3 "$STATE/dmesg-bad.txt")"
	fi
	for _f in "$OUT"/*-tunnel.log "$OUT"/*-addrmgr.log; do
		[ -f "$_f" ] || continue
		grep -E 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$_f" \
			>"$STATE/sanitizer.txt" &&
			fail "no sanitizer report in $(basename "$_f")" "$(head -n 3 "$STATE/sanitizer.txt")"
	done
	return 0
}

finish() { # ends the test; exit status 1 if anything failed
	_end_checks
	log "$TEST_NAME: $_passed passed, $_failed failed"
	[ "$_failed" -eq 0 ] && [ "$_passed" -gt 0 ] && exit 0
	exit 1
}

# wait_for CMD TIMEOUT: poll the shell command CMD (a string, eval'ed) every
# 0.1 s until it succeeds (returns 0) or TIMEOUT seconds have passed (returns 1).
wait_for() {
	_cmd=$1
	_deadline=$(awk -v t="$2" '{ printf "%d", ($1 + t) * 100 }' /proc/uptime)
	while :; do
		eval "$_cmd" >/dev/null 2>&1 && return 0
		_now=$(awk '{ printf "%d", $1 * 100 }' /proc/uptime)
		[ "$_now" -ge "$_deadline" ] && return 1
		sleep 0.1
	done
}

# --- namespaces and topology -------------------------------------------------------

nsx() { # NS CMD...  run CMD (found on PATH) in network namespace NS
	_ns=$1
	shift
	"$IP" netns exec "$_ns" "$@"
}
sysctl_ns() { # NS KEY=VALUE...
	_ns=$1
	shift
	# nsenter is cheaper than ip netns exec (no mount namespace, no sysfs).
	nsenter --net="/run/netns/$_ns" sysctl -qw "$@" >/dev/null
}

# MT6D_GWA_ROOT_NS=1: gateway A is the machine itself (tests/systemd.sh): gwA names the
# root namespace, whose sysctls are the host's own (etc/sysctl.d), not set here.
topo_up() {
	log "topology: creating namespaces"
	for ns in $NS_HOSTA $NS_GWA $NS_GWB $NS_HOSTB; do
		if [ "$ns" = "$NS_GWA" ] && [ "${MT6D_GWA_ROOT_NS:-0}" = 1 ]; then
			"$IP" netns attach "$ns" 1
		else
			"$IP" netns add "$ns"
		fi
	done
	# Hosts skip DAD so their addresses are usable at once.  On the gateways
	# only the link-local addresses skip it (DAD costs 1-2 s); DAD is switched
	# back on below, as on a real uplink, so addresses the daemons add are
	# tentative unless they use NODAD.
	for ns in $NS_HOSTA $NS_HOSTB; do
		sysctl_ns "$ns" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	for ns in $NS_GWA $NS_GWB; do
		sysctl_ns "$ns" net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1
	done
	# What etc/sysctl.d/mt6d.conf sets on a host, in every namespace mt6d may run in
	# (a new namespace starts with the kernel's defaults, not the host's values).
	for ns in $NS_HOSTA $NS_GWA $NS_GWB $NS_HOSTB; do
		[ "$ns" = "$NS_GWA" ] && [ "${MT6D_GWA_ROOT_NS:-0}" = 1 ] && continue
		sysctl_ns "$ns" net.sctp.auth_enable=1
	done

	# One ip process per namespace and step: every ip call costs ~50 ms here.
	"$IP" -n "$NS_HOSTA" -batch - <<-EOF
		link set lo up
		link add $HOST_DEV type veth peer name $LAN_DEV netns $NS_GWA
		addr add $HOSTA/64 dev $HOST_DEV nodad
		link set $HOST_DEV up
	EOF
	"$IP" -n "$NS_GWA" -batch - <<-EOF
		link set lo up
		link add $INET_DEV type veth peer name $INET_DEV netns $NS_GWB
		addr add $GWA_LAN/64 dev $LAN_DEV nodad
		link set $LAN_DEV up
		link set $INET_DEV up
	EOF
	"$IP" -n "$NS_GWB" -batch - <<-EOF
		link set lo up
		link add $LAN_DEV type veth peer name $HOST_DEV netns $NS_HOSTB
		addr add $GWB_LAN/64 dev $LAN_DEV nodad
		link set $LAN_DEV up
		link set $INET_DEV up
		route add $GWA_PREFIX dev $INET_DEV
	EOF
	"$IP" -n "$NS_HOSTB" -batch - <<-EOF
		link set lo up
		addr add $HOSTB/64 dev $HOST_DEV nodad
		link set $HOST_DEV up
		route add default via $GWB_LAN dev $HOST_DEV
	EOF
	"$IP" -n "$NS_GWA" route add "$GWB_PREFIX" dev "$INET_DEV"
	"$IP" -n "$NS_HOSTA" route add default via "$GWA_LAN" dev "$HOST_DEV"

	# Ready when both uplink ends are up and have their link-local address.
	wait_for "ll_ready $NS_GWA $INET_DEV && ll_ready $NS_GWB $INET_DEV" 10 ||
		die topology "uplink link-local addresses did not appear"
	for ns in $NS_GWA $NS_GWB; do
		sysctl_ns "$ns" net.ipv6.conf.default.accept_dad=1 \
			"net.ipv6.conf.$INET_DEV.accept_dad=1" "net.ipv6.conf.$LAN_DEV.accept_dad=1"
	done
	log "topology: up"
}

ll_ready() { # NS DEV  true when DEV has a non-tentative link-local address
	"$IP" -n "$1" -6 addr show dev "$2" scope link 2>/dev/null |
		grep inet6 | grep -qv tentative
}

topo_down() {
	for ns in $NS_HOSTA $NS_GWA $NS_GWB $NS_HOSTB; do
		"$IP" netns delete "$ns" 2>/dev/null || :
	done
}

# Global IPv6 addresses on DEV in NS, one per line, without prefix length.
addrs() { # NS DEV
	"$IP" -n "$1" -6 -o addr show dev "$2" scope global |
		awk '{ sub("/.*", "", $4); print $4 }'
}

# --- background processes ------------------------------------------------------------

bg_start() { # NAME NS CMD...  run CMD in NS in the background, output to $OUT/NAME.log
	_n=$1
	_ns=$2
	shift 2
	# Not through nsx: a backgrounded function would be a subshell, and $!
	# would not be the command's pid.  ip netns exec execs the command.
	"$IP" netns exec "$_ns" "$@" >>"$OUT/$_n.log" 2>&1 &
	echo $! >"$STATE/$_n.pid"
	log "started $_n (pid $!): $*"
}
bg_pid() { cat "$STATE/$1.pid" 2>/dev/null; }
pid_alive() { # PID  (a zombie counts as dead)
	[ -r "/proc/$1/stat" ] || return 1
	case $(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) in
	"" | Z | X) return 1 ;;
	esac
	return 0
}
bg_alive() { # NAME
	_p=$(bg_pid "$1") && [ -n "$_p" ] && pid_alive "$_p"
}
# bg_stop NAME [SIGNAL]: send SIGNAL (default TERM), wait up to 5 s (then
# SIGKILL); returns the process's exit status (143 = died of SIGTERM).
bg_stop() {
	_p=$(bg_pid "$1") || return 0
	[ -n "$_p" ] || return 0
	kill "-${2:-TERM}" "$_p" 2>/dev/null || :
	wait_for "! pid_alive $_p" 5 || kill -KILL "$_p" 2>/dev/null || :
	wait "$_p" 2>/dev/null && _rc=0 || _rc=$?
	rm -f "$STATE/$1.pid"
	return "$_rc"
}

# --- captures ----------------------------------------------------------------------

# cap_start NAME [NS [DEV [TCPDUMP-FILTER...]]]: capture DEV in NS (default: the
# "internet" link seen from gwA) to $OUT/NAME.pcap; returns once tcpdump listens.
cap_start() {
	_n=$1
	_ns=${2:-$NS_GWA}
	_dev=${3:-$INET_DEV}
	if [ $# -gt 3 ]; then shift 3; else set --; fi
	: >"$OUT/$_n.tcpdump.log"
	"$IP" netns exec "$_ns" "$TCPDUMP" -i "$_dev" -n -U -Z root -w "$OUT/$_n.pcap" "$@" \
		>>"$OUT/$_n.tcpdump.log" 2>&1 &
	echo $! >"$STATE/cap-$_n.pid"
	wait_for "grep -q 'listening on' '$OUT/$_n.tcpdump.log'" 15 ||
		die "capture $_n" "tcpdump did not start: $(cat "$OUT/$_n.tcpdump.log")"
}
cap_stop() { # NAME  stop the capture, flushing the file
	bg_stop "cap-$1" TERM || :
	# ensure the pcap is complete before it is read
	[ -f "$OUT/$1.pcap" ]
}
cap_file() { echo "$OUT/$1.pcap"; }

# pcap_text FILE: tcpdump's numeric text output (one line per packet, plus
# indented continuation lines).
pcap_text() {
	_pcap_cache "$1" && cat "$_c.txt"
}

# Decoding a capture and classifying its packets takes seconds under TCG (50000
# packets: ~4 s), so both are cached while FILE keeps its size and mtime.
# Sets _c to the cache's path prefix.
_pcap_cache() {
	_key=$(stat -c '%s %Y' "$1") || return 1
	_c=$STATE/pcap-cache/$(echo "$1" | tr / _)
	[ -f "$_c.key" ] && [ "$(cat "$_c.key")" = "$_key" ] && return 0
	mkdir -p "$STATE/pcap-cache"
	"$TCPDUMP" -Z root -nn -r "$1" >"$_c.txt" 2>/dev/null || :
	awk -v srcs="$_c.sources" "$_PCAP_AWK"'
		{
			n[class()]++
			all++
			s = src6()
			if (s != "" && !seen[s]++) print s >srcs
		}
		END {
			printf "" >>srcs
			printf "sctp %d\nicmp6 %d\nother %d\nfrag %d\nall %d\n", n["sctp"], n["icmp6"],
				n["other"], n["frag"], all
		}' "$_c.txt" >"$_c.counts"
	echo "$_key" >"$_c.key"
}

# shellcheck disable=SC2016
# Common awk code: expand(a) gives the 32 hex digits of an IPv6 address; the
# packet's IPv6 source and class ("sctp", "icmp6", "other") from a text line.
_PCAP_AWK='
function pad4(g) { while (length(g) < 4) g = "0" g; return g }
function expand(a,   i, l, r, lp, rp, left, right, out, p) {
	a = tolower(a)
	p = index(a, "::")
	if (p) { left = substr(a, 1, p - 1); right = substr(a, p + 2) }
	else { left = a; right = "" }
	l = (left == "") ? 0 : split(left, lp, ":")
	r = (right == "") ? 0 : split(right, rp, ":")
	out = ""
	for (i = 1; i <= l; i++) out = out pad4(lp[i])
	for (i = 0; i < 8 - l - r; i++) out = out "0000"
	for (i = 1; i <= r; i++) out = out pad4(rp[i])
	return out
}
# Lines starting with white space continue the previous packet (SCTP SACK gap
# blocks, for one): skip them.
/^[ \t]/ { next }
# Fields of "TIME IP6 SRC[.PORT] > DST[.PORT]: PROTO ..." (no -e, no -v).
function src6() {
	if ($2 != "IP6") return ""
	s = $3
	if (index(s, ".")) sub(/\.[^.]*$/, "", s)
	return s
}
function class() {
	if ($2 != "IP6") return "other"
	i = 6
	if ($i == "HBH") i++
	# IPv6 fragments: "frag (0|LEN) SRC > DST: PROTO ..." is a first fragment (its
	# protocol follows); "frag (OFF|LEN)" alone is a later one, classed "frag".
	if ($i == "frag") {
		if ($(i + 1) !~ /^\(0\|/) return "frag"
		i += 5
	}
	if ($i == "sctp") return "sctp"
	if ($i ~ /^ICMP6/) return "icmp6"
	return "other"
}
'

# pcap_sources FILE PREFIX: distinct IPv6 source addresses inside PREFIX
# (e.g. 2001:db8:1:1::/64; the length must be a multiple of 4), sorted.
pcap_sources() {
	_pcap_cache "$1" || return 1
	awk -v prefix="$2" "$_PCAP_AWK"'
		BEGIN {
			split(prefix, pp, "/")
			nib = pp[2] / 4
			want = substr(expand(pp[1]), 1, nib)
		}
		substr(expand($1), 1, nib) == want' "$_c.sources" | sort -u
}

# pcap_count FILE CLASS: number of packets of CLASS: sctp, icmp6, other (neither
# SCTP nor ICMPv6, including non-IPv6 frames), frag (IPv6 fragments after the
# first, which counts as its protocol), or all.
pcap_count() {
	_pcap_cache "$1" && awk -v want="$2" '$1 == want { print $2 }' "$_c.counts"
}
pcap_count_other() { pcap_count "$1" other; }

# pcap_show_other FILE: the text lines of packets that are neither SCTP nor ICMPv6.
pcap_show_other() {
	pcap_text "$1" | awk "$_PCAP_AWK"' class() == "other"'
}

# A mark in a capture of hostB's link (cap_start NAME $NS_HOSTB $HOST_DEV) between two
# phases of a test: lan_mark sends MARK_N echo requests from gwB's LAN address to hostB.
# lan_split FILE: "BEFORE MARKS AFTER": packets from hostA to hostB before the first of
# them, the marks, and packets from hostA to hostB after them. The marks show the capture
# saw the link; packets after them (through a working tunnel) show the search finds what
# is there.
lan_mark() {
	nsx "$NS_GWB" ping -6 -c 3 -i 0.2 -W 1 "$HOSTB" >/dev/null 2>&1 || :
}
lan_split() {
	pcap_text "$1" | awk -v inner="IP6 $HOSTA > $HOSTB:" \
		-v mark="IP6 $GWB_LAN > $HOSTB: ICMP6, echo request" '
		index($0, mark) { m++; next }
		index($0, inner) { if (m) after++; else before++ }
		END { print before + 0, m + 0, after + 0 }'
}

# ping_figures FILE: "SENT RECEIVED LOSS GAP" of a ping -D log: requests sent, replies
# received, the loss in percent and the longest time in seconds between two consecutive
# echo replies (ping -D stamps each).
ping_figures() {
	_s=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1")
	_r=$(sed -n "s/.* \([0-9]*\) received.*/\1/p" "$1")
	_g=$(awk '/bytes from/ { t = substr($1, 2, length($1) - 2) + 0; if (p && t - p > g) g = t - p; p = t }
		END { printf "%.3f", g }' "$1")
	awk -v s="${_s:-0}" -v r="${_r:-0}" -v g="$_g" \
		'BEGIN { printf "%d %d %.2f %s\n", s, r, s ? 100 * (s - r) / s : 100, g }'
}

# --- routers between the gateways (multihome.sh, multihome1.sh) ------------------------
# veth_up NS DEV NS2 DEV2: a veth between NS's DEV and NS2's DEV2, both up
veth_up() {
	"$IP" -n "$1" link add "$2" type veth peer name "$4" netns "$3"
	"$IP" -n "$1" link set dev "$2" up
	"$IP" -n "$3" link set dev "$4" up
}
ll_addr() { # NS DEV: its link-local address
	"$IP" -n "$1" -6 -o addr show dev "$2" scope link | awk '{ sub("/.*", "", $4); print $4 }'
}
# routers2_up: the shared topology with its direct link replaced by two routers, r1 and
# r2, each between an uplink of gwA's and one of gwB's (multihome.sh):
#   gwA inet0 - toa r1 tob - inet0 gwB    2001:db8:1:1::/64 (gwA), 2001:db8:2:1::/64 (gwB)
#   gwA inet2 - toa r2 tob - inet2 gwB    2001:db8:1:2::/64 (gwA), 2001:db8:2:2::/64 (gwB)
R2_A1=2001:db8:1:1::/64
R2_A2=2001:db8:1:2::/64
R2_B1=2001:db8:2:1::/64
R2_B2=2001:db8:2:2::/64
routers2_up() {
	topo_up
	"$IP" -n "$NS_GWA" link del "$INET_DEV"
	router_ns r1
	router_ns r2
	for _ns in $NS_GWA $NS_GWB; do
		sysctl_ns "$_ns" net.ipv6.conf.default.accept_dad=0
	done
	veth_up "$NS_GWA" inet0 r1 toa
	veth_up "$NS_GWB" inet0 r1 tob
	veth_up "$NS_GWA" inet2 r2 toa
	veth_up "$NS_GWB" inet2 r2 tob
	wait_for "[ -n \"\$(ll_addr r1 toa)\" ] && [ -n \"\$(ll_addr r1 tob)\" ] &&
		[ -n \"\$(ll_addr r2 toa)\" ] && [ -n \"\$(ll_addr r2 tob)\" ]" 10 ||
		die topology "router link-local addresses did not appear"
	"$IP" -n r1 route add "$R2_A1" dev toa
	"$IP" -n r1 route add "$R2_B1" dev tob
	"$IP" -n r2 route add "$R2_A2" dev toa
	"$IP" -n r2 route add "$R2_B2" dev tob
	"$IP" -n "$NS_GWA" route add "$R2_B1" via "$(ll_addr r1 toa)" dev inet0
	"$IP" -n "$NS_GWA" route add "$R2_B2" via "$(ll_addr r2 toa)" dev inet2
	"$IP" -n "$NS_GWB" route add "$R2_A1" via "$(ll_addr r1 tob)" dev inet0
	"$IP" -n "$NS_GWB" route add "$R2_A2" via "$(ll_addr r2 tob)" dev inet2
}
# routers2_conf PREF1 [LINES]: $MT6D_ETC/gwA.conf and gwB.conf for routers2_up, a fresh key,
# both checked: [uplink isp1] (inet0, preference PREF1) and [uplink isp2] (inet2), the peer's
# as [peer-uplink isp1] and [peer-uplink isp2]; $INTERVAL s slots, lifetime 2; LINES (with
# their section headers) appended
routers2_conf() {
	mkdir -p "$MT6D_ETC"
	mt6d_key
	_r2conf gwA ::1 ::2 "$R2_A1" "$R2_A2" "$R2_B1" "$R2_B2" "$1" "${2:-}" >"$MT6D_ETC/gwA.conf"
	_r2conf gwB ::2 ::1 "$R2_B1" "$R2_B2" "$R2_A1" "$R2_A2" "$1" "${2:-}" >"$MT6D_ETC/gwB.conf"
	for _gw in gwA gwB; do
		nsx "$_gw" "$MT6D_ADDRMGR" -c "$MT6D_ETC/$_gw.conf" -n >/dev/null \
			2>"$OUT/$_gw-check.log" || die "$_gw configuration" "$(cat "$OUT/$_gw-check.log")"
	done
}
_r2conf() { # GW IID PEER-IID OWN1 OWN2 PEER1 PEER2 PREF1 LINES
	cat <<-EOF
		[tunnel]
		mtu = 1400
		[keys]
		psk-file = $MT6D_ETC/site.key
		[local]
		iid = $2
		[peer]
		iid = $3
		routes = $([ "$1" = gwA ] && echo "$LANB_PREFIX" || echo "$LANA_PREFIX")
		[uplink isp1]
		interface = inet0
		prefix = $4
		preference = $8
		[uplink isp2]
		interface = inet2
		prefix = $5
		[peer-uplink isp1]
		prefix = $6
		[peer-uplink isp2]
		prefix = $7
		[rotation]
		interval = $INTERVAL
		lifetime = 2
	EOF
	[ -z "$9" ] || printf '%s\n' "$9"
}
# --- failover under traffic (multihome.sh, multihome1.sh) ------------------------------
# failover_start: a paced TCP transfer of 3 MiB from hostA to hostB (96 blocks of 32 KiB,
# one every 0.2 s, so that it spans the cuts) and $PINGS pings at 100/s ($PING -D, in
# $OUT/ping.log; its pid in $ping_pid), both in the background
failover_start() {
	head -c $((3 * 1024 * 1024)) /dev/urandom >/tmp/src
	bg_start tcp-server "$NS_HOSTB" "$SOCAT" -u TCP6-LISTEN:5001,reuseaddr CREATE:/tmp/dst
	wait_for "nsx $NS_HOSTB $SS -ltn | grep -q ':5001'" 10 || die "TCP server" "not listening"
	bg_start tcp-client "$NS_HOSTA" sh -c "i=0; while [ \$i -lt 96 ]; do
		dd if=/tmp/src bs=32768 skip=\$i count=1 2>/dev/null; sleep 0.2; i=\$((i + 1)); done |
		$SOCAT -u - TCP6:[$HOSTB]:5001"
	nsx "$NS_HOSTA" "$PING" -6 -D -n -c "$PINGS" -i 0.01 -W 2 "$HOSTB" >"$OUT/ping.log" 2>&1 &
	ping_pid=$!
}
# failover_end: waits for the pings and the transfer
failover_end() {
	wait "$ping_pid" || :
	wait_for "! bg_alive tcp-client" 30 || fail "paced TCP transfer ends" "still running"
	sleep 1
	bg_stop tcp-server || :
}
# failover_checks NAME: the figures (NAME in $OUT/figures.txt) and the targets: loss under
# 1 %, the longest gap between echo replies at most 1 s, the transfer byte-identical
failover_checks() {
	# shellcheck disable=SC2046
	set -- "$1" $(ping_figures "$OUT/ping.log")
	log "pings: $2 sent, $3 received (loss $4 %); longest gap between replies $5 s"
	echo "$1 gap_s=$5 loss_pct=$4 sent=$2 received=$3" >>"$OUT/figures.txt"
	if [ "${2:-0}" -eq "$PINGS" ] && awk -v l="$4" 'BEGIN { exit !(l < 1) }'; then
		pass "loss $4 % over two failovers and two returns (under 1 %)"
	else
		fail "loss under 1 % over two failovers" "sent ${2:-?}, received ${3:-?}"
	fi
	if awk -v g="$5" 'BEGIN { exit !(g > 0 && g <= 1) }'; then
		pass "longest gap between echo replies $5 s (at most 1 s)"
	else
		fail "longest gap between echo replies at most 1 s" "$5 s"
	fi
	if cmp -s /tmp/src /tmp/dst; then
		pass "paced TCP transfer across the cuts arrives byte-identical ($(wc -c </tmp/dst) bytes)"
	else
		fail "paced TCP transfer byte-identical" \
			"$(wc -c </tmp/dst 2>/dev/null || echo 0) of $(wc -c </tmp/src) bytes"
	fi
}
# routers_bytes_check SECRETS CONTROL CAPTURE...: no address of SECRETS in any byte of the
# captures; control: CONTROL (gwA's isp2 address while r1 was cut) is found in capture
# r2-toa, which must be among them
routers_bytes_check() {
	_secrets=$1 _ctl=$2 _leaks=
	shift 2
	for _c in "$@"; do
		# shellcheck disable=SC2086
		"$PCAPGREP" "$(cap_file "$_c")" $_secrets ${_ctl:-::} >"$OUT/$_c-bytes.txt" ||
			fail "pcapgrep $_c" "failed"
		for _a in $_secrets; do
			_n=$(awk -v a="$_a" '$1 == a { print $2 }' "$OUT/$_c-bytes.txt")
			[ "${_n:-1}" -eq 0 ] || _leaks="$_leaks $_a@$_c:${_n:-?}"
		done
	done
	_hits=$(awk -v a="$_ctl" '$1 == a { print $2 }' "$OUT/r2-toa-bytes.txt" 2>/dev/null)
	[ -n "$_ctl" ] && [ "${_hits:-0}" -gt 0 ] &&
		pass "control: the byte search finds gwA's isp2 address $_ctl on r2 ($_hits packets)" ||
		fail "control: the byte search finds gwA's isp2 address on r2" "${_ctl:-none}: ${_hits:-0}"
	[ -z "$_leaks" ] && pass "no true or inner address on the routers' links ($*)" ||
		fail "no true or inner address on the routers' links" "$_leaks"
}
# router_ns NAME: a namespace that forwards, without DAD, lo up
router_ns() {
	"$IP" netns add "$1"
	sysctl_ns "$1" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1
	"$IP" -n "$1" link set dev lo up
}
# router_cut ROUTER / router_heal ROUTER: the router stops forwarding (drops silently, its
# links stay up, so the gateways are not told) or resumes
router_cut() {
	nsx "$1" "$NFT" -f - <<-EOF
		table inet cut {
			chain forward {
				type filter hook forward priority 0; policy drop;
			}
		}
	EOF
}
router_heal() { nsx "$1" "$NFT" delete table inet cut; }

# --- mt6d daemons ---------------------------------------------------------------------

# Both gateways share this VM's file system: each gets its own runtime directory.
mt6d_runtime_dir() { echo "/run/mt6d-$1"; }
mt6d_conf() { echo "$CONF_DIR/$1.conf"; }

mt6d_have() { [ -x "$MT6D_TUNNEL" ] && [ -x "$MT6D_ADDRMGR" ]; }
mt6d_require() { # skip (and end) the test when the binaries are not in the initramfs
	mt6d_have && return 0
	skip "$TEST_NAME" "mt6d binaries not in the initramfs (pass --build-dir)"
	exit 0
}

# mt6d_key [FILE]: the shared PSK (hex, 32 bytes) at $MT6D_ETC/site.key, mode 0600.
# shellcheck disable=SC2120
mt6d_key() {
	_k=${1:-$MT6D_ETC/site.key}
	[ -s "$_k" ] && return 0
	mkdir -p "$(dirname "$_k")"
	(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$_k" && echo >>"$_k")
}

# mt6d_start GW [CONF]: start mt6d-tunnel, then mt6d-addrmgr, in namespace GW
# (gwA or gwB) with CONF (default conf/GW.conf); logs in $OUT/GW-tunnel.log and
# $OUT/GW-addrmgr.log.  MT6D_TUNNEL_ENV="K=V ..." adds variables to the tunnel's
# environment (the test shim: LD_PRELOAD=$MT6D_SHIM MT6D_SHIM_...=...).
mt6d_start() {
	_gw=$1
	_conf=${2:-$(mt6d_conf "$1")}
	mt6d_key "$MT6D_ETC/site.key"
	_rt=$(mt6d_runtime_dir "$_gw")
	mkdir -p "$_rt"
	# shellcheck disable=SC2086
	bg_start "$_gw-tunnel" "$_gw" env RUNTIME_DIRECTORY="$_rt" ${MT6D_TUNNEL_ENV:-} \
		"$MT6D_TUNNEL" -c "$_conf" -f -v
	# shellcheck disable=SC2086
	bg_start "$_gw-addrmgr" "$_gw" env RUNTIME_DIRECTORY="$_rt" ${MT6D_ADDRMGR_ENV:-} \
		"$MT6D_ADDRMGR" -c "$_conf" -f -v
}
mt6d_stop() { # GW
	bg_stop "$1-addrmgr" || :
	bg_stop "$1-tunnel" || :
}
# wg_gateways A_ADDR B_ADDR: kernel WireGuard between gwA (at A_ADDR on the internet link)
# and gwB (B_ADDR), wg0 on port 51820 with fresh keys, each side's peer LAN routed through
# it; wg_gateways_down removes it (what tools/bench compares mt6d with).
WG=${WG:-/usr/local/bin/wg}
wg_gateways() {
	for _g in gwA gwB; do
		"$WG" genkey >"$STATE/wg-$_g.key"
		"$WG" pubkey <"$STATE/wg-$_g.key" >"$STATE/wg-$_g.pub"
	done
	_wg_link gwA gwB "$2" "$LANB_PREFIX"
	_wg_link gwB gwA "$1" "$LANA_PREFIX"
}
_wg_link() { # GW PEER PEER_ADDR PREFIX
	"$IP" -n "$1" link add wg0 type wireguard
	nsx "$1" "$WG" set wg0 private-key "$STATE/wg-$1.key" listen-port 51820 \
		peer "$(cat "$STATE/wg-$2.pub")" endpoint "[$3]:51820" allowed-ips "$4"
	"$IP" -n "$1" link set wg0 up
	"$IP" -n "$1" route add "$4" dev wg0
}
wg_gateways_down() {
	"$IP" -n gwA link del wg0
	"$IP" -n gwB link del wg0
}

# mt6d_nft_clear GW...: delete the nftables tables mt6d leaves behind when it stops (the kill
# switch stays by design, and the guard while its tunnel runs), for what runs next without it
mt6d_nft_clear() {
	for _g in "$@"; do
		nsx "$_g" "$NFT" list tables | awk '$3 ~ /^mt6d-/ { print $2, $3 }' |
			while read -r _fam _tab; do nsx "$_g" "$NFT" delete table "$_fam" "$_tab"; done
	done
}
mt6d_rotate() { # GW [CONF]: ask the running addrmgr of GW to rotate now
	_conf=${2:-$(mt6d_conf "$1")}
	nsx "$1" env RUNTIME_DIRECTORY="$(mt6d_runtime_dir "$1")" "$MT6D_ADDRMGR" -c "$_conf" --rotate
}
mt6d_tun_up() { # GW: true when the TUN device exists and is up
	"$IP" -n "$1" link show dev "$TUN_DEV" 2>/dev/null | grep -q '[<,]UP[,>]'
}
# mt6d_authed GW: true once GW's tunnel has logged that the peer proved the key
mt6d_authed() { grep -q 'peer proved the key' "$OUT/$1-tunnel.log"; }
# mt6d_wait_up [NOTE]: both tunnels authenticated (60 s) and hostA's first ping answered
# through them (20 s), else the test ends; NOTE goes into the failure's name.
mt6d_wait_up() {
	wait_for "mt6d_authed gwA && mt6d_authed gwB" 60 ||
		die "association up and authenticated${1:+ ($1)}" \
			"$(tail -n 5 "$OUT/gwA-tunnel.log" "$OUT/gwB-tunnel.log")"
	wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 ||
		die "first ping${1:+ ($1)}" "hostB unreachable through the tunnel"
}
# mt6d_start_pair NAME [GWA-TUNNEL-LINE]: both gateways up with a 60 s interval (no
# rotation during a short run), LINE added to gwA's [tunnel] section, and the "internet"
# link captured from gwA to $OUT/NAME.pcap
mt6d_start_pair() {
	for _gw in gwA gwB; do
		sed "s/^interval = .*/interval = 60/" "$(mt6d_conf $_gw)" >"$MT6D_ETC/$_gw.conf"
	done
	[ -z "${2:-}" ] || sed -i "/^\[tunnel\]/a $2" "$MT6D_ETC/gwA.conf"
	mt6d_start gwA "$MT6D_ETC/gwA.conf"
	mt6d_start gwB "$MT6D_ETC/gwB.conf"
	mt6d_wait_up "$1"
	cap_start "$1"
}
# _mt6d_status BINARY GW [ARGS...]: BINARY --status of GW, with GW's config in
# $MT6D_ETC/GW.conf when present, else conf/GW.conf
_mt6d_status() {
	_bin=$1 _gw=$2
	shift 2
	_conf=$MT6D_ETC/$_gw.conf
	[ -f "$_conf" ] || _conf=$(mt6d_conf "$_gw")
	nsx "$_gw" env RUNTIME_DIRECTORY="$(mt6d_runtime_dir "$_gw")" "$_bin" -c "$_conf" \
		--status "$@"
}
# mt6d_tstatus GW [ARGS...]: mt6d-tunnel --status of GW, e.g. mt6d_tstatus gwB --json
mt6d_tstatus() { _mt6d_status "$MT6D_TUNNEL" "$@"; }
# mt6d_astatus GW [ARGS...]: mt6d-addrmgr --status of GW
mt6d_astatus() { _mt6d_status "$MT6D_ADDRMGR" "$@"; }
# mt6d_astatus_key GW KEY: the value after KEY on the first line of GW's addrmgr status
# (slot, rotations, failures, retired, tunnel, mode)
mt6d_astatus_key() {
	mt6d_astatus "$1" | awk -v k="$2" 'NR == 1 { for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}
# json_num JSON KEY: the first number after "KEY": in JSON (flat look-up, no nesting)
json_num() {
	echo "$1" | grep -o "\"$2\":[0-9]*" | head -n 1 | cut -d: -f2
}

# --- attacker probes (guard.sh, anyip.sh) -------------------------------------------------
# The prober: namespace $NS_ATK with $ATK, on a veth (atk0) to gwA, which holds $ATK_GW.
NS_ATK=attacker
ATK=2001:db8:66::2
ATK_GW=2001:db8:66::1
ATK_PREFIX=2001:db8:66::/64

uplink_ll() { # NS: the link-local address of NS's uplink
	"$IP" -n "$1" -6 -o addr show dev "$INET_DEV" scope link | awk '{ sub("/.*", "", $4); print $4 }'
}

# atk_up CONTROL/LEN: the attacker's namespace, linked to gwA; gwB routes the attacker's
# prefix back through gwA and holds CONTROL, a plain address that shows the path works.
# The route from gwA toward gwB's hashed /64 differs per test: the caller adds it.
atk_up() {
	"$IP" netns add "$NS_ATK"
	sysctl_ns "$NS_ATK" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	"$IP" -n "$NS_ATK" -batch - <<-EOF
		link set lo up
		link add eth0 type veth peer name atk0 netns $NS_GWA
		addr add $ATK/64 dev eth0 nodad
		link set eth0 up
		route add default via $ATK_GW dev eth0
	EOF
	"$IP" -n "$NS_GWA" -batch - <<-EOF
		addr add $ATK_GW/64 dev atk0 nodad
		link set atk0 up
	EOF
	"$IP" -n "$NS_GWB" -batch - <<-EOF
		route add $ATK_PREFIX via $(uplink_ll "$NS_GWA") dev $INET_DEV
		addr add $1 dev $INET_DEV nodad
	EOF
}

# guard_counters GW: "DROPPED TRIPWIRE" of GW's guard table, from mt6d-addrmgr's status
guard_counters() {
	mt6d_astatus "$1" --json |
		sed -n 's/.*"guard":{[^}]*"dropped":\([0-9]*\),"tripwire":\([0-9]*\).*/\1 \2/p'
}

# guard_settle GW: guard_counters once they stop moving, so that late packets of one probe
# (a SYN retransmitted, the ABORT of an INIT given up) are not counted for the next one.
guard_settle() {
	_prev=''
	for _i in 1 2 3 4 5 6 7 8; do
		_c=$(guard_counters "$1")
		[ "$_c" = "$_prev" ] && break
		_prev=$_c
		sleep 0.5
	done
	echo "$_c"
}

# atk_link_check MIN: the capture "atk" on the attacker's link holds at least MIN probes
# from $ATK (so it saw them) and nothing addressed to $ATK but neighbour discovery.
atk_link_check() {
	_txt=$("$TCPDUMP" -Z root -nn -r "$(cap_file atk)" 2>/dev/null | grep -v 'neighbor' || :)
	_sent=$(echo "$_txt" | grep -c "IP6 ${ATK}[. ]" || :)
	_back=$(echo "$_txt" | grep "> $ATK" || :)
	if [ -z "$_back" ] && [ "${_sent:-0}" -ge "$1" ]; then
		pass "attacker's link: $_sent probe packets out, nothing back"
	else
		fail "attacker's link: probes out, nothing back" \
			"${_sent:-0} out (want >= $1); back: $(echo "$_back" | head -n 3)"
	fi
}

# atk_probe ADDR: ICMP echo, TCP SYN (port 22) and SCTP INIT (the tunnel's port) to ADDR.
# Prints how many of the three were answered (a reply, a RST, an INIT-ACK or ABORT).
atk_probe() {
	_ok=0
	nsx "$NS_ATK" ping -6 -c 1 -W 1 "$1" >/dev/null 2>&1 && _ok=$((_ok + 1))
	# socat fails fast on a RST ("Connection refused"), slowly on silence.
	_o=$(nsx "$NS_ATK" "$SOCAT" -u /dev/null "TCP6:[$1]:22,connect-timeout=1" 2>&1) || :
	case $_o in *refused* | *reset*) _ok=$((_ok + 1)) ;; esac
	_o=$(nsx "$NS_ATK" "$SOCAT" -u /dev/null "SCTP6-CONNECT:[$1]:7861,connect-timeout=1" 2>&1) || :
	case $_o in *refused* | *reset* | *"Transport endpoint"* | "") _ok=$((_ok + 1)) ;; esac
	echo "$_ok"
}

# role_addr ROLE < JSON: the first address with that role in mt6d-addrmgr's status JSON
role_addr() {
	grep -o "\"role\":\"$1\",\"address\":\"[0-9a-f:]*\"" | head -n 1 |
		sed 's/.*"address":"//; s/"$//'
}

# newest_retired GW: the most recently retired address of GW (the one that lives longest in
# the guard's retired set)
newest_retired() {
	nsx "$1" "$NFT" -j list set ip6 "mt6d-$1" retired |
		grep -o '"val": *"[0-9a-f:]*", *"timeout": *[0-9]*, *"expires": *[0-9]*' |
		sed 's/"val": *"\([0-9a-f:]*\)".*"expires": *\([0-9]*\)/\2 \1/' | sort -n |
		tail -n 1 | cut -d' ' -f2
}

# atk_verdict GW NAME ADDR ANSWERED DROPPED+ TRIPWIRE+: the results of the three probes to
# GW's NAME address: none answered; a retired address counts on the tripwire alone, any
# other on dropped alone.
atk_verdict() {
	log "probes to $2 $3: $4 answered; dropped +$5, tripwire +$6"
	echo "$2 $3 answered=$4 dropped+$5 tripwire+$6" >>"$OUT/attacker.txt"
	[ "$4" -eq 0 ] && pass "attacker: no answer from $1's $2 address" ||
		fail "attacker: no answer from $1's $2 address" "$4 of 3 answered"
	if [ "$2" = retired ]; then
		[ "$6" -ge 3 ] && [ "$5" -eq 0 ] &&
			pass "attacker: tripwire +$6, dropped +0 for the retired address" ||
			fail "attacker: tripwire counts the retired address" "tripwire +$6 dropped +$5"
	else
		[ "$5" -ge 3 ] && [ "$6" -eq 0 ] &&
			pass "attacker: dropped +$5, tripwire +0 for the $2 address" ||
			fail "attacker: dropped counts the $2 address" "dropped +$5 tripwire +$6"
	fi
}

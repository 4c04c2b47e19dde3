#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The benchmark behind tools/bench: one VM boot, the same topology, one variant
# after another, so that ratios between variants mean something under emulation.
#
#  hostA ── gwA ══ (veth "internet") ══ gwB ── hostB
#
#   plain     hostA -> hostB routed over the internet link, no tunnel
#   sctp      a bare SCTP association gwA -> gwB (iperf3 --sctp): the transport's limit
#   sctp-auth the same with mt6d's SCTP-AUTH chunk list and key (iperf3 with
#             sctpauth_preload): the fair transport limit for mt6d
#   sctp-auth-nodata  the same list without DATA (on demand): what authenticating DATA costs
#   wireguard kernel WireGuard between the gateways, hostA -> hostB routed through it:
#             what an operator would deploy instead
#   none      mt6d with encryption = none
#   aead      mt6d with the default AEAD
#   chacha    mt6d with ChaCha20-Poly1305 (WireGuard's cipher; on demand)
#   rotate1s  mt6d with the default AEAD and rotation every second
# Levers, each aead with one setting changed (on demand, through --variants):
#   aead-nogso    offload = no: one SCTP message per packet, not per super-packet
#   aead-sack0    sack-delay = 0: a SACK for every packet
#   aead-buf256k  buffer-size = 256 (KiB) instead of 4 MiB
#   aead-ordered  delivery = ordered
#   aead-pad256   padding = 256: frames padded to a multiple of 256 bytes
#   aead-nocoalesce  coalesce = no: one frame per small packet, even when several are queued
#   hop10s        association-slots = 1: a new association every 10 s slot (compare: aead)
#   hop1s         association-slots = 1 with 1 s slots (compare: rotate1s)
#
# For each: TCP goodput (iperf3), ping flood RTT and loss, UDP jitter, loss and goodput
# at a fixed rate, CPU time and private memory of each daemon, and (when strace is in the
# image) the system calls gwA's tunnel makes per forwarded packet over SYSCALL_PINGS
# pings, each one packet out and one back through it. Results go to
# $OUT/bench.json and a table on the console.
#
# MT6D_BENCH_QUICK=1 runs a few seconds per variant (CI); MT6D_BENCH_VARIANTS
# selects variants (default: all). MT6D_BENCH_PROFILE=1 samples the whole guest
# (perf, cpu-clock: TCG has no PMU) during each variant's TCP test and writes
# perf.VARIANT.txt: time per command and shared object, and the top symbols.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

if [ "${MT6D_BENCH_QUICK:-0}" = 1 ]; then
	TCP_SECS=3 UDP_SECS=3 FLOOD=500
else
	TCP_SECS=20 UDP_SECS=10 FLOOD=10000
fi
TCP_SECS=${MT6D_BENCH_TCP_SECS:-$TCP_SECS}
UDP_RATE=${MT6D_BENCH_UDP_RATE:-20M}
UDP_LEN=${MT6D_BENCH_UDP_LEN:-}
VARIANTS=$(echo "${MT6D_BENCH_VARIANTS:-plain sctp sctp-auth wireguard none aead rotate1s}" |
	tr , " ")
PING=${PING_FLOOD:-/usr/local/bin/iputils-ping}
SCTPAUTH=${SCTPAUTH:-/usr/local/lib/libmt6d_sctpauth.so}
A_STATIC=2001:db8:1:1::99
B_STATIC=2001:db8:2:2::99
RESULTS_JSON=$OUT/bench.json
TABLE=$OUT/bench.txt

topo_up

# --- measurements ---------------------------------------------------------------------

# What runs iperf3 (tcp_mbps, iperf_server): "env VAR=VALUE..." for a preload, else empty.
IPERF_PRE=
# tcp_mbps NS_CLIENT DST: iperf3 goodput in Mbit/s (receiver side); extra args follow.
tcp_mbps() {
	_ns=$1 _dst=$2
	shift 2
	# shellcheck disable=SC2086
	nsx "$_ns" $IPERF_PRE "$IPERF3" -c "$_dst" -t "$TCP_SECS" -f m "$@" \
		>"$OUT/iperf.$V.log" 2>&1 || {
		echo 0
		return
	}
	awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") v = $i }
		END { print v + 0 }' "$OUT/iperf.$V.log"
}

# udp NS_CLIENT DST: "jitter_ms loss_percent" at $UDP_RATE, in datagrams of $UDP_LEN bytes
# (default: iperf3's, the path MTU's)
udp() {
	nsx "$1" "$IPERF3" -c "$2" -u -b "$UDP_RATE" ${UDP_LEN:+-l "$UDP_LEN"} -t "$UDP_SECS" -f m \
		>"$OUT/udp.$V.log" 2>&1 || {
		echo "0 100"
		return
	}
	awk '/receiver/ { for (i = 1; i <= NF; i++) { if ($i == "ms") j = $(i - 1)
			if ($i ~ /^\(.*%\)$/) { l = $i; gsub(/[()%]/, "", l) } } }
		END { print j + 0, l + 0 }' "$OUT/udp.$V.log"
}
# udp_rx: the Mbit/s the last udp test delivered (its receiver's line)
udp_rx() {
	awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") r = $(i - 1) }
		END { print r + 0 }' "$OUT/udp.$V.log" 2>/dev/null || echo 0
}

# flood NS DST: "min avg max loss_percent" of a ping flood
flood() {
	nsx "$1" "$PING" -6 -f -q -c "$FLOOD" -W 1 "$2" >"$OUT/flood.$V.log" 2>&1 || :
	awk -F'[ /%,]+' '/packet loss/ { for (i = 1; i <= NF; i++) if ($i == "packet") l = $(i - 1) }
		/^rtt/ { min = $7; avg = $8; max = $9 }
		END { printf "%s %s %s %s\n", min + 0, avg + 0, max + 0, (l == "" ? 100 : l) }' \
		"$OUT/flood.$V.log"
}

PERF=/usr/local/bin/perf
PROFILE_SYMS='sctp_sendmsg|sctp_recvmsg|sctp_rcv|sctp_auth_calculate_hmac|sctp_packet_transmit'
PROFILE_SYMS="$PROFILE_SYMS|tun_get_user|tun_do_read|tun_net_xmit|ip6_forward|ip6_finish_output2"
PROFILE_SYMS="$PROFILE_SYMS|tcp_v6_rcv|tcp_sendmsg|tcp_recvmsg|net_rx_action|do_epoll_wait"
PROFILE_SYMS="$PROFILE_SYMS|schedule|__sys_sendmsg|__sys_recvmsg|ksys_read|ksys_write"
PROFILE_SYMS="$PROFILE_SYMS|skb_copy_datagram_iter|copy_page_from_iter|sctp_datamsg_from_user"
# profile_start / profile_stop: a system-wide perf sample over the TCP test
profile_start() {
	[ "${MT6D_BENCH_PROFILE:-0}" = 1 ] && [ -x "$PERF" ] || return 0
	"$PERF" record -a -g -e cpu-clock -F 499 -o "$OUT/perf.$V.data" -- sleep "$TCP_SECS" \
		>"$OUT/perf-record.$V.log" 2>&1 &
	echo $! >"$STATE/perf.pid"
}
profile_stop() {
	[ -f "$STATE/perf.pid" ] || return 0
	wait "$(cat "$STATE/perf.pid")" 2>/dev/null || :
	rm -f "$STATE/perf.pid"
	{
		echo "== $V: share of samples by command and object"
		"$PERF" report -i "$OUT/perf.$V.data" --stdio --no-children --sort comm,dso -g none \
			2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 25
		echo "== $V: top symbols"
		"$PERF" report -i "$OUT/perf.$V.data" --stdio --no-children --sort sym -g none \
			2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 40
		# Inclusive shares of the kernel's entry points on the path: where the time goes.
		echo "== $V: inclusive (children) share of the path's entry points"
		"$PERF" report -i "$OUT/perf.$V.data" --stdio --children --sort sym -g none \
			>"$OUT/perf-children.$V.txt" 2>&1 || :
		grep -E "\\] ($PROFILE_SYMS) *\$" "$OUT/perf-children.$V.txt" | head -n 40
	} >"$OUT/perf.$V.txt"
	rm -f "$OUT/perf.$V.data"
}

SYSCALL_PINGS=200
# syscalls_per_packet PID: system calls of PID per packet it forwards, over
# SYSCALL_PINGS pings hostA -> hostB at 10 ms intervals; "-" without strace.
syscalls_per_packet() {
	command -v strace >/dev/null || { echo -; return; }
	strace -c -f -q -p "$1" -o "$OUT/strace.$V.txt" 2>/dev/null &
	_st=$!
	sleep 1
	nsx hostA "$PING" -6 -q -i 0.01 -c "$SYSCALL_PINGS" -W 1 "$HOSTB" >/dev/null 2>&1 || :
	kill -INT "$_st" 2>/dev/null || :
	wait "$_st" 2>/dev/null || :
	awk -v n=$((SYSCALL_PINGS * 2)) '$NF == "total" { c = $4 }
		END { if (c > 0) printf "%.1f\n", c / n; else print "-" }' "$OUT/strace.$V.txt"
}

iperf_server() { # NS
	# shellcheck disable=SC2086
	bg_start "iperf-$1" "$1" $IPERF_PRE "$IPERF3" -s
	wait_for "nsx $1 $SS -Hln | grep -q ':5201'" 10 || die "$V" "iperf3 server did not start"
}

# cpu_ticks PID: utime + stime in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# private_kb PID: private memory (clean + dirty) in KiB
private_kb() {
	awk '/^Private_(Clean|Dirty):/ { k += $2 } END { print k + 0 }' "/proc/$1/smaps_rollup" \
		2>/dev/null || echo 0
}
HZ=100

# drop_counters: where packets were dropped so far, for finding where a UDP test lost
# them: the links' counters of every namespace on the path, hostB's UDP receive errors,
# and the CPUs' backlog drops (softnet_stat, second column)
drop_counters() {
	for ns in hostA gwA gwB hostB; do
		echo "== $ns"
		"$IP" -n "$ns" -s link show
		nsx "$ns" grep -E '^Udp6(InDatagrams|RcvbufErrors|SndbufErrors|InErrors)' \
			/proc/net/snmp6 || :
	done
	echo "== softnet_stat"
	cat /proc/net/softnet_stat
}

# measure_hosts: hostA -> hostB TCP goodput (profiled on demand), ping flood and UDP, into
# $tcp, $fl and $u; drop counters around the UDP test in $OUT/drops.VARIANT.{before,after}
measure_hosts() {
	iperf_server hostB
	profile_start
	tcp=$(tcp_mbps hostA "$HOSTB")
	profile_stop
	fl=$(flood hostA "$HOSTB")
	drop_counters >"$OUT/drops.$V.before" 2>&1
	u=$(udp hostA "$HOSTB")
	drop_counters >"$OUT/drops.$V.after" 2>&1
	bg_stop iperf-hostB || :
}

# --- variants --------------------------------------------------------------------------------

static_up() {
	"$IP" -n gwA addr add "$A_STATIC/64" dev "$INET_DEV" nodad
	"$IP" -n gwB addr add "$B_STATIC/64" dev "$INET_DEV" nodad
}
static_down() {
	"$IP" -n gwA addr del "$A_STATIC/64" dev "$INET_DEV" 2>/dev/null || :
	"$IP" -n gwB addr del "$B_STATIC/64" dev "$INET_DEV" 2>/dev/null || :
}

record() { # VARIANT TCP FLOOD(4) UDP(2) CPU(4) MEM(2) SYS/PKT UDP-RX
	echo "$*" >>"$OUT/bench.raw"
}

run_plain() {
	mt6d_nft_clear gwA gwB
	static_up
	"$IP" -n gwA route add "$LANB_PREFIX" via "$B_STATIC" dev "$INET_DEV"
	"$IP" -n gwB route add "$LANA_PREFIX" via "$A_STATIC" dev "$INET_DEV"
	wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 10 || die plain "no route"
	measure_hosts
	"$IP" -n gwA route del "$LANB_PREFIX"
	"$IP" -n gwB route del "$LANA_PREFIX"
	static_down
	record plain "$tcp" $fl $u 0 0 0 0 0 0 - "$(udp_rx)"
}

# auth_capture_start / auth_capture_stop: the first SCTP packets on the internet link
# during the TCP test, and in $OUT/authcount.$V "N_AUTH N_DATA": how many begin with an AUTH
# chunk and how many with a DATA chunk unauthenticated (the chunk after the 12-byte common
# header, the IPv6 header having no extensions here).
auth_capture_start() { cap_start "auth.$V" "$NS_GWA" "$INET_DEV" -s 96 -c 400 'ip6[6] == 132'; }
auth_capture_stop() {
	cap_stop "auth.$V"
	echo "$("$TCPDUMP" -r "$OUT/auth.$V.pcap" -n 'ip6[52] == 15' 2>/dev/null | wc -l)" \
		"$("$TCPDUMP" -r "$OUT/auth.$V.pcap" -n 'ip6[52] == 0' 2>/dev/null | wc -l)" \
		>"$OUT/authcount.$V"
}

# run_sctp VARIANT [PRELOAD [OMIT]]: iperf3 --sctp gwA -> gwB, with PRELOAD in both iperf3s
# (and the chunk types OMIT left out of its list)
run_sctp() {
	mt6d_nft_clear gwA gwB
	static_up
	wait_for "nsx gwA ping -6 -c 1 -W 1 $B_STATIC" 10 || die "$1" "no path"
	if [ -n "${2:-}" ]; then
		mt6d_key "$MT6D_ETC/site.key"
		sed "s|^psk-file = .*|psk-file = $MT6D_ETC/site.key|" "$(mt6d_conf gwA)" \
			>"$MT6D_ETC/sctpauth.conf"
		IPERF_PRE="env LD_PRELOAD=$2 MT6D_SCTPAUTH_CONF=$MT6D_ETC/sctpauth.conf"
		IPERF_PRE="$IPERF_PRE MT6D_SCTPAUTH_OMIT=${3:-}"
	fi
	iperf_server gwB
	auth_capture_start
	profile_start
	tcp=$(tcp_mbps gwA "$B_STATIC" --sctp)
	profile_stop
	auth_capture_stop
	fl=$(flood gwA "$B_STATIC")
	bg_stop iperf-gwB || :
	IPERF_PRE=
	static_down
	# UDP does not apply to a bare SCTP association.
	record "$1" "$tcp" $fl - - 0 0 0 0 0 0 - -
}

run_wireguard() {
	mt6d_nft_clear gwA gwB
	static_up
	wait_for "nsx gwA ping -6 -c 1 -W 1 $B_STATIC" 10 || die wireguard "no path"
	wg_gateways "$A_STATIC" "$B_STATIC"
	wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 10 || die wireguard "no path through wg0"
	measure_hosts
	# The traffic went through WireGuard: its peer counted what it received.
	nsx gwB "$WG" show wg0 transfer >"$OUT/wg-transfer.$V.txt"
	wg_gateways_down
	static_down
	# Kernel threads do WireGuard's work: no daemon to account CPU time or memory to.
	record wireguard "$tcp" $fl $u 0 0 0 0 0 0 - "$(udp_rx)"
}

# run_mt6d VARIANT ENCRYPTION INTERVAL [TUNNEL-LINE] [ROTATION-LINE]
run_mt6d() {
	mkdir -p "$MT6D_ETC"
	for gw in gwA gwB; do
		sed -e "s/^interval = .*/interval = $3/" \
			-e "s|^psk-file = .*|psk-file = $MT6D_ETC/site.key|" \
			-e "/^\[tunnel\]/a encryption = $2" "$(mt6d_conf $gw)" >"$MT6D_ETC/$gw.conf"
		[ -z "${4:-}" ] || sed -i "/^\[tunnel\]/a $4" "$MT6D_ETC/$gw.conf"
		[ -z "${5:-}" ] || sed -i "/^\[rotation\]/a $5" "$MT6D_ETC/$gw.conf"
	done
	mt6d_start gwA "$MT6D_ETC/gwA.conf"
	mt6d_start gwB "$MT6D_ETC/gwB.conf"
	wait_for "grep -q 'peer proved the key' $OUT/gwA-tunnel.log" 60 ||
		die "$1" "tunnel did not come up: $(tail -n 3 "$OUT/gwA-tunnel.log")"
	wait_for "nsx $NS_HOSTA ping -6 -c 1 -W 1 $HOSTB" 20 || die "$1" "no path through mt6d"
	pids="$(bg_pid gwA-tunnel) $(bg_pid gwA-addrmgr) $(bg_pid gwB-tunnel) $(bg_pid gwB-addrmgr)"
	# bg_pid is "ip netns exec"'s pid, which execs env, which execs the daemon.
	c0=
	for p in $pids; do c0="$c0 $(cpu_ticks "$p")"; done
	measure_hosts
	set -- "$1" $c0
	v=$1
	shift
	cpu=
	for p in $pids; do
		cpu="$cpu $(awk -v a="$1" -v b="$(cpu_ticks "$p")" -v hz=$HZ \
			'BEGIN { printf "%.2f", (b - a) / hz }')"
		shift
	done
	mem=
	for p in $(bg_pid gwA-tunnel) $(bg_pid gwA-addrmgr); do mem="$mem $(private_kb "$p")"; done
	sys=$(syscalls_per_packet "$(bg_pid gwA-tunnel)")
	# gwA's counters (packets, frames, bundles) for the variant's last run
	mt6d_tstatus gwA --json >"$OUT/status.$v.json" 2>&1 || :
	mt6d_stop gwA
	mt6d_stop gwB
	# gwA tunnel, gwA addrmgr, gwB tunnel, gwB addrmgr seconds; gwA memory (KiB)
	record "$v" "$tcp" $fl $u $cpu $mem "$sys" "$(udp_rx)"
}

rm -f "$OUT/bench.raw"
for V in $VARIANTS; do
	log "bench: variant $V"
	case $V in
	plain) run_plain ;;
	sctp) run_sctp sctp ;;
	sctp-auth) run_sctp sctp-auth "$SCTPAUTH" ;;
	sctp-auth-nodata) run_sctp sctp-auth-nodata "$SCTPAUTH" 0 ;;
	wireguard) run_wireguard ;;
	none) run_mt6d none none 10 ;;
	aead) run_mt6d aead aes-256-gcm 10 ;;
	chacha) run_mt6d chacha chacha20-poly1305 10 ;;
	rotate1s) run_mt6d rotate1s aes-256-gcm 1 ;;
	aead-nogso) run_mt6d aead-nogso aes-256-gcm 10 "offload = no" ;;
	aead-sack0) run_mt6d aead-sack0 aes-256-gcm 10 "sack-delay = 0" ;;
	aead-buf256k) run_mt6d aead-buf256k aes-256-gcm 10 "buffer-size = 256" ;;
	aead-ordered) run_mt6d aead-ordered aes-256-gcm 10 "delivery = ordered" ;;
	aead-pad256) run_mt6d aead-pad256 aes-256-gcm 10 "padding = 256" ;;
	aead-nocoalesce) run_mt6d aead-nocoalesce aes-256-gcm 10 "coalesce = no" ;;
	hop10s) run_mt6d hop10s aes-256-gcm 10 "" "association-slots = 1" ;;
	hop1s) run_mt6d hop1s aes-256-gcm 1 "" "association-slots = 1" ;;
	*) die bench "unknown variant $V" ;;
	esac
	log "bench: $(tail -n 1 "$OUT/bench.raw")"
done

# --- table, ratios and JSON -----------------------------------------------------------------
awk -v json="$RESULTS_JSON" -v quick="${MT6D_BENCH_QUICK:-0}" '
	{ n++; name[n] = $1; tcp[n] = $2; min[n] = $3; avg[n] = $4; max[n] = $5; loss[n] = $6
	  jit[n] = $7; uloss[n] = $8; ta[n] = $9; aa[n] = $10; tb[n] = $11; ab[n] = $12
	  mt[n] = $13; ma[n] = $14; sc[n] = ($15 == "" ? "-" : $15)
	  urx[n] = ($16 == "" ? "-" : $16); idx[$1] = n }
	function ratio(a, b) { return (b > 0 && a != "-") ? sprintf("%.2f", a / b) : "-" }
	END {
		p = idx["plain"]; s = idx["sctp"]; sa = idx["sctp-auth"]; w = idx["wireguard"]
		printf "%-12s %9s %7s %7s %7s %6s %7s %6s %8s %6s %6s %8s %8s %7s %9s %8s %8s %7s %7s\n",
			"variant", "tcp Mb/s", "rtt min", "avg ms", "max", "loss%", "jit ms", "uloss%",
			"udp Mb/s", "cpu tA", "cpu aA", "mem tA", "mem aA", "sys/pkt", "tcp/plain", "tcp/sctp",
			"tcp/sauth", "tcp/wg", "rtt/wg"
		for (i = 1; i <= n; i++)
			printf "%-12s %9.1f %7.3f %7.3f %7.3f %6s %7s %6s %8s %6s %6s %7sK %7sK %7s " \
				"%9s %8s %8s %7s %7s\n",
				name[i], tcp[i], min[i], avg[i], max[i], loss[i], jit[i], uloss[i],
				urx[i], ta[i], aa[i], mt[i], ma[i], sc[i], ratio(tcp[i], tcp[p]),
				ratio(tcp[i], tcp[s]), ratio(tcp[i], tcp[sa]), ratio(tcp[i], tcp[w]),
				ratio(avg[i], avg[w])
		printf "{\n  \"quick\": %s,\n  \"variants\": [\n", quick ? "true" : "false" > json
		for (i = 1; i <= n; i++) {
			printf "    {\"name\": \"%s\", \"tcp_mbps\": %s, \"rtt_min_ms\": %s, " \
				"\"rtt_avg_ms\": %s, \"rtt_max_ms\": %s, \"ping_loss_pct\": %s, " \
				"\"udp_jitter_ms\": %s, \"udp_loss_pct\": %s, \"udp_rx_mbps\": %s, " \
				"\"cpu_s\": {\"gwA_tunnel\": %s, \"gwA_addrmgr\": %s, " \
				"\"gwB_tunnel\": %s, \"gwB_addrmgr\": %s}, " \
				"\"private_kib\": {\"gwA_tunnel\": %s, \"gwA_addrmgr\": %s}, " \
				"\"tunnel_syscalls_per_packet\": %s, " \
				"\"tcp_vs_plain\": %s, \"tcp_vs_sctp\": %s, \"rtt_vs_sctp\": %s, " \
				"\"tcp_vs_sctp_auth\": %s, \"tcp_vs_wireguard\": %s, " \
				"\"rtt_vs_wireguard\": %s}%s\n",
				name[i], tcp[i], min[i], avg[i], max[i], loss[i],
				jit[i] == "-" ? "null" : jit[i], uloss[i] == "-" ? "null" : uloss[i],
				urx[i] == "-" ? "null" : urx[i],
				ta[i], aa[i], tb[i], ab[i], mt[i], ma[i], sc[i] == "-" ? "null" : sc[i],
				ratio(tcp[i], tcp[p]) == "-" ? "null" : ratio(tcp[i], tcp[p]),
				ratio(tcp[i], tcp[s]) == "-" ? "null" : ratio(tcp[i], tcp[s]),
				ratio(avg[i], avg[s]) == "-" ? "null" : ratio(avg[i], avg[s]),
				ratio(tcp[i], tcp[sa]) == "-" ? "null" : ratio(tcp[i], tcp[sa]),
				ratio(tcp[i], tcp[w]) == "-" ? "null" : ratio(tcp[i], tcp[w]),
				ratio(avg[i], avg[w]) == "-" ? "null" : ratio(avg[i], avg[w]),
				i < n ? "," : "" > json
		}
		printf "  ]\n}\n" > json
	}' "$OUT/bench.raw" | tee "$TABLE"

# Nonsense guard (not a performance threshold): every variant ran and measured something.
# A repeated variant is checked once per run of it (its k-th line in bench.raw).
done_list=' '
for V in $VARIANTS; do
	k=$(echo "$done_list" | awk -v v="$V" '{ for (i = 1; i <= NF; i++) n += ($i == v) }
		END { print n + 1 }')
	done_list="$done_list$V "
	line=$(awk -v v="$V" -v k="$k" '$1 == v && ++n == k' "$OUT/bench.raw")
	set -- $line
	if [ -z "$line" ]; then
		fail "bench $V" "no result"
	elif awk -v t="$2" -v a="$4" -v l="$6" 'BEGIN { exit !(t > 0 && a > 0 && l < 100) }'; then
		pass "bench $V: $2 Mbit/s, rtt avg $4 ms, ping loss $6%"
	else
		fail "bench $V" "zero or missing figures: $line"
	fi
done
# What the transport variants measured is what they claim: sctp-auth's DATA all behind AUTH,
# sctp's (the control, same capture) none; WireGuard's peer received the transfer. The
# captures and counters are each variant's last run.
for V in $(echo "$VARIANTS" | tr ' ' '\n' | awk 'NF && !seen[$0]++'); do
	case $V in
	sctp | sctp-auth | sctp-auth-nodata)
		# sctp-auth: every DATA behind AUTH; sctp (the control): nothing; -nodata: the
		# SACKs behind AUTH, the DATA bare
		read -r na nd <"$OUT/authcount.$V" 2>/dev/null || na=- nd=-
		case $V:$na:$nd in
		*:-:*) ok=0 ;;
		sctp-auth:*) [ "$na" -gt 0 ] && [ "$nd" -eq 0 ] && ok=1 || ok=0 ;;
		sctp-auth-nodata:*) [ "$na" -gt 0 ] && [ "$nd" -gt 0 ] && ok=1 || ok=0 ;;
		*) [ "$na" -eq 0 ] && [ "$nd" -gt 0 ] && ok=1 || ok=0 ;;
		esac
		if [ $ok -eq 1 ]; then
			pass "bench $V: of the first packets on the link $na begin with AUTH, $nd with bare DATA"
		else
			fail "bench $V: SCTP-AUTH as the variant says" "$na AUTH-first, $nd DATA-first"
		fi ;;
	wireguard)
		rx=$(awk '{ print $2 }' "$OUT/wg-transfer.$V.txt" 2>/dev/null)
		if [ "${rx:-0}" -gt 1000000 ]; then
			pass "bench wireguard: gwB's wg0 received $rx bytes from its peer"
		else
			fail "bench wireguard: the traffic went through WireGuard" "gwB received ${rx:-?} bytes"
		fi ;;
	esac
done
finish

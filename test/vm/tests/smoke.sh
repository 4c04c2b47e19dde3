#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Smoke test of the VM test bed itself; needs no mt6d binaries.
#
#  hostA ── gwA ══ (veth "internet") ══ gwB ── hostB
#  fd00:a::/64   2001:db8:1:1::99    2001:db8:2:2::99   fd00:b::/64
#
# One static address per uplink (instead of mt6d's hashed ones), a 256 KiB SCTP
# transfer gwB -> gwA with socat, captured on the "internet" link; checks the
# bytes, the pcap helpers, ping hostA -> gwA, nftables and netem.
set -eu
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

A_ADDR=2001:db8:1:1::99
B_ADDR=2001:db8:2:2::99
PORT=9000

check "kernel has SCTP" test -d /proc/sys/net/sctp
for k in kernel/yama/ptrace_scope net/sctp/addip_enable net/sctp/auth_enable \
	net/sctp/addip_noauth_enable net/sctp/default_auto_asconf; do
	log "sysctl $k = $(cat "/proc/sys/$k" 2>/dev/null || echo absent)"
done

t0=$(now)
topo_up
log "topology took $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }') s"
"$IP" -n "$NS_GWA" addr add "$A_ADDR/64" dev "$INET_DEV" nodad
"$IP" -n "$NS_GWB" addr add "$B_ADDR/64" dev "$INET_DEV" nodad

check "uplink carries no true address" \
	sh -c "! $IP -n $NS_GWA -6 addr show dev $INET_DEV | grep -q '2001:db8:1:1::1/'"

# --- SCTP transfer, captured --------------------------------------------------------
cap_start smoke
head -c 262144 /dev/urandom >/tmp/payload
bg_start sctp-server "$NS_GWA" "$SOCAT" -u \
	"SCTP6-LISTEN:$PORT,bind=[$A_ADDR],reuseaddr" CREATE:/tmp/received
if ! wait_for "nsx $NS_GWA $SS -Hln --sctp | grep -q ':$PORT'" 10; then
	die "sctp listen" "socat did not start listening"
fi
t0=$(now)
if nsx "$NS_GWB" "$SOCAT" -u OPEN:/tmp/payload \
	"SCTP6-CONNECT:[$A_ADDR]:$PORT,bind=[$B_ADDR]" >>"$OUT/sctp-client.log" 2>&1; then
	pass "sctp connect and send"
else
	fail "sctp connect and send" "socat client failed: $(tail -n 3 "$OUT/sctp-client.log")"
fi
wait_for "! bg_alive sctp-server" 10 || fail "sctp receive" "server did not finish"
bg_stop sctp-server || :
log "256 KiB over SCTP took $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }') s"
sent=$(sha256sum </tmp/payload | cut -d' ' -f1)
got=$(sha256sum </tmp/received 2>/dev/null | cut -d' ' -f1) || got=none
if [ "$sent" = "$got" ]; then
	pass "sctp bytes arrived intact"
else
	fail "sctp bytes arrived intact" "sha256 $got != $sent ($(wc -c </tmp/received 2>/dev/null) bytes)"
fi
cap_stop smoke

# --- pcap helpers ---------------------------------------------------------------------
pcap=$(cap_file smoke)
log "capture: $(pcap_count "$pcap" all) packets, $(pcap_count "$pcap" sctp) SCTP," \
	"$(pcap_count "$pcap" icmp6) ICMPv6"
srcA=$(pcap_sources "$pcap" "$GWA_PREFIX" | tr '\n' ' ')
srcB=$(pcap_sources "$pcap" "$GWB_PREFIX" | tr '\n' ' ')
if [ "$srcA" = "$A_ADDR " ]; then
	pass "pcap sources in $GWA_PREFIX"
else
	fail "pcap sources in $GWA_PREFIX" "got '$srcA', want '$A_ADDR'"
fi
if [ "$srcB" = "$B_ADDR " ]; then
	pass "pcap sources in $GWB_PREFIX"
else
	fail "pcap sources in $GWB_PREFIX" "got '$srcB', want '$B_ADDR'"
fi
nsctp=$(pcap_count "$pcap" sctp)
if [ "$nsctp" -gt 10 ]; then
	pass "pcap has SCTP packets ($nsctp)"
else
	fail "pcap has SCTP packets" "only $nsctp"
fi
nother=$(pcap_count_other "$pcap")
if [ "$nother" -eq 0 ]; then
	pass "pcap has only SCTP and ICMPv6"
else
	fail "pcap has only SCTP and ICMPv6" "$nother other packets: $(pcap_show_other "$pcap" | head -n 3)"
fi

# --- plain routing on the LAN side ------------------------------------------------------
check "ping hostA -> gwA" nsx "$NS_HOSTA" ping -6 -c 1 -W 5 "$GWA_LAN"
check "ping hostB -> gwB" nsx "$NS_HOSTB" ping -6 -c 1 -W 5 "$GWB_LAN"

# --- nftables -------------------------------------------------------------------------
cat >/tmp/smoke.nft <<'EOF'
table inet mt6d_smoke {
	set seen {
		type ipv6_addr
		flags timeout
		timeout 30s
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ct state established,related accept
		ip6 nexthdr icmpv6 limit rate 100/second accept
		meta l4proto sctp update @seen { ip6 saddr } counter
		tcp dport 9 reject with tcp reset
		counter
	}
}
EOF
check "nft create table (ct, limit, reject, set with timeout)" nsx "$NS_GWA" "$NFT" -f /tmp/smoke.nft
check "nft add set element" nsx "$NS_GWA" "$NFT" add element inet mt6d_smoke seen "{ $B_ADDR timeout 5s }"
check "nft list table" sh -c "$IP netns exec $NS_GWA $NFT list table inet mt6d_smoke | grep -q '$B_ADDR'"
check "nft delete table" nsx "$NS_GWA" "$NFT" delete table inet mt6d_smoke

# --- netem ------------------------------------------------------------------------------
if nsx "$NS_GWA" "$TC" qdisc add dev "$INET_DEV" root netem delay 20ms loss 1% >"$OUT/netem.log" 2>&1; then
	pass "netem qdisc added"
	check "netem qdisc shown" sh -c "$TC -n $NS_GWA qdisc show dev $INET_DEV | grep -q 'netem.*delay 20ms'"
	nsx "$NS_GWA" "$TC" qdisc del dev "$INET_DEV" root
else
	fail "netem qdisc added" "$(cat "$OUT/netem.log")"
fi

lsmod >"$OUT/lsmod.txt"
finish

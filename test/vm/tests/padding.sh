#!/bin/sh
# SPDX-License-Identifier: MIT
#
# [tunnel] padding hides inner packet sizes from an observer on the path.
#
#  hostA ── gwA ══ (veth "internet", captured) ══ gwB ── hostB
#
# hostA pings hostB with 24 different payload sizes (60 to 1210 bytes), twice:
# 1. padding off on both gateways (positive control): framelen (test/vm/helpers) reads
#    the capture and finds the data frames of each gateway in many different lengths;
# 2. gwA with padding = 256, gwB without (the ends need not agree): every data frame gwA
#    sends is a multiple of 256 bytes long, in at most 6 lengths, while gwB's still vary.
# Pass also needs every ping answered in both runs: the receiver cuts the padding off.
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require
[ -x "$FRAMELEN" ] || die "framelen" "$FRAMELEN not in the initramfs (build test/vm/helpers)"

PAD=256
A_NET=${GWA_PREFIX%%::/64}:
B_NET=${GWB_PREFIX%%::/64}:

mkdir -p "$MT6D_ETC"
topo_up

# one_run NAME GWA-TUNNEL-LINE: both gateways up, 24 pings of growing size, captured
one_run() {
	mt6d_start_pair "$1" "$2"
	ok=0
	for s in $(seq 60 50 1210); do
		nsx "$NS_HOSTA" ping -6 -c 1 -W 2 -s "$s" "$HOSTB" >/dev/null 2>&1 && ok=$((ok + 1))
	done
	# tcpdump lags behind under TCG: let it write what it has before it is stopped.
	sleep 2
	cap_stop "$1"
	mt6d_stop gwA
	mt6d_stop gwB
	[ "$ok" -eq 24 ] && pass "$1: 24 of 24 pings of 60 to 1210 bytes answered" ||
		fail "$1: every ping answered" "$ok of 24"
	grep -h 'packets captured' "$OUT/$1.tcpdump.log" >&2 || :
	"$FRAMELEN" "$(cap_file "$1")" >"$OUT/$1.frames" ||
		die "$1" "framelen cannot read $(cap_file "$1")"
}

# frames NAME NET: "count distinct multiples" of the data frames sent from NET
frames() {
	awk -v net="$2" -v pad="$PAD" 'index($1, net) == 1 {
			n++; if (!seen[$2]++) d++; if ($2 % pad == 0) m++ }
		END { printf "%d %d %d\n", n, d, m }' "$OUT/$1.frames"
}

one_run plain ""
# shellcheck disable=SC2046
set -- $(frames plain "$A_NET")
log "plain, from gwA: $1 data frames, $2 lengths, $3 multiples of $PAD"
[ "$1" -ge 24 ] && [ "$2" -ge 20 ] && [ "$3" -lt "$1" ] &&
	pass "control: without padding gwA's $1 data frames come in $2 lengths" ||
	fail "control: unpadded frame lengths vary" "$1 frames, $2 lengths, $3 multiples of $PAD"

one_run padded "padding = $PAD"
# shellcheck disable=SC2046
set -- $(frames padded "$A_NET")
log "padded, from gwA: $1 data frames, $2 lengths, $3 multiples of $PAD"
[ "$1" -ge 24 ] && [ "$3" -eq "$1" ] && [ "$2" -le 6 ] &&
	pass "padding = $PAD: all $1 of gwA's data frames are multiples of $PAD, in $2 lengths" ||
	fail "padding = $PAD: gwA's frames padded" "$1 frames, $2 lengths, $3 multiples of $PAD"
# shellcheck disable=SC2046
set -- $(frames padded "$B_NET")
[ "$1" -ge 24 ] && [ "$2" -ge 20 ] &&
	pass "gwB (padding off) still sends $2 lengths, and gwA takes them" ||
	fail "gwB unpadded alongside a padded gwA" "$1 frames, $2 lengths"
sort "$OUT/padded.frames" | awk '{ print $2 }' | sort -n | uniq -c >"$OUT/figures.txt"
finish

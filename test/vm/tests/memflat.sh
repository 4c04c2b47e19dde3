#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Memory stays flat: each daemon's heap and private memory, sampled during two minutes of
# traffic with a rotation every second and new session keys every 10 s, does not grow.
#
#  hostA ── gwA ══ (veth "internet", hashed addresses only) ══ gwB ── hostB
#  fd00:a::2        mt6d-tunnel + mt6d-addrmgr on each gateway        fd00:b::2
#
# Traffic: iperf3 TCP hostA -> hostB at a fixed rate and a ping every 0.2 s, for
# MT6D_MEMFLAT_SECS (120). Every SAMPLE_SECS two figures of the four daemons are recorded:
#  heap       malloc's in-use bytes (mallinfo2, read by helpers/heapprobe.c preloaded into
#             each daemon, written whenever its event loop goes idle), in memflat-heap.csv.
#             Byte-exact: this is the check that catches a small leak.
#  anonymous  the anonymous pages (heap, stacks, anonymous maps) from
#             /proc/PID/smaps_rollup, in memflat.csv, with the private file-backed pages
#             beside it in memflat-file.csv for the record. Those are not judged: a code
#             page of a shared library counts as private while only one process has
#             touched it, so they move with which code paths ran.
# The traffic outlasts the last sample, so the end of a flow (new code paths, once) is not
# mistaken for growth. The first WARMUP_SECS fill buffers and caches once; after that, what
# a daemon held at the end -- the lower of the last two samples, so that a transient
# allocation is not taken for a leak -- may exceed the warm-up sample by at most
# HEAP_GROWTH bytes of heap (4 KiB) and GROWTH_KIB of anonymous memory (64 KiB, 16 pages;
# pages also hold what malloc keeps after a free), and no sample may reach LIMIT_KIB.
#
# Sensitivity: a leak of 100 bytes per rotation leaks 100 x (rotations between the
# warm-up sample and the end) bytes, about 10 KB in 100 rotations, of which the judgement
# leaves out the largest step between two samples (a one-time allocation is one such step;
# a leak's is one sample's rotations); the test fails unless what remains exceeds
# HEAP_GROWTH, so a run too short (or rotating too slowly) to catch such a leak fails as
# well. Positive control, in the same run: gwA's mt6d-addrmgr gets
# MT6D_LEAK_BYTES=100 (heapprobe leaks 100 bytes at each bind of a new address, once per
# rotation); its heap growth must exceed HEAP_GROWTH -- the judgement fails on that leak --
# while its growth less what heapprobe reports it leaked is judged like the other three.
# MT6D_MEMFLAT_LEAK=0 leaves the leak out (then gwA's addrmgr is judged unaided).
set -eu
. "$(dirname "$0")/../lib.sh"
mt6d_require

SECS=${MT6D_MEMFLAT_SECS:-120}
SAMPLE_SECS=10
WARMUP_SECS=20
HEAP_GROWTH=4096
GROWTH_KIB=64
LIMIT_KIB=2048
RATE=${MT6D_MEMFLAT_RATE:-20M}
LEAK=${MT6D_MEMFLAT_LEAK:-100}
LEAKER=gwA-addrmgr

mkdir -p /etc/mt6d
for gw in gwA gwB; do
	sed -e "s/^interval = .*/interval = 1/" -e "/^\[tunnel\]/a rekey-interval = 10" \
		"$(mt6d_conf $gw)" >/etc/mt6d/$gw.conf
done
topo_up
heap_env() { echo "LD_PRELOAD=$MT6D_HEAPPROBE MT6D_HEAP_FILE=$STATE/heap-$1"; }
for gw in gwA gwB; do
	MT6D_TUNNEL_ENV=$(heap_env "$gw-tunnel")
	MT6D_ADDRMGR_ENV=$(heap_env "$gw-addrmgr")
	[ "$gw-addrmgr" = "$LEAKER" ] && [ "$LEAK" -gt 0 ] &&
		MT6D_ADDRMGR_ENV="$MT6D_ADDRMGR_ENV MT6D_LEAK_BYTES=$LEAK"
	mt6d_start "$gw" "/etc/mt6d/$gw.conf"
done
MT6D_TUNNEL_ENV='' MT6D_ADDRMGR_ENV=''
mt6d_wait_up

# anon_kb PID: anonymous pages; file_kb PID: private pages that are not anonymous.
anon_kb() {
	awk '/^Anonymous:/ { k += $2 } END { print k + 0 }' "/proc/$1/smaps_rollup" \
		2>/dev/null || echo 0
}
file_kb() {
	awk '/^Private_(Clean|Dirty):/ { p += $2 } /^Anonymous:/ { a += $2 }
		END { print p - a }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0
}
# heap NAME: "INUSE LEAKED CALLS" from heapprobe in NAME's daemon ("" if it wrote nothing)
heap() { cat "$STATE/heap-$1" 2>/dev/null || :; }

names="gwA-tunnel gwA-addrmgr gwB-tunnel gwB-addrmgr"
for n in $names; do
	wait_for "[ -s $STATE/heap-$n ]" 5 || fail "heapprobe reports $n's heap" "no figures"
done
rot0=$(json_num "$(mt6d_tstatus gwA --json)" rotations)
bg_start iperf-hostB hostB "$IPERF3" -s -1
wait_for "nsx hostB $SS -Hln | grep -q ':5201'" 10 || die "iperf3 server" "did not start"
# Traffic runs TAIL_SECS past the last sample (see above).
TAIL_SECS=10
bg_start iperf-hostA hostA "$IPERF3" -c "$HOSTB" -t "$((SECS + TAIL_SECS))" -b "$RATE" -f m
bg_start ping-hostA hostA /usr/local/bin/iputils-ping -6 -i 0.2 -w "$((SECS + TAIL_SECS))" "$HOSTB"

header="t,$(echo $names | tr ' ' ,)"
echo "$header" >"$OUT/memflat.csv"
echo "$header" >"$OUT/memflat-file.csv"
# memflat-heap.csv: in-use bytes, then what heapprobe leaked and how often, per daemon
echo "t$(for n in $names; do printf ',%s,%s-leaked,%s-leaks' $n $n $n; done)" \
	>"$OUT/memflat-heap.csv"
t=0
while [ "$t" -le "$SECS" ]; do
	row=$t frow=$t hrow=$t
	for n in $names; do
		pid=$(bg_pid "$n")
		row="$row,$(anon_kb "$pid")"
		frow="$frow,$(file_kb "$pid")"
		set -- $(heap "$n") 0 0 0
		hrow="$hrow,$1,$2,$3"
	done
	echo "$row" >>"$OUT/memflat.csv"
	echo "$frow" >>"$OUT/memflat-file.csv"
	echo "$hrow" >>"$OUT/memflat-heap.csv"
	log "memflat: anonymous $row; private file-backed $frow; heap $hrow"
	[ "$t" -eq "$SECS" ] && break
	sleep "$SAMPLE_SECS"
	t=$((t + SAMPLE_SECS))
done
wait_for "! bg_alive iperf-hostA" 30 || :
json=$(mt6d_tstatus gwA --json)
rot=$(json_num "$json" rotations)
rx=$(json_num "$json" rx_packets)
mbps=$(awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") v = $i }
	END { print v + 0 }' "$OUT/iperf-hostA.log")

awk -v t="$mbps" 'BEGIN { exit !(t > 0) }' &&
	pass "traffic: iperf3 moved $mbps Mbit/s for $((SECS + TAIL_SECS)) s, tunnel rx ${rx:-?} packets" ||
	fail "traffic through the tunnel" "iperf3: $(tail -n 3 "$OUT/iperf-hostA.log")"
[ "$((${rot:-0} - ${rot0:-0}))" -ge "$((SECS / 2))" ] &&
	pass "rotations: $((rot - rot0)) during the run" ||
	fail "rotations during the run" "${rot0:-?} -> ${rot:-?}"

# heap_growth COL: heap growth of the daemon whose figures start in column COL of
# memflat-heap.csv, less what heapprobe leaked on purpose. Prints "GROWTH RAW BINDS":
# corrected and raw growth in bytes, and the new addresses the daemon bound (rotations)
# between the warm-up sample and the end.
# A one-time allocation late in the run (OpenSSL's error state on the first failed open,
# say) is one step between two samples, a leak a rise at every rotation: the largest
# single step after the warm-up is left out of both growths.
heap_growth() {
	awk -F, -v c="$1" -v w="$WARMUP_SECS" '
		NR == 1 { next }
		$1 == w { base = $c - $(c + 1); rbase = $c; cbase = $(c + 2); on = 1 }
		{ if ($c == 0) zero = 1
		  pv = v; prv = rv; pcl = cl; v = $c - $(c + 1); rv = $c; cl = $(c + 2)
		  if (on && $1 > w) {
			if (v - pv > step) step = v - pv
			if (rv - prv > rstep) rstep = rv - prv
		  } }
		END {
			if (zero || base == "" || pv == "") exit 1
			# the lower of the last two samples (the leak calls of the same sample)
			if (pv < v) { v = pv; rv = prv; cl = pcl }
			printf "%d %d %d\n", v - base - step, rv - rbase - rstep, cl - cbase
		}' "$OUT/memflat-heap.csv"
}

col=2
for n in $names; do
	set -- $(heap_growth "$col") x x x
	if [ "$1" = x ]; then
		fail "heap flat: $n" "missing heap samples"
	elif [ "$1" -le "$HEAP_GROWTH" ]; then
		pass "heap flat: $n grew $1 B after warm-up (bound $HEAP_GROWTH B)"
	else
		fail "heap flat: $n grew at most $HEAP_GROWTH B after warm-up" "+$1 B"
	fi
	if [ "$n" = "$LEAKER" ] && [ "$LEAK" -gt 0 ] && [ "$1" != x ]; then
		echo "control $n leak_bytes_per_call=$LEAK leaks=$3 raw_growth=$2 corrected=$1" \
			>>"$OUT/figures.txt"
		if [ "$2" -gt "$HEAP_GROWTH" ] && [ "$3" -ge "$((SECS / 4))" ]; then
			pass "control: $LEAK B leaked at $3 rotations of $n: heap +$2 B, over the bound (the check fails on it)"
		else
			fail "control: a leak of $LEAK B per rotation fails the heap check" \
				"$3 binds, heap +$2 B (bound $HEAP_GROWTH B)"
		fi
	fi
	# Sensitivity: gwB's addrmgr (never leaked into) bound a new address at each rotation
	# of the judged window; 100 B at each of them must exceed the bound.
	if [ "$n" = gwB-addrmgr ] && [ "$1" != x ]; then
		echo "sensitivity rotations_after_warmup=$3 leak_100B=$((100 * $3)) bound=$HEAP_GROWTH" \
			>>"$OUT/figures.txt"
		# less the one step the judgement leaves out: a sample's rotations (1 s slots)
		sens=$((100 * ($3 - SAMPLE_SECS - 1)))
		[ "$sens" -gt "$HEAP_GROWTH" ] &&
			pass "sensitivity: 100 B x $3 rotations after warm-up, less one sample's step = $sens B > $HEAP_GROWTH B" ||
			fail "sensitivity: a leak of 100 B per rotation exceeds the bound" \
				"only $3 rotations after warm-up"
	fi
	col=$((col + 3))
done

col=2
for n in $names; do
	awk -F, -v c="$col" -v w="$WARMUP_SECS" -v g="$GROWTH_KIB" -v lim="$LIMIT_KIB" -v n="$n" '
		NR == 1 { next }
		$1 == w { base = $c }
		{ if ($c > max) max = $c; prev = last; last = $c; if ($c == 0) zero = 1 }
		END {
			if (zero || base == "" || prev == "") { printf "FAIL %s: missing samples\n", n; exit 1 }
			end = prev < last ? prev : last
			printf "%s: %d KiB anonymous after warm-up, %d KiB at the end (+%d), peak %d KiB\n",
				n, base, end, end - base, max
			exit !(end - base <= g && max < lim)
		}' "$OUT/memflat.csv" >"$OUT/memflat.$n" && ok=1 || ok=0
	msg=$(cat "$OUT/memflat.$n")
	if [ "$ok" = 1 ]; then
		pass "memory flat: $msg"
	else
		fail "memory flat (growth <= $GROWTH_KIB KiB, peak < $LIMIT_KIB KiB)" "$msg"
	fi
	col=$((col + 1))
done
finish

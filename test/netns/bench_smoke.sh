#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tools/bench-rotation's program runs and reports figures, with tiny counts: both modes,
# every row, a positive median. The program itself checks after each row that the
# kernel holds exactly the state it claims (addresses, set elements, local route).
# Needs root: exits 77 (SKIP) without.
set -eu
bin=$1
out=$("$bin" --counts 8,16 --rotations 5 2>&1) || {
	rc=$?
	echo "$out"
	exit "$rc"
}
echo "$out"
for n in 8 16; do
	echo "$out" | awk -v n="$n" '$1 == n && $2 == "|" && $3 > 0 && $8 == "|" && $9 > 0 { ok = 1 }
		END { exit !ok }' || { echo "FAIL: no figures for $n addresses"; exit 1; }
done
echo "ok: figures for both modes and every count"

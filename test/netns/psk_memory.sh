#!/bin/sh
# SPDX-License-Identifier: MIT
#
# mt6d-addrmgr keeps only the key it needs: once running, its memory (every readable
# mapping: heap, stacks, data) holds the address key derived from the PSK, and not the PSK
# itself, neither decoded nor as the key file's text. The address key is the positive
# control: it shows the scan finds key material that is there.
#
#   +---- fresh netns ----+
#   |  inet0 (veth)       |   mt6d-addrmgr -f, rotating on inet0 alone (no tunnel)
#   +---------------------+
#
# Needs root: exits 77 (SKIP) without.
# shellcheck disable=SC2154  # ns, dir: set by netns_begin (lib.sh)
set -eu
. "$(dirname "$0")/lib.sh"
bin=$1
netns_begin pm python3
key=$(netns_key "$dir")
netns_conf "$dir" <<EOF2
[rotation]
interval = 1
[guard]
enable = no
EOF2
ip netns exec "$ns" env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" -f >"$dir/log" 2>&1 &
pid=$!
i=0
until ip netns exec "$ns" env RUNTIME_DIRECTORY="$dir" "$bin" -c "$dir/t.conf" --status \
	>/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || { echo "FAIL - mt6d-addrmgr did not start: $(cat "$dir/log")"; exit 1; }
	sleep 0.1
done

# Counts of each needle (hex) in the process's readable memory.
python3 - "$pid" "$key" "$(printf %s "$key" | od -An -tx1 | tr -d ' \n')" <<'PY' >"$dir/counts"
import hashlib, hmac, sys

pid, psk_hex, text_hex = sys.argv[1], sys.argv[2], sys.argv[3]
psk = bytes.fromhex(psk_hex)
# The address key: HKDF-SHA256(salt "mt6d-v1", ikm PSK, info "mt6d address key"), 32 bytes.
prk = hmac.new(b"mt6d-v1", psk, hashlib.sha256).digest()
k_addr = hmac.new(prk, b"mt6d address key\x01", hashlib.sha256).digest()
needles = [k_addr, psk, bytes.fromhex(text_hex)]
counts = [0] * len(needles)
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        span, perm = line.split()[:2]
        lo, hi = (int(x, 16) for x in span.split("-"))
        if "r" not in perm or hi - lo > 1 << 30:
            continue
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except (OSError, ValueError, OverflowError):
            continue
        for i, n in enumerate(needles):
            counts[i] += data.count(n)
print(*counts)
PY
read -r k_addr psk text <"$dir/counts"
rc=0
if [ "$k_addr" -ge 1 ]; then
	echo "ok   - positive control: the address key is in memory ($k_addr copies)"
else
	echo "FAIL - positive control: the address key was not found; the scan is blind"
	rc=1
fi
if [ "$psk" -eq 0 ] && [ "$text" -eq 0 ]; then
	echo "ok   - the PSK is not in memory (decoded: 0, key file text: 0)"
else
	echo "FAIL - the PSK is in memory: decoded $psk, key file text $text"
	rc=1
fi
exit "$rc"

#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Command-line behaviour of both daemons without a kernel SCTP stack: misuse gets
# exit status 2 and a usage message, configuration errors 1 and a precise line,
# --check tells the truth about this host, client commands without a daemon fail
# clearly.
#
#   cli.sh BUILD_DIR SOURCE_DIR
set -eu

build=$1
src=$2
tunnel=$build/tunnel/mt6d-tunnel
addrmgr=$build/addrmgr/mt6d-addrmgr
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mt6d-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect NAME STATUS PATTERN CMD...: CMD exits with STATUS (or "any") and its output
# matches PATTERN.
expect() {
	name=$1 want=$2 pattern=$3
	shift 3
	rc=0
	out=$("$@" 2>&1) || rc=$?
	if { [ "$want" = any ] || [ "$rc" -eq "$want" ]; } && printf '%s\n' "$out" | grep -qE -- "$pattern"; then
		passed=$((passed + 1))
		echo "ok   - $name"
	else
		failed=$((failed + 1))
		echo "FAIL - $name: status $rc (want $want), output: $(printf '%s' "$out" | head -n 3)"
	fi
}

(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/site.key")
sed "s|^psk-file = .*|psk-file = site.key|" "$src/etc/example.conf" >"$tmp/site.conf"
export RUNTIME_DIRECTORY="$tmp/run"

for d in "$tunnel" "$addrmgr"; do
	n=$(basename "$d")
	expect "$n: no -c" 2 '-c FILE is required' "$d"
	expect "$n: unknown option" 2 'Usage:' "$d" -c "$tmp/site.conf" --bogus
	expect "$n: stray argument" 2 "unexpected argument 'extra'" "$d" -c "$tmp/site.conf" extra
	expect "$n: --help" 0 'Usage:' "$d" --help
	expect "$n: --version" 0 "$n [0-9]" "$d" --version
	expect "$n: -n on the example config" 0 'configuration OK' "$d" -n -c "$tmp/site.conf"
	expect "$n: missing file" 1 "cannot (open|read).*No such file" "$d" -n -c "$tmp/absent.conf"
done

chmod 644 "$tmp/site.key"
expect "key readable by others" 1 '\[keys\] psk-file: .* readable by group or others' \
	"$tunnel" -n -c "$tmp/site.conf"
chmod 600 "$tmp/site.key"
sed 's/^interval = .*/interval = soon/' "$tmp/site.conf" >"$tmp/bad.conf"
expect "bad interval names file, section and key" 1 \
	'bad.conf: \[rotation\] interval: expected a whole number of seconds' \
	"$addrmgr" -n -c "$tmp/bad.conf"

# --check describes this very host: compare its SCTP line with what the kernel says.
if [ -d /proc/sys/net/sctp ]; then
	sctp='^ok +sctp +kernel SCTP available'
else
	sctp='^FAIL +sctp +(this kernel has no SCTP|the sctp module is installed but not loaded)'
fi
expect "--check reports kernel SCTP as it is" any "$sctp" "$tunnel" --check -c "$tmp/site.conf"
expect "--check validates the config first" any '^ok +config ' "$tunnel" --check -c "$tmp/site.conf"
expect "--check with a broken config" 1 '^FAIL +config .*\[rotation\] interval' \
	"$tunnel" --check -c "$tmp/bad.conf"

# mt6d-addrmgr --check probes the guard's nf_tables features on this kernel, which needs
# CAP_NET_ADMIN; without it, it says so and fails (fail closed).
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
if [ $((0x${capeff:-0} >> 12 & 1)) -eq 1 ]; then
	expect "addrmgr --check probes each nf_tables feature" any \
		'^(ok|FAIL) +fib +' "$addrmgr" --check -c "$tmp/site.conf"
	expect "addrmgr --check: a verdict on the guard" any '^(ok|FAIL) +guard +' \
		"$addrmgr" --check -c "$tmp/site.conf"
	if command -v setpriv >/dev/null; then
		expect "addrmgr --check without CAP_NET_ADMIN fails closed" 1 \
			'^FAIL +guard +cannot probe nf_tables: Operation not permitted' \
			setpriv --bounding-set -net_admin "$addrmgr" --check -c "$tmp/site.conf"
	fi
else
	expect "addrmgr --check without CAP_NET_ADMIN fails closed" 1 \
		'^FAIL +guard +cannot probe nf_tables: Operation not permitted' \
		"$addrmgr" --check -c "$tmp/site.conf"
fi
expect "addrmgr --check validates the config first" any '^ok +config ' \
	"$addrmgr" --check -c "$tmp/site.conf"
expect "addrmgr -n still only validates the configuration" 0 'configuration OK' \
	"$addrmgr" -n -c "$tmp/site.conf"

expect "--status without a daemon" 1 'cannot reach the running daemon' \
	"$addrmgr" --status -c "$tmp/site.conf"
expect "two commands at once" 2 'only one command at a time' \
	"$addrmgr" --rotate --status -c "$tmp/site.conf"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

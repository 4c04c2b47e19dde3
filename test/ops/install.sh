#!/bin/sh
# SPDX-License-Identifier: MIT
#
# What an operator installs: `meson install --destdir` puts exactly the expected
# files in place, every man page renders without warnings, both systemd units pass
# `systemd-analyze verify`, and each is rated at least as safe as wg-quick@.
#
#   install.sh BUILD_DIR EXPECTED_PATH...
set -eu

build=$1
shift
dest=$(mktemp -d "${TMPDIR:-/tmp}/mt6d-install.XXXXXX")
trap 'rm -rf "$dest" "$dest.got" "$dest.want"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }

meson install -C "$build" --no-rebuild --destdir "$dest" >"$dest.log" 2>&1 ||
	{ cat "$dest.log"; rm -f "$dest.log"; echo "0 passed, 1 failed"; exit 1; }
rm -f "$dest.log"

# --- the file list, exactly ----------------------------------------------------------
(cd "$dest" && find . -type f -o -type l | sed 's|^\.||' | sort) >"$dest.got"
printf '%s\n' "$@" | sort >"$dest.want"
if cmp -s "$dest.got" "$dest.want"; then
	pass "installed exactly $(wc -l <"$dest.want") files"
else
	fail "installed files differ from the expected list: $(diff "$dest.want" "$dest.got" |
		grep '^[<>]' | tr '\n' ' ')"
fi
modules=$(find "$dest" -path '*/modules-load.d/mt6d.conf')
grep -qx sctp $modules 2>/dev/null && pass "modules-load file loads sctp" ||
	fail "modules-load file loads sctp"
sysctls=$(find "$dest" -path '*/sysctl.d/mt6d.conf')
grep -qx 'net.sctp.auth_enable = 1' $sysctls 2>/dev/null &&
	grep -qx 'net.sctp.addip_noauth_enable = 0' $sysctls &&
	pass "sysctl.d file enables SCTP-AUTH on COOKIE-ECHO and forbids ASCONF without it" ||
	fail "sysctl.d file sets net.sctp.auth_enable = 1 and addip_noauth_enable = 0"

# --- man pages -----------------------------------------------------------------------------
for page in $(find "$dest" -path '*/man/man*' -type f | sort); do
	warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -z "$warnings" ]; then
		pass "man $(basename "$page") renders without warnings"
	else
		fail "man $(basename "$page"): $(echo "$warnings" | head -n 3 | tr '\n' ' ')"
	fi
done

# --- systemd units ---------------------------------------------------------------------------
units=$dest/.units
mkdir -p "$units"
sbindir=$(dirname "$(find "$dest" -name mt6d-tunnel -type f)")
mandir=$(find "$dest" -type d -name man -path '*/share/man' | head -n 1)
for tmpl in $(find "$dest" -name 'mt6d-*@.service' | sort); do
	name=$(basename "$tmpl" .service)
	# An instance, with ExecStart pointing into the destdir so verify finds the binary.
	sed "s|/[^ ]*/sbin/mt6d-|$sbindir/mt6d-|g" "$tmpl" >"$units/${name}site.service"
done
if out=$(cd "$units" && MANPATH=$mandir systemd-analyze verify ./*.service 2>&1) &&
	[ -z "$out" ]; then
	pass "systemd-analyze verify: both units clean"
else
	fail "systemd-analyze verify: $(echo "$out" | head -n 5 | tr '\n' ' ')"
fi

exposure() { # UNIT-FILE: the overall exposure level, e.g. 2.3
	systemd-analyze security --offline=true "$1" 2>/dev/null |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}
wg=/lib/systemd/system/wg-quick@.service
[ -f "$wg" ] || wg=/usr/lib/systemd/system/wg-quick@.service
if [ -f "$wg" ]; then
	cp "$wg" "$units/wg-quick@wg0.service"
	wgscore=$(exposure "$units/wg-quick@wg0.service")
	for unit in "$units"/mt6d-*.service; do
		score=$(exposure "$unit")
		if [ -n "$score" ] && [ -n "$wgscore" ] &&
			awk -v a="$score" -v b="$wgscore" 'BEGIN { exit !(a <= b) }'; then
			pass "$(basename "$unit"): exposure $score, wg-quick@: $wgscore"
		else
			fail "$(basename "$unit"): exposure ${score:-?} not below wg-quick@'s ${wgscore:-?}"
		fi
	done
else
	fail "wg-quick@.service not installed (wireguard-tools): nothing to compare with"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

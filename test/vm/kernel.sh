#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Ensures an unpacked, depmod'ed Debian kernel for the test VM and prints its
# directory.  The directory holds boot/vmlinuz-VERSION and lib/modules/VERSION/;
# the file VERSION in it names the kernel version.
#
# The package is the one Debian's linux-image-amd64 metapackage depends on
# (resolved with apt-cache, not hard-coded).  It is downloaded with
# `apt-get download` into the cache only when absent, then unpacked with
# `dpkg-deb -x`; nothing is installed on the host.  Fast when cached.
#
# Cache: ${MT6D_VM_CACHE:-/var/cache/mt6d-vm}
# shellcheck disable=SC2012  # ls on names we chose (Debian package names)
set -eu

CACHE=${MT6D_VM_CACHE:-/var/cache/mt6d-vm}
META=linux-image-amd64

say() { echo "kernel.sh: $*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$CACHE"

# Serialise concurrent callers (meson may start several runners at once).
if command -v flock >/dev/null 2>&1 && [ -z "${MT6D_VM_KERNEL_LOCKED:-}" ]; then
	export MT6D_VM_KERNEL_LOCKED=1
	exec flock "$CACHE/.lock" "$0" "$@"
fi

# The newest already unpacked tree, used when apt cannot tell us what to fetch.
newest_cached() {
	for d in "$CACHE"/linux-image-*/; do
		[ -f "${d}VERSION" ] && [ -f "${d}.complete" ] && echo "${d%/}"
	done | sort -V | tail -n 1
}

pkg=$(apt-cache depends "$META" 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }') || pkg=
if [ -z "$pkg" ]; then
	dir=$(newest_cached)
	[ -n "$dir" ] || die "cannot resolve $META with apt-cache and no kernel is cached in $CACHE"
	say "warning: apt-cache cannot resolve $META; using cached $(cat "$dir/VERSION")"
	echo "$dir"
	exit 0
fi

dir="$CACHE/$pkg"
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

deb=$(ls "$CACHE/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1) || deb=
if [ -z "$deb" ]; then
	say "downloading $pkg into $CACHE"
	dl=$(mktemp -d "$CACHE/download.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	# apt drops privileges to _apt for downloads; let it write there.
	if id _apt >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
		chown _apt "$dl" 2>/dev/null || :
	fi
	if (cd "$dl" && apt-get download -q "$pkg" >&2); then
		mv "$dl"/*.deb "$CACHE"/
		rm -rf "$dl"
		trap - EXIT
	else
		rm -rf "$dl"
		trap - EXIT
		old=$(newest_cached)
		[ -n "$old" ] || die "apt-get download $pkg failed (try: apt-get update)"
		say "warning: download failed; using cached $(cat "$old/VERSION")"
		echo "$old"
		exit 0
	fi
	deb=$(ls "$CACHE/${pkg}"_*.deb | sort -V | tail -n 1)
fi

say "unpacking $deb"
tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
ver=$(ls "$tmp/lib/modules" | head -n 1)
if [ -z "$ver" ] || [ ! -f "$tmp/boot/vmlinuz-$ver" ]; then
	die "$deb: no kernel image/modules inside"
fi
depmod -b "$tmp" "$ver"
echo "$ver" >"$tmp/VERSION"
# Debian ships vmlinuz mode 0600; qemu may run as another user.
chmod 0644 "$tmp/boot/vmlinuz-$ver"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
touch "$dir/.complete"
echo "$dir"

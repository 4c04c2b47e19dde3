#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Builds the gzip'd cpio initramfs of the mt6d test VM.
#
#   mkinitramfs.sh -o OUT.gz [--build-dir DIR] [--kernel-dir DIR] TESTNAME...
#
# Contents: static busybox (applet links), the kernel modules listed below with
# their dependencies, real iproute2/nftables/tcpdump/socat/iperf3/lksctp tools
# in /usr/local/bin with every shared library they need, a minimal /etc, the
# mt6d binaries from the meson build dir (in /usr/sbin, when built) and its test
# helpers (pcapgrep in /usr/local/bin, the preload shim in /usr/local/lib), /init,
# test/vm/lib.sh, test/vm/conf/ and the named test/vm/tests/NAME.sh scripts
# (plus NAME.d/ next to them, if present) under /test.
#
# --kernel-dir defaults to the output of kernel.sh.  Extra modules to load:
# MT6D_VM_MODULES="mod ...".  Extra host binaries: MT6D_VM_EXTRA_BINS="gdb ...".
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)

# Loaded by /init in this order; dependencies are resolved by busybox modprobe.
# crc32c must be registered before libcrc32c (busybox modprobe ignores softdeps).
MODULES="crc32c_generic crc32c-intel libcrc32c udp_tunnel ip6_udp_tunnel
sctp sctp_diag veth tun
nfnetlink nf_tables nft_ct nft_reject_inet nft_limit nft_log nft_quota
nft_numgen nft_hash nft_fib_inet nft_fib_ipv6 nft_objref
sch_netem sch_tbf
wireguard
virtio_pci virtio_blk
${MT6D_VM_MODULES:-}"

# Real tools, called by absolute path in the guest (busybox shadows names).
BINS="ip tc ss nft tcpdump socat iperf3 sctp_darn sctp_test checksctp wg"
OPTIONAL_BINS="strace ${MT6D_VM_EXTRA_BINS:-}"
MT6D_BINS="tunnel/mt6d-tunnel addrmgr/mt6d-addrmgr"
# Test-only helpers from the build dir (test/vm/helpers): a tool and a preload library.
HELPER_BINS="test/vm/helpers/pcapgrep test/vm/helpers/sctp_intruder test/vm/helpers/sctp_forge
	test/vm/helpers/framelen test/vm/helpers/linkcheck test/vm/helpers/udpseq"
HELPER_LIBS="test/vm/helpers/libmt6d_shim.so test/vm/helpers/libmt6d_heapprobe.so
	test/vm/helpers/libmt6d_sctpauth.so"

usage() {
	echo "usage: $0 -o OUT.gz [--build-dir DIR] [--kernel-dir DIR] TESTNAME..." >&2
	exit 2
}
say() { echo "mkinitramfs: $*" >&2; }
die() { say "$*"; exit 1; }

out='' build='' kdir=''
while [ $# -gt 0 ]; do
	case $1 in
	-o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--build-dir) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
	--kernel-dir) [ $# -ge 2 ] || usage; kdir=$2; shift 2 ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
if [ -z "$out" ] || [ $# -eq 0 ]; then usage; fi
for t in "$@"; do
	[ -f "$HERE/tests/$t.sh" ] || die "no such test: tests/$t.sh"
done

[ -n "$kdir" ] || kdir=$("$HERE/kernel.sh")
kver=$(cat "$kdir/VERSION")

stage=$(mktemp -d "${TMPDIR:-/tmp}/mt6d-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# Layout: merged /lib -> usr/lib so the paths ldd prints work unchanged.
mkdir -p "$stage/usr/lib" "$stage/usr/lib64" "$stage/usr/bin" "$stage/usr/sbin" \
	"$stage/usr/local/bin" "$stage/bin" "$stage/sbin" "$stage/etc/mt6d" \
	"$stage/etc/mt6d-vm" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/run" \
	"$stage/tmp" "$stage/out" "$stage/root" "$stage/var" "$stage/test/tests"
ln -s usr/lib "$stage/lib"
ln -s usr/lib64 "$stage/lib64"
ln -s ../run "$stage/var/run"
chmod 1777 "$stage/tmp"

# --- busybox ------------------------------------------------------------------
bb=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
if ldd "$bb" >/dev/null 2>&1; then
	die "$bb is dynamically linked; install busybox-static"
fi
cp "$bb" "$stage/bin/busybox"
"$bb" --list-full | while read -r applet; do
	[ -e "$stage/$applet" ] || [ -L "$stage/$applet" ] ||
		ln -s /bin/busybox "$stage/$applet"
done

# --- binaries and their libraries ----------------------------------------------
libs_file="$stage/.libs"
: >"$libs_file"
add_libs() { # BINARY
	# A static binary makes ldd fail; that is fine.
	ldd "$1" 2>/dev/null | awk '
		$2 == "=>" && $3 == "not" { print "MISSING " $1; next }
		$2 == "=>" && $3 ~ /^\// { print $3; next }
		$1 ~ /^\// { print $1 }' >>"$libs_file"
}
for b in $BINS; do
	p=$(command -v "$b") || die "$b not found (run tools/install-deps)"
	cp -L "$p" "$stage/usr/local/bin/$b"
	add_libs "$p"
done
# iputils' ping, for floods (-f); under its own name so tests keep busybox's ping.
p=$(command -v ping || echo /bin/ping)
[ -x "$p" ] || die "ping (iputils-ping) not found (run tools/install-deps)"
cp -L "$p" "$stage/usr/local/bin/iputils-ping"
add_libs "$p"
for b in $OPTIONAL_BINS; do
	p=$(command -v "$b") || continue
	cp -L "$p" "$stage/usr/local/bin/$b"
	add_libs "$p"
done
nmt6d=0
if [ -n "$build" ]; then
	for b in $MT6D_BINS; do
		if [ -x "$build/$b" ]; then
			cp -L "$build/$b" "$stage/usr/sbin/"
			add_libs "$build/$b"
			nmt6d=$((nmt6d + 1))
		fi
	done
	for b in $HELPER_BINS; do
		[ -x "$build/$b" ] || continue
		cp -L "$build/$b" "$stage/usr/local/bin/"
		add_libs "$build/$b"
	done
	for b in $HELPER_LIBS; do
		[ -f "$build/$b" ] || continue
		mkdir -p "$stage/usr/local/lib"
		cp -L "$build/$b" "$stage/usr/local/lib/"
		add_libs "$build/$b"
	done
fi
if grep -q '^MISSING ' "$libs_file"; then
	die "unresolved shared libraries: $(grep '^MISSING ' "$libs_file" | cut -d' ' -f2 | sort -u | tr '\n' ' ')"
fi
sort -u "$libs_file" | while read -r lib; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done
rm -f "$libs_file"

# tc's netem distribution tables; iproute2's config files.
for d in /usr/lib/x86_64-linux-gnu/tc /usr/lib/tc; do
	if [ -d "$d" ]; then
		mkdir -p "$stage$d"
		cp "$d"/*.dist "$stage$d/" 2>/dev/null || :
	fi
done
[ -d /etc/iproute2 ] && cp -rL /etc/iproute2 "$stage/etc/"
[ -d /usr/share/iproute2 ] && mkdir -p "$stage/usr/share" &&
	cp -rL /usr/share/iproute2 "$stage/usr/share/"

# --- kernel modules -------------------------------------------------------------
mods_file="$stage/.mods"
: >"$mods_file"
for m in $MODULES; do
	modprobe -d "$kdir" -S "$kver" --show-depends "$m" >>"$mods_file" ||
		die "module $m not found in $kdir"
	echo "$m" >>"$stage/etc/mt6d-vm/modules"
done
mdst="$stage/lib/modules/$kver"
mkdir -p "$mdst"
awk '$1 == "insmod" && !seen[$2]++ { print $2 }' "$mods_file" | while read -r ko; do
	rel=${ko#"$kdir/lib/modules/$kver/"}
	mkdir -p "$mdst/$(dirname "$rel")"
	cp "$ko" "$mdst/$rel"
	echo "$rel" >>"$mdst/modules.order"
done
rm -f "$mods_file"
for f in modules.builtin modules.builtin.modinfo; do
	[ -f "$kdir/lib/modules/$kver/$f" ] && cp "$kdir/lib/modules/$kver/$f" "$mdst/"
done
depmod -b "$stage" "$kver"

# --- /etc ---------------------------------------------------------------------
cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
tcpdump:x:101:101:tcpdump:/nonexistent:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
tcpdump:x:101:
nogroup:x:65534:
EOF
cat >"$stage/etc/hosts" <<'EOF'
127.0.0.1	localhost
::1		localhost
fd00:a::2	hostA
fd00:a::1	gwA-lan
fd00:b::1	gwB-lan
fd00:b::2	hostB
EOF
cat >"$stage/etc/nsswitch.conf" <<'EOF'
passwd:   files
group:    files
shadow:   files
hosts:    files
networks: files
protocols: files
services: files
EOF
echo mt6d-vm >"$stage/etc/hostname"
for f in /etc/protocols /etc/services; do
	[ -f "$f" ] && cp "$f" "$stage/etc/"
done

# --- mt6d test files -------------------------------------------------------------
install -m 0755 "$HERE/init" "$stage/init"
cp "$HERE/lib.sh" "$stage/test/lib.sh"
if [ -d "$HERE/conf" ]; then
	cp -r "$HERE/conf" "$stage/test/conf"
fi
for t in "$@"; do
	cp "$HERE/tests/$t.sh" "$stage/test/tests/"
	[ -d "$HERE/tests/$t.d" ] && cp -r "$HERE/tests/$t.d" "$stage/test/tests/"
done
printf '%s\n' "$@" >"$stage/etc/mt6d-vm/tests"
echo "$nmt6d" >"$stage/etc/mt6d-vm/mt6d-binaries"

# --- archive --------------------------------------------------------------------
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
[ "$nmt6d" -gt 0 ] || say "note: no mt6d binaries included (build dir: ${build:-none})"
say "$out: $(du -k "$out" | cut -f1) KiB (kernel $kver)"

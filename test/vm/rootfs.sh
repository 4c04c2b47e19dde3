#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Ensures a cached Debian 12 root file system image for the VM tests that boot
# systemd as PID 1 (tests/systemd.sh), and prints its directory.  The directory
# holds rootfs.img (ext4, the guest's /dev/vda; qemu opens it with snapshot=on,
# so a test never changes it), vmlinuz and initrd.img (the image's own kernel and
# initramfs-tools initrd), and VERSION (the kernel version).
#
# Built once with mmdebstrap from the Debian mirror apt already uses (minbase,
# systemd-sysv, udev, the run-time libraries of mt6d, the kernel and the tools the
# test calls), then cached under a name that hashes this script, so changing the
# package list or a hook below builds a new image.  Building takes ~3-5 minutes;
# a cached image costs nothing.  Nothing is installed on the host but mmdebstrap
# and e2fsprogs (tools/install-deps).
#
# In the image: /etc/systemd/system/mt6d-vmtest.service unpacks the raw disk
# /dev/vdb (a tar written by run) into /test and runs /test/init-systemd, the
# guest side of the test; timers and gettys that would only slow a TCG boot are
# masked; the initrd carries just the modules to mount /dev/vda.
#
# Cache: ${MT6D_VM_CACHE:-/var/cache/mt6d-vm}
set -eu

CACHE=${MT6D_VM_CACHE:-/var/cache/mt6d-vm}
SUITE=bookworm
PACKAGES="systemd-sysv udev kmod procps iproute2 nftables iputils-ping socat
linux-image-amd64 libsctp1 libssl3 libmnl0 libnftnl11 libinih1"

say() { echo "rootfs.sh: $*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$CACHE"
if command -v flock >/dev/null 2>&1 && [ -z "${MT6D_VM_ROOTFS_LOCKED:-}" ]; then
	export MT6D_VM_ROOTFS_LOCKED=1
	exec flock "$CACHE/.rootfs.lock" "$0" "$@"
fi

sum=$(sha256sum "$0" | cut -c1-12)
dir=$CACHE/rootfs-$SUITE-$sum
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi
command -v mmdebstrap >/dev/null || die "mmdebstrap not installed (tools/install-deps)"
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 not installed (e2fsprogs)"

say "building the $SUITE root file system in $dir (once; a few minutes)"
tmp=$dir.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# The guest's test runner: unpack the payload disk, hand over to init-systemd.
unit='[Unit]
Description=mt6d VM test (payload on /dev/vdb)
After=local-fs.target
[Service]
Type=exec
ExecStart=/bin/sh -c "mkdir -p /test && tar -xf /dev/vdb -C /test && exec /bin/sh /test/init-systemd"
StandardOutput=journal+console
StandardError=journal+console
[Install]
WantedBy=multi-user.target'
export MT6D_UNIT="$unit"

# shellcheck disable=SC2016  # the hooks are expanded by mmdebstrap's shell
mmdebstrap --variant=minbase --include="$(echo $PACKAGES | tr ' ' ,)" \
	--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d"
		printf "MODULES=list\nCOMPRESS=gzip\n" >"$1/etc/initramfs-tools/conf.d/mt6d-vm"
		printf "virtio_pci\nvirtio_blk\next4\n" >>"$1/etc/initramfs-tools/modules"' \
	--customize-hook='echo mt6d-vm >"$1/etc/hostname"
		printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" >"$1/etc/fstab"
		printf "%s\n" "$MT6D_UNIT" >"$1/etc/systemd/system/mt6d-vmtest.service"
		chroot "$1" systemctl enable mt6d-vmtest.service
		chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer \
			e2scrub_all.timer e2scrub_reap.service fstrim.timer dpkg-db-backup.timer \
			getty@tty1.service serial-getty@ttyS0.service
		mkdir -p "$1/out"' \
	"$SUITE" "$tmp/root" >"$tmp/mmdebstrap.log" 2>&1 ||
	{ tail -n 20 "$tmp/mmdebstrap.log" >&2; die "mmdebstrap failed"; }

ver=$(ls "$tmp/root/lib/modules" | head -n 1)
[ -n "$ver" ] && [ -f "$tmp/root/boot/vmlinuz-$ver" ] || die "no kernel in the image"
cp "$tmp/root/boot/vmlinuz-$ver" "$tmp/vmlinuz"
cp "$tmp/root/boot/initrd.img-$ver" "$tmp/initrd.img"
chmod 0644 "$tmp/vmlinuz" "$tmp/initrd.img"
echo "$ver" >"$tmp/VERSION"
# stdout is the directory alone: mke2fs says "Creating regular file" there, even with -q.
mkfs.ext4 -q -F -L mt6d-root -d "$tmp/root" "$tmp/rootfs.img" 2048M >&2
rm -rf "$tmp/root"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
touch "$dir/.complete"
say "built $dir (kernel $ver)"
echo "$dir"

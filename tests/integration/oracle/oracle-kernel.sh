#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# oracle-kernel.sh: prepares, once, the kernel the qemu oracle boots, and
# prints the folder that holds it:
#
#   FOLDER/vmlinuz        Debian's kernel image
#   FOLDER/initrd.gz      busybox (package busybox-static), the virtio and 9p
#                         modules, and an init that mounts the host's root
#                         over virtio-9p and hands over to the oracle's init
#   FOLDER/lib/modules/V  ip_vs, its schedulers, the network devices the
#                         topology tests build (veth, bridge, tun, ipip,
#                         ip_gre, fou, ip6_tunnel) and what they depend on
#   FOLDER/kernel.env     KVER=V and PKG=the package it came from
#
# The package (default linux-image-6.1.0-50-amd64: 6.1.176, the kernel of
# Debian's user-mode-linux 6.1um4, so both oracles are the same IPVS) is
# fetched with apt-get download and extracted with dpkg-deb -x; nothing is
# installed.  Should the archive no longer carry it, the package that
# linux-image-amd64 depends on is used instead, with a warning: goldens
# recorded from another 6.1 kernel may differ where IPVS changed.
#
# Environment: NLVS_ORACLE_CACHE (default /var/cache/nlvs-oracle; not under
# /tmp, /run or /mnt, which the guest hides), NLVS_ORACLE_KERNEL_PKG.
# Needs root (apt) the first time; later runs only print the folder.
#
# FOLDER is $NLVS_ORACLE_CACHE/PACKAGE.FORMAT: FORMAT grows whenever what
# the folder holds changes (2: the network devices' modules), so a cache an
# older version of this script prepared is never taken for a complete one
# (and trees still using that version keep theirs).

set -eu

cache=${NLVS_ORACLE_CACHE:-/var/cache/nlvs-oracle}
pkg=${NLVS_ORACLE_KERNEL_PKG:-linux-image-6.1.0-50-amd64}
case $cache in
/tmp/* | /run/* | /mnt/* | /tmp | /run | /mnt)
	echo "oracle-kernel: $cache is hidden inside the guest; choose another NLVS_ORACLE_CACHE" >&2
	exit 1
	;;
esac

format=2
dir=$cache/$pkg.$format
if [ -f "$dir/kernel.env" ]; then
	echo "$dir"
	exit 0
fi
busybox=$(command -v busybox 2>/dev/null || true)
if [ -z "$busybox" ] || ! "$busybox" --list | grep -qx switch_root; then
	echo "oracle-kernel: busybox with switch_root needed (package busybox-static)" >&2
	exit 1
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get download "$pkg" > apt.log 2>&1; then
	alt=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	echo "oracle-kernel: cannot download $pkg ($(tail -n 1 apt.log)); using ${alt:-nothing}" >&2
	[ -n "$alt" ] && apt-get download "$alt" > apt.log 2>&1 || {
		cat apt.log >&2
		exit 1
	}
	pkg=$alt
	dir=$cache/$pkg.$format
fi
dpkg-deb -x ./*.deb x
kver=$(ls x/lib/modules)
src=x/lib/modules/$kver
/sbin/depmod -b x "$kver"

mkdir -p out/lib/modules/"$kver"
# The modules the oracle loads, and everything they depend on; the
# devices are kept when the kernel has them as modules (built-in ones need
# nothing; a missing one is the topology test's skip reason, not an error).
mods=$(cd "$src/kernel/net/netfilter/ipvs" && ls ./*.ko | sed 's|^\./||; s|\.ko$||')
devs="veth bridge tun ipip ip_gre gre fou ip6_tunnel tunnel4 tunnel6 ip_tunnel"
for m in $mods $devs; do
	/sbin/modprobe -d x -S "$kver" --show-depends "$m" 2> /dev/null |
		sed -n 's/^insmod \([^ ]*\).*/\1/p'
done | sort -u | while read -r f; do
	rel=${f#"$work"/x/}
	mkdir -p "out/$(dirname "$rel")"
	cp "$f" "out/$rel"
done
cp "$src"/modules.order "$src"/modules.builtin "$src"/modules.builtin.modinfo \
	out/lib/modules/"$kver"/
/sbin/depmod -b out "$kver"
[ -f out/lib/modules/"$kver"/kernel/net/netfilter/ipvs/ip_vs.ko ] || {
	echo "oracle-kernel: $pkg has no ip_vs module" >&2
	exit 1
}
cp x/boot/vmlinuz-"$kver" out/vmlinuz

# The initramfs: load what mounting the root over virtio-9p takes, mount it,
# put the guest's init (the nlvs_init= boot parameter, which the kernel hands
# to /init in its environment) in charge.
mkdir -p ird/bin ird/mods ird/proc ird/sys ird/dev ird/newroot
cp "$busybox" ird/bin/busybox
for m in virtio_pci 9pnet_virtio 9p; do
	/sbin/modprobe -d x -S "$kver" --show-depends "$m" | sed -n 's/^insmod \([^ ]*\).*/\1/p'
done | awk '!seen[$0]++' > order.txt
while read -r f; do
	cp "$f" ird/mods/
	basename "$f" >> ird/mods/order
done < order.txt
cat > ird/init <<'EOF'
#!/bin/busybox sh
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do
	insmod "/mods/$m"
done < /mods/order
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro hostroot /newroot; then
	echo "oracle initramfs: cannot mount the host's root" > /dev/console
	poweroff -f
fi
umount /proc /sys /dev
exec switch_root /newroot "$nlvs_init"
EOF
chmod 755 ird/init
grep -q '^9p\.ko$' ird/mods/order || {
	echo "oracle-kernel: $pkg: no 9p modules for the initramfs" >&2
	exit 1
}
(cd ird && find . | "$busybox" cpio -o -H newc 2> /dev/null) | gzip -9 > out/initrd.gz
printf 'KVER=%s\nPKG=%s\nFORMAT=%s\n' "$kver" "$pkg" "$format" > out/kernel.env

rm -rf "$dir"
mv out "$dir"
echo "$dir"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian and RPM packages build from the tree, declare that they provide and replace
# hyperv-daemons, carry every program, link, unit and page; the .deb installs and removes
# cleanly in a Debian chroot made with debootstrap.  Run by .ci/stages/10-packages (slow: it
# builds twice and bootstraps a chroot), or by hand: tests/packaging/packages.sh
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
out=$TOP/build/packages

scripts/build-packages deb rpm >"$TMP/build.log" 2>&1
ok $? "scripts/build-packages deb rpm" || sed 's/^/# /' "$TMP/build.log" | tail -30

deb=$(ls "$out"/hvguest_*.deb 2>/dev/null | head -1)
simdeb=$(ls "$out"/hvguest-sim_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] && [ -f "$simdeb" ]
ok $? "two .deb files: hvguest and hvguest-sim"

for f in Provides Conflicts Replaces; do
	[ "$(dpkg-deb -f "$deb" "$f" 2>/dev/null)" = hyperv-daemons ]
	ok $? "hvguest.deb $f: hyperv-daemons"
done
dpkg-deb -c "$deb" | awk '{print $6 ($7 ? " " $7 " " $8 : "")}' >"$TMP/contents"
for want in ./usr/sbin/hv-kvpd ./usr/sbin/hv-vssd ./usr/sbin/hv-fcopyd ./usr/sbin/lsvmbus \
	./usr/bin/hv-kvp ./usr/bin/hv-check "./usr/sbin/hv_kvp_daemon -> hv-kvpd" \
	"./usr/sbin/hv_vss_daemon -> hv-vssd" "./usr/sbin/hv_fcopy_uio_daemon -> hv-fcopyd" \
	./lib/systemd/system/hv-kvpd.service "./lib/systemd/system/hv-kvp-daemon.service -> hv-kvpd.service" \
	./lib/udev/rules.d/60-hvguest.rules ./usr/share/man/man8/hv-kvpd.8.gz; do
	grep -qxF -- "$want" "$TMP/contents"
	ok $? "hvguest.deb carries $want"
done
dpkg-deb -c "$simdeb" | grep -q './usr/bin/hv-sim$'
ok $? "hvguest-sim.deb carries hv-sim"
! grep -q 'usr/bin/hv-sim$' "$TMP/contents"
ok $? "hvguest.deb does not carry hv-sim (no FUSE dependency on guests)"

rpm=$(find "$out/rpmbuild/RPMS" -name 'hvguest-[0-9]*.rpm' 2>/dev/null | head -1)
[ -f "$rpm" ]
ok $? "hvguest RPM built"
if [ -f "$rpm" ]; then
	rpm -qp --provides "$rpm" 2>/dev/null | grep -q '^hyperv-daemons = '
	ok $? "RPM provides hyperv-daemons"
	rpm -qp --conflicts "$rpm" 2>/dev/null | grep -q '^hyperv-daemons'
	ok $? "RPM conflicts with hyperv-daemons"
	rpm -qlp "$rpm" 2>/dev/null | grep -q '^/usr/lib/systemd/system/hypervkvpd.service$'
	ok $? "RPM carries the RHEL unit name hypervkvpd.service"
fi

# Install and remove in a chroot.  debootstrap fetches from Debian's archive, the only network
# this machine has; the chroot is cached under build/ between runs.
chroot_dir=$TOP/build/chroot
if ! command -v debootstrap >/dev/null; then
	ok 1 "debootstrap is installed (scripts/setup installs it)"
	tap_done
	exit
fi
if [ ! -x "$chroot_dir/usr/bin/dpkg" ]; then
	rm -rf "$chroot_dir"
	mirror=$(grep -hoE 'https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
		grep -m1 debian)
	debootstrap --variant=minbase bookworm "$chroot_dir" "${mirror:-http://deb.debian.org/debian}" \
		>"$TMP/debootstrap.log" 2>&1
	ok $? "debootstrap a bookworm chroot" || { tail -20 "$TMP/debootstrap.log" | sed 's/^/# /'; tap_done; exit; }
fi
cleanup_chroot() { umount "$chroot_dir/proc" 2>/dev/null; }
trap 'cleanup_chroot; _tap_cleanup' EXIT
mount -t proc proc "$chroot_dir/proc" 2>/dev/null
cp "$deb" "$chroot_dir/tmp/hvguest.deb"
in_chroot() { chroot "$chroot_dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
in_chroot dpkg -i /tmp/hvguest.deb >"$TMP/install.log" 2>&1
ok $? "dpkg -i hvguest.deb in the chroot" || sed 's/^/# /' "$TMP/install.log" | tail -20
in_chroot dpkg -L hvguest >"$TMP/listed" 2>/dev/null
missing=0
while read -r f; do
	[ -e "$chroot_dir$f" ] || [ -L "$chroot_dir$f" ] || { missing=$((missing + 1)); diag "missing: $f"; }
done <"$TMP/listed"
[ "$missing" -eq 0 ] && [ -s "$TMP/listed" ]
ok $? "every file the package lists is installed ($(wc -l <"$TMP/listed") paths)"
in_chroot /usr/sbin/lsvmbus --help >/dev/null 2>&1
ok $? "installed lsvmbus runs in the chroot"
in_chroot hv_kvp_daemon -h >/dev/null 2>&1
ok $? "installed hv_kvp_daemon (reference name) answers -h"
in_chroot dpkg --purge hvguest >"$TMP/remove.log" 2>&1
ok $? "dpkg --purge hvguest" || sed 's/^/# /' "$TMP/remove.log" | tail -20
left=0
while read -r f; do
	[ -d "$chroot_dir$f" ] && [ ! -L "$chroot_dir$f" ] && continue
	if [ -e "$chroot_dir$f" ] || [ -L "$chroot_dir$f" ]; then left=$((left + 1)); diag "left behind: $f"; fi
done <"$TMP/listed"
[ "$left" -eq 0 ]
ok $? "purge removes every file"
tap_done

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian and RPM packages build from the tree, declare that they provide and replace
# hyperv-daemons, carry every program, link, unit, page and the configuration file; the .deb
# installs and purges cleanly in a Debian chroot made with debootstrap.  Run by
# .ci/stages/10-packages (slow: it builds twice and bootstraps a chroot the first time), or by
# hand: tests/packaging/packages.sh
# timeout: 1200
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
out=$TOP/build/packages

# ok with the tail of a log as diagnostics when it fails
ok_log() { # status description log
	ok "$1" "$2"
	[ "$1" -eq 0 ] || sed 's/^/#   /' "$3" | tail -25
	return "$1"
}

rm -f "$out"/*.deb
scripts/build-packages deb rpm >"$TMP/build.log" 2>&1
ok_log $? "scripts/build-packages deb rpm" "$TMP/build.log"

deb=$(ls "$out"/hvguest_*.deb 2>/dev/null | head -1)
simdeb=$(ls "$out"/hvguest-sim_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] && [ -f "$simdeb" ]
ok $? "two .deb files: hvguest and hvguest-sim"
if [ ! -f "$deb" ]; then
	tap_done
	exit
fi

for f in Provides Conflicts Replaces; do
	[ "$(dpkg-deb -f "$deb" "$f" 2>/dev/null)" = hyperv-daemons ]
	ok $? "hvguest.deb $f: hyperv-daemons"
done
! dpkg-deb -f "$deb" Depends | grep -q fuse
ok $? "hvguest.deb does not depend on FUSE ($(dpkg-deb -f "$deb" Depends))"
dpkg-deb -c "$deb" | awk '{print $6 ($7 ? " " $7 " " $8 : "")}' >"$TMP/contents"
want_files=(./usr/sbin/hv-kvpd ./usr/sbin/hv-vssd ./usr/sbin/hv-fcopyd ./usr/sbin/lsvmbus
	./usr/sbin/hv-check ./usr/bin/hv-kvp)
for ref in hv_kvp_daemon:hv-kvpd hv_vss_daemon:hv-vssd hv_fcopy_daemon:hv-fcopyd \
	hv_fcopy_uio_daemon:hv-fcopyd; do
	want_files+=("./usr/sbin/${ref%:*} -> ${ref#*:}")
done
for u in hv-kvpd hv-vssd hv-fcopyd; do
	want_files+=("./lib/systemd/system/$u.service")
done
for a in hv-kvp-daemon:hv-kvpd hypervkvpd:hv-kvpd hv_kvp_daemon:hv-kvpd hv-vss-daemon:hv-vssd \
	hypervvssd:hv-vssd hv_vss_daemon:hv-vssd hv-fcopy-daemon:hv-fcopyd hypervfcopyd:hv-fcopyd \
	hv_fcopy_daemon:hv-fcopyd hv_fcopy_uio_daemon:hv-fcopyd; do
	want_files+=("./lib/systemd/system/${a%:*}.service -> ${a#*:}.service")
done
want_files+=(./lib/udev/rules.d/60-hvguest.rules ./etc/hvguest/hvguest.conf
	./usr/share/doc/hvguest/hvguest.conf.example ./usr/share/man/man5/hvguest.conf.5.gz
	./usr/share/man/man1/hv-kvp.1.gz ./usr/share/bash-completion/completions/hv-kvpd
	"./usr/share/bash-completion/completions/hv_kvp_daemon -> hv-kvpd")
for p in hv-kvpd hv-vssd hv-fcopyd lsvmbus hv-check; do
	want_files+=("./usr/share/man/man8/$p.8.gz")
done
missing=''
for want in "${want_files[@]}"; do
	grep -qxF -- "$want" "$TMP/contents" || missing="$missing [$want]"
done
[ -z "$missing" ]
ok $? "hvguest.deb carries all ${#want_files[@]} programs, links, units, rules, pages and the configuration${missing:+ (missing:$missing)}"
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null | grep -qx /etc/hvguest/hvguest.conf
ok $? "hvguest.deb: /etc/hvguest/hvguest.conf is a conffile (local edits survive upgrades)"
dpkg-deb -c "$simdeb" | awk '{print $6}' >"$TMP/simcontents"
grep -qx './usr/bin/hv-sim' "$TMP/simcontents" &&
	grep -qx './usr/share/man/man1/hv-sim.1.gz' "$TMP/simcontents" &&
	grep -qx './usr/share/bash-completion/completions/hv-sim' "$TMP/simcontents"
ok $? "hvguest-sim.deb carries hv-sim, its page and its completion"
! grep -q 'hv-sim' "$TMP/contents"
ok $? "hvguest.deb does not carry hv-sim (no FUSE on guests)"

rpm=$(find "$out/rpmbuild/RPMS" -name 'hvguest-[0-9]*.rpm' 2>/dev/null | head -1)
[ -f "$rpm" ]
ok $? "hvguest RPM built"
if [ -f "$rpm" ]; then
	rpm -qp --provides "$rpm" 2>/dev/null >"$TMP/provides"
	for p in hyperv-daemons hypervkvpd hypervvssd hypervfcopyd; do
		grep -q "^$p = " "$TMP/provides"
		ok $? "RPM provides $p"
	done
	rpm -qp --conflicts "$rpm" 2>/dev/null | grep -q '^hyperv-daemons'
	ok $? "RPM conflicts with hyperv-daemons"
	rpm -qp --obsoletes "$rpm" 2>/dev/null | grep -q '^hyperv-daemons'
	ok $? "RPM obsoletes hyperv-daemons (an upgrade replaces it)"
	rpm -qlp "$rpm" 2>/dev/null >"$TMP/rpmlist"
	missing=''
	for f in /usr/sbin/hv-kvpd /usr/sbin/hv_kvp_daemon /usr/sbin/hv-check /usr/bin/hv-kvp \
		/usr/lib/systemd/system/hypervkvpd.service /usr/lib/systemd/system/hv-fcopyd.service \
		/usr/lib/udev/rules.d/60-hvguest.rules /etc/hvguest/hvguest.conf \
		/usr/share/man/man5/hvguest.conf.5 /usr/share/bash-completion/completions/hv-kvpd; do
		# man pages are compressed where the build root policy says so (not on Debian's rpm)
		grep -qxE "$f(\.gz|\.xz|\.bz2)?" "$TMP/rpmlist" || missing="$missing $f"
	done
	[ -z "$missing" ]
	ok $? "RPM carries programs, reference names, RHEL unit names, rules, config and pages${missing:+ (missing:$missing)}"
	! grep -q hv-sim "$TMP/rpmlist"
	ok $? "hvguest RPM does not carry hv-sim (it is in hvguest-sim)"
	rpm -qp --configfiles "$rpm" 2>/dev/null | grep -qx /etc/hvguest/hvguest.conf
	ok $? "RPM: hvguest.conf is a config file"
fi

# Install and remove in a root of its own: a Debian bookworm chroot made with debootstrap
# (fetched from Debian's archive, the only network this machine has; cached under build/
# between runs).  Failing that (no network), the CI machine's own system seen through an
# overlay whose writable layer is a temporary folder, so every change is thrown away and the
# machine is left alone.  PACKAGES_ROOT=overlay forces the second.
chroot_dir=$TOP/build/chroot
overlay=''
cleanup_root() {
	umount "$chroot_dir/proc" 2>/dev/null
	if [ -n "$overlay" ]; then
		umount "$chroot_dir" 2>/dev/null
		umount "$overlay" 2>/dev/null
	fi
	_tap_cleanup
}
trap cleanup_root EXIT
if [ "${PACKAGES_ROOT:-}" != overlay ] && command -v debootstrap >/dev/null &&
	{ [ ! -x "$chroot_dir/usr/bin/dpkg" ] || [ ! -f "$chroot_dir/.hvguest-complete" ]; }; then
	rm -rf "$chroot_dir"
	mirror=$(grep -hoE 'https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
		grep -m1 -E '/debian/?$')
	if debootstrap --variant=minbase bookworm "$chroot_dir" "${mirror:-http://deb.debian.org/debian}" \
		>"$TMP/debootstrap.log" 2>&1; then
		touch "$chroot_dir/.hvguest-complete"
	else
		diag "debootstrap failed, so the CI machine under an overlay is used:"
		sed 's/^/#   /' "$TMP/debootstrap.log" | tail -5
	fi
fi
if [ "${PACKAGES_ROOT:-}" = overlay ] || [ ! -f "$chroot_dir/.hvguest-complete" ]; then
	overlay=$TMP/overlay
	chroot_dir=$TMP/root
	mkdir -p "$overlay" "$chroot_dir"
	mount -t tmpfs tmpfs "$overlay" && mkdir "$overlay/upper" "$overlay/work" &&
		mount -t overlay overlay -o "lowerdir=/,upperdir=$overlay/upper,workdir=$overlay/work" \
			"$chroot_dir"
	ok $? "the CI machine's system under a throw-away overlay as the install root"
	# the hvguest files and the old package of a host that has them: start from neither
	chroot "$chroot_dir" dpkg --purge hvguest hyperv-daemons >/dev/null 2>&1
else
	ok 0 "a Debian bookworm chroot made with debootstrap as the install root"
fi
mount -t proc proc "$chroot_dir/proc" 2>/dev/null
cp "$deb" "$chroot_dir/tmp/hvguest.deb"
in_chroot() { chroot "$chroot_dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
# a previous run that stopped half-way
in_chroot dpkg --purge hvguest >/dev/null 2>&1
in_chroot dpkg -i /tmp/hvguest.deb >"$TMP/install.log" 2>&1
ok_log $? "dpkg -i hvguest.deb" "$TMP/install.log"
in_chroot dpkg -L hvguest >"$TMP/listed" 2>/dev/null
missing=0
while read -r f; do
	[ -e "$chroot_dir$f" ] || [ -L "$chroot_dir$f" ] || { missing=$((missing + 1)); diag "missing: $f"; }
done <"$TMP/listed"
[ "$missing" -eq 0 ] && [ -s "$TMP/listed" ]
ok $? "every file the package lists is installed ($(wc -l <"$TMP/listed") paths)"
for u in hv-kvpd hv-vssd hv-fcopyd; do
	[ -L "$chroot_dir/etc/systemd/system/multi-user.target.wants/$u.service" ]
	ok $? "postinst enabled $u.service (multi-user.target.wants link)"
done
in_chroot /usr/sbin/lsvmbus --help >/dev/null 2>&1
ok $? "installed lsvmbus runs"
in_chroot hv_kvp_daemon -h >/dev/null 2>&1
ok $? "installed hv_kvp_daemon (reference name) answers -h"
in_chroot hv-vssd --config /etc/hvguest/hvguest.conf --help >/dev/null 2>&1
ok $? "installed hv-vssd accepts the installed hvguest.conf"
in_chroot dpkg --purge hvguest >"$TMP/remove.log" 2>&1
ok_log $? "dpkg --purge hvguest" "$TMP/remove.log"
left=0
while read -r f; do
	# folders (also /lib, a link to usr/lib in a merged-/usr root) are shared with others
	[ -d "$chroot_dir$f" ] && continue
	if [ -e "$chroot_dir$f" ] || [ -L "$chroot_dir$f" ]; then
		left=$((left + 1))
		diag "left behind: $f"
	fi
done <"$TMP/listed"
for extra in /etc/hvguest /etc/systemd/system/multi-user.target.wants/hv-kvpd.service; do
	if [ -e "$chroot_dir$extra" ] || [ -L "$chroot_dir$extra" ]; then
		left=$((left + 1))
		diag "left behind: $extra"
	fi
done
[ "$left" -eq 0 ]
ok $? "purge removes every file, the configuration and the enablement links"

# The migration: hyperv-daemons installed and its pool files in use, then apt installs
# hvguest.deb, which must take hyperv-daemons' place (names, units) and keep the pools.
if [ -z "$overlay" ]; then
	cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf" 2>/dev/null
	{ in_chroot apt-get -q update && in_chroot apt-get -q -y --no-install-recommends install hyperv-daemons; } \
		>"$TMP/old.log" 2>&1
	have_old=$?
else
	# the CI machine's packages: offline, so only if hyperv-daemons is in its apt cache
	in_chroot apt-get -q -y --no-download --no-install-recommends install hyperv-daemons \
		>"$TMP/old.log" 2>&1
	have_old=$?
fi
if [ $have_old -ne 0 ]; then
	skip "hyperv-daemons could not be installed in the root, so the replacement is not tested"
	sed 's/^/#   /' "$TMP/old.log" | tail -3
else
	mkdir -p "$chroot_dir/var/lib/hyperv"
	head -c 2560 /dev/urandom >"$chroot_dir/var/lib/hyperv/.kvp_pool_0"
	sum=$(sha256sum <"$chroot_dir/var/lib/hyperv/.kvp_pool_0")
	in_chroot apt-get -q -y --no-install-recommends install /tmp/hvguest.deb \
		>"$TMP/replace.log" 2>&1
	ok_log $? "apt-get install ./hvguest.deb with hyperv-daemons installed" "$TMP/replace.log"
	state=$(in_chroot dpkg-query -W -f '${db:Status-Abbrev}' hyperv-daemons 2>/dev/null)
	[ "${state:0:2}" != ii ] && [ "$(in_chroot dpkg-query -W -f '${db:Status-Abbrev}' hvguest)" = 'ii ' ]
	ok $? "hvguest replaced hyperv-daemons (hyperv-daemons: '${state:-gone}')"
	[ "$(readlink "$chroot_dir/lib/systemd/system/hv-kvp-daemon.service")" = hv-kvpd.service ] &&
		[ "$(readlink "$chroot_dir/usr/sbin/hv_kvp_daemon")" = hv-kvpd ]
	ok $? "hv-kvp-daemon.service and hv_kvp_daemon now name hvguest's"
	[ "$(sha256sum <"$chroot_dir/var/lib/hyperv/.kvp_pool_0")" = "$sum" ]
	ok $? "the pool file in /var/lib/hyperv is kept byte for byte"
	in_chroot dpkg --purge hvguest hyperv-daemons >/dev/null 2>&1
	rm -f "$chroot_dir/var/lib/hyperv/.kvp_pool_0"
fi
tap_done

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# consumers.sh - the files ipcfg renders (the golden files in tests/data/ipcfg/, which the unit
# test test-ipcfg-validate proves byte-equal to the renderers' output) are accepted by their
# real consumers: netplan's generator (`netplan generate --root-dir`) and NetworkManager's
# own keyfile reader (libnm, NM.keyfile_read + verify, any warning fails).  Each check is
# also run on a deliberately broken copy, to show it can fail.  Everything under $TMP.
. "$(dirname "$0")/../../lib/tap.sh"
D=$TOP/tests/data/ipcfg

if command -v netplan >/dev/null 2>&1; then
	for f in static dhcp twogw; do
		r=$TMP/np-$f
		mkdir -p "$r/etc/netplan"
		install -m 600 "$D/$f.yaml" "$r/etc/netplan/90-hvguest-eth0.yaml"
		check "netplan generate accepts $f.yaml" netplan generate --root-dir "$r"
		test -s "$r/run/systemd/network/10-netplan-eth0.network"
		ok $? "netplan rendered a networkd file from $f.yaml"
	done
	grep -q '^Address=192.0.2.10/24$' "$TMP/np-static/run/systemd/network/10-netplan-eth0.network"
	ok $? "netplan kept the static address"
	grep -q '^Gateway=2001:db8:1::1$' "$TMP/np-static/run/systemd/network/10-netplan-eth0.network"
	ok $? "netplan kept the IPv6 gateway"
	r=$TMP/np-bad
	mkdir -p "$r/etc/netplan"
	sed 's|"192.0.2.10/24"|"192.0.2.10/33"|' "$D/static.yaml" >"$r/etc/netplan/90-x.yaml"
	chmod 600 "$r/etc/netplan/90-x.yaml"
	! netplan generate --root-dir "$r" >/dev/null 2>&1
	ok $? "netplan generate refuses a broken copy (control)"
else
	skip "netplan not installed (scripts/packages.d/ipcfg.list: netplan.io)"
fi

if /usr/bin/python3 -c 'import gi; gi.require_version("NM", "1.0")' 2>/dev/null; then
	for f in static dhcp twogw; do
		check "libnm keyfile reader accepts $f.nmconnection" \
			/usr/bin/python3 "$TOP/tests/e2e/ipcfg/nm-keyfile-check.py" "$D/$f.nmconnection"
	done
	sed 's|192.0.2.10/24|192.0.2.10/33|' "$D/static.nmconnection" >"$TMP/bad.nmconnection"
	! /usr/bin/python3 "$TOP/tests/e2e/ipcfg/nm-keyfile-check.py" "$TMP/bad.nmconnection" >/dev/null 2>&1
	ok $? "libnm keyfile reader refuses a broken copy (control)"
else
	skip "libnm GObject bindings not installed (scripts/packages.d/ipcfg.list: gir1.2-nm-1.0)"
fi
tap_done

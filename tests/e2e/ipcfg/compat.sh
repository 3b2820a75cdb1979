#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# compat.sh - GET_IP_INFO compatibility with the reference daemon.  Debian's unmodified
# /usr/sbin/hv_kvp_daemon (in hv-sim's FUSE sandbox) and hv-kvpd (hv-sim socket mode) run side
# by side in one private network namespace, and the host asks both about the same veth NIC
# (IPv4 and IPv6 addresses, IPv6 link-local, default routes of both families).  The reference
# gathers the addresses itself (getifaddrs) and the gateways with "ip route show dev", but
# asks two helper scripts for DNS and DHCP: here they are stubs with known answers, bind-mounted
# over /usr/libexec/hypervkvpd/* in the private mount namespace only; hv-kvpd gets the same
# facts from its own sources (resolv.conf under --root, an address with a lease lifetime).
# Every host-visible field must be identical, except where PROTOCOL.md 11.1 says the reference
# is wrong: those cases (docs/ip-injection.md, "Differences ... GET_IP_INFO") are asserted to be
# exactly the documented difference, with our value checked against what the kernel has.
# Nothing outside the namespaces changes: the real scripts and /sys are only mounted over.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/common.inc"

REF=/usr/sbin/hv_kvp_daemon
LIBEXEC=/usr/libexec/hypervkvpd
MAC=00:15:5D:01:02:03

if [ "${1:-}" != --inner ]; then
	need_sim_kvpd
	[ -x $REF ] || { echo "1..0 # SKIP $REF missing (hyperv-daemons, scripts/packages.d/kvpd.list)"; exit 77; }
	[ -c /dev/fuse ] || { echo "1..0 # SKIP /dev/fuse missing (the sandbox needs FUSE)"; exit 77; }
	for s in hv_get_dns_info hv_get_dhcp_info; do
		[ -f $LIBEXEC/$s ] || { echo "1..0 # SKIP $LIBEXEC/$s missing (hyperv-daemons)"; exit 77; }
	done
	grep -qaF "$LIBEXEC/%s" $REF ||
		{ echo "1..0 # SKIP $REF does not run its scripts from $LIBEXEC"; exit 77; }
	# a child, not exec: this shell's EXIT trap removes its $TMP
	unshare --net --mount --propagation private bash "$0" --inner
	exit $?
fi

# ---- inside the private network and mount namespaces ----------------------------------------
trap 'sim_stop_all; _tap_cleanup' EXIT

# The reference's helper scripts, with known answers: DNS servers from $TMP/dns, the DHCP
# state from $TMP/dhcp; each call is logged with its arguments.
mkdir -p "$TMP/stub" "$TMP/root/etc" "$TMP/ref" "$TMP/ours"
printf '#!/bin/sh\necho "dns $*" >>%s/calls\ncat %s/dns\n' "$TMP" "$TMP" >"$TMP/stub/hv_get_dns_info"
printf '#!/bin/sh\necho "dhcp $*" >>%s/calls\ncat %s/dhcp\n' "$TMP" "$TMP" >"$TMP/stub/hv_get_dhcp_info"
chmod 755 "$TMP/stub/"*
for s in hv_get_dns_info hv_get_dhcp_info; do
	mount --bind "$TMP/stub/$s" "$LIBEXEC/$s" || { echo "1..0 # SKIP cannot bind-mount over $LIBEXEC/$s"; exit 77; }
done
# The same DNS facts for hv-kvpd: resolv.conf under its root (no networkd state there).
printf '192.0.2.53\n2001:db8:1::53\n' >"$TMP/dns"
printf 'search example.test\nnameserver 192.0.2.53\nnameserver 2001:db8:1::53\noptions edns0\n' \
	>"$TMP/root/etc/resolv.conf"
echo "Disabled" >"$TMP/dhcp"

netns_init && netns_nic hn0 "$MAC" gw0 &&
	ip addr add 192.0.2.10/24 dev hn0 &&
	ip addr add 198.51.100.7/25 dev hn0 &&
	ip addr add 2001:db8:1::10/64 dev hn0 nodad &&
	ip route add default via 192.0.2.1 dev hn0 &&
	ip -6 route add default via 2001:db8:1::1 dev hn0 &&
	ip -6 route add default via fe80::1 dev hn0 metric 2048 &&
	# a second NIC with a default route of its own (the reference once reported every
	# interface's gateways; the Debian version filters by device)
	netns_nic other0 00:15:5d:0a:0b:0c gw1 &&
	ip addr add 203.0.113.20/24 dev other0 &&
	ip route add default via 203.0.113.1 dev other0 metric 50 &&
	netns_settle hn0 gw0 other0 gw1
ok $? "namespace: veth hn0 ($MAC) with IPv4, IPv6, link-local and default routes"
# The reference walks /sys/class/net: a sysfs of this network namespace.
mount -t sysfs -o ro sysfs /sys
ok $? "a sysfs of the namespace is mounted over /sys (private mount namespace)"

sim_start ref --sandbox --state-dir "$TMP/ref" -- $REF -n
ok $? "the reference daemon registered in the sandbox"
sim_start ours -- "$BIN/hv-kvpd" -n --state-dir "$TMP/ours" --config /dev/null --root "$TMP/root"
ok $? "hv-kvpd registered"

# What the kernel has, in the host's formats: addresses in the kernel's order (IPv4 dotted
# masks, IPv6 "/N"), this NIC's default gateways, each followed by ";".
truth() {
	ip -o addr show dev hn0 | awk '
		function mask(p,  m, i, o, s) {
			for (i = 0; i < 4; i++) {
				o = p >= 8 ? 255 : (p <= 0 ? 0 : 256 - 2 ^ (8 - p))
				s = s (i ? "." : "") o; p -= 8
			}
			return s
		}
		$3 == "inet" || $3 == "inet6" {
			split($4, a, "/")
			ip = ip (n ? ";" : "") a[1]
			sn = sn (n ? ";" : "") ($3 == "inet" ? mask(a[2]) : "/" a[2])
			if ($3 == "inet") v4 = 1; else v6 = 2
			n++
		}
		END { print "family=" v4 + v6; print "ip=" ip; print "subnet=" sn }'
	printf 'gateway=%s\n' "$( { ip -4 route show default dev hn0; ip -6 route show default dev hn0; } |
		awk '{ printf "%s;", $3 }')"
}

# compare LABEL ADAPTER: both daemons asked the same; one TAP line per field.
compare() {
	getip "$TMP/ref.ctl" "$2" >"$TMP/ref.$1"
	getip "$TMP/ours.ctl" "$2" >"$TMP/ours.$1"
	local f r o fields=status
	if [ "$(field status <"$TMP/ours.$1")" = 0x00000000 ]; then
		[ "$(grep -cE '^(family|dhcp|ip|subnet|gateway|dns)=' "$TMP/ref.$1")" = 6 ] &&
			[ "$(grep -cE '^(family|dhcp|ip|subnet|gateway|dns)=' "$TMP/ours.$1")" = 6 ]
		ok $? "$1: both replies read back in full"
		fields="status family dhcp ip subnet gateway dns"
	fi
	for f in $fields; do
		r=$(field $f <"$TMP/ref.$1")
		o=$(field $f <"$TMP/ours.$1")
		[ "$r" = "$o" ]
		ok $? "$1: $f identical: '$o'"
		[ "$r" = "$o" ] || diag "reference: '$r'"
	done
}

# 1. Static dual stack, DHCP off.
compare static "$MAC"
truth >"$TMP/truth"
for f in family ip subnet gateway; do
	[ "$(field $f <"$TMP/truth")" = "$(field $f <"$TMP/ours.static")" ]
	ok $? "static: $f is what the kernel has: '$(field $f <"$TMP/truth")'"
done
[ "$(field dns <"$TMP/ours.static")" = "192.0.2.53;2001:db8:1::53;" ]
ok $? "static: dns from resolv.conf, each entry followed by ';'"
grep -q '^dhcp hn0$' "$TMP/calls" && grep -q '^dns' "$TMP/calls"
ok $? "the reference ran its (stub) DNS and DHCP scripts for hn0, so the comparison is real"

# 2. DHCP: the IPv4 address now has a lease lifetime (as a DHCP client installs it), and the
# reference's script says "Enabled".
ip addr change 192.0.2.10/24 dev hn0 valid_lft 3600 preferred_lft 3600 &&
	echo "Enabled: DHCP enabled" >"$TMP/dhcp"
ok $? "hn0's IPv4 address has a lease lifetime"
compare dhcp "$MAC"
[ "$(field dhcp <"$TMP/ours.dhcp")" = 1 ]
ok $? "dhcp: hv-kvpd reports DHCP on"

# 3. IPv4 only (the IPv6 addresses and route gone, IPv6 off on the NIC).
sysctl -qw net.ipv6.conf.hn0.disable_ipv6=1 && echo "Disabled" >"$TMP/dhcp" &&
	ip addr change 192.0.2.10/24 dev hn0 valid_lft forever preferred_lft forever
ok $? "hn0: IPv6 off, static IPv4"
compare ipv4only "$MAC"
[ "$(field family <"$TMP/ours.ipv4only")" = 1 ]
ok $? "ipv4only: family is 1"

# 4. An adapter that does not exist: both fail the same way.
compare unknown 00:15:5D:99:99:99
[ "$(field status <"$TMP/ours.unknown")" = 0x80004005 ]
ok $? "unknown MAC: HV_E_FAIL"

# 5. SR-IOV shaped: a second link with hn0's MAC and no address (a VF before bonding).
ip link add vf0 address "$MAC" type veth peer name gw3 &&
	sysctl -qw net.ipv6.conf.vf0.disable_ipv6=1 && ip link set vf0 up && ip link set gw3 up &&
	netns_settle gw3
ok $? "a second link vf0 with the same MAC and no address"
compare sriov "$MAC"
diff "$TMP/ours.ipv4only" "$TMP/ours.sriov" >/dev/null
ok $? "sriov: hv-kvpd still reports hn0"

# Documented differences (docs/ip-injection.md), each asserted to be exactly that.
# a) The MAC in lower case: the reference compares with strcmp against upper case only.
getip "$TMP/ref.ctl" 00:15:5d:01:02:03 >"$TMP/ref.lower"
getip "$TMP/ours.ctl" 00:15:5d:01:02:03 >"$TMP/ours.lower"
[ "$(field status <"$TMP/ref.lower")" = 0x80004005 ]
ok $? "difference a: the reference does not find a lower-case MAC (HV_E_FAIL)"
grep -v '^status=' "$TMP/ours.ipv4only" | diff - <(grep -v '^status=' "$TMP/ours.lower") >/dev/null &&
	[ "$(field status <"$TMP/ours.lower")" = 0x00000000 ]
ok $? "difference a: hv-kvpd answers the lower-case MAC with the same fields"

# b) Interface names by prefix: a NIC "hn01" makes the reference (strncmp of getifaddrs names)
# report hn01's address as hn0's.
netns_nic hn01 00:15:5d:0d:0e:0f gw2 && ip addr add 203.0.113.5/24 dev hn01 &&
	netns_settle hn01 gw2
ok $? "a second NIC hn01 (203.0.113.5/24), whose name starts with hn0"
getip "$TMP/ref.ctl" "$MAC" >"$TMP/ref.prefix"
getip "$TMP/ours.ctl" "$MAC" >"$TMP/ours.prefix"
diff "$TMP/ours.ipv4only" "$TMP/ours.prefix" >/dev/null
ok $? "difference b: hv-kvpd reports hn0 exactly as before"
case ";$(field ip <"$TMP/ref.prefix");" in
*";203.0.113.5;"*) r=0 ;;
*) r=1 ;;
esac
ok $r "difference b: the reference adds hn01's address to hn0's ('$(field ip <"$TMP/ref.prefix")')"
for f in gateway dns dhcp; do
	[ "$(field $f <"$TMP/ref.prefix")" = "$(field $f <"$TMP/ours.prefix")" ]
	ok $? "difference b: $f still identical"
done

sim_stop_all
tap_done

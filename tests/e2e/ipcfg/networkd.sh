#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# networkd.sh - the .network files ipcfg renders (tests/data/ipcfg/*.network, which the unit
# test test-ipcfg-validate proves byte-equal to the renderer's output) are applied by the real
# systemd-networkd.  networkd runs inside a private network and mount namespace made by this
# test: its config and state folders are tmpfs mounts there, /sys is a fresh read-only sysfs of
# the namespace (so networkd does not wait for udev), and a veth "eth0" carries the MAC the
# file matches.  A broken copy is the control.  Nothing outside the namespaces is touched.
# timeout: 120
. "$(dirname "$0")/../../lib/tap.sh"

ND=/lib/systemd/systemd-networkd

# Inside the namespaces: $2 = .network file, $3 = result folder, $4/$5 = what to wait for in
# the addresses and the default routes.
if [ "${1:-}" = --inner ]; then
	set -e
	file=$2 out=$3 addr_want=${4:-.} route_want=${5:-}
	mount -t tmpfs tmpfs /run/systemd/netif 2>/dev/null || { mkdir -p /run/systemd/netif; mount -t tmpfs tmpfs /run/systemd/netif; }
	mount -t tmpfs tmpfs /etc/systemd/network
	mkdir -p /run/systemd/network
	mount -t tmpfs tmpfs /run/systemd/network
	cp "$file" /etc/systemd/network/10-hvguest-eth0.network
	ip link set lo up
	ip link add eth0 type veth peer name gw0
	ip link set eth0 address 00:15:5d:aa:bb:cc
	ip link set gw0 up
	mount -t sysfs -o ro sysfs /sys
	"$ND" >"$out/log" 2>&1 &
	pid=$!
	# Wait (bounded, 20 s) until networkd took the file and what $4 and $5 name shows up in
	# the addresses and default routes.  (The link stays "configuring" for a while after
	# that: it also waits for router advertisements that never come here.)
	for _ in $(seq 1 200); do
		if grep -qs '^NETWORK_FILE=/' /run/systemd/netif/links/* &&
			ip -o addr show dev eth0 | grep -q -- "$addr_want" &&
			{ [ -z "$route_want" ] || ip -o route show default | grep -q -- "$route_want"; }; then
			break
		fi
		sleep 0.1
	done
	cat /run/systemd/netif/links/* >"$out/links" 2>/dev/null || true
	ip -o addr show dev eth0 >"$out/addr"
	ip -o route show default >"$out/route4"
	ip -o -6 route show default >"$out/route6"
	# SIGKILL: a clean shutdown waits seconds for D-Bus, and the namespaces die with us.
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	exit 0
fi

need_root "private network and mount namespaces"
[ -x "$ND" ] || { echo "1..0 # SKIP systemd-networkd not installed"; exit 77; }
command -v unshare >/dev/null || { echo "1..0 # SKIP unshare not installed"; exit 77; }

run_nd() { # file name addr-pattern route-pattern
	mkdir -p "$TMP/$2"
	unshare --net --mount --propagation private bash "$0" --inner "$1" "$TMP/$2" "${3:-.}" "${4:-}"
}

D=$TOP/tests/data/ipcfg
run_nd "$D/static.network" static "inet6 2001:db8:1::10/64" "via 192.0.2.1"
ok $? "networkd ran on static.network in the namespaces"
grep -q 'NETWORK_FILE=/etc/systemd/network/10-hvguest-eth0.network' "$TMP/static/links"
ok $? "networkd matched eth0 by MAC and name"
grep -qE 'ADMIN_STATE=configur(ing|ed)' "$TMP/static/links"
ok $? "networkd manages the link"
grep -q 'inet 192.0.2.10/24' "$TMP/static/addr"
ok $? "IPv4 address applied"
grep -q 'inet6 2001:db8:1::10/64' "$TMP/static/addr"
ok $? "IPv6 address applied"
grep -q 'default via 192.0.2.1 dev eth0' "$TMP/static/route4"
ok $? "IPv4 default route applied"
grep -q 'DNS=192.0.2.53 2001:db8:1::53' "$TMP/static/links"
ok $? "DNS servers taken (networkd link state)"
! grep -qiE 'ignoring|invalid|failed to parse' "$TMP/static/log"
ok $? "no parse warnings for static.network"

run_nd "$D/dhcp.network" dhcp
ok $? "networkd ran on dhcp.network"
grep -q 'NETWORK_FILE=/etc/systemd/network/10-hvguest-eth0.network' "$TMP/dhcp/links"
ok $? "DHCP file matched eth0"
! grep -qiE 'ignoring|invalid|failed to parse' "$TMP/dhcp/log"
ok $? "no parse warnings for dhcp.network"

sed 's|^Address=192.0.2.10/24|Address=192.0.2.10/33|' "$D/static.network" >"$TMP/bad.network"
run_nd "$TMP/bad.network" bad "inet6 2001:db8:1::10/64"
! grep -q 'inet 192.0.2.10/' "$TMP/bad/addr"
ok $? "control: networkd refuses a /33 address"
tap_done
